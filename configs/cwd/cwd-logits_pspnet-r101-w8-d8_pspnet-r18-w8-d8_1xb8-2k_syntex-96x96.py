# Channel-wise distillation (CWD, Shu et al. 2021) on the logits alone: the embedded teacher -> the embedded
# student, SynTex. The setting MGD's segmentation results add to MGD (tau=4, weight 3), so that this config
# and configs/mgd/mgd-cwd_* isolate MGD's share.
# Loss: 3 * tau^2 * sum_{b,c} KL(softmax_hw(z_T[b,c]/tau) || softmax_hw(z_S[b,c]/tau)) / (B*C).
_base_ = ['../_base_/syntex_distill.py']
model = dict(
    distiller=dict(
        student_recorders=dict(_delete_=True, logits=dict(type='DecodeHead', layer='logits')),
        teacher_recorders=dict(_delete_=True, logits=dict(type='DecodeHead', layer='logits')),
        distill_losses=dict(loss_cwd=dict(type='ChannelWiseKDLoss', tau=4.0, loss_weight=3.0)),
        loss_forward_mappings=dict(loss_cwd=_base_.logits_inputs)))
