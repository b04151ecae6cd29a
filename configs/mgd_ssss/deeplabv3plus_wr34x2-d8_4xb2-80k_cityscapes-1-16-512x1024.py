# MGD-SSSS on Cityscapes, 1/16 partition (seed 0; 186 of 2975 images labeled): the wide teacher (T_W),
# DeepLabV3+ with a double-width ResNetV1c-34 (the paper's WideResNet-34-2); trained from scratch (no
# ImageNet weights for it in the OpenMMLab zoo), trained on the labeled images only (80k iterations, 4
# GPUs x 2 images).
#   tools/dist_train.sh THIS_CONFIG 4
#   cp work_dirs/deeplabv3plus_wr34x2-d8_4xb2-80k_cityscapes-1-16-512x1024/iter_80000.pth checkpoints/cityscapes/mgd-ssss_teacher-wide_deeplabv3plus_wr34x2_1-16.pth
# Other partitions: --cfg-options train_dataloader.dataset.fraction=1/8 (see the dataset fragment).
_base_ = [
    '../_base_/models/deeplabv3plus_mgd_ssss_cityscapes.py', '../_base_/datasets/cityscapes_semi.py',
    '../_base_/default_runtime.py', 'mmseg::_base_/schedules/schedule_80k.py'
]
model = _base_.teacher_wide_model
train_dataloader = _base_.labeled_loader
