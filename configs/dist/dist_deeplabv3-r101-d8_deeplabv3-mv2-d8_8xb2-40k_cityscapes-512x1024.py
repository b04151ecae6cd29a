# DIST (Huang et al., NeurIPS 2022; docs/methods/dist.md) under the CIRKD Cityscapes protocol: DeepLabV3-R101 ->
# DeepLabV3-MobileNetV2 (mmseg's stock config, ImageNet-pretrained MobileNetV2); everything (512x1024 crops, 40k
# iterations, batch 16, SGD lr 0.02, DIST on decode and auxiliary logits) as in the DeepLabV3-R18 config but the
# student. CIRKD's protocol row (its paper: student 73.12); DIST's paper gives no number for this student.
#   tools/dist_train.sh configs/dist/dist_deeplabv3-r101-d8_deeplabv3-mv2-d8_8xb2-40k_cityscapes-512x1024.py 8
_base_ = ['./dist_deeplabv3-r101-d8_deeplabv3-r18-d8_8xb2-40k_cityscapes-512x1024.py']
model = dict(architecture=dict(
    _delete_=True, cfg_path='mmseg::mobilenet_v2/mobilenet-v2-d8_deeplabv3_4xb2-80k_cityscapes-512x1024.py'))
