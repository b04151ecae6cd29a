# FRKDNet (Jiang et al. 2023; docs/methods/frkd.md), paper protocol on Cityscapes: DeepLabV3+ R101 -> DeepLabV3+ R18
# (published, val: student 72.08 -> +refine 74.33 -> +L_inter 75.61 -> full 76.53, teacher 77.76).
# mmseg's Cityscapes pipeline (512x1024 crops) and 40k schedule, batch 8 (4 GPUs x 2 images):
#   tools/dist_train.sh configs/frkd/frkd_deeplabv3plus-r101-d8_deeplabv3plus-r18-d8_4xb2-40k_cityscapes-512x1024.py 4
# The distiller (losses, weights, refine rule) is ../_base_/distillers/frkd_logits_40k.py, with the paper's
# gamma = 0.4 for Cityscapes. Nothing here was tuned on Cityscapes.
_base_ = [
    'mmseg::_base_/datasets/cityscapes.py',
    '../_base_/default_runtime.py', '../_base_/distillers/frkd_logits_40k.py'
]
# mmseg's official Cityscapes DeepLabV3+ R101-d8 (512x1024, 80k iterations, 80.97 mIoU)
teacher_ckpt = ('https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3plus/'
                'deeplabv3plus_r101-d8_512x1024_80k_cityscapes/'
                'deeplabv3plus_r101-d8_512x1024_80k_cityscapes_20200606_114143-068fcfe9.pth')
gamma = 0.4  # the paper's balance factor for Cityscapes
model = dict(
    architecture=dict(cfg_path='mmseg::deeplabv3plus/deeplabv3plus_r18-d8_4xb2-80k_cityscapes-512x1024.py'),
    teacher=dict(cfg_path='mmseg::deeplabv3plus/deeplabv3plus_r101-d8_4xb2-80k_cityscapes-512x1024.py'),
    teacher_ckpt=teacher_ckpt,
    distiller=dict(distill_losses=dict(loss_inter=dict(loss_weight=gamma), loss_intra=dict(loss_weight=gamma))))
