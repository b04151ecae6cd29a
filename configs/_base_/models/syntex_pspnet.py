# The embedded teacher and student: mmseg's PSPNet (ResNetV1c backbone, dilated to output stride 8,
# PSPHead + FCN auxiliary head) at reduced width, in the papers' regime "R101 -> R18 of one width" in small:
#   teacher  ResNetV1c-101, width 8 (stem and first stage 8 channels, bottleneck blocks, last stage 256), 1.11M
#   student  ResNetV1c-18,  width 8 (basic blocks, last stage 64 channels),                                0.20M
# Both backbones start from pretext-pretrained weights (the stand-in for ImageNet; configs/syntex/classfraction_*,
# built by tools/embedded.py), loaded with mmseg's ordinary `pretrained=` like `open-mmlab://resnet18_v1c`.
# The pair was chosen among candidates measured side by side (configs/syntex/README.md).
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
    pretrained='checkpoints/syntex/resnetv1c101-w8_pretext.pth',
    backbone=dict(
        type='ResNetV1c', depth=101, stem_channels=8, base_channels=8, num_stages=4,
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
    pretrained='checkpoints/syntex/resnetv1c18-w8_pretext.pth',
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
