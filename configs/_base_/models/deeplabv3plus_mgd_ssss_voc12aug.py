# MGD-SSSS paper models (Qin et al., ECCV 2022; docs/methods/mgd_ssss.md), mmseg DeepLabV3+ (output stride 8) on
# Pascal VOC 2012 aug (21 classes):
#   teacher_wide_model  ResNetV1c-34 at double width (stem and first stage 128 channels, last stage 1024),
#                       the paper's WideResNet-34-2 teacher. No ImageNet weights exist in the OpenMMLab
#                       zoo for it: it starts from scratch unless you give init_cfg yourself.
#   teacher_deep_model  ResNetV1c-101, the paper's deep teacher (its training config starts it from
#                       ImageNet weights, open-mmlab://resnet101_v1c; distillation loads its checkpoint)
#   student_r18_model   ResNetV1c-18 (mmseg's deeplabv3plus_r18-d8 head: ASPP 128, 12 low-level channels)
#   student_mv2_model   MobileNetV2 (mmseg's mobilenet-v2-d8_deeplabv3plus)
# Both teachers are trained on the labeled split only (configs/mgd_ssss/deeplabv3plus_{wr34x2,r101}-*).
# The decoder feature of the region-level term is each head's `decode_head.sep_bottleneck` output.
norm_cfg = dict(type='SyncBN', requires_grad=True)  # reverted to BN by mmengine in non-distributed runs
mgd_data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=(512, 512))


teacher_wide_model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor=mgd_data_preprocessor,
    backbone=dict(
        type='ResNetV1c', depth=34, stem_channels=128, base_channels=128, num_stages=4,
        out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1), norm_cfg=norm_cfg,
        norm_eval=False, style='pytorch', contract_dilation=True),
    decode_head=dict(
        type='DepthwiseSeparableASPPHead', in_channels=1024, in_index=3, channels=512,
        dilations=(1, 12, 24, 36), c1_in_channels=128, c1_channels=48, dropout_ratio=0.1,
        num_classes=21, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=512, in_index=2, channels=256, num_convs=1, concat_input=False,
        dropout_ratio=0.1, num_classes=21, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

teacher_deep_model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor=mgd_data_preprocessor,
    backbone=dict(
        type='ResNetV1c', depth=101, num_stages=4, out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1), norm_cfg=norm_cfg, norm_eval=False, style='pytorch',
        contract_dilation=True),
    decode_head=dict(
        type='DepthwiseSeparableASPPHead', in_channels=2048, in_index=3, channels=512,
        dilations=(1, 12, 24, 36), c1_in_channels=256, c1_channels=48, dropout_ratio=0.1,
        num_classes=21, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=1024, in_index=2, channels=256, num_convs=1, concat_input=False,
        dropout_ratio=0.1, num_classes=21, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

student_r18_model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor=mgd_data_preprocessor,
    backbone=dict(
        type='ResNetV1c', depth=18, num_stages=4, out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1), norm_cfg=norm_cfg, norm_eval=False, style='pytorch',
        contract_dilation=True,
        init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://resnet18_v1c')),
    decode_head=dict(
        type='DepthwiseSeparableASPPHead', in_channels=512, in_index=3, channels=128,
        dilations=(1, 12, 24, 36), c1_in_channels=64, c1_channels=12, dropout_ratio=0.1,
        num_classes=21, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=256, in_index=2, channels=64, num_convs=1, concat_input=False,
        dropout_ratio=0.1, num_classes=21, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

student_mv2_model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor=mgd_data_preprocessor,
    backbone=dict(
        type='MobileNetV2', widen_factor=1., strides=(1, 2, 2, 1, 1, 1, 1), dilations=(1, 1, 1, 2, 2, 4, 4),
        out_indices=(1, 2, 4, 6), norm_cfg=norm_cfg,
        init_cfg=dict(type='Pretrained', checkpoint='mmcls://mobilenet_v2')),
    decode_head=dict(
        type='DepthwiseSeparableASPPHead', in_channels=320, in_index=3, channels=512,
        dilations=(1, 12, 24, 36), c1_in_channels=24, c1_channels=48, dropout_ratio=0.1,
        num_classes=21, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=96, in_index=2, channels=256, num_convs=1, concat_input=False,
        dropout_ratio=0.1, num_classes=21, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
