# SKD, pixel-wise term only (Liu et al. 2019): the embedded teacher -> the embedded student, SynTex.
# Loss: 10 * tau^2 * KL(softmax(z_T/tau) || softmax(z_S/tau)), tau = 1, mean over valid (non-ignored) pixels
# (the paper's weight 10; the authors' code divides the batch sum by h*w only: reduction='sum_over_hw').
_base_ = ['../_base_/syntex_distill.py']
model = dict(
    distiller=dict(
        distill_losses=dict(loss_pixel=dict(type='PixelWiseKDLoss', tau=1.0, loss_weight=10.0)),
        loss_forward_mappings=dict(loss_pixel=_base_.logits_gt_inputs)))
