# MGD-SSSS (semi-supervised, two teachers) on SynTex with the 1/8 partition (seed 0: 188 labeled, 1312
# unlabeled training images), and its per-granularity ablation:
#   flock /tmp/mmkdseg_cpu.lock .venv/bin/python tools/benchmark.py benchmarks/suites/mgd_ssss_syntex.py --seeds 0 1 2
# Both teachers are trained on the same 188 labeled images first (see configs/mgd_ssss/pspnet_r18-w32-*
# and pspnet_r101-w16-*; checkpoints/syntex/mgd-ssss_teacher-{wide,deep}_*_1-8.pth).
name = 'mgd_ssss_syntex'
_MGD = 'configs/mgd_ssss/mgd-ssss_pspnet-r18-w32-r101-w16-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-1-8-96x96.py'
notes = ('SynTex val (300 images). Semi-supervised protocol: 1/8 partition of the 1500 training images '
         '(seed 0: 188 labeled, 1312 unlabeled). Every model except the last row sees only the 188 labels: '
         'the teachers (wide PSPNet-R18-w32, deep PSPNet-R101-w16) were trained on them, the student '
         '(PSPNet-R18-w8) is trained for 2k iterations with 8 labeled (+ 8 unlabeled for MGD-SSSS) images '
         'per step on 2 CPU cores. Ablation rows add the granularities one at a time: labeled = GT CE + both '
         'teachers\' pseudo labels on labeled images; pixel = CutMix consistency on unlabeled images; image = '
         'semantic-sensitive L1 of pooled logits (deep teacher); region = content-aware self-similarity '
         '(wide teacher). All rows have 3 seeds. The last row is the shared fully '
         'supervised student (all 1500 labels), for reference only. Timing: the MGD rows were trained two '
         'at a time with one thread each, which inflates their s/iter (one MGD-SSSS run alone with 2 '
         'threads: 0.52 s/iter, about 17 minutes).')
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
