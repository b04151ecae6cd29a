# The embedded teacher and student: mmseg's PSPNet (ResNetV1c backbone, dilated to output stride 8,
# PSPHead + FCN auxiliary head) at reduced width — the paper setting "big PSPNet -> small PSPNet" in small:
#   teacher  ResNetV1c-18, width 32 (stem and first stage 32 channels, last stage 256), 3.24M parameters
#   student  ResNetV1c-18, width 8  (last stage 64 channels),                          0.20M parameters
# On SynTex (2 CPU cores) the teacher reaches ~82 mIoU in 4k iterations (~12 min), the student ~46 mIoU
# in 2k iterations (~3 min). A ResNetV1c-34 teacher scored the same and trained twice as slowly.
# Both see the same inputs and use the same data preprocessor (a requirement of SegmentationDistill).
norm_cfg = dict(type='BN', requires_grad=True)
syntex_data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=(96, 96))


teacher_model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor=syntex_data_preprocessor,
    backbone=dict(
        type='ResNetV1c', depth=18, stem_channels=32, base_channels=32, num_stages=4,
        out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1),
        norm_cfg=norm_cfg, norm_eval=False, style='pytorch', contract_dilation=True),
    decode_head=dict(
        type='PSPHead', in_channels=256, in_index=3, channels=64, pool_scales=(1, 2, 3, 6),
        dropout_ratio=0.1, num_classes=7, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=128, in_index=2, channels=64, num_convs=1, concat_input=False,
        dropout_ratio=0.1, num_classes=7, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

student_model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor=syntex_data_preprocessor,
    backbone=dict(
        type='ResNetV1c', depth=18, stem_channels=8, base_channels=8, num_stages=4,
        out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1),
        norm_cfg=norm_cfg, norm_eval=False, style='pytorch', contract_dilation=True),
    decode_head=dict(
        type='PSPHead', in_channels=64, in_index=3, channels=16, pool_scales=(1, 2, 3, 6),
        dropout_ratio=0.1, num_classes=7, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=32, in_index=2, channels=16, num_convs=1, concat_input=False,
        dropout_ratio=0.1, num_classes=7, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
