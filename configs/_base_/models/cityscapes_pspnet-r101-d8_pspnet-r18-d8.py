# Cityscapes (19 classes) teacher / student of the MGD and CWD papers, as mmseg's model zoo defines them:
#   teacher  PSPNet, ResNetV1c-101, output stride 8 (last stage 2048 channels)   - weights: teacher_ckpt
#   student  PSPNet, ResNetV1c-18,  output stride 8 (last stage 512 channels)    - ImageNet initialisation
# (mmseg's configs pspnet_r101-d8_4xb2-*_cityscapes-512x1024.py and pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py.)
# The data preprocessors pad to (512, 1024), mmseg's Cityscapes crop; configs with another crop set
# `_base_.teacher_model.data_preprocessor.size` / `_base_.student_model.data_preprocessor.size`.
# Teacher and student must share mean/std/bgr_to_rgb (SegmentationDistill checks it).
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
        type='PSPHead', in_channels=2048, in_index=3, channels=512, pool_scales=(1, 2, 3, 6),
        dropout_ratio=0.1, num_classes=19, norm_cfg=norm_cfg, align_corners=False,
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
        type='PSPHead', in_channels=512, in_index=3, channels=128, pool_scales=(1, 2, 3, 6),
        dropout_ratio=0.1, num_classes=19, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=256, in_index=2, channels=64, num_convs=1, concat_input=False,
        dropout_ratio=0.1, num_classes=19, norm_cfg=norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
