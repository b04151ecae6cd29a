# Paper protocol (MGD, Yang et al. 2022, Table "semantic segmentation"): Cityscapes, PSPNet-R101 -> DeepLabV3-R18,
# 512x512 crops, 40k iterations, MGD + CWD (the distiller: ../_base_/distillers/mgd-cwd_cityscapes-512x512_40k.py).
# Published (val, single scale): student 73.20 -> 76.02 mIoU (paper; 76.31 in the authors' README).
# The authors trained on 8 GPUs x 2 images:
#   tools/dist_train.sh configs/mgd/mgd-cwd_pspnet-r101_deeplabv3-r18_40k_cityscapes-512x512.py 8
_base_ = [
    '../_base_/models/cityscapes_pspnet-r101-d8_deeplabv3-r18-d8.py', '../_base_/default_runtime.py',
    '../_base_/distillers/mgd-cwd_cityscapes-512x512_40k.py'
]
_base_.teacher_model.data_preprocessor.size = _base_.crop_size
_base_.student_model.data_preprocessor.size = _base_.crop_size
model = dict(architecture=_base_.student_model, teacher=_base_.teacher_model)
