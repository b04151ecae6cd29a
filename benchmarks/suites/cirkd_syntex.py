# CIRKD against the baseline student, pixel KD and the compute-matched student (benchmark protocol v2,
# docs/benchmark_protocol.md). The student and KD runs are shared with kd_syntex (same configs, same records).
#   python tools/benchmark.py benchmarks/suites/cirkd_syntex.py
name = 'cirkd_syntex'
protocol = 'v2'
compute_matched = True
notes = ('Protocol v2: SynTex val (300 images), PSPNet-R101-w8 teacher -> PSPNet-R18-w8 student, both from '
         'pretext-pretrained backbones; 2k iterations, batch 8, SGD lr 0.05, gradient norm clipped to 2, '
         'seeds 0-4, 2 CPU cores (two runs at once, one thread each; --jobs 2). CIRKD: '
         'the authors\' weights and temperatures (pixel KD 1, mini-batch pixel-to-pixel 1, memory '
         'pixel-to-pixel / pixel-to-region 0.1 / 0.1; tau 0.1, KD tau 1) on the decoder features, memories '
         'scaled to SynTex (configs/cirkd/README.md).')
baseline = 'student'
teacher = ('teacher', 'configs/syntex/pspnet_r101-w8-d8_1xb8-4k_syntex-96x96.py',
           'checkpoints/syntex/teacher_pspnet_r101-w8.pth')
runs = [
    ('student', 'configs/syntex/pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('KD', 'configs/kd/kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('CIRKD', 'configs/cirkd/cirkd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
]
