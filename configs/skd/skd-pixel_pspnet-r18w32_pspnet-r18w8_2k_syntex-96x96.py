# SKD, pixel-wise term only (Liu et al. 2019): the embedded teacher -> the embedded student, SynTex.
# Loss: 10 * tau^2 * KL(softmax(z_T/tau) || softmax(z_S/tau)), tau = 1, mean over valid (non-ignored) pixels
# (the paper's weight 10; the authors' code divides the batch sum by h*w only: reduction='sum_over_hw').
_base_ = [
    '../_base_/models/syntex_pspnet.py', '../_base_/datasets/syntex.py',
    '../_base_/default_runtime.py', '../_base_/schedules/syntex_2k.py'
]
teacher_ckpt = 'checkpoints/syntex/teacher_pspnet_r18-w32.pth'
model = dict(
    _scope_='mmrazor',
    type='SegmentationDistill',
    architecture=_base_.student_model,
    teacher=_base_.teacher_model,
    teacher_ckpt=teacher_ckpt,
    distiller=dict(
        type='SegDistiller',
        student_recorders=dict(logits=dict(type='ModuleOutputs', source='decode_head.conv_seg')),
        teacher_recorders=dict(logits=dict(type='ModuleOutputs', source='decode_head.conv_seg')),
        distill_losses=dict(loss_pixel=dict(type='PixelWiseKDLoss', tau=1.0, loss_weight=10.0)),
        loss_forward_mappings=dict(
            loss_pixel=dict(
                preds_S=dict(from_student=True, recorder='logits'),
                preds_T=dict(from_student=False, recorder='logits'),
                gt_sem_seg=dict(from_data='gt_sem_seg')))))
