# Pretext pretraining of the embedded teacher's backbone (ResNetV1c-101 at width 8); see
# classfraction_r18-w8_1xb16-2k_syntex-pretext-96x96.py. Output: checkpoints/syntex/resnetv1c101-w8_pretext.pth.
_base_ = ['./classfraction_r18-w8_1xb16-2k_syntex-pretext-96x96.py']
model = dict(backbone=dict(depth=101), in_channels=256)
