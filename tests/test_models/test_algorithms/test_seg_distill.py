"""SegmentationDistill: frozen eval-mode teacher, minimal teacher forward, clear errors."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
from mmkdseg.testing.batches import fake_seg_batch

KD_CFG = osp.join('configs', 'kd', 'kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py')


@pytest.fixture(scope='module')
def kd_cfg(repo_root):
    return Config.fromfile(osp.join(repo_root, KD_CFG))


def build(model_cfg):
    with DefaultScope.overwrite_default_scope('mmseg'):
        return MODELS.build(copy.deepcopy(model_cfg))


batch = fake_seg_batch


def test_teacher_frozen_and_in_eval_mode(kd_cfg, syntex_teacher_ckpt):
    cfg = copy.deepcopy(kd_cfg.model)
    cfg.teacher_ckpt = syntex_teacher_ckpt
    model = build(cfg)
    model.train()
    assert model.student.training
    assert all(not m.training for m in model.teacher.modules())  # BN *and* dropout
    assert all(not p.requires_grad for p in model.teacher.parameters())
    # the checkpoint was loaded (strictly)
    ref = torch.load(syntex_teacher_ckpt)['state_dict']
    for k, v in model.teacher.state_dict().items():
        assert torch.equal(v, ref[k]), k


def test_teacher_pretrained_init_is_not_read_when_its_checkpoint_replaces_it(kd_cfg, syntex_teacher_ckpt, tmp_path):
    """The teacher's ``pretrained=`` is dropped when a strictly loaded teacher checkpoint follows (it would be read
    and overwritten); the student's stays. A missing file shows which one is read."""
    cfg = copy.deepcopy(kd_cfg.model)
    cfg.teacher_ckpt = syntex_teacher_ckpt
    cfg.teacher.pretrained = str(tmp_path / 'teacher_backbone_never_read.pth')
    cfg.architecture.pretrained = str(tmp_path / 'student_backbone.pth')
    model = build(cfg)
    assert 'Pretrained' not in str(model.teacher.backbone.init_cfg)
    assert model.student.backbone.init_cfg == dict(type='Pretrained', checkpoint=cfg.architecture.pretrained)
    with pytest.raises(FileNotFoundError, match='student_backbone.pth'):
        model.init_weights()
    cfg.teacher_ckpt_strict = False  # a partial teacher checkpoint: the pretrained init stays
    assert build(cfg).teacher.backbone.init_cfg == dict(type='Pretrained', checkpoint=cfg.teacher.pretrained)


def test_loss_step_runs_and_teacher_gets_no_gradient(kd_cfg):
    model = build(kd_cfg.model.copy() | dict(teacher_ckpt=None))
    model.train()
    inputs, samples = batch()
    losses = model.loss(inputs, samples)
    assert set(losses) >= {'student.decode.loss_ce', 'student.aux.loss_ce', 'distill.loss_kd'}
    assert not any(k.startswith('teacher') for k in losses)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    assert any(p.grad is not None for p in model.student.parameters())


def _spy(module, calls, name):
    module.register_forward_hook(lambda *a: calls.append(name))


@pytest.mark.parametrize('source,expected', [
    ('decode_head.conv_seg', {'backbone', 'decode_head'}),
    ('backbone.layer4', {'backbone'}),
    ('auxiliary_head.conv_seg', {'backbone', 'auxiliary_head'}),
])
def test_teacher_runs_only_what_is_recorded(kd_cfg, source, expected):
    cfg = copy.deepcopy(kd_cfg.model)
    cfg.teacher_ckpt = None
    cfg.distiller.teacher_recorders = dict(feat=dict(type='ModuleOutputs', source=source))
    cfg.distiller.student_recorders = dict(feat=dict(type='ModuleOutputs', source=source))
    cfg.distiller.distill_losses = {}
    cfg.distiller.loss_forward_mappings = {}
    model = build(cfg)
    calls = []
    for part in ('backbone', 'decode_head', 'auxiliary_head'):
        _spy(getattr(model.teacher, part), calls, part)

    def no_loss(*a, **k):
        raise AssertionError('teacher loss computed')
    model.teacher.decode_head.loss_by_feat = no_loss
    model.teacher.auxiliary_head.loss_by_feat = no_loss
    model.train()
    inputs, samples = batch()
    model.loss(inputs, samples)
    assert set(calls) == expected
    assert len(model.distiller.teacher_recorders.get_recorder('feat').data_buffer) == 1


def test_missing_teacher_checkpoint(kd_cfg, tmp_path):
    cfg = copy.deepcopy(kd_cfg.model)
    cfg.teacher_ckpt = str(tmp_path / 'missing_teacher.pth')
    with pytest.raises(FileNotFoundError, match='missing_teacher.pth'):
        build(cfg)


def test_teacher_checkpoint_of_another_architecture_fails(kd_cfg, tmp_path):
    from mmkdseg.testing import random_checkpoint
    ckpt = random_checkpoint(kd_cfg.student_model, str(tmp_path / 'student_as_teacher.pth'))
    cfg = copy.deepcopy(kd_cfg.model)
    cfg.teacher_ckpt = ckpt
    with pytest.raises(RuntimeError, match='size mismatch|Missing key|unexpected key'):
        build(cfg)


def test_class_count_mismatch(kd_cfg):
    cfg = copy.deepcopy(kd_cfg.model)
    cfg.teacher_ckpt = None
    cfg.teacher.decode_head.num_classes = 19
    with pytest.raises(ValueError, match='teacher decode_head.num_classes=19, student decode_head.num_classes=7'):
        build(cfg)


def test_unknown_recorder_source_lists_close_names(kd_cfg):
    cfg = copy.deepcopy(kd_cfg.model)
    cfg.teacher_ckpt = None
    cfg.distiller.teacher_recorders.logits.source = 'decode_head.conv_sg'
    with pytest.raises(ValueError, match=r"teacher recorder 'logits'.*'decode_head.conv_sg'.*decode_head.conv_seg"):
        build(cfg)


def test_unknown_recorder_name_in_mapping(kd_cfg):
    cfg = copy.deepcopy(kd_cfg.model)
    cfg.teacher_ckpt = None
    cfg.distiller.loss_forward_mappings.loss_kd.preds_T.recorder = 'logitz'
    with pytest.raises(KeyError, match="loss_kd.preds_T: recorder 'logitz'.*teacher_recorders"):
        build(cfg)


def test_data_idx_out_of_range_names_recorder(kd_cfg):
    cfg = copy.deepcopy(kd_cfg.model)
    cfg.teacher_ckpt = None
    for rec in ('teacher_recorders', 'student_recorders'):
        cfg.distiller[rec] = dict(feats=dict(type='ModuleOutputs', source='backbone'))
    cfg.distiller.distill_losses = dict(loss_kd=dict(type='PixelWiseKDLoss'))
    cfg.distiller.loss_forward_mappings = dict(loss_kd=dict(
        preds_S=dict(from_student=True, recorder='feats', data_idx=7),
        preds_T=dict(from_student=False, recorder='feats', data_idx=7)))
    model = build(cfg)
    with pytest.raises(IndexError, match=r"recorder 'feats' \(backbone\) recorded 4 outputs \(valid data_idx: 0..3"):
        model.loss(*batch())


def test_trainable_teacher_is_refused(kd_cfg):
    cfg = copy.deepcopy(kd_cfg.model)
    cfg.teacher_ckpt = None
    cfg.teacher_trainable = True
    with pytest.raises(TypeError, match='teacher_trainable'):
        build(cfg)
