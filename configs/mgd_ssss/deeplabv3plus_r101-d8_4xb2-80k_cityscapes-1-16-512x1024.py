# MGD-SSSS on Cityscapes, 1/16 partition (seed 0; 186 of 2975 images labeled): the deep teacher (T_D),
# DeepLabV3+ ResNetV1c-101 (ImageNet initialisation), trained on the labeled images only (80k iterations,
# 4 GPUs x 2 images).
#   tools/dist_train.sh THIS_CONFIG 4
#   cp work_dirs/deeplabv3plus_r101-d8_4xb2-80k_cityscapes-1-16-512x1024/iter_80000.pth checkpoints/cityscapes/mgd-ssss_teacher-deep_deeplabv3plus_r101_1-16.pth
# Other partitions: --cfg-options train_dataloader.dataset.fraction=1/8 (see the dataset fragment).
_base_ = [
    '../_base_/models/deeplabv3plus_mgd_ssss_cityscapes.py', '../_base_/datasets/cityscapes_semi.py',
    '../_base_/default_runtime.py', 'mmseg::_base_/schedules/schedule_80k.py'
]
model = dict(
    _base_.teacher_deep_model,
    backbone=dict(
        _base_.teacher_deep_model.backbone,
        init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://resnet101_v1c')))
train_dataloader = _base_.labeled_loader
