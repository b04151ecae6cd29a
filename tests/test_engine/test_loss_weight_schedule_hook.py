"""LossWeightScheduleHook: schedules, bounds, attribute paths, DDP unwrapping, AICSD's ALW, exact resume."""
import copy
import glob
import json
import math
import os
import os.path as osp
import subprocess
import sys
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub, MMLogger
from mmengine.registry import HOOKS, MODELS, DefaultScope
from mmengine.runner import IterBasedTrainLoop
from torch import nn

from mmkdseg import testing
from mmkdseg.engine.hooks import LossWeightScheduleHook
from mmkdseg.engine.hooks.loss_weight_schedule import resolve_attribute
from mmkdseg.testing.batches import fake_seg_batch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
AICSD = osp.join(REPO, 'configs', 'aicsd', 'aicsd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py')


class Losses(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 1)
        self.loss_a = nn.Module()
        self.loss_a.loss_weight = 1.0
        self.loss_b = nn.Module()
        self.loss_b.loss_weight = 2.0
        self.loss_b.name = 'not a number'


def fake_runner(model, it=0, max_iters=10, epoch=0, max_epochs=1, train_loop=None):
    hub = MessageHub.get_instance(f'test_lws_{id(model)}_{it}_{epoch}')
    return SimpleNamespace(model=model, iter=it, max_iters=max_iters, epoch=epoch, max_epochs=max_epochs,
                           message_hub=hub, logger=MMLogger.get_current_instance(), train_loop=train_loop)


def hook(**entries):
    return LossWeightScheduleHook(schedules=entries)


def test_linear_and_cosine_schedules():
    h = hook(up=dict(path='p', start_value=0.0, end_value=1.0),
             down=dict(path='p', start_value=10.0, end_value=0.0, policy='cosine'))
    for t in range(0, 101, 10):
        p = t / 100
        assert h.value('up', t, 100) == pytest.approx(p)
        assert h.value('down', t, 100) == pytest.approx(10 - 10 * (1 - math.cos(math.pi * p)) / 2)
    assert h.value('down', 50, 100) == pytest.approx(5.0)


def test_bounds_and_window():
    h = hook(floor=dict(path='p', start_value=0.0, end_value=1.0, min_value=0.2, max_value=0.9),
             window=dict(path='p', start_value=1.0, end_value=3.0, begin=10, end=20))
    assert h.value('floor', 0, 10) == pytest.approx(0.2)  # raised to the lower bound
    assert h.value('floor', 5, 10) == pytest.approx(0.5)
    assert h.value('floor', 10, 10) == pytest.approx(0.9)  # cut at the upper bound
    assert [h.value('window', t, 100) for t in (0, 10, 15, 20, 99)] == pytest.approx([1, 1, 2, 3, 3])
    # beyond the run's end the weight stays at its end value (never outside the bounds)
    assert h.value('floor', 50, 10) == pytest.approx(0.9)
    for t in range(-5, 30):
        assert 0.2 <= h.value('floor', t, 10) <= 0.9


@pytest.mark.parametrize('entries,match', [
    ({}, 'schedules is empty'),
    ({'a': dict(path='p', start_value=0)}, r"misses \['end_value'\]"),
    ({'a': dict(path='p', start_value=0, end_value=1, stop=3)}, r"unknown keys \['stop'\]"),
    ({'a': dict(path='p', start_value=0, end_value=1, policy='step')}, "policy='step' is not one of"),
    ({'a': dict(path='p', start_value=0, end_value=1, min_value=2, max_value=1)}, 'min_value 2 > max_value 1'),
    ({'a': dict(path='p', start_value=0, end_value=1, begin=5, end=5)}, 'end 5 must be after begin 5'),
])
def test_configuration_errors(entries, match):
    with pytest.raises(ValueError, match=match):
        LossWeightScheduleHook(schedules=entries)


def test_apply_sets_attributes_and_logs_current_values():
    model = Losses()
    h = hook(a=dict(path='loss_a.loss_weight', start_value=0.0, end_value=4.0),
             b=dict(path='loss_b.loss_weight', start_value=2.0, end_value=0.0))
    runner = fake_runner(model, it=3, max_iters=4)
    h.before_train(runner)
    assert model.loss_a.loss_weight == pytest.approx(3.0) and model.loss_b.loss_weight == pytest.approx(0.5)
    runner.iter = 1
    h.before_train_iter(runner, 1)
    assert model.loss_a.loss_weight == pytest.approx(1.0)
    assert runner.message_hub.get_scalar('train/weight/a').current() == pytest.approx(1.0)
    assert runner.message_hub.get_scalar('train/weight/b').current() == pytest.approx(1.5)


def test_wrong_path_fails_clearly_listing_what_exists():
    model = Losses()
    with pytest.raises(AttributeError, match=r"'loss_c.loss_weight': <model> \(Losses\) has no attribute "
                                             r"'loss_c'. It has: \['conv', 'loss_a', 'loss_b'\]"):
        resolve_attribute(model, 'loss_c.loss_weight')
    with pytest.raises(AttributeError, match=r"loss_a \(Module\) has no attribute 'weight'. It has: "
                                             r"\['loss_weight'\]; closest: \['loss_weight'\]"):
        resolve_attribute(model, 'loss_a.weight')
    with pytest.raises(TypeError, match='loss_b.name is a str, not a number'):
        resolve_attribute(model, 'loss_b.name')
    with pytest.raises(TypeError, match='conv is a Conv2d, not a number'):
        resolve_attribute(model, 'conv')
    # ... and the hook fails before training starts
    h = hook(a=dict(path='loss_a.los_weight', start_value=0.0, end_value=1.0))
    with pytest.raises(AttributeError, match="closest: \\['loss_weight'\\]"):
        h.before_train(fake_runner(model))


def test_ddp_wrapped_model_is_unwrapped(tmp_path):
    import torch.distributed as dist
    from mmengine.model import MMDistributedDataParallel
    dist.init_process_group('gloo', init_method=f'file://{tmp_path}/pg', rank=0, world_size=1)
    try:
        inner = Losses()
        for wrapped in (nn.parallel.DistributedDataParallel(inner), MMDistributedDataParallel(inner)):
            owner, attr = resolve_attribute(wrapped, 'loss_a.loss_weight')
            assert owner is inner.loss_a and attr == 'loss_weight'
            h = hook(a=dict(path='loss_a.loss_weight', start_value=0.0, end_value=1.0))
            h.before_train(fake_runner(wrapped, it=1, max_iters=4))
            assert inner.loss_a.loss_weight == pytest.approx(0.25)
            with pytest.raises(AttributeError, match=r"It has: \['conv', 'loss_a', 'loss_b'\]"):
                resolve_attribute(wrapped, 'module.loss_a.loss_weight')
    finally:
        dist.destroy_process_group()


def test_by_epoch_progress_and_iteration_loop_refused():
    model = Losses()
    h = LossWeightScheduleHook(by_epoch=True, schedules=dict(
        a=dict(path='loss_a.loss_weight', start_value=0.0, end_value=1.0)))
    runner = fake_runner(model, it=999, epoch=3, max_epochs=12)
    h.before_train(runner)
    assert model.loss_a.loss_weight == pytest.approx(0.25)
    runner.epoch = 6
    h.before_train_iter(runner, 0)
    assert model.loss_a.loss_weight == pytest.approx(0.5)
    with pytest.raises(ValueError, match='by_epoch=True needs an epoch-based train loop'):
        h.before_train(fake_runner(model, train_loop=object.__new__(IterBasedTrainLoop)))


def _batch(b=2, size=32, num_classes=7):
    torch.manual_seed(0)
    return fake_seg_batch(b, size, num_classes)


def test_aicsd_config_is_the_papers_adaptive_loss_weighting():
    """total = alpha (CE + ICSD) + (1 - alpha) KD, alpha = iter / max_iters, on the real model."""
    cfg = Config.fromfile(AICSD)
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.teacher_ckpt = None
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(model_cfg)
    model.train()
    h = HOOKS.build(copy.deepcopy(cfg.custom_hooks[0]))
    paths = {name: s['path'] for name, s in h.schedules.items()}
    inputs, samples = _batch()

    def losses():
        torch.manual_seed(1)  # same dropout masks every call
        with torch.no_grad():
            return model.loss(inputs, samples)

    for name, path in paths.items():  # unit weights: the raw losses
        owner, attr = resolve_attribute(model, path)
        setattr(owner, attr, 1.0)
    raw = losses()
    w_icsd, w_kd = cfg.icsd_weight, cfg.kd_weight
    for it in (0, 500, 1999):
        alpha = it / 2000
        h.before_train_iter(fake_runner(model, it=it, max_iters=2000), 0)
        got = losses()
        assert got['student.decode.loss_ce'].item() == pytest.approx(alpha * raw['student.decode.loss_ce'].item(),
                                                                     rel=1e-5, abs=1e-7)
        assert got['student.aux.loss_ce'].item() == pytest.approx(0.4 * alpha * raw['student.aux.loss_ce'].item(),
                                                                  rel=1e-5, abs=1e-7)
        assert got['distill.loss_icsd'].item() == pytest.approx(w_icsd * alpha * raw['distill.loss_icsd'].item(),
                                                                rel=1e-5, abs=1e-7)
        assert got['distill.loss_kd'].item() == pytest.approx(w_kd * (1 - alpha) * raw['distill.loss_kd'].item(),
                                                              rel=1e-5)


# ------------------------------------------------------------- resume through tools/train.py
def _run(args, check=True):
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    proc = subprocess.run([str(a) for a in args], cwd=REPO, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


def _logged_weights(work_dir):
    """{iter: {'weight/ce': ..., ...}} from every run's vis_data/scalars.json in work_dir (later runs win)."""
    out = {}
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                rec = json.loads(line)
                if 'weight/ce' in rec:
                    out[rec['iter']] = {k: v for k, v in rec.items() if k.startswith('weight/')}
    return out


def test_resume_through_train_tool_continues_the_schedule(tmp_path, syntex_root, syntex_teacher_ckpt):
    det = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'), dict(type='PackSegInputs')]
    opts = {'train_dataloader.dataset.pipeline': det, 'model.architecture.decode_head.dropout_ratio': 0.0,
            'model.architecture.auxiliary_head.dropout_ratio': 0.0}
    paths = {}
    for name in ('full', 'crash'):
        cfg = testing.make_tiny_config(AICSD, str(tmp_path / name), data_root=syntex_root, max_iters=4,
                                       teacher_ckpts={'model.teacher_ckpt': syntex_teacher_ckpt},
                                       cfg_options=opts)
        cfg.default_hooks.checkpoint.interval = 2
        if name == 'crash':
            cfg.custom_imports = dict(imports=['mmkdseg', 'mmkdseg.testing.hooks'], allow_failed_imports=False)
            cfg.custom_hooks = cfg.custom_hooks + [dict(type='SimulatedCrashHook', after_iter=3)]
        paths[name] = str(tmp_path / f'{name}.py')
        cfg.dump(paths[name])
    wd_full, wd_crash = str(tmp_path / 'full'), str(tmp_path / 'crash')
    _run([sys.executable, 'tools/train.py', paths['full'], '--work-dir', wd_full])
    proc = _run([sys.executable, 'tools/train.py', paths['crash'], '--work-dir', wd_crash], check=False)
    assert proc.returncode != 0 and 'simulated crash after iteration 3' in proc.stdout + proc.stderr
    c = Config.fromfile(paths['crash'])
    c.custom_hooks = [h for h in c.custom_hooks if h['type'] != 'SimulatedCrashHook']
    c.dump(paths['crash'])
    proc = _run([sys.executable, 'tools/train.py', paths['crash'], '--work-dir', wd_crash, '--resume'])
    out = proc.stdout + proc.stderr
    assert 'resumed epoch: 0, iter: 2' in out
    assert 'LossWeightScheduleHook: loss weights at iter 2: ce=0.5' in out
    # the weights of every iteration follow the schedule, in the resumed run as in the uninterrupted one
    full, resumed = _logged_weights(wd_full), _logged_weights(wd_crash)
    cfg = Config.fromfile(AICSD)
    for it in (1, 2, 3, 4):  # logged after iteration `it`, which ran with alpha = (it - 1) / 4
        alpha = (it - 1) / 4
        expected = {'weight/ce': alpha, 'weight/ce_aux': 0.4 * alpha, 'weight/icsd': cfg.icsd_weight * alpha,
                    'weight/kd': cfg.kd_weight * (1 - alpha)}
        assert full[it] == pytest.approx(expected), it
        assert resumed[it] == pytest.approx(expected), it
    # and training itself is the same
    a = torch.load(osp.join(wd_full, 'iter_4.pth'), map_location='cpu', weights_only=False)
    b = torch.load(osp.join(wd_crash, 'iter_4.pth'), map_location='cpu', weights_only=False)
    for k in a['state_dict']:
        assert torch.allclose(a['state_dict'][k].float(), b['state_dict'][k].float(), atol=1e-6), k
