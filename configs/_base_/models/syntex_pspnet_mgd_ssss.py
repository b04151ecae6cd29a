# MGD-SSSS on SynTex: two structurally complementary teachers and the embedded student.
#   teacher_wide_model  PSPNet ResNetV1c-18 at width 32 (the embedded teacher of benchmark protocol v1), 3.24M
#                       parameters
#   teacher_deep_model  PSPNet ResNetV1c-101 at width 16 (bottleneck blocks, 101 layers instead of 18,
#                       half the wide teacher's stem/stage width; last stage 512 channels), 3.40M
#                       parameters; about as costly per step as the wide teacher on 2 CPU cores
#   student_model       PSPNet ResNetV1c-18 at width 8 (= the embedded student), 0.20M parameters
# All three share the data preprocessor (a requirement of the distillation algorithms).
_base_ = ['./syntex_pspnet.py']

teacher_wide_model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor=_base_.syntex_data_preprocessor,
    backbone=dict(
        type='ResNetV1c', depth=18, stem_channels=32, base_channels=32, num_stages=4,
        out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1),
        norm_cfg=_base_.norm_cfg, norm_eval=False, style='pytorch', contract_dilation=True),
    decode_head=dict(
        type='PSPHead', in_channels=256, in_index=3, channels=64, pool_scales=(1, 2, 3, 6),
        dropout_ratio=0.1, num_classes=7, norm_cfg=_base_.norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=128, in_index=2, channels=64, num_convs=1, concat_input=False,
        dropout_ratio=0.1, num_classes=7, norm_cfg=_base_.norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

teacher_deep_model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor=_base_.syntex_data_preprocessor,
    backbone=dict(
        type='ResNetV1c', depth=101, stem_channels=16, base_channels=16, num_stages=4,
        out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1),
        norm_cfg=_base_.norm_cfg, norm_eval=False, style='pytorch', contract_dilation=True),
    decode_head=dict(
        type='PSPHead', in_channels=512, in_index=3, channels=64, pool_scales=(1, 2, 3, 6),
        dropout_ratio=0.1, num_classes=7, norm_cfg=_base_.norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=256, in_index=2, channels=64, num_convs=1, concat_input=False,
        dropout_ratio=0.1, num_classes=7, norm_cfg=_base_.norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
