# Pixel-wise KD (Hinton) on the logits, CNN teacher -> transformer student: the embedded PSPNet-R101-w8 -> the
# embedded SegFormer-MiT-w8, SynTex. The teacher's 12x12 logits are resized bilinearly to the student's 24x24.
# Loss: 10 * tau^2 * KL(softmax(z_T/tau) || softmax(z_S/tau)), mean over valid (non-ignored) pixels.
_base_ = ['../_base_/syntex_distill_mit.py']
model = dict(
    distiller=dict(
        distill_losses=dict(loss_kd=dict(type='PixelWiseKDLoss', tau=1.0, loss_weight=10.0)),
        loss_forward_mappings=dict(loss_kd=_base_.logits_gt_inputs)))
