# Channel-wise distillation (CWD, Shu et al. 2021) on the logits alone: the embedded teacher -> the embedded
# student, SynTex. The setting MGD's segmentation results add to MGD (tau=4, weight 3), so that this config
# and configs/mgd/mgd-cwd_* isolate MGD's share.
# Loss: 3 * tau^2 * sum_{b,c} KL(softmax_hw(z_T[b,c]/tau) || softmax_hw(z_S[b,c]/tau)) / (B*C).
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
        student_recorders=dict(logits=dict(type='DecodeHead', layer='logits')),
        teacher_recorders=dict(logits=dict(type='DecodeHead', layer='logits')),
        distill_losses=dict(loss_cwd=dict(type='ChannelWiseKDLoss', tau=4.0, loss_weight=3.0)),
        loss_forward_mappings=dict(
            loss_cwd=dict(
                preds_S=dict(from_student=True, recorder='logits'),
                preds_T=dict(from_student=False, recorder='logits')))))
