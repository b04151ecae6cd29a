# AICSD (docs/methods/aicsd.md) on SynTex: ICSD alone, KD + ICSD (constant weights), AICSD (KD + ICSD with Adaptive
# Loss Weighting), against the baseline student, pixel-wise KD and the IFVD baseline
# (benchmark protocol v2, docs/benchmark_protocol.md).
#   python tools/benchmark.py benchmarks/suites/aicsd_syntex.py
name = 'aicsd_syntex'
protocol = 'v2'
compute_matched = True
notes = ('Protocol v2: SynTex val (300 images), PSPNet-R101-w8 teacher -> PSPNet-R18-w8 student, both from '
         'pretext-pretrained backbones; 2k iterations, batch 8, SGD lr 0.05, gradient norm clipped to 2, '
         'seeds 0-4, 2 CPU cores (two runs at once, one thread each; --jobs 2). '
         'Loss values from screens on seeds 100/101 under protocol v1 (not '
         're-screened under v2): KD: tau 1, weight 10. ICSD: tau 1, weight 5 (chosen among 1/5 with AICSD '
         'on seed 100, not a reported seed; 50 hurt every ICSD row). AICSD = KD + ICSD with the weights scheduled by '
         'LossWeightScheduleHook: alpha (CE + ICSD) + (1 - alpha) KD, alpha = iter / max_iters; KD + ICSD is '
         'the same pair of losses without the schedule (CE 1, ICSD 5, KD 10 throughout). The linear schedule '
         'was kept after a screen on seeds 100 and 101 (not reported seeds; student 55.90 / 53.32): linear '
         '57.22 / 56.12, cosine 57.82 / 46.06, CE rising to 10 57.69 / 49.51, CE held at 1 57.54 / 54.74, '
         'alpha reaching 1 at half training 51.64 / 39.85, KD starting at 1 48.36 / -; a second screen on the '
         'same seeds (ICSD alone there: 59.01 / 58.43): KD starting at 3 57.23 / 49.77, at 20 26.44 / 36.33, '
         'KD tau 4 9.08 / 25.81, CE and ICSD end weights doubled 55.12 / 55.44, only KD decaying (CE 1 and '
         'ICSD 5 constant) 54.99 / 58.27. IFVD: weight 200 on the PSP bottleneck output.')
baseline = 'student'
teacher = ('teacher', 'configs/syntex/pspnet_r101-w8-d8_1xb8-4k_syntex-96x96.py',
           'checkpoints/syntex/teacher_pspnet_r101-w8.pth')
runs = [
    ('student', 'configs/syntex/pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('KD', 'configs/kd/kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('IFVD', 'configs/ifvd/ifvd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('ICSD', 'configs/aicsd/icsd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('KD + ICSD', 'configs/aicsd/kd-icsd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('AICSD (KD + ICSD + ALW)', 'configs/aicsd/aicsd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
]
