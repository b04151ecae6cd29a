"""Two gloo processes *load* checkpoints exactly like one, for every algorithm class.

For the single-teacher (KD), adversarial (SKD, student + critic under ``MMSeparateDistributedDataParallel``)
and multi-granularity (MGD-SSSS) algorithms:

* ``tools/dist_train.sh`` with 2 processes trains and saves plain keys (no ``.module.``);
* a 2-process ``--resume`` starts every rank from the checkpoint's weights (a digest of the model taken as
  training starts equals the checkpoint's) and its next step's loss equals the uninterrupted run's;
* ``tools/dist_test.sh`` with 2 processes gives the metrics of the 1-process ``tools/test.py``.

Before the fix, the 2-process test and resume of the adversarial algorithm loaded no student weight
(mmengine's loader unwraps child wrappers itself, and a load-state-dict pre-hook added ``.module.`` back).
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from mmkdseg import testing
from mmkdseg.testing.hooks import state_digest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PIPELINE = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'), dict(type='PackSegInputs')]
STUDENT_DROPOUT = {'model.architecture.decode_head.dropout_ratio': 0.0,
                   'model.architecture.auxiliary_head.dropout_ratio': 0.0}
CASES = {
    'single-teacher': dict(
        config='configs/kd/kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py',
        teachers=('teacher',), opts={'train_dataloader.dataset.pipeline': PIPELINE, **STUDENT_DROPOUT}),
    'adversarial': dict(
        config='configs/skd/skd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py',
        teachers=('teacher',), opts={'train_dataloader.dataset.pipeline': PIPELINE, **STUDENT_DROPOUT}),
    'multi-granularity': dict(
        config='configs/mgd_ssss/mgd-ssss_pspnet-r18-w32-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-1-8-96x96.py',
        teachers=('teacher_wide', 'teacher_deep'),
        opts={'train_dataloader.dataset.datasets.0.fraction': '1/2',
              'train_dataloader.dataset.datasets.1.fraction': '1/2',
              'train_dataloader.dataset.datasets.0.dataset.pipeline': PIPELINE,
              'train_dataloader.dataset.datasets.1.dataset.pipeline': [
                  dict(type='LoadImageFromFile'), dict(type='PackSegInputs')],
              **STUDENT_DROPOUT}),
}


def run(args, port):
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1', PYTHON=sys.executable, PORT=str(port))
    proc = subprocess.run([str(a) for a in args], cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f'{args} failed:\n{out[-5000:]}'
    assert 'terminate called' not in out
    # a checkpoint that does not match is refused (CheckedRunner); mmengine's own warnings must not appear
    assert 'missing keys in source state_dict' not in out and 'unexpected key in source state_dict' not in out
    return out


def losses_at(work_dir, it):
    """Logged training values of iteration ``it`` (rank 0's log)."""
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                rec = json.loads(line)
                if rec.get('iter') == it and 'loss' in rec:
                    return rec
    raise AssertionError(f'no training record of iteration {it} in {work_dir}')


@pytest.mark.distributed
@pytest.mark.parametrize('case', list(CASES), ids=list(CASES))
def test_two_processes_resume_and_test_load_the_checkpoint(case, tmp_path, syntex_root):
    spec = CASES[case]
    port = 29600 + 10 * list(CASES).index(case)
    raw = Config.fromfile(osp.join(REPO, spec['config']))
    ckpts = {f'model.{t}_ckpt': testing.random_checkpoint(raw.model[t], str(tmp_path / f'{t}.pth'))
             for t in spec['teachers']}
    cfg = testing.make_tiny_config(osp.join(REPO, spec['config']), str(tmp_path / 'full'), data_root=syntex_root,
                                   teacher_ckpts=ckpts, max_iters=2, cfg_options=spec['opts'])
    cfg.default_hooks.checkpoint.interval = 1
    cfg.custom_imports = dict(imports=['mmkdseg', 'mmkdseg.testing.hooks'], allow_failed_imports=False)
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [dict(type='StateDigestHook')]
    path = str(tmp_path / 'cfg.py')
    cfg.dump(path)

    full = str(tmp_path / 'full')
    out = run(['bash', 'tools/dist_train.sh', path, '2', '--work-dir', full], port)
    assert 'Distributed training: True' in out and "'backend': 'gloo'" in out.replace('"', "'")
    ckpt1, ckpt2 = osp.join(full, 'iter_1.pth'), osp.join(full, 'iter_2.pth')
    state1 = torch.load(ckpt1, map_location='cpu', weights_only=False)['state_dict']
    assert not any('.module.' in k for k in state1), [k for k in state1 if '.module.' in k][:5]
    assert any(k.startswith('architecture.') for k in state1)
    if case == 'adversarial':  # the config's MMSeparateDistributedDataParallel, CPU stand-in; two optimizers
        assert 'CPUSeparateDistributedDataParallel' in out and 'critic.wasserstein:' in out
        assert any(k.startswith('discriminator.') for k in state1)
        assert set(torch.load(ckpt1, map_location='cpu', weights_only=False)['optimizer']) == {
            'architecture', 'discriminator'}

    # 2-process resume from iteration 1: every rank starts from the checkpoint, and step 2 is the same step
    resumed = str(tmp_path / 'resumed')
    out = run(['bash', 'tools/dist_train.sh', path, '2', '--work-dir', resumed, '--resume', ckpt1], port + 1)
    assert 'resumed epoch: 0, iter: 1' in out
    expected = state_digest(state1)
    for rank in (0, 1):
        with open(osp.join(resumed, f'state_rank{rank}.json')) as f:
            got = json.load(f)
        assert set(got) == set(expected)
        bad = [k for k in expected if not all(abs(a - b) <= 1e-5 * (1 + abs(b)) for a, b in zip(got[k], expected[k]))]
        assert not bad, f'rank {rank} did not start from the checkpoint: {bad[:5]}'
    a, b = losses_at(full, 2), losses_at(resumed, 2)
    for key in [k for k in a if k.startswith(('loss', 'distill.', 'student.')) and 'acc' not in k]:
        assert b[key] == pytest.approx(a[key], rel=1e-4, abs=1e-6), (key, a[key], b[key])

    # 1-process and 2-process tests of the same checkpoint
    m1, m2 = str(tmp_path / 'm1.json'), str(tmp_path / 'm2.json')
    run([sys.executable, 'tools/test.py', path, ckpt2, '--work-dir', str(tmp_path / 't1'), '--metrics-out', m1],
        port + 2)
    run(['bash', 'tools/dist_test.sh', path, ckpt2, '2', '--work-dir', str(tmp_path / 't2'), '--metrics-out', m2],
        port + 3)
    with open(m1) as f1, open(m2) as f2:
        r1, r2 = json.load(f1), json.load(f2)
    assert r1.keys() == r2.keys() and 'mIoU' in r1
    for k in r1:
        assert r2[k] == pytest.approx(r1[k], abs=1e-6, nan_ok=True), k
