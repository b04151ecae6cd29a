# CIRKD (Yang et al., CVPR 2022; docs/methods/cirkd.md) under the authors' Cityscapes protocol (train_cirkd.py):
# DeepLabV3-R101 -> DeepLabV3-R18, 512x1024 crops, 40k iterations, batch 16 (8 GPUs x 2), SGD lr 0.02, momentum
# 0.9, weight decay 1e-4, poly (power 0.9) to 0; pixel KD + mini-batch and memory-based relations
# (../_base_/distillers/cirkd_logits_features.py). Published (val): 74.21 -> 76.38 mIoU with a 78.07 teacher.
# Our teacher is mmseg's DeepLabV3-R101 (80k, 80.20 mIoU): the authors' checkpoint is not in mmseg's format.
#   tools/dist_train.sh configs/cirkd/cirkd_deeplabv3-r101-d8_deeplabv3-r18-d8_8xb2-40k_cityscapes-512x1024.py 8
_base_ = [
    'mmseg::_base_/datasets/cityscapes.py', '../_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_40k.py', '../_base_/distillers/cirkd_logits_features.py'
]
optim_wrapper = dict(optimizer=dict(lr=0.02, momentum=0.9, weight_decay=1e-4))
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=40000, by_epoch=False)]
teacher_ckpt = ('https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x1024_80k_cityscapes/'
                'deeplabv3_r101-d8_512x1024_80k_cityscapes_20200606_113503-9e428899.pth')
model = dict(
    _scope_='mmrazor',
    type='SegmentationDistill',
    architecture=dict(cfg_path='mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py'),
    teacher=dict(cfg_path='mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py'),
    teacher_ckpt=teacher_ckpt,
    distiller=_base_.cirkd_distiller)
