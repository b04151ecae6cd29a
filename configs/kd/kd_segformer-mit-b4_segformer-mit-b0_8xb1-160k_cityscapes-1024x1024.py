# A heterogeneous pair from stock mmseg configs (docs/extend_your_config.md), transformer -> transformer.
# mmseg's SegFormer-B4 (81.89 mIoU) teaches mmseg's SegFormer-B0 (76.54) by pixel-wise KD on the logits;
# dataset, pipelines, schedule and the student's ImageNet initialisation are those of the student's config.
#   tools/dist_train.sh configs/kd/kd_segformer-mit-b4_segformer-mit-b0_8xb1-160k_cityscapes-1024x1024.py 8
# Offline (no ImageNet / teacher download): --cfg-options model.load_pretrained=False model.teacher_ckpt=PATH
_base_ = ['mmseg::segformer/segformer_mit-b0_8xb1-160k_cityscapes-1024x1024.py', '../_base_/distillers/kd_logits.py']
teacher_ckpt = ('https://download.openmmlab.com/mmsegmentation/v0.5/segformer/segformer_mit-b4_8x1_1024x1024_160k_cityscapes/'
                'segformer_mit-b4_8x1_1024x1024_160k_cityscapes_20211207_080709-07f6c333.pth')
data_preprocessor = None  # the algorithm uses the student's (model.architecture.data_preprocessor)
model = dict(
    _base_.kd_algorithm,
    _delete_=True,
    architecture=_base_.model,
    teacher=dict(cfg_path='mmseg::segformer/segformer_mit-b4_8xb1-160k_cityscapes-1024x1024.py'),
    teacher_ckpt=teacher_ckpt)
