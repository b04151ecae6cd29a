# Pretext pretraining of the MGD-SSSS wide teacher's backbone (ResNetV1c-18 at width 32); see
# classfraction_r18-w8_1xb16-2k_syntex-pretext-96x96.py. Output: checkpoints/syntex/resnetv1c18-w32_pretext.pth.
_base_ = ['./classfraction_r18-w8_1xb16-2k_syntex-pretext-96x96.py']
model = dict(backbone=dict(stem_channels=32, base_channels=32), in_channels=256)
