# The embedded transformer student: mmseg's SegFormer (MixVisionTransformer backbone, all-MLP SegformerHead) at
# reduced width, for the heterogeneous pair CNN teacher -> transformer student:
#   teacher      the embedded PSPNet-R101-w8 (./syntex_pspnet.py; decoder features 64 channels at 1/8, 12x12)
#   mit_student  MiT at embed width 8 (stage widths 8, 16, 32, 64 = the CNN student's; 2 blocks per stage, heads
#                1/2/4/8, spatial reduction 8/4/2/1 as MiT-B0), SegformerHead 64 channels at 1/4 (24x24), no
#                auxiliary head (as mmseg's SegFormer configs)
# Its backbone starts from pretext-pretrained weights (configs/syntex/classfraction_mit-w8_*, built by
# tools/embedded.py), loaded with mmseg's ordinary `pretrained=` like the stock `mit_b0` checkpoint.
# Used next to ./syntex_pspnet.py (a leaf config lists both): `data_preprocessor` is set there, to the shared
# `syntex_data_preprocessor` (teacher and student must see the same inputs).
mit_norm_cfg = dict(type='BN', requires_grad=True)

mit_backbone = dict(
    type='MixVisionTransformer', in_channels=3, embed_dims=8, num_stages=4, num_layers=[2, 2, 2, 2],
    num_heads=[1, 2, 4, 8], patch_sizes=[7, 3, 3, 3], sr_ratios=[8, 4, 2, 1], out_indices=(0, 1, 2, 3),
    mlp_ratio=4, qkv_bias=True, drop_rate=0.0, attn_drop_rate=0.0, drop_path_rate=0.1)
mit_student_model = dict(
    _scope_='mmseg',
    type='EncoderDecoder',
    pretrained='checkpoints/syntex/mit-w8_pretext.pth',
    backbone=mit_backbone,
    decode_head=dict(
        type='SegformerHead', in_channels=[8, 16, 32, 64], in_index=[0, 1, 2, 3], channels=64,
        dropout_ratio=0.1, num_classes=7, norm_cfg=mit_norm_cfg, align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
