# CIRKD (Yang et al., CVPR 2022; docs/methods/cirkd.md): the embedded teacher -> the embedded student, SynTex, with
# the authors' weights and temperatures (pixel KD 1, mini-batch 1, memory pixel / region 0.1 / 0.1; tau 0.1, KD
# tau 1) on the decoder features the classifiers see (PSPHead: teacher 64, student 16 channels, 12x12 at 96x96).
# The memories are scaled to SynTex (configs/cirkd/README.md): each spans about as many steps as the authors',
# and the contrast sets are about the same fraction of each memory.
_base_ = ['../_base_/syntex_distill.py', '../_base_/distillers/cirkd_logits_features.py']
syntex_memory_loss = dict(
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
model = dict(
    distiller=dict(
        _base_.cirkd_distiller,
        distill_losses=dict(_base_.cirkd_distiller.distill_losses, loss_memory=syntex_memory_loss)))
