# FRKD ablation row "+inter" (benchmarks/suites/frkd_syntex.py): "+refine" + gamma * L_inter
# (L_cls + 10 * refined pixel KD + gamma * FRKDInterClassLoss). Everything else as in the full config.
_base_ = ['./frkd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py']
frkd_losses = _base_.model.distiller.distill_losses
model = dict(
    distiller=dict(
        distill_losses=dict(_delete_=True, loss_kd=frkd_losses.loss_kd, loss_inter=frkd_losses.loss_inter),
        loss_forward_mappings=dict(_delete_=True, loss_kd=_base_.frkd_inputs, loss_inter=_base_.frkd_inputs)))
