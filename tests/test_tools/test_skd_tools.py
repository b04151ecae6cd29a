"""SKD with its adversarial critic through the real tools: exact resume, logs (2 processes: see
test_distributed_loading)."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from mmkdseg import testing

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
pytestmark = pytest.mark.subprocess
SKD = osp.join(REPO, 'configs', 'skd', 'skd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py')
DETERMINISTIC = {
    'train_dataloader.dataset.pipeline': [
        dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'), dict(type='PackSegInputs')],
    'model.architecture.decode_head.dropout_ratio': 0.0,
    'model.architecture.auxiliary_head.dropout_ratio': 0.0,
}


def run(args, check=True):
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    proc = subprocess.run([str(a) for a in args], cwd=REPO, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


def tiny(tmp_path, name, syntex_root, teacher_ckpt, **kw):
    cfg = testing.make_tiny_config(SKD, str(tmp_path / name), data_root=syntex_root,
                                   teacher_ckpts={'model.teacher_ckpt': teacher_ckpt}, **kw)
    out = str(tmp_path / f'{name}.py')
    cfg.dump(out)
    return out, str(tmp_path / name)


def _ckpt(path):
    return torch.load(path, map_location='cpu', weights_only=False)


def test_resume_restores_discriminator_and_both_optimizers_exactly(tmp_path, syntex_root,
                                                                   syntex_teacher_ckpt):
    full, wd_full = tiny(tmp_path, 'full', syntex_root, syntex_teacher_ckpt, max_iters=4,
                         cfg_options=DETERMINISTIC)
    proc = run([sys.executable, 'tools/train.py', full, '--work-dir', wd_full,
                '--cfg-options', 'default_hooks.checkpoint.interval=2'])
    log = proc.stdout + proc.stderr
    # the critic's Wasserstein estimate and gradient penalty are logged with the losses
    assert 'critic.wasserstein:' in log and 'critic.gp:' in log and 'distill.loss_adv:' in log
    crash, wd_crash = tiny(tmp_path, 'crash', syntex_root, syntex_teacher_ckpt, max_iters=4,
                           cfg_options=DETERMINISTIC)
    c = Config.fromfile(crash)
    c.custom_imports = dict(imports=['mmkdseg', 'mmkdseg.testing.hooks'], allow_failed_imports=False)
    c.custom_hooks = [dict(type='SimulatedCrashHook', after_iter=3)]
    c.default_hooks.checkpoint.interval = 2
    c.dump(crash)
    proc = run([sys.executable, 'tools/train.py', crash, '--work-dir', wd_crash], check=False)
    assert proc.returncode != 0 and 'simulated crash after iteration 3' in proc.stdout + proc.stderr
    c.custom_hooks = []
    c.dump(crash)
    proc = run([sys.executable, 'tools/train.py', crash, '--work-dir', wd_crash, '--resume'])
    assert 'resumed epoch: 0, iter: 2' in proc.stdout + proc.stderr
    a, b = _ckpt(osp.join(wd_full, 'iter_4.pth')), _ckpt(osp.join(wd_crash, 'iter_4.pth'))
    assert a['meta']['iter'] == b['meta']['iter'] == 4
    disc_keys = [k for k in a['state_dict'] if k.startswith('discriminator.')]
    assert disc_keys and 'gp_rng_state' in a['state_dict']
    for k in a['state_dict']:
        assert torch.allclose(a['state_dict'][k].float(), b['state_dict'][k].float(), atol=1e-6), k
    assert set(a['optimizer']) == {'architecture', 'discriminator'}
    for key in ('architecture', 'discriminator'):
        sa, sb = a['optimizer'][key]['state'], b['optimizer'][key]['state']
        assert len(sa) == len(sb) > 0
        for pa, pb in zip(sa.values(), sb.values()):
            for name in pa:
                if torch.is_tensor(pa[name]):
                    assert torch.allclose(pa[name].float(), pb[name].float(), atol=1e-6), (key, name)
    assert 'exp_avg' in next(iter(a['optimizer']['discriminator']['state'].values()))  # Adam's state
    assert a['param_schedulers'] == b['param_schedulers']
    assert set(a['param_schedulers']) == {'architecture', 'discriminator'}
