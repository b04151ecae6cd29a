# MGD-SSSS (semi-supervised, two teachers) on SynTex with the 1/8 partition (seed 0: 188 labeled, 1312
# unlabeled training images), and its per-granularity ablation (benchmark protocol v2,
# docs/benchmark_protocol.md):
#   python tools/benchmark.py benchmarks/suites/mgd_ssss_syntex.py
# Both teachers are trained on the same 188 labeled images from their pretext backbones (embedded artifacts,
# built by tools/embedded.py when first needed: configs/mgd_ssss/pspnet_r18-w32-* and pspnet_r101-w8-*).
name = 'mgd_ssss_syntex'
protocol = 'v2'
compute_matched = True
_MGD = 'configs/mgd_ssss/mgd-ssss_pspnet-r18-w32-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-1-8-96x96.py'
notes = ('Protocol v2: SynTex val (300 images), every model from a pretext-pretrained backbone; 2k iterations, '
         'SGD lr 0.05, gradient norm clipped to 2, seeds 0-4, 2 CPU cores '
         '(two runs at once, one thread each; --jobs 2). '
         'Semi-supervised protocol: 1/8 '
         'partition of the 1500 training images (seed 0: 188 labeled, 1312 unlabeled). Every model except the '
         'last row sees only the 188 labels: the teachers (wide PSPNet-R18-w32, deep PSPNet-R101-w8) were trained '
         'on them, the student (PSPNet-R18-w8) is trained with 8 labeled (+ 8 unlabeled for MGD-SSSS) images per '
         'step. Ablation rows add the granularities one at a time: labeled = GT CE + both teachers\' pseudo '
         'labels on labeled images; pixel = CutMix consistency on unlabeled images; image = semantic-sensitive '
         'L1 of pooled logits (deep teacher); region = content-aware self-similarity (wide teacher). The last '
         'row is the shared fully supervised student (all 1500 labels), for reference only.')
baseline = 'supervised (1/8 labels)'
teacher = ('teacher_wide (1/8 labels)', 'configs/mgd_ssss/pspnet_r18-w32-d8_1xb8-4k_syntex-1-8-96x96.py',
           'checkpoints/syntex/mgd-ssss_teacher-wide_pspnet_r18-w32_1-8.pth')
runs = [
    ('supervised (1/8 labels)', 'configs/mgd_ssss/pspnet_r18-w8-d8_1xb8-2k_syntex-1-8-96x96.py'),
    ('MGD: labeled only', _MGD, ['model.loss_cutmix=None', 'model.loss_semantic=None', 'model.loss_content=None']),
    ('MGD: labeled + pixel', _MGD, ['model.loss_semantic=None', 'model.loss_content=None']),
    ('MGD: labeled + pixel + image', _MGD, ['model.loss_content=None']),
    ('MGD-SSSS (all granularities)', _MGD),
    ('student (all labels, reference)', 'configs/syntex/pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py'),
]
