# DIST (Huang et al., NeurIPS 2022; docs/methods/dist.md) under the CIRKD Cityscapes protocol of the authors'
# segmentation code: DeepLabV3-R101 -> PSPNet-R18; everything (512x1024 crops, 40k iterations, batch 16, SGD lr
# 0.02, DIST on decode and auxiliary logits) as in the DeepLabV3-R18 config but the student.
# Published (val): 72.55 -> 76.31 mIoU with a 78.07 teacher; our teacher is mmseg's DeepLabV3-R101 (80.20).
#   tools/dist_train.sh configs/dist/dist_deeplabv3-r101-d8_pspnet-r18-d8_8xb2-40k_cityscapes-512x1024.py 8
_base_ = ['./dist_deeplabv3-r101-d8_deeplabv3-r18-d8_8xb2-40k_cityscapes-512x1024.py']
model = dict(architecture=dict(_delete_=True, cfg_path='mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py'))
