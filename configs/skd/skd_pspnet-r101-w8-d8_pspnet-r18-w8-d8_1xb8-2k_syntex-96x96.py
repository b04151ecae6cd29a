# SKD, all three terms (pixel-wise + pair-wise + holistic): the embedded teacher -> the embedded student.
# Holistic: a SAGAN-style critic (SKDDiscriminator) scores softmax maps of the 12x12 logits, teacher = real,
# student = fake, trained as a Wasserstein critic with gradient penalty (lambda_gp = 10); the student adds
# -0.1 * E[D(student)] (the paper's lambda_adv = 0.1). Two stride-2 blocks (12 -> 6 -> 3) with
# self-attention after each stand in for the paper's four blocks on 65x65 logits.
# The critic has its own optimizer (Adam 4e-4, betas (0.9, 0.99)) and poly schedule; distributed runs wrap
# student and critic separately (MMSeparateDistributedDataParallel).
_base_ = './skd-pixel-pair_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'
model = dict(
    type='AdversarialSegmentationDistill',
    discriminator=dict(
        type='SKDDiscriminator', in_channels=7, widths=(64, 128), attention_after=(0, 1),
        input_transform='softmax'),
    adversarial_loss=dict(
        type='HolisticAdversarialLoss', gan_type='wgan', loss_weight=0.1, critic_weight=1.0, lambda_gp=10.0),
    student_recorder='logits',
    teacher_recorder='logits',
    n_critic=1)
optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(  # the student: the protocol's SGD, gradient norm clipped to 2 like every student row
        type='OptimWrapper', optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4),
        clip_grad=dict(max_norm=2.0, norm_type=2)),
    discriminator=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=4e-4, betas=(0.9, 0.99))))
param_scheduler = dict(
    _delete_=True,
    architecture=[dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=2000, by_epoch=False)],
    discriminator=[dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=2000, by_epoch=False)])
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel', broadcast_buffers=False,
                         find_unused_parameters=False)
