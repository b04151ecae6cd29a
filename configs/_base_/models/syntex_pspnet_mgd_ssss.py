# MGD-SSSS on SynTex: two structurally complementary teachers and the embedded student, all three from
# pretext-pretrained backbones (benchmark protocol v2, docs/benchmark_protocol.md; built by tools/embedded.py):
#   teacher_wide_model  PSPNet ResNetV1c-18 at width 32 (wide and shallow; the embedded teacher of protocol v1),
#                       3.24M parameters, backbone checkpoints/syntex/resnetv1c18-w32_pretext.pth
#   teacher_deep_model  PSPNet ResNetV1c-101 at width 8 (deep and narrow; the embedded teacher's architecture),
#                       1.11M parameters, backbone checkpoints/syntex/resnetv1c101-w8_pretext.pth
#   student_model       PSPNet ResNetV1c-18 at width 8 (= the embedded student), 0.20M parameters
# All three share the data preprocessor (a requirement of the distillation algorithms).
_base_ = ['./syntex_pspnet.py']

teacher_wide_model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    data_preprocessor=_base_.syntex_data_preprocessor,
    pretrained='checkpoints/syntex/resnetv1c18-w32_pretext.pth',
    backbone=dict(
        type='ResNetV1c', depth=18, stem_channels=32, base_channels=32, num_stages=4,
        out_indices=(0, 1, 2, 3), dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1),
        norm_cfg=_base_.norm_cfg, norm_eval=False, style='pytorch', contract_dilation=True),
    decode_head=dict(
        type='PSPHead', in_channels=256, in_index=3, channels=64, pool_scales=(1, 2, 3, 6),
        dropout_ratio=0.1, num_classes=7, norm_cfg=_base_.norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=128, in_index=2, channels=64, num_convs=1, concat_input=False,
        dropout_ratio=0.1, num_classes=7, norm_cfg=_base_.norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

# the deep teacher is the embedded teacher's architecture (PSPNet-R101-w8, from its pretext backbone)
teacher_deep_model = _base_.teacher_model
