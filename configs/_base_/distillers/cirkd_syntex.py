# CIRKD (docs/methods/cirkd.md) on SynTex: configs/_base_/distillers/cirkd_logits_features.py (the authors'
# weights and temperatures: pixel KD 1, mini-batch 1, memory pixel / region 0.1 / 0.1; tau 0.1, KD tau 1) with
# the memories scaled to SynTex (configs/cirkd/README.md): each spans about as many steps as the authors', and the
# contrast sets are about the same fraction of each memory. The embedded teacher's PSPHead feature is 64 wide; a
# leaf config sets the student's width (`student_channels`).
_base_ = ['./cirkd_logits_features.py']
cirkd_syntex_memory_loss = dict(
    _base_.cirkd_memory_loss,
    num_classes=7,
    student_channels=16,
    teacher_channels=64,
    pixel_memory_size=2500,
    region_memory_size=1000,
    pixel_contrast_size=192,
    region_contrast_size=192,
    pixel_update_freq=4,
    norm_cfg=dict(type='BN'))
cirkd_syntex_distiller = dict(
    _base_.cirkd_distiller,
    distill_losses=dict(_base_.cirkd_distiller.distill_losses, loss_memory=cirkd_syntex_memory_loss))
