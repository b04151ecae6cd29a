# Supervised-only baseline of MGD-SSSS on SynTex: the embedded student (PSPNet ResNetV1c-18 width 8)
# trained on the labeled 1/8 split only (188 images, seed-0 partition), same schedule as every student.
_base_ = [
    '../_base_/models/syntex_pspnet_mgd_ssss.py', '../_base_/datasets/syntex_semi.py',
    '../_base_/default_runtime.py', '../_base_/schedules/syntex_2k.py'
]
model = _base_.student_model
train_dataloader = _base_.labeled_loader
