# Screens that fixed benchmark protocol v2 (docs/benchmark_protocol.md), on seeds that are never reported
# (100, 101): the pretrained student's plateau (1x, 2x, 4x the iterations) and the chosen teacher-student pair.
#   python tools/benchmark.py benchmarks/suites/protocol_v2_screen.py --seeds 100 101
name = 'protocol_v2_screen'
screen = True  # unreported seeds: never in the leaderboard
protocol = 'v2'
notes = ('Screen (unreported seeds): SynTex val, PSPNet-R101-w8 teacher -> PSPNet-R18-w8 student, both from '
         'pretext-pretrained backbones, SGD lr 0.01, batch 8, 2 CPU cores.')
baseline = 'student'
STUDENT = 'configs/syntex/pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py'
teacher = ('teacher', 'configs/syntex/pspnet_r101-w8-d8_1xb8-4k_syntex-96x96.py',
           'checkpoints/syntex/teacher_pspnet_r101-w8.pth')


def longer(iters):
    return [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}', f'param_scheduler.0.end={iters}']


runs = [
    ('student', STUDENT),
    ('student 2x', STUDENT, longer(4000)),
    ('student 4x', STUDENT, longer(8000)),
    ('KD', 'configs/kd/kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
]
