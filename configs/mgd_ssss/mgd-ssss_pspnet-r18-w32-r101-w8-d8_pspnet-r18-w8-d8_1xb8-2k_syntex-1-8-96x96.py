# MGD-SSSS (multi-granularity distillation, semi-supervised) on SynTex, 1/8 partition (seed 0):
# 188 labeled + 1312 unlabeled training images; every step 8 labeled + 8 unlabeled images (CutMix
# pairs within the unlabeled batch). Both teachers were trained on the same 188 labeled images
# (configs/mgd_ssss/pspnet_r18-w32-* and pspnet_r101-w8-*); the student is the embedded one. Loss
# weights: labeled pseudo labels 1, CutMix pixel consistency 1, image-level semantic-sensitive lambda_1 =
# 0.004 per image (the paper's 0.002 summed over its 2 images per GPU), region-level content-aware
# lambda_2 = 100.
# Switch a granularity off with e.g. --cfg-options model.loss_semantic=None (ablation).
_base_ = [
    '../_base_/models/syntex_pspnet_mgd_ssss.py', '../_base_/datasets/syntex_semi.py',
    '../_base_/default_runtime.py', '../_base_/schedules/syntex_2k.py'
]
train_dataloader = _base_.semi_loader
model = dict(
    _scope_='mmrazor',
    type='MultiGranularityDistill',
    architecture=_base_.student_model,
    teacher_wide=_base_.teacher_wide_model,
    teacher_deep=_base_.teacher_deep_model,
    teacher_wide_ckpt='checkpoints/syntex/mgd-ssss_teacher-wide_pspnet_r18-w32_1-8.pth',
    teacher_deep_ckpt='checkpoints/syntex/mgd-ssss_teacher-deep_pspnet_r101-w8_1-8.pth',
    cutmix=dict(type='BoxMaskGenerator', num_boxes=3, area_range=(0.25, 0.5)),
    student_feature='decode_head.bottleneck',
    teacher_wide_feature='decode_head.bottleneck',
    loss_labeled=dict(type='PseudoLabelCELoss', loss_weight=1.0),
    loss_cutmix=dict(type='PseudoLabelCELoss', loss_weight=1.0),
    loss_semantic=dict(type='SemanticSensitiveLoss', loss_weight=0.004, reduction='mean'),
    loss_content=dict(type='ContentAwareLoss', pool_size=7, loss_weight=100.0))
