# MGD-SSSS (Qin et al., ECCV 2022; docs/methods/mgd_ssss.md) for DeepLabV3+ students and teachers, the paper's
# values: pseudo labels 1, CutMix consistency 1, image level lambda_1 summed over the per-GPU images
# (reduction='sum'), region level lambda_2 on the decoders' fused features (decode_head.sep_bottleneck), 7x7
# regions; CutMix with 3 boxes of 25-50% of the image. A leaf config adds the student, the two teachers, their
# checkpoints and the lambda_1 / lambda_2 of its pair (0.001 / 100 for Cityscapes R18).
model = dict(
    _scope_='mmrazor',
    type='MultiGranularityDistill',
    cutmix=dict(type='BoxMaskGenerator', num_boxes=3, area_range=(0.25, 0.5)),
    student_feature='decode_head.sep_bottleneck',
    teacher_wide_feature='decode_head.sep_bottleneck',
    loss_labeled=dict(type='PseudoLabelCELoss', loss_weight=1.0),
    loss_cutmix=dict(type='PseudoLabelCELoss', loss_weight=1.0),
    loss_semantic=dict(type='SemanticSensitiveLoss', loss_weight=0.001, reduction='sum'),
    loss_content=dict(type='ContentAwareLoss', pool_size=7, loss_weight=100.0))
