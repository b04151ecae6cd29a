"""MGD-SSSS through the tools: 2-process gloo training with tools/dist_train.sh (each rank sees its own
labeled and unlabeled images), then tools/test.py and tools/export_student.py on the checkpoint."""
import collections
import os
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from mmkdseg import testing

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
pytestmark = pytest.mark.distributed
MGD = osp.join(REPO, 'configs', 'mgd_ssss',
               'mgd-ssss_pspnet-r18-w32-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-1-8-96x96.py')


def run(args, **kw):
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1', PYTHON=sys.executable, PORT='29541')
    proc = subprocess.run([str(a) for a in args], cwd=REPO, env=env, capture_output=True, text=True, **kw)
    assert proc.returncode == 0, f'{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-4000:]}'
    return proc


def test_two_process_training_test_and_export(tmp_path, syntex_root):
    raw = Config.fromfile(MGD)
    ckpts = {}
    for role in ('teacher_wide', 'teacher_deep'):
        ckpts[f'model.{role}_ckpt'] = testing.random_checkpoint(raw.model[role], str(tmp_path / f'{role}.pth'))
    # 1/2 partition of the 8 tiny images: 4 labeled, 4 unlabeled; per process 2 labeled + 2 unlabeled
    opts = {'train_dataloader.dataset.datasets.0.fraction': '1/2',
            'train_dataloader.dataset.datasets.1.fraction': '1/2'}
    wd = str(tmp_path / 'work')
    cfg = testing.make_tiny_config(MGD, wd, data_root=syntex_root, teacher_ckpts=ckpts, max_iters=3,
                                   cfg_options=opts)
    cfg.custom_imports = dict(imports=['mmkdseg', 'mmkdseg.testing.hooks'], allow_failed_imports=False)
    cfg.custom_hooks = [dict(type='RecordBatchHook')]
    path = str(tmp_path / 'mgd.py')
    cfg.dump(path)
    proc = run(['bash', 'tools/dist_train.sh', path, '2', '--work-dir', wd], timeout=900)
    out = proc.stdout + proc.stderr
    assert 'Distributed training: True' in out and "'backend': 'gloo'" in out.replace('"', "'")
    assert 'distill.loss_cutmix_wide' in out and 'distill.loss_content' in out
    ckpt = osp.join(wd, 'iter_3.pth')
    assert osp.isfile(ckpt)

    # every batch: 2 labeled + 2 unlabeled per process, and the two processes see different images
    seen = {}
    for rank in (0, 1):
        per_iter = collections.defaultdict(lambda: collections.defaultdict(list))
        with open(osp.join(wd, f'batches_rank{rank}.txt')) as f:
            for line in f:
                it, part, img = line.split()
                per_iter[int(it)][part].append(img)
        seen[rank] = per_iter
    assert sorted(seen[0]) == sorted(seen[1]) == [0, 1, 2]
    for it in range(3):
        for part in ('labeled', 'unlabeled'):
            a, b = seen[0][it][part], seen[1][it][part]
            assert len(a) == len(b) == 2
            assert not set(a) & set(b), (it, part, a, b)
        assert not set(seen[0][it]['labeled']) & set(seen[0][it]['unlabeled'])

    # the distillation checkpoint evaluates the student; the student exports as a plain mmseg model
    metrics = str(tmp_path / 'metrics.json')
    run([sys.executable, 'tools/test.py', path, ckpt, '--work-dir', str(tmp_path / 'test'),
         '--metrics-out', metrics])
    assert osp.isfile(metrics)
    run([sys.executable, 'tools/export_student.py', path, ckpt, str(tmp_path / 'export')])
    import torch
    state = torch.load(str(tmp_path / 'export' / 'student.pth'), weights_only=True)['state_dict']
    assert state and not any(k.startswith(('teacher', 'architecture')) for k in state)
