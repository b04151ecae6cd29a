# MGD-SSSS on Pascal VOC 2012 aug, 1/16 partition (seed 0; 662 of 10582 images labeled): the deep teacher
# (T_D), DeepLabV3+ ResNetV1c-101 (ImageNet initialisation), trained on the labeled images only (40k
# iterations, 4 GPUs x 2 images).
#   tools/dist_train.sh THIS_CONFIG 4
#   cp work_dirs/deeplabv3plus_r101-d8_4xb2-40k_voc12aug-1-16-512x512/iter_40000.pth checkpoints/voc12aug/mgd-ssss_teacher-deep_deeplabv3plus_r101_1-16.pth
# Other partitions: --cfg-options train_dataloader.dataset.fraction=1/8 (see the dataset fragment).
_base_ = [
    '../_base_/models/deeplabv3plus_mgd_ssss_voc12aug.py', '../_base_/datasets/voc12aug_semi.py',
    '../_base_/default_runtime.py', 'mmseg::_base_/schedules/schedule_40k.py'
]
model = dict(
    _base_.teacher_deep_model,
    backbone=dict(
        _base_.teacher_deep_model.backbone,
        init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://resnet101_v1c')))
train_dataloader = _base_.labeled_loader
