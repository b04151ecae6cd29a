# KD + ICSD with constant weights (AICSD without its Adaptive Loss Weighting): pixel-wise KD (tau 1,
# weight 10, as configs/kd) plus the ICSD loss of ./icsd_*.py. Total = CE + 10 * KD + w * ICSD.
_base_ = ['./icsd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py']
kd_weight = 10.0
model = dict(
    distiller=dict(
        distill_losses=dict(loss_kd=dict(type='PixelWiseKDLoss', tau=1.0, loss_weight=kd_weight)),
        loss_forward_mappings=dict(loss_kd=_base_.logits_gt_inputs)))
