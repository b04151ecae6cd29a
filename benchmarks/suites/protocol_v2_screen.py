# Screens that fix benchmark protocol v2 (docs/benchmark_protocol.md), on seeds that are never reported (100,
# 101): the learning rate of fine-tuning a pretrained student, with and without pixel KD, and gradient clipping.
# The teacher of these screens is the first v2 teacher (PSPNet-R101-w8 from its undilated pretext backbone,
# 68.64 mIoU, kept in checkpoints/syntex/v2_screen/); the students load the dilated pretext backbone.
#   python tools/benchmark.py benchmarks/suites/protocol_v2_screen.py --seeds 100 101
name = 'protocol_v2_screen'
protocol = 'v2'
screen = True  # unreported seeds: never in the leaderboard
notes = ('Screen (unreported seeds 100, 101): SynTex val, PSPNet-R101-w8 teacher -> PSPNet-R18-w8 student from '
         'pretext-pretrained backbones, batch 8, 2k iterations, 2 CPU cores.')
baseline = 'student, lr 0.01'
STUDENT = 'configs/syntex/pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py'
KD = 'configs/kd/kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'
SCREEN_TEACHER = 'checkpoints/syntex/v2_screen/teacher_pspnet_r101-w8_undilated-pretext.pth'
teacher = ('teacher', 'configs/syntex/pspnet_r101-w8-d8_1xb8-4k_syntex-96x96.py', SCREEN_TEACHER)
LR01 = ['optim_wrapper.optimizer.lr=0.01']  # mmseg's stock fine-tuning value
LR05 = ['optim_wrapper.optimizer.lr=0.05']  # the SynTex schedules' value (v1's, and v2's after this screen)
CLIP = ['optim_wrapper.clip_grad._delete_=True', 'optim_wrapper.clip_grad.max_norm=2.0',
        'optim_wrapper.clip_grad.norm_type=2']
UNDILATED = ['model.pretrained=checkpoints/syntex/v2_screen/resnetv1c18-w8_pretext_undilated.pth']
T = [f'model.teacher_ckpt={SCREEN_TEACHER}']
LABELED_STUDENT = 'configs/mgd_ssss/pspnet_r18-w8-d8_1xb8-2k_syntex-1-8-96x96.py'  # the labeled 1/8 split only
LABELED_TEACHER = 'configs/mgd_ssss/pspnet_r101-w8-d8_1xb8-4k_syntex-1-8-96x96.py'
QUARTER = ['train_dataloader.dataset.fraction=1/4']
MIT_STUDENT = 'configs/syntex/segformer_mit-w8_1xb8-2k_syntex-96x96.py'


def longer(iters):
    """cfg-options: train for ``iters`` iterations, validate at the end, the poly decay stretched to match."""
    return [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}', f'param_scheduler.0.end={iters}']


def adamw(lr):
    """cfg-options: AdamW at ``lr`` (betas 0.9 / 0.999, weight decay 0.01) instead of SGD."""
    return ['optim_wrapper.optimizer._delete_=True', 'optim_wrapper.optimizer.type=AdamW',
            f'optim_wrapper.optimizer.lr={lr}', 'optim_wrapper.optimizer.weight_decay=0.01']


runs = [
    ('student, lr 0.01', STUDENT, LR01),
    ('student, lr 0.01, undilated pretext', STUDENT, LR01 + UNDILATED),
    ('student, lr 0.05', STUDENT, LR05),
    ('KD, lr 0.01', KD, T + LR01),
    ('KD, lr 0.05', KD, T + LR05),
    ('KD, lr 0.05, clip 2', KD, T + LR05 + CLIP),
    ('student, lr 0.05, clip 2', STUDENT, LR05 + CLIP),
    # the plateau: the protocol's student (lr 0.05, clip 2: the SynTex schedule since this screen) at 2x and 4x
    # the 2k iterations, the poly schedule stretched to the new length
    ('student, 4k iterations', STUDENT, longer(4000)),
    ('student, 8k iterations', STUDENT, longer(8000)),
    ('student, 16k iterations', STUDENT, longer(16000)),
    # the teacher's plateau: the embedded teacher's config (from its pretext backbone, unclipped) at 2x its 4k
    ('teacher, 8k iterations', 'configs/syntex/pspnet_r101-w8-d8_1xb8-4k_syntex-96x96.py', longer(8000)),
    # option (b) of the iteration budget: fewer labeled training images, so that the student's plateau comes within
    # the budget and the teacher's extra capacity shows. The labeled part of the seeded split (SplitDataset, the
    # partition MGD-SSSS uses: 1/8 -> 188 images, 1/4 -> 375), same schedule (lr 0.05, clip 2) for the students;
    # the teachers as the embedded teacher (unclipped, 4k iterations) on the same images.
    ('student, 1/8 labels', LABELED_STUDENT, []),
    ('student, 1/8 labels, 4k iterations', LABELED_STUDENT, longer(4000)),
    ('student, 1/4 labels', LABELED_STUDENT, QUARTER),
    ('student, 1/4 labels, 4k iterations', LABELED_STUDENT, QUARTER + longer(4000)),
    # option (c): a higher learning rate (the protocol's clipping at 2), all 1500 training images, 2k iterations
    ('student, lr 0.1', STUDENT, ['optim_wrapper.optimizer.lr=0.1']),
    ('student, lr 0.2', STUDENT, ['optim_wrapper.optimizer.lr=0.2']),
    # AdamW (the protocol's clipping at 2, weight decay 0.01), all 1500 training images, 2k iterations
    ('student, AdamW lr 1e-3', STUDENT, adamw(1e-3)),
    ('student, AdamW lr 3e-3', STUDENT, adamw(3e-3)),
    # the SegFormer-MiT-w8 student of hetero_syntex: the one schedule (SGD lr 0.05, clip 2) or SegFormer's stock
    # optimiser (AdamW), 2k iterations
    ('MiT student, SGD lr 0.05', MIT_STUDENT, []),
    ('MiT student, AdamW lr 1e-3', MIT_STUDENT, adamw(1e-3)),
    ('student, 1/8 labels, 8k iterations', LABELED_STUDENT, longer(8000)),
    ('student, 1/4 labels, 8k iterations', LABELED_STUDENT, QUARTER + longer(8000)),
    ('teacher, 1/8 labels', LABELED_TEACHER, []),
    ('teacher, 1/4 labels', LABELED_TEACHER, QUARTER),
]
