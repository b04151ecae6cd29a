# AICSD = KD + ICSD + Adaptive Loss Weighting: total = alpha * (CE + ICSD) + (1 - alpha) * KD, alpha = iter / max_iters,
# with the weights of ./kd-icsd_*.py as end points (CE 1, aux CE 0.4, ICSD w, KD 10), on SynTex.
# Schedule screens and decisions: docs/methods/aicsd.md
_base_ = ['./kd-icsd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py']
custom_hooks = [
    dict(
        type='LossWeightScheduleHook',
        by_epoch=False,
        policy='linear',
        schedules=dict(
            ce=dict(path='architecture.decode_head.loss_decode.loss_weight', start_value=0.0, end_value=1.0),
            ce_aux=dict(
                path='architecture.auxiliary_head.loss_decode.loss_weight', start_value=0.0, end_value=0.4),
            icsd=dict(path='distiller.distill_losses.loss_icsd.loss_weight', start_value=0.0,
                      end_value=_base_.icsd_weight),
            kd=dict(path='distiller.distill_losses.loss_kd.loss_weight', start_value=_base_.kd_weight,
                    end_value=0.0)))
]
