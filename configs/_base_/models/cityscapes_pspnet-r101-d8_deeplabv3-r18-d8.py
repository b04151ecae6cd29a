# Cityscapes (19 classes) teacher / student of the MGD paper's second segmentation pair:
#   teacher  PSPNet, ResNetV1c-101, output stride 8 (last stage 2048 channels)   - weights: teacher_ckpt
#   student  DeepLabV3 (ASPP), ResNetV1c-18, output stride 8 (last stage 512)     - ImageNet initialisation
# (mmseg's deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py.) The teacher is the one of
# cityscapes_pspnet-r101-d8_pspnet-r18-d8.py; only the student differs.
_base_ = ['./cityscapes_pspnet-r101-d8_pspnet-r18-d8.py']

student_model = dict(
    _delete_=True,
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor=_base_.cityscapes_data_preprocessor,
    backbone=dict(
        type='ResNetV1c', depth=18, num_stages=4, out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1), norm_cfg=_base_.norm_cfg, norm_eval=False, style='pytorch',
        contract_dilation=True, init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://resnet18_v1c')),
    decode_head=dict(
        type='ASPPHead', in_channels=512, in_index=3, channels=128, dilations=(1, 12, 24, 36),
        dropout_ratio=0.1, num_classes=19, norm_cfg=_base_.norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=256, in_index=2, channels=64, num_convs=1, concat_input=False,
        dropout_ratio=0.1, num_classes=19, norm_cfg=_base_.norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
