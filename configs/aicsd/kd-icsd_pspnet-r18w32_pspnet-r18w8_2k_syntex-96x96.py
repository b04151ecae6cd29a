# KD + ICSD with constant weights (AICSD without its Adaptive Loss Weighting): pixel-wise KD (tau 1,
# weight 10, as configs/kd) plus the ICSD loss of ./icsd_*.py. Total = CE + 10 * KD + w * ICSD.
_base_ = ['./icsd_pspnet-r18w32_pspnet-r18w8_2k_syntex-96x96.py']
kd_weight = 10.0
model = dict(
    distiller=dict(
        distill_losses=dict(loss_kd=dict(type='PixelWiseKDLoss', tau=1.0, loss_weight=kd_weight)),
        loss_forward_mappings=dict(
            loss_kd=dict(
                preds_S=dict(from_student=True, recorder='logits'),
                preds_T=dict(from_student=False, recorder='logits'),
                gt_sem_seg=dict(from_data='gt_sem_seg')))))
