# MGD-SSSS on Pascal VOC 2012 aug, 1/16 partition (seed 0; 662 of 10582 images labeled): the supervised-
# only baseline: the DeepLabV3+ ResNetV1c-18 student, trained on the labeled images only (40k iterations,
# 4 GPUs x 2 images).
# Other partitions: --cfg-options train_dataloader.dataset.fraction=1/8 (see the dataset fragment).
_base_ = [
    '../_base_/models/deeplabv3plus_mgd_ssss_voc12aug.py', '../_base_/datasets/voc12aug_semi.py',
    '../_base_/default_runtime.py', 'mmseg::_base_/schedules/schedule_40k.py'
]
model = _base_.student_r18_model
train_dataloader = _base_.labeled_loader
