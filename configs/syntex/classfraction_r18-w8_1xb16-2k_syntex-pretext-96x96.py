# Pretext pretraining of the embedded student's backbone (ResNetV1c-18 at width 8), the embedded benchmark's
# stand-in for ImageNet pretraining: classify each image's class fractions (ClassFractionClassifier) on SynTex
# images of generator seed 1. The backbone is the segmentor's own, dilated to output stride 8: SynTex's textures
# are a few pixels wide, and weights pretrained undilated transferred worse (docs/benchmark_protocol.md).
# tools/embedded.py writes the backbone-only checkpoint checkpoints/syntex/resnetv1c18-w8_pretext.pth that the
# segmentation configs load with `pretrained=`.
_base_ = [
    '../_base_/models/syntex_pspnet.py', '../_base_/datasets/syntex_pretext.py',
    '../_base_/default_runtime.py', '../_base_/schedules/syntex_pretext_2k.py'
]
model = dict(
    type='ClassFractionClassifier',
    data_preprocessor=_base_.syntex_data_preprocessor,
    backbone=dict(_base_.student_model.backbone, out_indices=(3, )),
    num_classes=7,
    in_channels=64)
