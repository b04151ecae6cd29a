# Heterogeneous pair, CNN teacher -> transformer student (benchmark protocol v2, docs/benchmark_protocol.md):
# the embedded PSPNet-R101-w8 -> the embedded SegFormer-MiT-w8 (configs/_base_/models/syntex_segformer.py), with
# pixel KD, DIST and CIRKD against the student alone and the compute-matched student.
#   python tools/benchmark.py benchmarks/suites/hetero_syntex.py
name = 'hetero_syntex'
protocol = 'v2'
compute_matched = True
notes = ('Protocol v2: SynTex val (300 images), PSPNet-R101-w8 teacher -> SegFormer-MiT-w8 student (MiT stage '
         'widths 8/16/32/64, SegformerHead 64 channels at 1/4), both from pretext-pretrained backbones; 2k '
         'iterations, batch 8, SGD lr 0.05, gradient norm clipped to 2, seeds 0-4, 2 CPU cores '
         '(two runs at once, one thread each; --jobs 2). '
         'The teacher\'s '
         '1/8 maps are resized bilinearly to the student\'s 1/4 (teacher_to_student). KD: tau 1, weight 10; DIST: '
         'tau 1, beta = gamma = 1 on the decode logits; CIRKD: the settings of cirkd_syntex. The MiT-w8 student is '
         'weak at this budget (about 32 mIoU on the screen seeds; its pretext training hardly learns), so the pair '
         'is far outside the published regime (docs/benchmark_protocol.md, section 2).')
baseline = 'student'
teacher = ('teacher', 'configs/syntex/pspnet_r101-w8-d8_1xb8-4k_syntex-96x96.py',
           'checkpoints/syntex/teacher_pspnet_r101-w8.pth')
runs = [
    ('student', 'configs/syntex/segformer_mit-w8_1xb8-2k_syntex-96x96.py'),
    ('KD', 'configs/kd/kd_pspnet-r101-w8-d8_segformer-mit-w8_1xb8-2k_syntex-96x96.py'),
    ('DIST', 'configs/dist/dist_pspnet-r101-w8-d8_segformer-mit-w8_1xb8-2k_syntex-96x96.py'),
    ('CIRKD', 'configs/cirkd/cirkd_pspnet-r101-w8-d8_segformer-mit-w8_1xb8-2k_syntex-96x96.py'),
]
