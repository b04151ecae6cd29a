# CIRKD (Yang et al., CVPR 2022; docs/methods/cirkd.md) as the authors' train_cirkd.py, on mmseg decoders with a
# 512-wide teacher head (DeepLabV3-R101) and a 128-wide student head (DeepLabV3-R18 / PSPNet-R18), 19 classes:
#   loss_kd         pixel-wise KD on the decode logits, tau 1, weight 1 (lambda_kd), every pixel (as the authors)
#   loss_minibatch  mini-batch pixel-to-pixel cross-image relations, tau 0.1, weight 1 (lambda_minibatch_pixel)
#   loss_memory     memory-based pixel-to-pixel + pixel-to-region relations (weights 0.1 / 0.1), memories of
#                   20000 pixels / 2000 regions per class, contrast sets 4096 / 1024, tau 0.1, KD tau 1
# The features are those the classifier sees (the input of decode_head.conv_seg, after the head's dropout in
# training, as the authors' `x_feat_after_aspp`). No adversarial term: train_cirkd.py has none.
logits = dict(type='ModuleOutputs', source='decode_head.conv_seg')
features = dict(type='ModuleInputs', source='decode_head.conv_seg')
cirkd_memory_loss = dict(
    type='CIRKDMemoryLoss',
    num_classes=19,
    student_channels=128,
    teacher_channels=512,
    pixel_memory_size=20000,
    region_memory_size=2000,
    pixel_contrast_size=4096,
    region_contrast_size=1024,
    pixel_update_freq=16,
    contrast_temperature=0.1,
    contrast_kd_temperature=1.0,
    pixel_loss_weight=0.1,
    region_loss_weight=0.1,
    norm_cfg=dict(type='SyncBN'))
cirkd_distiller = dict(
    type='SegDistiller',
    student_recorders=dict(logits=logits, feat=features),
    teacher_recorders=dict(logits=logits, feat=features),
    distill_losses=dict(
        loss_kd=dict(type='PixelWiseKDLoss', tau=1.0, loss_weight=1.0),
        loss_minibatch=dict(type='CIRKDMiniBatchLoss', temperature=0.1, loss_weight=1.0, pooling=False),
        loss_memory=cirkd_memory_loss),
    loss_forward_mappings=dict(
        loss_kd=dict(
            preds_S=dict(from_student=True, recorder='logits'),
            preds_T=dict(from_student=False, recorder='logits')),
        loss_minibatch=dict(
            preds_S=dict(from_student=True, recorder='feat', data_idx=0),
            preds_T=dict(from_student=False, recorder='feat', data_idx=0)),
        loss_memory=dict(
            preds_S=dict(from_student=True, recorder='feat', data_idx=0),
            preds_T=dict(from_student=False, recorder='feat', data_idx=0),
            gt_sem_seg=dict(from_data='gt_sem_seg'))))
