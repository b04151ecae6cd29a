"""No silently wrong model: checkpoint coverage, preprocessor conflicts, silent no-op losses, checkpoint
errors that name the file, label checks, and the student forward without its own losses."""
import copy
import os.path as osp
import pickle
from unittest import mock

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
from torch import nn

from mmkdseg.engine.checkpoint import CheckpointLoadError, load_from_local
from mmkdseg.engine.checkpoint import CheckpointMismatchError, check_state_dict_covers, guess_checkpoint_kind
from mmkdseg.models.algorithms.silent_check import SilentDistillationCheck
from mmkdseg.testing.batches import fake_seg_batch

KD_CFG = osp.join('configs', 'kd', 'kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py')
FRKD_REFINE_CFG = osp.join('configs', 'frkd', 'frkd-refine_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py')


def build(model_cfg):
    with DefaultScope.overwrite_default_scope('mmseg'):
        return MODELS.build(copy.deepcopy(model_cfg))


batch = fake_seg_batch


# ------------------------------------------------------------------ checkpoint coverage (item 2)
class Seg(nn.Module):
    def __init__(self, width=4):
        super().__init__()
        self.backbone = nn.Conv2d(3, width, 3)
        self.decode_head = nn.Conv2d(width, 2, 1)


class Distill(nn.Module):
    def __init__(self):
        super().__init__()
        self.architecture = Seg()
        self.teacher = Seg(8)


def test_coverage_refuses_a_plain_segmentor_checkpoint_for_a_distillation_model():
    plain = Seg(8).state_dict()
    with pytest.raises(CheckpointMismatchError) as e:
        check_state_dict_covers(Distill(), plain, 'checkpoint teacher.pth')
    msg = str(e.value)
    assert 'teacher.pth' in msg and 'plain mmseg segmentor checkpoint' in msg
    assert 'missing (8 of 8 model keys)' in msg and 'architecture.backbone.*' in msg
    assert 'unexpected (4 checkpoint keys)' in msg and 'backbone.*' in msg
    assert 'use it as the teacher' in msg and '--allow-partial-checkpoint' in msg


def test_coverage_refuses_a_distillation_checkpoint_for_a_plain_segmentor():
    with pytest.raises(CheckpointMismatchError, match='(?s)distillation checkpoint .*export the student first'):
        check_state_dict_covers(Seg(), Distill().state_dict())


def test_coverage_refuses_shape_mismatches_and_tolerates_extra_keys():
    state = Seg(8).state_dict()
    with pytest.raises(CheckpointMismatchError, match=r'(?s)shape mismatch \(3\).*backbone.weight: checkpoint '
                       r'\(8, 3, 3, 3\), model \(4, 3, 3, 3\)'):
        check_state_dict_covers(Seg(4), state)
    state = dict(Seg().state_dict(), **{'extra.weight': torch.zeros(1)})
    assert check_state_dict_covers(Seg(), state) == ['extra.weight']


def test_guess_checkpoint_kind():
    assert 'backbone-only' in guess_checkpoint_kind(['conv1.weight', 'layer1.0.conv1.weight'])
    assert 'distillation' in guess_checkpoint_kind(['architecture.a', 'teacher.b', 'discriminator.c'])
    assert guess_checkpoint_kind([]) == 'an empty state dict'


# ---------------------------------------------------------------- preprocessor conflicts (item 4)
def test_inherited_top_level_data_preprocessor_conflict_fails_naming_both(repo_root, tmp_path):
    """A top-level data_preprocessor (as in every stock mmseg config) is injected into the algorithm by
    mmengine's Runner; a different size/normalisation than the student's must not pass silently."""
    from mmengine.runner import Runner
    cfg = Config.fromfile(osp.join(repo_root, KD_CFG))
    cfg.data_preprocessor = dict(type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53],
                                 std=[58.395, 57.12, 57.375], bgr_to_rgb=True, size=(512, 1024))
    cfg.model.teacher_ckpt = None
    cfg.work_dir = str(tmp_path)
    with pytest.raises(ValueError) as e:
        Runner.from_cfg(cfg)
    msg = str(e.value)
    assert 'size: model.data_preprocessor [512, 1024] vs student [96, 96]' in msg
    assert 'top-level `data_preprocessor`' in msg
    # the same preprocessor as the student's is accepted
    cfg.data_preprocessor = copy.deepcopy(cfg.model.architecture.data_preprocessor)
    Runner.from_cfg(cfg)


def test_explicit_algorithm_preprocessor_with_other_normalisation_fails(repo_root):
    cfg = Config.fromfile(osp.join(repo_root, KD_CFG)).model
    cfg.teacher_ckpt = None
    cfg.data_preprocessor = dict(cfg.architecture.data_preprocessor, mean=[0, 0, 0], std=[1, 1, 1])
    with pytest.raises(ValueError, match=r'mean: model.data_preprocessor \[0.0, 0.0, 0.0\] vs student '
                       r'\[123.675, 116.28, 103.53\]; std:'):
        build(cfg)


# -------------------------------------------------------------------- silent no-ops (item 5)
class _Loss(nn.Module):
    def __init__(self, w=1.0):
        super().__init__()
        self.loss_weight = w


def test_silent_check_warns_once_for_a_loss_that_stays_zero():
    check = SilentDistillationCheck('Algo', num_iters=3)
    modules = {'loss_a': _Loss(), 'loss_b': _Loss()}
    for i in range(2):
        assert check.update({'loss_a': torch.zeros(()), 'loss_b': torch.tensor(0.5)}, modules) == []
    msgs = check.update({'loss_a': torch.zeros(()), 'loss_b': torch.tensor(0.0)}, modules)
    assert len(msgs) == 1 and "distill loss 'loss_a' (_Loss) was exactly 0" in msgs[0] and 'first 3' in msgs[0]
    assert check.done and check.update({'loss_a': torch.zeros(())}, modules) == []


def test_silent_check_skips_deliberate_zero_weights_and_reports_masks():
    check = SilentDistillationCheck('Algo', num_iters=2)
    modules = {'loss_a': _Loss(0.0), 'loss_r': _Loss()}
    masks = {'refine': torch.tensor(0.0)}
    check.update({'loss_a': torch.zeros(()), 'loss_r': torch.zeros(())}, modules, masks, {'refine': ['loss_r']})
    msgs = check.update({'loss_a': torch.zeros(()), 'loss_r': torch.zeros(())}, modules, masks,
                        {'refine': ['loss_r']})
    assert len(msgs) == 2
    assert "mask 'refine' kept 0.00% of the pixels" in msgs[0] and 'loss_r' in msgs[0]
    assert "'loss_r'" in msgs[1] and "Its mask 'refine' kept 0.00%" in msgs[1]
    assert not any("'loss_a'" in m for m in msgs)  # weight 0: deliberate (e.g. a schedule)
    assert SilentDistillationCheck('Algo', num_iters=0).done


def test_frkd_with_a_mask_that_keeps_nothing_warns(repo_root):
    cfg = Config.fromfile(osp.join(repo_root, FRKD_REFINE_CFG)).model
    cfg.teacher_ckpt = None
    cfg.silent_check_iters = 2
    cfg.distiller.connectors.refine = dict(type='FeatureRefineConnector', threshold=1.01)  # keeps no pixel
    model = build(cfg)
    model.train()
    with mock.patch('mmkdseg.models.algorithms.silent_check.print_log') as log:
        for _ in range(2):
            losses = model.loss(*batch())
    messages = [c.args[0] for c in log.call_args_list]
    distill = [k for k in losses if k.startswith('distill.')]
    assert distill and all(float(losses[k]) == 0 for k in distill)
    assert any("mask 'refine' kept 0.00%" in m for m in messages)
    for k in distill:
        assert any(f"distill loss '{k[len('distill.'):]}'" in m for m in messages), k
    # a working mask raises no warning
    cfg.distiller.connectors.refine = dict(type='FeatureRefineConnector', keep_ratio=0.5)
    model = build(cfg)
    model.train()
    with mock.patch('mmkdseg.models.algorithms.silent_check.print_log') as log:
        for _ in range(2):
            model.loss(*batch())
    assert not log.call_args_list


# ---------------------------------------------------------------- checkpoint errors (item 6)
def _bad_files(tmp_path):
    files = {}
    files['empty'] = tmp_path / 'empty.pth'
    files['empty'].write_bytes(b'')
    files['random'] = tmp_path / 'random.pth'
    files['random'].write_bytes(bytes(range(256)) * 8)
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': {'w': torch.ones(64, 64)}}, good)
    files['truncated'] = tmp_path / 'truncated.pth'
    files['truncated'].write_bytes(good.read_bytes()[:2000])
    files['pickle'] = tmp_path / 'plain.pkl'
    with open(files['pickle'], 'wb') as f:
        pickle.dump({'state_dict': {'w': [1.0, 2.0]}}, f)

    class Evil:
        def __reduce__(self):
            import os
            return (os.system, ('echo pwned',))
    files['evil'] = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': Evil()}, files['evil'])
    return files


@pytest.mark.parametrize('kind,expected', [
    ('empty', 'the file is empty (0 bytes)'),
    ('random', 'not a PyTorch checkpoint'),
    ('truncated', 'a damaged PyTorch zip archive'),
    ('pickle', 'a plain pickle file, not a torch.save checkpoint'),
    ('evil', 'refuses type posix.system in it'),
])
def test_checkpoint_errors_name_the_file_and_the_reason(tmp_path, monkeypatch, kind, expected):
    monkeypatch.delenv('MMKDSEG_TRUSTED_CHECKPOINTS', raising=False)
    path = str(_bad_files(tmp_path)[kind])
    with pytest.raises(CheckpointLoadError) as e:
        load_from_local(path)
    msg = str(e.value)
    assert '\n' not in msg and repr(path) in msg and expected in msg, msg
    if kind == 'evil':
        assert 'MMKDSEG_TRUSTED_CHECKPOINTS=1' in msg


# ------------------------------------------------------------------------- labels (item 7)
def test_ifvd_refuses_labels_outside_the_classes():
    loss = build(dict(_scope_='mmrazor', type='IFVDLoss', num_classes=3))
    feats_s, feats_t = torch.randn(1, 4, 8, 8), torch.randn(1, 6, 8, 8)
    ok = torch.randint(0, 3, (1, 8, 8))
    ok[0, 0, 0] = 255
    assert torch.isfinite(loss(feats_s, feats_t, ok))
    bad = ok.clone()
    bad[0, 1, 1] = 5
    with pytest.raises(ValueError, match=r'IFVDLoss: gt_sem_seg has labels \[5\] outside \[0, 3\)'):
        loss(feats_s, feats_t, bad)
    bad[0, 1, 1] = -1
    with pytest.raises(ValueError, match=r'labels \[-1\] outside \[0, 3\) that are not ignore_index=255'):
        loss(feats_s, feats_t, bad)
    no_classes = build(dict(_scope_='mmrazor', type='IFVDLoss'))
    with pytest.raises(ValueError, match=r'labels \[-1\] outside the non-negative integers'):
        no_classes(feats_s, feats_t, bad)


def test_without_student_loss_the_student_does_not_run_its_loss(repo_root):
    cfg = Config.fromfile(osp.join(repo_root, KD_CFG)).model
    cfg.teacher_ckpt = None
    cfg.calculate_student_loss = False
    model = build(cfg)
    model.train()
    labels = torch.randint(0, 7, (2, 32, 32))
    inputs, samples = batch(labels=labels)
    with mock.patch.object(type(model.student.decode_head), 'loss_by_feat',
                           side_effect=AssertionError('student loss computed')):
        losses = model.loss(inputs, samples)
    assert set(losses) == {'distill.loss_kd'}
    losses['distill.loss_kd'].backward()
    assert any(p.grad is not None for p in model.student.decode_head.parameters())
