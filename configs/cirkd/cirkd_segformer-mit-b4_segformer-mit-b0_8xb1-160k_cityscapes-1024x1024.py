# CIRKD (Yang et al., CVPR 2022; docs/methods/cirkd.md) under the authors' SegFormer protocol on Cityscapes
# (train_cirkd_segformer.py, train_scripts/train_cirkd/citys/segformer_mit_b0.sh): mmseg's SegFormer-B4 teaches
# mmseg's SegFormer-B0, 1024x1024 crops, 160k iterations, batch 8 (8 GPUs x 1), AdamW lr 2e-4, weight decay 1e-4,
# poly (power 0.9) to 0 without warm-up; pixel KD + mini-batch relations on pooled features + memory-based
# relations with a 2000-pixel memory per class. Published (val): 75.58 -> 76.92 mIoU with an 81.23 teacher.
# Features: the input of each SegformerHead's conv_seg (the fused 256-channel map at 1/4).
# Our teacher is mmseg's SegFormer-B4 (81.89 mIoU): the authors' checkpoint is not in mmseg's format.
#   tools/dist_train.sh configs/cirkd/cirkd_segformer-mit-b4_segformer-mit-b0_8xb1-160k_cityscapes-1024x1024.py 8
# Offline (no ImageNet / teacher download): --cfg-options model.load_pretrained=False model.teacher_ckpt=PATH
_base_ = ['mmseg::segformer/segformer_mit-b0_8xb1-160k_cityscapes-1024x1024.py',
          '../_base_/distillers/cirkd_logits_features.py']
teacher_ckpt = ('https://download.openmmlab.com/mmsegmentation/v0.5/segformer/segformer_mit-b4_8x1_1024x1024_160k_cityscapes/'
                'segformer_mit-b4_8x1_1024x1024_160k_cityscapes_20211207_080709-07f6c333.pth')
custom_imports = dict(imports=['mmkdseg'], allow_failed_imports=False)
runner_type = 'CheckedRunner'
data_preprocessor = None  # the algorithm uses the student's (model.architecture.data_preprocessor)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=1e-4))
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=160000, by_epoch=False)]
model = dict(
    _delete_=True,
    _scope_='mmrazor',
    type='SegmentationDistill',
    architecture=_base_.model,
    teacher=dict(cfg_path='mmseg::segformer/segformer_mit-b4_8xb1-160k_cityscapes-1024x1024.py'),
    teacher_ckpt=teacher_ckpt,
    distiller=dict(
        _base_.cirkd_distiller,
        distill_losses=dict(
            _base_.cirkd_distiller.distill_losses,
            loss_minibatch=dict(_base_.cirkd_distiller.distill_losses.loss_minibatch, pooling=True),
            loss_memory=dict(_base_.cirkd_memory_loss, student_channels=256, teacher_channels=256,
                             pixel_memory_size=2000))))
