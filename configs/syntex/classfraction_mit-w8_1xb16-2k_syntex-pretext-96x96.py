# Pretext pretraining of the embedded transformer student's backbone (MixVisionTransformer, embed width 8), the
# stand-in for ImageNet pretraining: classify each image's class fractions (ClassFractionClassifier) on SynTex
# images of generator seed 1, as the CNN backbones (docs/benchmark_protocol.md). tools/embedded.py writes the
# backbone-only checkpoint checkpoints/syntex/mit-w8_pretext.pth that the SegFormer configs load with `pretrained=`.
_base_ = [
    '../_base_/models/syntex_pspnet.py', '../_base_/models/syntex_segformer.py',
    '../_base_/datasets/syntex_pretext.py', '../_base_/default_runtime.py', '../_base_/schedules/syntex_pretext_2k.py'
]
model = dict(
    type='ClassFractionClassifier',
    data_preprocessor=_base_.syntex_data_preprocessor,
    backbone=dict(_base_.mit_backbone, out_indices=(3, )),
    num_classes=7,
    in_channels=64)
