# SKD on the CIRKD benchmark pair (Yang et al. 2022, Table "Cityscapes val"): DeepLabV3-R101 -> DeepLabV3-R18,
# 512x1024 crops, 40k iterations, batch 8 (e.g. 4 GPUs x 2 images), student SGD lr 0.01 + poly. The three SKD
# terms and the critic of ../_base_/distillers/skd_cityscapes_40k.py (see the notes there);
# the pair-wise features are the ASPP head's fused features (decode_head.bottleneck, 128 / 512 channels at 1/8).
# Published there: student 74.21 (teacher 78.07), SKD 75.42 (that row also uses pixel KD + an adversarial term).
# Teacher: mmseg's 40k DeepLabV3-R101 (77.12 mIoU, closest to the benchmark's 78.07). A stronger alternative is
# mmseg's 80k model (80.20 mIoU), with --cfg-options model.teacher_ckpt=URL, URL =
# https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x1024_80k_cityscapes/deeplabv3_r101-d8_512x1024_80k_cityscapes_20200606_113503-9e428899.pth
#   tools/dist_train.sh configs/skd/skd_deeplabv3-r101-d8_deeplabv3-r18-d8_4xb2-40k_cityscapes-512x1024.py 4
_base_ = [
    'mmseg::_base_/datasets/cityscapes.py',
    '../_base_/default_runtime.py', '../_base_/distillers/skd_cityscapes_40k.py'
]
# mmseg's DeepLabV3-R101 (512x1024, 40k; 77.12 mIoU; the benchmark's teacher has 78.07)
teacher_ckpt = ('https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x1024_40k_cityscapes/'
                'deeplabv3_r101-d8_512x1024_40k_cityscapes_20200605_012241-7fd3f799.pth')
model = dict(
    architecture=dict(cfg_path='mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py'),
    teacher=dict(cfg_path='mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-40k_cityscapes-512x1024.py'),
    teacher_ckpt=teacher_ckpt)
