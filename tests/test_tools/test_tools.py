"""tools/: train -> test -> export round trip, exact resume, distributed training, clear errors."""
import json
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
KD = osp.join(REPO, 'configs', 'kd', 'kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py')
STUDENT = osp.join(REPO, 'configs', 'syntex', 'pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py')


def run(args, check=True, **kw):
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    proc = subprocess.run([str(a) for a in args], cwd=REPO, env=env, capture_output=True, text=True, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


def tiny(path, tmp_path, name, syntex_root, **kw):
    cfg = testing.make_tiny_config(path, str(tmp_path / name), data_root=syntex_root, **kw)
    out = str(tmp_path / f'{name}.py')
    cfg.dump(out)
    return out, str(tmp_path / name)


def metrics_of(path):
    with open(path) as f:
        return json.load(f)


def test_train_test_export_roundtrip(tmp_path, syntex_root, syntex_teacher_ckpt):
    cfg, wd = tiny(KD, tmp_path, 'kd', syntex_root, max_iters=2,
                   teacher_ckpts={'model.teacher_ckpt': syntex_teacher_ckpt})
    run([sys.executable, 'tools/train.py', cfg, '--work-dir', wd])
    ckpt = osp.join(wd, 'iter_2.pth')
    assert osp.isfile(ckpt)
    # our test tool on the distillation checkpoint (evaluates the student)
    run([sys.executable, 'tools/test.py', cfg, ckpt, '--work-dir', str(tmp_path / 't1'),
         '--metrics-out', str(tmp_path / 'm1.json')])
    m1 = metrics_of(tmp_path / 'm1.json')
    assert {'mIoU', 'mAcc', 'aAcc', 'IoU.background', 'IoU.hole'} <= set(m1)
    # export, then mmseg's own test tool on the exported student
    run([sys.executable, 'tools/export_student.py', cfg, ckpt, str(tmp_path / 'export')])
    exp_cfg, exp_ckpt = str(tmp_path / 'export' / 'student.py'), str(tmp_path / 'export' / 'student.pth')
    state = torch.load(exp_ckpt, weights_only=True)['state_dict']
    assert not any(k.startswith(('teacher', 'distiller', 'architecture')) for k in state)
    mmseg_test = osp.join(osp.dirname(__import__('mmseg').__file__), '.mim', 'tools', 'test.py')
    proc = run([sys.executable, mmseg_test, exp_cfg, exp_ckpt, '--work-dir', str(tmp_path / 't2')])
    assert f'mIoU: {m1["mIoU"]:.4f}' in proc.stdout + proc.stderr
    # and mmseg's init_model/inference_model read it (classes come from the checkpoint meta)
    from mmseg.apis import inference_model, init_model
    model = init_model(exp_cfg, exp_ckpt, device='cpu')
    assert model.dataset_meta['classes'][-1] == 'hole'
    img = osp.join(syntex_root, 'img_dir', 'val', '000000.png')
    pred = inference_model(model, img).pred_sem_seg.data
    assert pred.shape == (1, 96, 96)


def _weights(path):
    return torch.load(path, map_location='cpu', weights_only=False)


def test_resume_after_crash_is_exact(tmp_path, syntex_root):
    """A run interrupted after iteration 3 and resumed from iteration 2 ends as the uninterrupted run, with the
    config's random augmentation and dropout (RNGStateHook) and with a validation in the middle of the
    uninterrupted run only (validation draws from a copy of the random state)."""
    full, wd_full = tiny(STUDENT, tmp_path, 'full', syntex_root, max_iters=4)
    c = Config.fromfile(full)
    c.train_cfg.val_interval = 2
    c.dump(full)
    run([sys.executable, 'tools/train.py', full, '--work-dir', wd_full,
         '--cfg-options', 'default_hooks.checkpoint.interval=2'])
    crash, wd_crash = tiny(STUDENT, tmp_path, 'crash', syntex_root, max_iters=4)
    c = Config.fromfile(crash)
    assert c.model.decode_head.dropout_ratio > 0  # something in the model draws random numbers
    c.custom_imports = dict(imports=['mmkdseg', 'mmkdseg.testing.hooks'], allow_failed_imports=False)
    c.custom_hooks = [dict(type='SimulatedCrashHook', after_iter=3)]
    c.default_hooks.checkpoint.interval = 2
    c.dump(crash)
    proc = run([sys.executable, 'tools/train.py', crash, '--work-dir', wd_crash], check=False)
    assert proc.returncode != 0 and 'simulated crash after iteration 3' in proc.stdout + proc.stderr
    assert osp.isfile(osp.join(wd_crash, 'iter_2.pth')) and not osp.isfile(osp.join(wd_crash, 'iter_4.pth'))
    c.custom_hooks = []
    c.dump(crash)
    proc = run([sys.executable, 'tools/train.py', crash, '--work-dir', wd_crash, '--resume'])
    assert 'resumed epoch: 0, iter: 2' in proc.stdout + proc.stderr
    assert 'random number states restored to iteration 2' in proc.stdout + proc.stderr
    a, b = _weights(osp.join(wd_full, 'iter_4.pth')), _weights(osp.join(wd_crash, 'iter_4.pth'))
    assert a['meta']['iter'] == b['meta']['iter'] == 4
    for k in a['state_dict']:
        assert torch.allclose(a['state_dict'][k].float(), b['state_dict'][k].float(), atol=1e-6), k
    for sa, sb in zip(a['optimizer']['state'].values(), b['optimizer']['state'].values()):
        assert torch.allclose(sa['momentum_buffer'], sb['momentum_buffer'], atol=1e-6)
    assert a['param_schedulers'] == b['param_schedulers']
    # a checkpoint without the states (saved without the hook) resumes with a warning, and not exactly
    old = _weights(osp.join(wd_crash, 'iter_2.pth'))
    del old['rng_state']
    torch.save(old, str(tmp_path / 'no_rng.pth'))
    wd_old = str(tmp_path / 'old')
    proc = run([sys.executable, 'tools/train.py', crash, '--work-dir', wd_old,
                '--resume', str(tmp_path / 'no_rng.pth')])
    assert 'from a checkpoint without random number states' in proc.stdout + proc.stderr
    c = _weights(osp.join(wd_old, 'iter_4.pth'))
    assert any(not torch.allclose(a['state_dict'][k].float(), c['state_dict'][k].float(), atol=1e-6)
               for k in a['state_dict'])


def test_missing_dataset_directory_is_named(tmp_path):
    proc = run([sys.executable, 'tools/train.py', STUDENT, '--work-dir', str(tmp_path / 'x'), '--cfg-options',
                'train_dataloader.dataset.auto_generate=False',
                f'train_dataloader.dataset.data_root={tmp_path}/no_such_dataset'], check=False)
    assert proc.returncode != 0
    assert "train_dataloader.dataset.data_root='" in proc.stderr and 'no_such_dataset' in proc.stderr


def test_missing_teacher_checkpoint_via_train_tool(tmp_path, syntex_root):
    cfg, wd = tiny(KD, tmp_path, 'kd_missing', syntex_root, max_iters=1,
                   teacher_ckpts={'model.teacher_ckpt': str(tmp_path / 'not_trained_yet.pth')})
    proc = run([sys.executable, 'tools/train.py', cfg, '--work-dir', wd], check=False)
    assert proc.returncode != 0 and 'not_trained_yet.pth' in proc.stderr and 'Train the teacher' in proc.stderr


def test_check_data_dirs_names_split_file(tmp_path):
    from mmkdseg.utils.config_utils import check_data_dirs
    root = testing.make_tiny_voc(str(tmp_path / 'voc'))
    cfg = Config(dict(train_dataloader=dict(dataset=dict(
        type='PascalVOCDataset', data_root=root, data_prefix=dict(img_path='JPEGImages'),
        ann_file='ImageSets/Segmentation/missing.txt'))))
    with pytest.raises(FileNotFoundError, match='missing.txt'):
        check_data_dirs(cfg)
