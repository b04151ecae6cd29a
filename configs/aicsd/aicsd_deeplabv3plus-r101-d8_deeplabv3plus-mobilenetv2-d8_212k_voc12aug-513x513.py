# AICSD on Pascal VOC 2012 aug, the paper's protocol (docs/methods/aicsd.md; published: MobileNetV2 63.92 -> AICSD
# 68.05 with a 77.85 mIoU teacher): DeepLabV3+ R101 -> DeepLabV3+ MobileNetV2. Everything as in the R18
# config (teacher, losses, Adaptive Loss Weighting, 513x513 crops, 120 epochs) except the student:
# DeepLabV3+ MobileNetV2 as mmseg's model zoo defines it (mobilenet-v2-d8_deeplabv3plus: output stride 8,
# the R101 head widths — ASPP 512 channels, 48 low-level channels — on MobileNetV2's 320/24/96-channel
# outputs), ImageNet initialisation.
_base_ = ['./aicsd_deeplabv3plus-r101-d8_deeplabv3plus-r18-d8_212k_voc12aug-513x513.py']
model = dict(
    architecture=dict(
        backbone=dict(
            _delete_=True,
            type='MobileNetV2',
            widen_factor=1.,
            strides=(1, 2, 2, 1, 1, 1, 1),
            dilations=(1, 1, 1, 2, 2, 4, 4),
            out_indices=(1, 2, 4, 6),
            norm_cfg=_base_.norm_cfg,
            # an mmcls ImageNet classifier: its backbone weights are under 'backbone.'
            init_cfg=dict(type='Pretrained', checkpoint='mmcls://mobilenet_v2', prefix='backbone.')),
        decode_head=dict(in_channels=320, channels=512, c1_in_channels=24, c1_channels=48),
        auxiliary_head=dict(in_channels=96, channels=256)))
