# DIST (Huang et al., NeurIPS 2022; docs/methods/dist.md), CNN teacher -> transformer student: the embedded
# PSPNet-R101-w8 -> the embedded SegFormer-MiT-w8, SynTex. The authors' segmentation settings on the decode
# logits (tau 1, inter/intra weights 1, weight 1; the teacher's 12x12 logits resized to the student's 24x24);
# no auxiliary term: the SegFormer student has no auxiliary head.
_base_ = ['../_base_/syntex_distill_mit.py', '../_base_/distillers/dist_logits.py']
model = dict(
    distiller=dict(
        distill_losses=dict(loss_dist=_base_.dist_distiller.distill_losses.loss_dist),
        loss_forward_mappings=dict(loss_dist=_base_.dist_distiller.loss_forward_mappings.loss_dist)))
