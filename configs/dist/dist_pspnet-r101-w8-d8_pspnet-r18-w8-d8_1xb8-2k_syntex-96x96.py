# DIST (Huang et al., NeurIPS 2022; docs/methods/dist.md): the embedded teacher -> the embedded student, SynTex,
# with the authors' segmentation settings (tau 1, inter/intra weights 1; decode logits weight 1, auxiliary
# logits weight 0.4; ignored pixels left out).
_base_ = ['../_base_/syntex_distill.py', '../_base_/distillers/dist_logits.py']
model = dict(distiller=_base_.dist_distiller)
