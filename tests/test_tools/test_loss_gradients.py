"""benchmarks/loss_gradients.py: per-term gradient norms and cosines against the gradient of the summed loss."""
import os.path as osp
import runpy

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _run_on_tiny_config(config, tmp_path, syntex_root, syntex_teacher_ckpt, capsys, *args):
    """Run the tool on a tiny copy of ``configs/<config>``; returns its output and ``{term: table line}``."""
    from mmkdseg import testing
    tool = runpy.run_path(osp.join(REPO, 'benchmarks', 'loss_gradients.py'))
    name = osp.splitext(osp.basename(config))[0]
    cfg = testing.make_tiny_config(osp.join(REPO, 'configs', config), str(tmp_path / name), data_root=syntex_root,
                                   teacher_ckpts={'model.teacher_ckpt': syntex_teacher_ckpt})
    path = str(tmp_path / f'{name}.py')
    cfg.dump(path)
    tool['main']([path, *args])
    out = capsys.readouterr().out
    rows = {line.split(' | ')[0][2:]: line for line in out.splitlines() if line.startswith('| ') and '---' not in line}
    return out, rows


def test_term_gradients_against_hand_computed_values():
    tool = runpy.run_path(osp.join(REPO, 'benchmarks', 'loss_gradients.py'))
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    unused = torch.zeros(3, requires_grad=True)  # a student parameter no term reaches: zero gradient, no error
    losses = {
        'decode.loss_ce': 3 * w[0],                   # gradient (3, 0)
        'distill.loss_kd': [4 * w[1], 0 * w[0]],      # a list is summed, as mmengine does: gradient (0, 4)
        'decode.acc_seg': torch.tensor(99.0),         # not a loss: ignored
        'distill.loss_off': torch.tensor(0.0),        # a constant term (no graph): zero gradient
    }
    rows, total = tool['term_gradients'](losses, [w, unused])
    assert set(rows) == {'decode.loss_ce', 'distill.loss_kd', 'distill.loss_off'}
    assert total == pytest.approx(5.0)                # |(3, 4)|
    assert rows['decode.loss_ce'] == pytest.approx((3.0, 0.6, 0.6))   # norm, ×sum, cosine (3, 0)·(3, 4) / (3·5)
    assert rows['distill.loss_kd'] == pytest.approx((4.0, 0.8, 0.8))
    assert rows['distill.loss_off'] == (0.0, 0.0, 0.0)
    # opposing terms: the cosine of a term against the sum is negative
    rows, total = tool['term_gradients']({'loss_a': 2 * w[0], 'loss_b': -w[0]}, [w])
    assert total == pytest.approx(1.0) and rows['loss_b'] == pytest.approx((1.0, 1.0, -1.0))


def test_main_on_a_tiny_skd_config(tmp_path, syntex_root, syntex_teacher_ckpt, capsys):
    """The whole path on the adversarial algorithm: runner, start-of-training weights, the train loader, every
    logged term (the student's adversarial term included, as its train_step adds it) and the clipping line."""
    out, rows = _run_on_tiny_config('skd/skd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py', tmp_path,
                                    syntex_root, syntex_teacher_ckpt, capsys, '--batches', '2', '--max-norm', '1e-6')
    assert 'at the start, 2 batches' in out
    assert {'student.decode.loss_ce', 'distill.loss_pixel', 'distill.loss_pair', 'distill.loss_adv', 'sum'} <= set(rows)
    assert 'acc_seg' not in out
    norm = float(rows['distill.loss_pixel'].split(' | ')[1])
    assert norm > 0  # a term that reaches the student has a gradient
    assert 'clipping at 1e-06 scales the step by 0.00' in out  # every batch's norm is far above the clip


def test_scheduled_loss_weights_take_their_value_at_the_checkpoints_iteration():
    """AICSD's Adaptive Loss Weighting: the hook's weights at iteration t of max_iters, not the config's values."""
    from types import SimpleNamespace

    from torch import nn

    from mmkdseg.engine.hooks import LossWeightScheduleHook
    tool = runpy.run_path(osp.join(REPO, 'benchmarks', 'loss_gradients.py'))
    model = nn.Module()
    model.kd = nn.Module()
    model.kd.loss_weight = 10.0
    model.ce = nn.Module()
    model.ce.loss_weight = 1.0
    hook = LossWeightScheduleHook(dict(kd=dict(path='kd.loss_weight', start_value=10.0, end_value=0.0),
                                       ce=dict(path='ce.loss_weight', start_value=0.0, end_value=1.0)))
    runner = SimpleNamespace(hooks=[hook], model=model, cfg=SimpleNamespace(train_cfg=dict(max_iters=2000)))
    assert tool['apply_loss_weight_schedules'](runner, 500) == pytest.approx(dict(kd=7.5, ce=0.25))
    assert (model.kd.loss_weight, model.ce.loss_weight) == pytest.approx((7.5, 0.25))
    assert tool['apply_loss_weight_schedules'](runner, 0) == pytest.approx(dict(kd=10.0, ce=0.0))
    assert tool['apply_loss_weight_schedules'](SimpleNamespace(hooks=[], model=model), 0) == {}
    assert tool['apply_loss_weight_schedules'](SimpleNamespace(hooks=[], model=model), None) == {}
    with pytest.raises(ValueError, match=r"no meta\['iter'\]"):  # a checkpoint that does not say its iteration
        tool['apply_loss_weight_schedules'](runner, None)
    hook.by_epoch = True
    with pytest.raises(ValueError, match='epoch-based'):
        tool['apply_loss_weight_schedules'](runner, 0)


def test_main_on_a_tiny_aicsd_config_starts_from_the_scheduled_weights(tmp_path, syntex_root, syntex_teacher_ckpt,
                                                                       capsys):
    """At the start AICSD's CE and ICSD weights are 0 and KD's is 10: their gradients say so."""
    out, rows = _run_on_tiny_config('aicsd/aicsd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py', tmp_path,
                                    syntex_root, syntex_teacher_ckpt, capsys, '--batches', '1')
    assert float(rows['student.decode.loss_ce'].split(' | ')[1]) == 0.0
    assert float(rows['distill.loss_icsd'].split(' | ')[1]) == 0.0
    assert float(rows['distill.loss_kd'].split(' | ')[1]) > 0
    assert 'scheduled loss weights at iteration 0: ce 0, ce_aux 0, icsd 0, kd 10' in out
