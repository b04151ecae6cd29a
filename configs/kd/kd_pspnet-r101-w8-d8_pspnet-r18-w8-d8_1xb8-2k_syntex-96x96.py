# Pixel-wise KD (Hinton) on the logits: the embedded teacher -> the embedded student, SynTex.
# Loss: 10 * tau^2 * KL(softmax(z_T/tau) || softmax(z_S/tau)), mean over valid (non-ignored) pixels.
_base_ = ['../_base_/syntex_distill.py']
model = dict(
    distiller=dict(
        distill_losses=dict(loss_kd=dict(type='PixelWiseKDLoss', tau=1.0, loss_weight=10.0)),
        loss_forward_mappings=dict(loss_kd=_base_.logits_gt_inputs)))
