# The heterogeneous SynTex pair: the embedded CNN teacher (PSPNet-R101-w8, logits and decoder features at 1/8,
# 12x12) -> the embedded transformer student (SegFormer-MiT-w8, logits and fused features at 1/4, 24x24),
# otherwise ./syntex_distill.py (dataset, schedule, teacher checkpoint, logits recorders). Every loss brings the
# teacher's map to the student's size (its `resize='teacher_to_student'` policy: bilinear, align_corners=False,
# docs/alignment.md). The student has no auxiliary head.
_base_ = ['./syntex_distill.py', './models/syntex_segformer.py']
model = dict(
    architecture=dict(_base_.mit_student_model, _delete_=True, data_preprocessor=_base_.syntex_data_preprocessor))
