# MGD on SynTex: baseline student, CWD on the logits alone, MGD alone, MGD + CWD
# (benchmark protocol v2, docs/benchmark_protocol.md).
#   .venv/bin/python tools/benchmark.py benchmarks/suites/mgd_syntex.py
name = 'mgd_syntex'
protocol = 'v2'
compute_matched = True
notes = ('Protocol v2: SynTex val (300 images), PSPNet-R101-w8 teacher -> PSPNet-R18-w8 student, both from '
         'pretext-pretrained backbones; 2k iterations, batch 8, SGD lr 0.05, gradient norm clipped to 2, '
         'seeds 0-4, 2 CPU cores (two runs at once, one thread each; --jobs 2). '
         'CWD = channel-wise distillation on the logits (tau 4, weight 3). '
         'MGD = masked generative '
         'distillation on the last backbone stage (64 -> 256 channels, 12x12, lambda 0.75), alpha 3e-4 (the MGD '
         'term starts at the size of the cross-entropy; see the config for why not the paper\'s 2e-5).')
baseline = 'student'
teacher = ('teacher', 'configs/syntex/pspnet_r101-w8-d8_1xb8-4k_syntex-96x96.py',
           'checkpoints/syntex/teacher_pspnet_r101-w8.pth')
runs = [
    ('student', 'configs/syntex/pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('CWD (logits)', 'configs/cwd/cwd-logits_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('MGD', 'configs/mgd/mgd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('MGD + CWD', 'configs/mgd/mgd-cwd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
]
