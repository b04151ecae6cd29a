# Distilling a stock mmseg config (docs/extend_your_config.md): mmseg's DeepLabV3 R18 Cityscapes config, as it
# stands, learns from mmseg's DeepLabV3 R101 (80.20 mIoU) by pixel-wise KD on the logits. Dataset, pipelines,
# schedule and the student's ImageNet initialisation are those of the student's config.
#   tools/dist_train.sh configs/kd/kd_deeplabv3-r101-d8_deeplabv3-r18-d8_4xb2-80k_cityscapes-512x1024.py 4
# Offline (no ImageNet / teacher download): --cfg-options model.load_pretrained=False model.teacher_ckpt=PATH
_base_ = ['mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py', '../_base_/distillers/kd_logits.py']
teacher_ckpt = ('https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/deeplabv3_r101-d8_512x1024_80k_cityscapes/'
                'deeplabv3_r101-d8_512x1024_80k_cityscapes_20200606_113503-9e428899.pth')
data_preprocessor = None  # the algorithm uses the student's (model.architecture.data_preprocessor)
model = dict(
    _base_.kd_algorithm,
    _delete_=True,
    architecture=_base_.model,
    teacher=dict(cfg_path='mmseg::deeplabv3/deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py'),
    teacher_ckpt=teacher_ckpt)
