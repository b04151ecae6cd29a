# Structured KD (Liu et al., CVPR 2019 / TPAMI 2020; docs/methods/skd.md) for the Cityscapes paper-protocol configs
# (configs/skd/skd_*_4xb2-40k_cityscapes-*.py): student SGD lr 0.01 + poly over mmseg's 40k schedule, all three terms:
#   pixel-wise  KL(softmax(z_T) || softmax(z_S)), tau 1, weight 10, mean over valid pixels
#   pair-wise   affinities of the decode head's fused features (decode_head.bottleneck, 128 / 512 channels at
#               1/8; the authors' "x_feat_after_psp"), max-pooled into nodes with beta = 0.5, norm detached as
#               in the authors' code, weight 1
#   holistic    WGAN-GP critic (lambda_gp 10) on softmax maps, lambda_d = lambda_adv = 0.1; 4 spectral-normalised
#               stride-2 blocks 64-128-256-512 with self-attention after the last two; critic SGD lr 4e-4,
#               momentum 0.9, weight decay 5e-4 (the authors' script passes 5e-4 to both optimizers), poly
#               schedule; both learning rates decay to 0 as in the authors' code
# Differences from the released code: the critic reads softmax maps (the code: raw logits + BatchNorm, which
# couples the samples a gradient penalty treats separately); its score is the mean of a final 'same' 3x3
# convolution (the code: a 4x4 convolution on the last 4x4 map).
# A leaf config adds the models (architecture / teacher / teacher_ckpt), the dataset and the crop.
_base_ = ['mmseg::_base_/schedules/schedule_40k.py']
model = dict(
    _scope_='mmrazor',
    type='AdversarialSegmentationDistill',
    distiller=dict(
        type='SegDistiller',
        student_recorders=dict(
            logits=dict(type='ModuleOutputs', source='decode_head.conv_seg'),
            feat=dict(type='ModuleOutputs', source='decode_head.bottleneck')),
        teacher_recorders=dict(
            logits=dict(type='ModuleOutputs', source='decode_head.conv_seg'),
            feat=dict(type='ModuleOutputs', source='decode_head.bottleneck')),
        distill_losses=dict(
            loss_pixel=dict(type='PixelWiseKDLoss', tau=1.0, loss_weight=10.0),
            loss_pair=dict(type='PairWiseAffinityLoss', scale=0.5, pool='max', detach_norm=True, loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_pixel=dict(
                preds_S=dict(from_student=True, recorder='logits'),
                preds_T=dict(from_student=False, recorder='logits'),
                gt_sem_seg=dict(from_data='gt_sem_seg')),
            loss_pair=dict(
                preds_S=dict(from_student=True, recorder='feat'),
                preds_T=dict(from_student=False, recorder='feat')))),
    discriminator=dict(
        type='SKDDiscriminator', in_channels=19, widths=(64, 128, 256, 512), attention_after=(2, 3),
        negative_slope=0.1, input_transform='softmax'),
    adversarial_loss=dict(
        type='HolisticAdversarialLoss', gan_type='wgan', loss_weight=0.1, critic_weight=0.1, lambda_gp=10.0),
    student_recorder='logits',
    teacher_recorder='logits',
    n_critic=1)
optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(
        type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4)),
    discriminator=dict(
        type='OptimWrapper', optimizer=dict(type='SGD', lr=4e-4, momentum=0.9, weight_decay=5e-4)))
param_scheduler = dict(
    _delete_=True,
    architecture=[dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=40000, by_epoch=False)],
    discriminator=[dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=40000, by_epoch=False)])
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel', broadcast_buffers=False,
                         find_unused_parameters=False)
