# MGD-SSSS on Pascal VOC 2012 aug, 1/16 partition (seed 0; 662 of 10582 images labeled): the wide teacher
# (T_W), DeepLabV3+ with a double-width ResNetV1c-34 (the paper's WideResNet-34-2); trained from scratch
# (no ImageNet weights for it in the OpenMMLab zoo), trained on the labeled images only (40k iterations,
# 4 GPUs x 2 images).
#   tools/dist_train.sh THIS_CONFIG 4
#   cp work_dirs/deeplabv3plus_wr34x2-d8_4xb2-40k_voc12aug-1-16-512x512/iter_40000.pth checkpoints/voc12aug/mgd-ssss_teacher-wide_deeplabv3plus_wr34x2_1-16.pth
# Other partitions: --cfg-options train_dataloader.dataset.fraction=1/8 (see the dataset fragment).
_base_ = [
    '../_base_/models/deeplabv3plus_mgd_ssss_voc12aug.py', '../_base_/datasets/voc12aug_semi.py',
    '../_base_/default_runtime.py', 'mmseg::_base_/schedules/schedule_40k.py'
]
model = _base_.teacher_wide_model
train_dataloader = _base_.labeled_loader
