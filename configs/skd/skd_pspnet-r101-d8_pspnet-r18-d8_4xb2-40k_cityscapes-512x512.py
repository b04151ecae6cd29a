# SKD paper protocol (Liu et al., CVPR 2019 / TPAMI 2020, Table "Cityscapes val"): PSPNet-R101 -> PSPNet-R18,
# 512x512 crops, 40k iterations, batch 8 (e.g. 4 GPUs x 2 images), student SGD lr 0.01 + poly;
# the three terms and the critic of ../_base_/distillers/skd_cityscapes_40k.py (see the notes there); the pair-wise
# features are the PSP head's fused features (decode_head.bottleneck).
# Published (val): student 69.10, +pixel 70.51, +pair 71.78, +holistic 74.08 (their teacher: 78.3).
#   tools/dist_train.sh configs/skd/skd_pspnet-r101-d8_pspnet-r18-d8_4xb2-40k_cityscapes-512x512.py 4
_base_ = [
    '../_base_/datasets/cityscapes_512x512.py',
    '../_base_/default_runtime.py', '../_base_/distillers/skd_cityscapes_40k.py'
]
# mmseg's PSPNet-R101 (512x1024, 40k; 78.34 mIoU, the paper's teacher has 78.3)
teacher_ckpt = ('https://download.openmmlab.com/mmsegmentation/v0.5/pspnet/pspnet_r101-d8_512x1024_40k_cityscapes/'
                'pspnet_r101-d8_512x1024_40k_cityscapes_20200604_232751-467e7cf4.pth')
model = dict(
    architecture=dict(cfg_path='mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py',
                      data_preprocessor=dict(size=_base_.crop_size)),
    teacher=dict(cfg_path='mmseg::pspnet/pspnet_r101-d8_4xb2-40k_cityscapes-512x1024.py'),
    teacher_ckpt=teacher_ckpt)
