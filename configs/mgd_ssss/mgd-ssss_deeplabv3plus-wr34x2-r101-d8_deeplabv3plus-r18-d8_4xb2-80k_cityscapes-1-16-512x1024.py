# MGD-SSSS (Qin et al., ECCV 2022; docs/methods/mgd_ssss.md) on Cityscapes, 1/16 partition (seed 0; 186 of
# 2975 images labeled, the rest unlabeled): DeepLabV3+ wide (double-width ResNetV1c-34) + deep
# (ResNetV1c-101) teachers -> DeepLabV3+ ResNetV1c-18 student. Published (Cityscapes 1/16): R18 +11.5
# mIoU, MobileNetV2 +4.6 over supervised-only
# (deeplabv3plus_r18-d8_4xb2-80k_cityscapes-1-16-512x1024.py).
# 1. split files:  python tools/make_splits.py data/cityscapes --preset cityscapes
# 2. teachers on the labeled split: configs/mgd_ssss/deeplabv3plus_{wr34x2,r101}-d8_4xb2-80k_cityscapes-1-16-512x1024.py
# 3. this config: tools/dist_train.sh THIS_CONFIG 4   (per GPU 2 labeled + 2 unlabeled images)
# Loss weights as in the paper: pseudo labels 1, CutMix consistency 1, lambda_1 = 0.001 (sum over the
# per-GPU images, as the paper), lambda_2 = 100. mmseg's 80k schedule replaces the paper's.
# Other partitions (teachers must be trained on the same one): --cfg-options
#   train_dataloader.dataset.datasets.0.fraction=1/8 train_dataloader.dataset.datasets.1.fraction=1/8
#   model.teacher_wide_ckpt=... model.teacher_deep_ckpt=...
_base_ = [
    '../_base_/models/deeplabv3plus_mgd_ssss_cityscapes.py', '../_base_/datasets/cityscapes_semi.py',
    '../_base_/default_runtime.py', '../_base_/distillers/mgd-ssss_deeplabv3plus.py',
    'mmseg::_base_/schedules/schedule_80k.py'
]
train_dataloader = _base_.semi_loader
model = dict(
    architecture=_base_.student_r18_model,
    teacher_wide=_base_.teacher_wide_model,
    teacher_deep=_base_.teacher_deep_model,
    teacher_wide_ckpt='checkpoints/cityscapes/mgd-ssss_teacher-wide_deeplabv3plus_wr34x2_1-16.pth',
    teacher_deep_ckpt='checkpoints/cityscapes/mgd-ssss_teacher-deep_deeplabv3plus_r101_1-16.pth',
    loss_semantic=dict(loss_weight=0.001),
    loss_content=dict(loss_weight=100.0))
