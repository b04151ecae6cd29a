# CIRKD (Yang et al., CVPR 2022; docs/methods/cirkd.md), CNN teacher -> transformer student: the embedded
# PSPNet-R101-w8 -> the embedded SegFormer-MiT-w8, SynTex, with the settings of the CNN pair
# (cirkd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py): pixel KD 1, mini-batch 1, memory pixel /
# region 0.1 / 0.1, tau 0.1, KD tau 1, memories scaled to SynTex. Features: the input of each decode head's
# conv_seg (teacher PSPHead 64 channels at 12x12, resized to the student's 24x24; student SegformerHead 64).
_base_ = ['../_base_/syntex_distill_mit.py', '../_base_/distillers/cirkd_logits_features.py']
syntex_memory_loss = dict(
    _base_.cirkd_memory_loss,
    num_classes=7,
    student_channels=64,
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
