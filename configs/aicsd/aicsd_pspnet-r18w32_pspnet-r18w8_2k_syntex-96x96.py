# AICSD = KD + ICSD + Adaptive Loss Weighting (METHODS.md §4): the teacher's influence decays over training,
#   total = alpha * (CE + ICSD) + (1 - alpha) * KD,   alpha = iteration / max_iters in [0, 1],
# with the weights of ./kd-icsd_*.py as the end points (CE 1 and aux CE 0.4, ICSD w, KD 10). It is one
# configuration of the general LossWeightScheduleHook; the student's own CE losses are scheduled too.
# Linear (the paper's alpha) was kept after screening cosine, a CE end weight of 10, CE held at 1, alpha
# reaching 1 at half training and a KD start weight of 1 on two unreported seeds (numbers in
# benchmarks/suites/aicsd_syntex.py); none was better on both seeds. Neither was a KD start weight of 3 or 20,
# KD tau 4, doubled CE/ICSD end weights, or only KD decaying (second screen, same seeds).
_base_ = ['./kd-icsd_pspnet-r18w32_pspnet-r18w8_2k_syntex-96x96.py']
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
