# The setting every single-teacher SynTex distillation config shares: the embedded teacher (PSPNet-R101-w8,
# trained by configs/syntex/pspnet_r101-w8-d8_1xb8-4k_syntex-96x96.py from its pretext-pretrained backbone) -> the
# embedded student (PSPNet-R18-w8, from its pretext-pretrained backbone), SynTex 96x96, 2k iterations, batch 8
# (benchmark protocol v2, docs/benchmark_protocol.md). The distiller records the logits (decode_head.conv_seg) of
# both; a leaf config adds its distill_losses and loss_forward_mappings (inputs: `logits_inputs`,
# `logits_gt_inputs`), or replaces the recorders (`_delete_=True`).
_base_ = ['./models/syntex_pspnet.py', './datasets/syntex.py', './default_runtime.py', './schedules/syntex_2k.py']
teacher_ckpt = 'checkpoints/syntex/teacher_pspnet_r101-w8.pth'
logits_recorder = dict(type='ModuleOutputs', source='decode_head.conv_seg')
logits_inputs = dict(preds_S=dict(from_student=True, recorder='logits'),
                     preds_T=dict(from_student=False, recorder='logits'))
logits_gt_inputs = dict(logits_inputs, gt_sem_seg=dict(from_data='gt_sem_seg'))
model = dict(
    _scope_='mmrazor',
    type='SegmentationDistill',
    architecture=_base_.student_model,
    teacher=_base_.teacher_model,
    teacher_ckpt=teacher_ckpt,
    distiller=dict(
        type='SegDistiller',
        student_recorders=dict(logits=logits_recorder),
        teacher_recorders=dict(logits=logits_recorder)))
