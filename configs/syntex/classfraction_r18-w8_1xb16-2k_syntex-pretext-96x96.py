# Pretext pretraining of the embedded student's backbone (ResNetV1c-18 at width 8), the embedded benchmark's
# stand-in for ImageNet pretraining: classify each image's class fractions (ClassFractionClassifier) on SynTex
# images of generator seed 1. Like an ImageNet ResNet it is trained without dilation (strides 2, 2, 2); the
# segmentor dilates the same weights. tools/pretrain_backbone.py writes the backbone-only checkpoint
# checkpoints/syntex/resnetv1c18-w8_pretext.pth that the segmentation configs load with `pretrained=`.
_base_ = [
    '../_base_/models/syntex_pspnet.py', '../_base_/datasets/syntex_pretext.py',
    '../_base_/default_runtime.py', '../_base_/schedules/syntex_pretext_2k.py'
]
model = dict(
    type='ClassFractionClassifier',
    data_preprocessor=_base_.syntex_data_preprocessor,
    backbone=dict(_base_.student_model.backbone, strides=(1, 2, 2, 2), dilations=(1, 1, 1, 1), out_indices=(3, )),
    num_classes=7,
    in_channels=64)
