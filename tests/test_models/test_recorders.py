"""BackboneStage / DecodeHead recorders: selection by name or index, clear errors, teacher parts to run."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
from mmrazor.models.task_modules import RecorderManager
from mmrazor.models.task_modules.recorder import ModuleOutputsRecorder
from torch import nn

from mmkdseg.models.recorders import BackboneStageRecorder, DecodeHeadRecorder
from mmkdseg.testing.batches import fake_seg_batch

MGD_CFG = osp.join('configs', 'mgd', 'mgd-cwd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py')


@pytest.fixture(scope='module')
def cfg(repo_root):
    return Config.fromfile(osp.join(repo_root, MGD_CFG))


@pytest.fixture(scope='module')
def student(cfg):
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(copy.deepcopy(cfg.student_model))
    return model.eval()


def record(model, recorders, x):
    manager = RecorderManager(recorders)
    manager.initialize(model)
    with manager, torch.no_grad():
        model(x, mode='tensor')
    return manager


batch = fake_seg_batch


# ------------------------------------------------------------------ BackboneStage
def test_backbone_stage_by_name_index_and_default(student):
    x = torch.randn(2, 3, 32, 32)
    manager = record(student, dict(
        default=dict(type='BackboneStage'),
        by_name=dict(type='BackboneStage', stage='layer4'),
        by_index=dict(type='BackboneStage', stage=3),
        layer2=dict(type='BackboneStage', stage='layer2'),
        negative=dict(type='BackboneStage', stage=-3)), x)
    with torch.no_grad():
        outs = student.backbone(x)
    got = {k: manager.get_recorder(k).get_record_data() for k in manager.recorders}
    for key in ('default', 'by_name', 'by_index'):
        assert torch.equal(got[key], outs[-1])
    assert got['default'].shape == (2, 64, 4, 4)  # last stage, 1/8 resolution
    assert torch.equal(got['layer2'], outs[1]) and torch.equal(got['negative'], outs[1])
    rec = manager.get_recorder('by_name')
    assert isinstance(rec, ModuleOutputsRecorder) and rec.source == 'backbone'


def test_backbone_stage_names_follow_out_indices(cfg):
    model_cfg = copy.deepcopy(cfg.student_model)
    model_cfg.backbone.out_indices = (1, 3)
    model_cfg.decode_head.in_index = 1
    model_cfg.auxiliary_head.in_index = 0
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(model_cfg).eval()
    x = torch.randn(1, 3, 32, 32)
    manager = record(model, dict(a=dict(type='BackboneStage', stage='layer2'),
                                 b=dict(type='BackboneStage', stage=0)), x)
    assert torch.equal(manager.get_recorder('a').get_record_data(), manager.get_recorder('b').get_record_data())
    with pytest.raises(ValueError, match=r"'layer1' is not an output stage of backbone \(ResNetV1c\); valid "
                                         r"choices: stage names \['layer2', 'layer4'\] or indices 0..1"):
        RecorderManager(dict(a=dict(type='BackboneStage', stage='layer1'))).initialize(model)


def test_backbone_stage_wrong_name_or_index_lists_choices(student):
    with pytest.raises(ValueError, match=r"'layer5' is not an output stage of backbone \(ResNetV1c\); valid "
                                         r"choices: stage names \['layer1', 'layer2', 'layer3', 'layer4'\] or "
                                         r"indices 0..3 \(or -4..-1\)"):
        RecorderManager(dict(f=dict(type='BackboneStage', stage='layer5'))).initialize(student)
    with pytest.raises(IndexError, match=r'stage=4 is out of range for backbone \(ResNetV1c\), which returns 4 '
                                         r"stage\(s\); valid choices: stage names \['layer1'"):
        RecorderManager(dict(f=dict(type='BackboneStage', stage=4))).initialize(student)
    with pytest.raises(ValueError, match=r"'backbon' is not a module of EncoderDecoder; top-level modules: "
                                         r"\['auxiliary_head', 'backbone', 'data_preprocessor', 'decode_head'\]"):
        RecorderManager(dict(f=dict(type='BackboneStage', source='backbon'))).initialize(student)
    with pytest.raises(TypeError, match='stage must be an int'):
        BackboneStageRecorder(stage=1.0)


class _Net(nn.Module):
    """A model whose backbone returns a single tensor."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Conv2d(3, 4, 1)

    def forward(self, x):
        y = self.backbone(x)
        return y


class _TupleBackbone(nn.Module):

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 1)
        self.b = nn.Conv2d(4, 8, 1)

    def forward(self, x):
        a = self.a(x)
        return a, self.b(a)


def test_backbone_stage_on_unnamed_backbones():
    model = nn.Module()
    model.backbone = _TupleBackbone()
    with pytest.raises(ValueError, match=r'cannot resolve stage names of backbone \(_TupleBackbone\); give stage '
                                         r'as an integer'):
        RecorderManager(dict(f=dict(type='BackboneStage', stage='b'))).initialize(model)
    manager = RecorderManager(dict(f=dict(type='BackboneStage', stage=5), g=dict(type='BackboneStage')))
    manager.initialize(model)  # the number of outputs is only known when it runs
    with pytest.raises(IndexError, match=r'stage=5 is out of range: backbone returned 2 stage\(s\); valid '
                                         r'choices: indices 0..1'):
        with manager:
            model.backbone(torch.randn(1, 3, 2, 2))
    single = _Net()
    manager = RecorderManager(dict(g=dict(type='BackboneStage')))
    manager.initialize(single)
    with manager:
        out = single(torch.randn(1, 3, 2, 2))
    assert torch.equal(manager.get_recorder('g').get_record_data(), out)  # a lone tensor is stage 0 / -1


# ------------------------------------------------------------------ DecodeHead
def test_decode_head_layers(student):
    x = torch.randn(2, 3, 32, 32)
    manager = record(student, dict(
        logits=dict(type='DecodeHead'),
        features=dict(type='DecodeHead', layer='features'),
        bottleneck=dict(type='DecodeHead', layer='bottleneck')), x)
    aux = RecorderManager(dict(aux=dict(type='DecodeHead', layer='logits', source='auxiliary_head')))
    aux.initialize(student)
    with aux, torch.no_grad():
        student.auxiliary_head(student.extract_feat(x))
    head = student.decode_head
    with torch.no_grad():
        feats = student.extract_feat(x)
        logits = head(feats)
        bottleneck = head.bottleneck(torch.cat([feats[3]] + [
            torch.nn.functional.interpolate(m(feats[3]), size=feats[3].shape[2:], mode='bilinear',
                                            align_corners=False) for m in head.psp_modules], 1))
    got = {k: manager.get_recorder(k).get_record_data() for k in manager.recorders}
    assert torch.allclose(got['logits'], logits) and got['logits'].shape == (2, 7, 4, 4)
    assert torch.allclose(got['features'], bottleneck, atol=1e-6) and got['features'].shape == (2, 16, 4, 4)
    assert torch.equal(got['bottleneck'], got['features'])  # PSPHead classifies its bottleneck output
    assert aux.get_recorder('aux').get_record_data().shape == (2, 7, 4, 4)
    assert aux.get_recorder('aux').source == 'auxiliary_head.conv_seg'
    sources = {k: r.source for k, r in manager.recorders.items()}
    assert sources == {'logits': 'decode_head.conv_seg', 'features': 'decode_head.dropout',
                       'bottleneck': 'decode_head.bottleneck'}
    assert all(isinstance(r, ModuleOutputsRecorder) for r in manager.recorders.values())


def test_decode_head_features_are_taken_before_dropout(student):
    """In training mode the classifier sees dropped-out features; the recorder keeps them intact."""
    student.train()
    try:
        torch.manual_seed(0)
        manager = RecorderManager(dict(f=dict(type='DecodeHead', layer='features'),
                                       conv_in=dict(type='ModuleInputs', source='decode_head.conv_seg')))
        manager.initialize(student)
        with manager:
            student(torch.randn(2, 3, 32, 32), mode='tensor')
        f = manager.get_recorder('f').get_record_data()
        dropped = manager.get_recorder('conv_in').get_record_data(data_idx=0)
        assert not torch.equal(f, dropped) and bool((dropped == 0).any())
    finally:
        student.eval()


def test_decode_head_without_dropout_records_classifier_input(cfg):
    model_cfg = copy.deepcopy(cfg.student_model)
    model_cfg.decode_head.dropout_ratio = 0
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(model_cfg).eval()
    manager = record(model, dict(f=dict(type='DecodeHead', layer='features')), torch.randn(1, 3, 32, 32))
    assert manager.get_recorder('f').source == 'decode_head.conv_seg'
    assert manager.get_recorder('f').get_record_data().shape == (1, 16, 4, 4)


def test_decode_head_wrong_layer_lists_choices(student):
    with pytest.raises(ValueError, match=r"layer='logit' is not a layer of decode_head \(PSPHead\); valid choices: "
                                         r"\['logits', 'features', 'conv_seg', 'dropout', 'psp_modules', "
                                         r"'bottleneck'\] "
                                         r"or a dotted path"):
        RecorderManager(dict(f=dict(type='DecodeHead', layer='logit'))).initialize(student)
    with pytest.raises(ValueError, match=r"closest: \['bottleneck.conv'"):
        RecorderManager(dict(f=dict(type='DecodeHead', layer='bottleneck.cnv'))).initialize(student)
    with pytest.raises(ValueError, match=r"layer='logits' needs a conv_seg classifier, which decode_head.bottleneck"):
        RecorderManager(dict(f=dict(type='DecodeHead', source='decode_head.bottleneck'))).initialize(student)
    with pytest.raises(ValueError, match=r"'decode_heads' is not a module of EncoderDecoder; top-level modules"):
        RecorderManager(dict(f=dict(type='DecodeHead', source='decode_heads'))).initialize(student)
    with pytest.raises(TypeError, match='layer must be a non-empty str'):
        DecodeHeadRecorder(layer=3)


# ------------------------------------------------------------------ with SegmentationDistill
def _spy(module, calls, name):
    module.register_forward_hook(lambda *a: calls.append(name))


@pytest.mark.parametrize('recorder,expected', [
    (dict(type='BackboneStage', stage='layer4'), {'backbone'}),
    (dict(type='DecodeHead', layer='logits'), {'backbone', 'decode_head'}),
    (dict(type='DecodeHead', layer='features'), {'backbone', 'decode_head'}),
    (dict(type='DecodeHead', source='auxiliary_head'), {'backbone', 'auxiliary_head'}),
])
def test_teacher_runs_only_what_the_recorder_needs(cfg, recorder, expected):
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.teacher_ckpt = None
    model_cfg.distiller.teacher_recorders = dict(feat=recorder)
    model_cfg.distiller.student_recorders = dict(feat=recorder)
    model_cfg.distiller.connectors = {}
    model_cfg.distiller.distill_losses = {}
    model_cfg.distiller.loss_forward_mappings = {}
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(model_cfg)
    assert model._teacher_parts == (expected - {'backbone'} or {'backbone'})  # parts beyond extract_feat
    calls = []
    for part in ('backbone', 'decode_head', 'auxiliary_head'):
        _spy(getattr(model.teacher, part), calls, part)
    model.train()
    model.loss(*batch())
    assert set(calls) == expected
    assert len(model.distiller.teacher_recorders.get_recorder('feat').data_buffer) == 1


def test_wrong_stage_in_a_distillation_config_fails_at_build(cfg):
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.teacher_ckpt = None
    model_cfg.distiller.teacher_recorders.feat.stage = 'stage4'
    with pytest.raises(ValueError, match=r"'stage4' is not an output stage of backbone \(ResNetV1c\); valid "
                                         r"choices: stage names \['layer1', 'layer2', 'layer3', 'layer4'\]"):
        with DefaultScope.overwrite_default_scope('mmseg'):
            MODELS.build(model_cfg)
