# FRKDNet ablation (docs/methods/frkd.md; the paper's Table 1 rows) on SynTex
# (benchmark protocol v2, docs/benchmark_protocol.md):
#   python tools/benchmark.py benchmarks/suites/frkd_syntex.py
# Rows (every distillation row also has the student's own CE losses, L_cls):
#   student  L_cls only (the shared baseline run)
#   KD       + 10 * pixel KD on the raw logits (reference: the same KD without refinement)
#   +refine  + 10 * pixel KD on refined logits (RefinedPixelWiseKDLoss with the teacher's refine mask)
#   +inter   +refine + gamma * L_inter   (FRKDInterClassLoss)
#   +intra   +refine + gamma * L_intra   (FRKDIntraClassLoss)
#   full     +refine + gamma * (L_inter + L_intra) + sim_weight * L_sim (FRKDSimilarityLoss)
# gamma, sim_weight and the refine mask are set in
# configs/frkd/frkd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py.
name = 'frkd_syntex'
protocol = 'v2'
compute_matched = True
notes = ('Protocol v2: SynTex val (300 images), PSPNet-R101-w8 teacher -> PSPNet-R18-w8 student, both from '
         'pretext-pretrained backbones; 2k iterations, batch 8, SGD lr 0.05, gradient norm clipped to 2, '
         'seeds 0-4, 2 CPU cores (two runs at once, one thread each; --jobs 2). '
         'FRKD ablation: "+refine" = pixel KD on refined logits; "+inter"/"+intra" add gamma * '
         'L_inter / L_intra to it; "full" adds both and the class-similarity term. "KD" = the same pixel KD '
         'without refinement.')
baseline = 'student'
teacher = ('teacher', 'configs/syntex/pspnet_r101-w8-d8_1xb8-4k_syntex-96x96.py',
           'checkpoints/syntex/teacher_pspnet_r101-w8.pth')
_frkd = 'configs/frkd/frkd{}_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'
runs = [
    ('student', 'configs/syntex/pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('KD', 'configs/kd/kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ('+refine', _frkd.format('-refine')),
    ('+inter', _frkd.format('-inter')),
    ('+intra', _frkd.format('-intra')),
    ('full', _frkd.format('')),
]
