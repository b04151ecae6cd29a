# FRKD ablation row "+refine" (benchmarks/suites/frkd_syntex.py): L_cls + 10 * pixel KD on refined logits
# (RefinedPixelWiseKDLoss: KL at the pixels the teacher's refine mask keeps, mean over them). The refine
# mask and every hyper-parameter come from the full config; only the losses differ.
_base_ = ['./frkd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py']
model = dict(
    distiller=dict(
        distill_losses=dict(_delete_=True, loss_kd=_base_.model.distiller.distill_losses.loss_kd),
        loss_forward_mappings=dict(_delete_=True, loss_kd=_base_.frkd_inputs)))
