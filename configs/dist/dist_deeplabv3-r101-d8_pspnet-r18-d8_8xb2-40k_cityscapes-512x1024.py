# DIST (Huang et al., NeurIPS 2022; docs/methods/dist.md) under the CIRKD Cityscapes protocol of the authors'
# segmentation code: DeepLabV3-R101 -> PSPNet-R18, 512x1024 crops, 40k iterations, batch 16 (8 GPUs x 2), SGD lr 0.02,
# weight decay 5e-4, poly to 1e-4; DIST on the decode logits (weight 1) and the auxiliary logits (weight 0.4).
# Published (val): 72.55 -> 76.31 mIoU with a 78.07 teacher. Our teacher is mmseg's DeepLabV3-R101 (80k, 80.20 mIoU):
# the authors' teacher checkpoint is not in mmseg's format (configs/dist/README.md).
#   tools/dist_train.sh configs/dist/dist_deeplabv3-r101-d8_pspnet-r18-d8_8xb2-40k_cityscapes-512x1024.py 8
_base_ = [
    'mmseg::_base_/datasets/cityscapes.py', '../_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_40k.py', '../_base_/distillers/dist_logits.py'
]
optim_wrapper = dict(optimizer=dict(lr=0.02))
teacher_ckpt = ('https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x1024_80k_cityscapes/'
                'deeplabv3_r101-d8_512x1024_80k_cityscapes_20200606_113503-9e428899.pth')
model = dict(
    _scope_='mmrazor',
    type='SegmentationDistill',
    architecture=dict(cfg_path='mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py'),
    teacher=dict(cfg_path='mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py'),
    teacher_ckpt=teacher_ckpt,
    distiller=_base_.dist_distiller)
