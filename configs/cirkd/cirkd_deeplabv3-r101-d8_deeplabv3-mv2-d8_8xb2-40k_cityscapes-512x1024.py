# CIRKD (Yang et al., CVPR 2022; docs/methods/cirkd.md) under the authors' Cityscapes protocol: DeepLabV3-R101 ->
# DeepLabV3-MobileNetV2 (mmseg's stock config, ImageNet-pretrained MobileNetV2); everything (512x1024 crops, 40k
# iterations, batch 16, SGD lr 0.02, wd 1e-4, the three CIRKD terms) as in the DeepLabV3-R18 config but the
# student, whose ASPPHead (inherited from mmseg's R101 config) is 512 wide: the projection head maps 512 -> 512.
# Published (val): 73.12 -> 75.42 mIoU (authors' README) with a 78.07 teacher; our teacher is mmseg's (80.20).
#   tools/dist_train.sh configs/cirkd/cirkd_deeplabv3-r101-d8_deeplabv3-mv2-d8_8xb2-40k_cityscapes-512x1024.py 8
_base_ = ['./cirkd_deeplabv3-r101-d8_deeplabv3-r18-d8_8xb2-40k_cityscapes-512x1024.py']
model = dict(
    architecture=dict(
        _delete_=True, cfg_path='mmseg::mobilenet_v2/mobilenet-v2-d8_deeplabv3_4xb2-80k_cityscapes-512x1024.py'),
    distiller=dict(distill_losses=dict(loss_memory=dict(student_channels=512))))
