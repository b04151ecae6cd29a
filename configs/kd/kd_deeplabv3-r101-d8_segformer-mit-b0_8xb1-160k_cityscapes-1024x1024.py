# A heterogeneous pair from stock mmseg configs (docs/extend_your_config.md), CNN -> transformer: the teacher's
# 1/8 logits are resized to the student's 1/4 (bilinear). mmseg's DeepLabV3-R101 (80.20 mIoU) teaches mmseg's
# SegFormer-B0 (76.54) by pixel-wise KD on the logits; dataset, pipelines, schedule and the student's ImageNet
# initialisation are those of the student's config.
#   tools/dist_train.sh configs/kd/kd_deeplabv3-r101-d8_segformer-mit-b0_8xb1-160k_cityscapes-1024x1024.py 8
# Offline (no ImageNet / teacher download): --cfg-options model.load_pretrained=False model.teacher_ckpt=PATH
_base_ = ['mmseg::segformer/segformer_mit-b0_8xb1-160k_cityscapes-1024x1024.py', '../_base_/distillers/kd_logits.py']
teacher_ckpt = ('https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x1024_80k_cityscapes/'
                'deeplabv3_r101-d8_512x1024_80k_cityscapes_20200606_113503-9e428899.pth')
data_preprocessor = None  # the algorithm uses the student's (model.architecture.data_preprocessor)
model = dict(
    _base_.kd_algorithm,
    _delete_=True,
    architecture=_base_.model,
    teacher=dict(cfg_path='mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py'),
    teacher_ckpt=teacher_ckpt)
