# Paper protocol (MGD, Yang et al. 2022, Table "semantic segmentation"): Cityscapes, PSPNet-R101 -> DeepLabV3-R18,
# 512x512 crops, 40k iterations, MGD + CWD (the distiller: ../_base_/distillers/mgd-cwd_cityscapes-512x512_40k.py).
# Published (val, single scale): student 73.20 -> 76.02 mIoU (paper; 76.31 in the authors' README).
# The authors trained on 8 GPUs x 2 images:
#   tools/dist_train.sh configs/mgd/mgd-cwd_pspnet-r101-d8_deeplabv3-r18-d8_8xb2-40k_cityscapes-512x512.py 8
_base_ = ['../_base_/default_runtime.py', '../_base_/distillers/mgd-cwd_cityscapes-512x512_40k.py']
model = dict(
    architecture=dict(cfg_path='mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py',
                      data_preprocessor=dict(size=_base_.crop_size)),
    teacher=dict(cfg_path='mmseg::pspnet/pspnet_r101-d8_4xb2-40k_cityscapes-512x1024.py'))
