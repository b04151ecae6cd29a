# CIRKD (Yang et al., CVPR 2022; docs/methods/cirkd.md): the embedded teacher -> the embedded student, SynTex, with
# the authors' weights and temperatures on the decoder features the classifiers see (PSPHead: teacher 64, student
# 16 channels, 12x12 at 96x96) and the memories scaled to SynTex (configs/_base_/distillers/cirkd_syntex.py).
_base_ = ['../_base_/syntex_distill.py', '../_base_/distillers/cirkd_syntex.py']
model = dict(distiller=_base_.cirkd_syntex_distiller)
