# Foundation check: pixel-wise KD must beat the baseline student on SynTex (mean of 3 seeds).
#   python tools/benchmark.py benchmarks/suites/kd_syntex.py --seeds 0 1 2
name = 'kd_syntex'
notes = ('SynTex val (300 images), PSPNet-R18-w32 teacher -> PSPNet-R18-w8 student, 2k iterations, '
         'batch 8, 2 CPU cores.')
baseline = 'student'
teacher = ('teacher', 'configs/syntex/pspnet_r18-w32-d8_1xb8-4k_syntex-96x96.py',
           'checkpoints/syntex/teacher_pspnet_r18-w32.pth')
runs = [
    ('student', 'configs/syntex/pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('KD', 'configs/kd/kd_pspnet-r18-w32-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
]
