# SKD ablation on SynTex: baseline student, + pixel-wise, + pair-wise, + holistic
# (benchmark protocol v2, docs/benchmark_protocol.md).
#   flock /tmp/mmkdseg_cpu.lock .venv/bin/python tools/benchmark.py benchmarks/suites/skd_syntex.py
name = 'skd_syntex'
protocol = 'v2'
compute_matched = True
notes = ('Protocol v2: SynTex val (300 images), PSPNet-R101-w8 teacher -> PSPNet-R18-w8 student, both from '
         'pretext-pretrained backbones; 2k iterations, batch 8, SGD lr 0.05, gradient norm clipped to 2, '
         'seeds 0-4, 2 CPU cores (two runs at once, one thread each; --jobs 2). '
         'Rows are cumulative: +pixel = pixel-wise KD (tau 1, weight 10); '
         '+pair adds the pair-wise '
         'affinity loss (weight 10) on the PSP head\'s fused features before their ReLU (every 12x12 position a '
         'node); +holistic adds the '
         'WGAN-GP critic (lambda_adv 0.1) with its own Adam optimizer.')
baseline = 'student'
teacher = ('teacher', 'configs/syntex/pspnet_r101-w8-d8_1xb8-4k_syntex-96x96.py',
           'checkpoints/syntex/teacher_pspnet_r101-w8.pth')
runs = [
    ('student', 'configs/syntex/pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    # configs/skd/skd-pixel_... is this config with SKD's loss name (loss_pixel); the runs are shared with
    # the KD suites instead of training the same thing twice
    ('+pixel', 'configs/kd/kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('+pair', 'configs/skd/skd-pixel-pair_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('+holistic (SKD)', 'configs/skd/skd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
]
