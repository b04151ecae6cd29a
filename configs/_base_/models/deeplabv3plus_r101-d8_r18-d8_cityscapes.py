# Cityscapes (19 classes) teacher / student of the FRKD paper, as mmseg's model zoo defines them:
#   teacher  DeepLabV3+, ResNetV1c-101, output stride 8 (mmseg deeplabv3plus_r101-d8_4xb2-*_cityscapes-512x1024)
#            - weights: the method config's teacher_ckpt (mmseg's official Cityscapes checkpoint)
#   student  DeepLabV3+, ResNetV1c-18, output stride 8 (mmseg deeplabv3plus_r18-d8: ASPP 128 channels,
#            12 low-level channels) - ImageNet initialisation
# The data preprocessors pad to (512, 1024), mmseg's Cityscapes crop. Teacher and student must share
# mean/std/bgr_to_rgb (SegmentationDistill checks it). Same layout as deeplabv3plus_r101-d8_r18-d8_voc12aug.py.
norm_cfg = dict(type='SyncBN', requires_grad=True)  # reverted to BN by mmengine in non-distributed runs
cityscapes_data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=(512, 1024))

teacher_model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor=cityscapes_data_preprocessor,
    backbone=dict(
        type='ResNetV1c', depth=101, num_stages=4, out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1), norm_cfg=norm_cfg, norm_eval=False, style='pytorch', contract_dilation=True),
    decode_head=dict(
        type='DepthwiseSeparableASPPHead', in_channels=2048, in_index=3, channels=512,
        dilations=(1, 12, 24, 36), c1_in_channels=256, c1_channels=48, dropout_ratio=0.1, num_classes=19,
        norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=1024, in_index=2, channels=256, num_convs=1, concat_input=False,
        dropout_ratio=0.1, num_classes=19, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

student_model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor=cityscapes_data_preprocessor,
    backbone=dict(
        type='ResNetV1c', depth=18, num_stages=4, out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1), norm_cfg=norm_cfg, norm_eval=False, style='pytorch', contract_dilation=True,
        init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://resnet18_v1c')),
    decode_head=dict(
        type='DepthwiseSeparableASPPHead', in_channels=512, in_index=3, channels=128,
        dilations=(1, 12, 24, 36), c1_in_channels=64, c1_channels=12, dropout_ratio=0.1, num_classes=19,
        norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=256, in_index=2, channels=64, num_convs=1, concat_input=False,
        dropout_ratio=0.1, num_classes=19, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
