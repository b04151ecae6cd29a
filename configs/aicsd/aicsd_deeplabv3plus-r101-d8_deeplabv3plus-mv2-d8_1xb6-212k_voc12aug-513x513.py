# AICSD on Pascal VOC 2012 aug, the paper's protocol (docs/methods/aicsd.md; published: MobileNetV2 63.92 -> AICSD
# 68.05 with a 77.85 mIoU teacher): DeepLabV3+ R101 -> DeepLabV3+ MobileNetV2. Everything as in the R18
# config (teacher, losses, Adaptive Loss Weighting, 513x513 crops, 120 epochs) except the student:
# mmseg's DeepLabV3+ MobileNetV2 (mobilenet-v2-d8_deeplabv3plus: output stride 8, the R101 head widths — ASPP
# 512 channels, 48 low-level channels — on MobileNetV2's 320/24/96-channel outputs; ImageNet initialisation)
# with VOC's 21 classes.
_base_ = ['./aicsd_deeplabv3plus-r101-d8_deeplabv3plus-r18-d8_1xb6-212k_voc12aug-513x513.py']
model = dict(
    architecture=dict(
        _delete_=True,
        cfg_path='mmseg::mobilenet_v2/mobilenet-v2-d8_deeplabv3plus_4xb2-80k_cityscapes-512x1024.py',
        data_preprocessor=dict(size=_base_.crop_size),
        decode_head=dict(num_classes=21),
        auxiliary_head=dict(num_classes=21)))
