# CIRKD (Yang et al., CVPR 2022; docs/methods/cirkd.md), CNN teacher -> transformer student: the embedded
# PSPNet-R101-w8 -> the embedded SegFormer-MiT-w8, SynTex, with the settings of the CNN pair
# (configs/_base_/distillers/cirkd_syntex.py). Features: the input of each decode head's conv_seg (teacher PSPHead
# 64 channels at 12x12, resized to the student's 24x24; student SegformerHead 64 channels).
_base_ = ['../_base_/syntex_distill_mit.py', '../_base_/distillers/cirkd_syntex.py']
model = dict(
    distiller=dict(
        _base_.cirkd_syntex_distiller,
        distill_losses=dict(_base_.cirkd_syntex_distiller.distill_losses,
                            loss_memory=dict(_base_.cirkd_syntex_memory_loss, student_channels=64))))
