# MGD-SSSS on Cityscapes, 1/16 partition (seed 0; 186 of 2975 images labeled): the supervised-only
# baseline: the DeepLabV3+ ResNetV1c-18 student, trained on the labeled images only (80k iterations, 4
# GPUs x 2 images).
# Other partitions: --cfg-options train_dataloader.dataset.fraction=1/8 (see the dataset fragment).
_base_ = [
    '../_base_/models/deeplabv3plus_mgd_ssss_cityscapes.py', '../_base_/datasets/cityscapes_semi.py',
    '../_base_/default_runtime.py', 'mmseg::_base_/schedules/schedule_80k.py'
]
model = _base_.student_r18_model
train_dataloader = _base_.labeled_loader
