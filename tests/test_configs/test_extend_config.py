"""Distilling a stock mmseg config (docs/extend_your_config.md), offline.

The example configs inherit stock configs shipped in the mmseg wheel (``mmseg::`` bases for the student,
``cfg_path`` for the teacher); ``model.load_pretrained=False`` must switch off every download (ImageNet
backbones of student and teacher). Downloads are made to fail, so a test that would download fails.
"""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import CheckpointLoader

from mmkdseg import testing
from mmkdseg.models.algorithms.segmentor_cfg import segmentor_cfg, without_pretrained

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FAMILIES = ('pspnet', 'deeplabv3', 'deeplabv3plus')


def _config(family):
    return osp.join(REPO, 'configs', 'kd', f'kd_{family}-r101-d8_{family}-r18-d8_4xb2-80k_cityscapes-512x1024.py')


class DownloadAttempted(RuntimeError):
    pass


@pytest.fixture
def no_downloads(monkeypatch):
    original = CheckpointLoader.load_checkpoint.__func__

    def load(cls, filename, *args, **kwargs):
        if '://' in str(filename):
            raise DownloadAttempted(filename)
        return original(cls, filename, *args, **kwargs)
    monkeypatch.setattr(CheckpointLoader, 'load_checkpoint', classmethod(load))


def _build(cfg):
    from mmrazor.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmseg'):
        return MODELS.build(copy.deepcopy(cfg.model))


def test_cfg_path_overrides_merge_into_the_stock_model():
    cfg = segmentor_cfg(dict(cfg_path='mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py',
                             data_preprocessor=dict(size=(64, 96)), decode_head=dict(num_classes=21)))
    assert cfg['_scope_'] == 'mmseg' and cfg['type'] == 'EncoderDecoder'
    assert cfg['backbone']['depth'] == 18 and cfg['decode_head']['in_channels'] == 512
    assert cfg['decode_head']['num_classes'] == 21 and cfg['auxiliary_head']['num_classes'] == 19
    assert tuple(cfg['data_preprocessor']['size']) == (64, 96)
    assert cfg['pretrained'] == 'open-mmlab://resnet18_v1c'
    stripped, dropped = without_pretrained(cfg)
    assert 'pretrained' not in stripped and dropped == ["pretrained='open-mmlab://resnet18_v1c'"]
    with pytest.raises(ValueError, match='teacher_ckpt'):
        segmentor_cfg(dict(cfg_path='mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py',
                           pretrained=True))


def test_cfg_path_of_a_project_file(tmp_path):
    own = tmp_path / 'my_student.py'
    own.write_text("_base_ = ['mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py']\n"
                   "model = dict(decode_head=dict(num_classes=5), auxiliary_head=dict(num_classes=5))\n")
    cfg = segmentor_cfg(dict(cfg_path=str(own), decode_head=dict(dropout_ratio=0.0)))
    assert cfg['decode_head']['num_classes'] == 5 and cfg['decode_head']['dropout_ratio'] == 0.0
    assert cfg['_scope_'] == 'mmseg' and cfg['backbone']['depth'] == 18


def test_without_pretrained_removes_init_cfg_entries_at_any_depth():
    cfg = dict(type='EncoderDecoder', backbone=dict(
        type='ResNetV1c', init_cfg=[dict(type='Pretrained', checkpoint='x.pth'), dict(type='Kaiming')]),
        decode_head=dict(init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://y')))
    stripped, dropped = without_pretrained(cfg)
    assert stripped['backbone']['init_cfg'] == [dict(type='Kaiming')]
    assert 'init_cfg' not in stripped['decode_head']
    assert len(dropped) == 2 and cfg['decode_head']['init_cfg']['checkpoint'] == 'open-mmlab://y'  # a copy


@pytest.mark.parametrize('family', FAMILIES)
def test_stock_pair_builds_and_initialises_offline(family, no_downloads):
    cfg = Config.fromfile(_config(family))
    assert cfg.model.teacher.cfg_path.startswith('mmseg::') and cfg.get('data_preprocessor') is None
    cfg.model.teacher_ckpt = None
    # as a user would write it, with every pretrained initialisation on: it downloads (the guard works)
    with pytest.raises(DownloadAttempted):
        _build(cfg).init_weights()
    cfg.merge_from_dict({'model.load_pretrained': False})
    model = _build(cfg)
    model.init_weights()  # no download
    assert model.student.backbone.depth == 18 and model.teacher.backbone.depth == 101
    assert model.student.decode_head.num_classes == model.teacher.decode_head.num_classes == 19
    assert tuple(model.data_preprocessor.size) == (512, 1024)  # the student's, not an injected one


HETEROGENEOUS = ('kd_segformer-mit-b4_segformer-mit-b0_8xb1-160k_cityscapes-1024x1024.py',
                 'kd_deeplabv3-r101-d8_segformer-mit-b0_8xb1-160k_cityscapes-1024x1024.py',
                 'kd_segformer-mit-b4_deeplabv3-r18-d8_4xb2-80k_cityscapes-512x1024.py')


@pytest.mark.parametrize('name', HETEROGENEOUS)
def test_segformer_pairs_initialise_offline_and_align_logits(name, no_downloads):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'kd', name))
    cfg.model.teacher_ckpt = None
    with pytest.raises(DownloadAttempted):  # MiT's init_cfg=dict(type='Pretrained', ...) and ResNet's pretrained=
        _build(cfg).init_weights()
    cfg.merge_from_dict({'model.load_pretrained': False})
    model = _build(cfg)
    model.init_weights()
    kinds = {type(model.student.backbone).__name__, type(model.teacher.backbone).__name__}
    assert 'MixVisionTransformer' in kinds
    model.eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        z_s, z_t = model.student(x, mode='tensor'), model.teacher(x, mode='tensor')
        assert z_s.shape[1] == z_t.shape[1] == 19
        loss = model.distiller.distill_losses.loss_kd(z_s, z_t)  # teacher logits resized to the student's
    assert torch.isfinite(loss) and loss > 0


def test_stock_pspnet_pair_trains_one_iteration_offline(tmp_path, no_downloads):
    from mmengine.runner import Runner
    root = testing.make_tiny_cityscapes(str(tmp_path / 'data'), h=64, w=128)
    teacher = osp.join(str(tmp_path), 'teacher.pth')
    testing.random_checkpoint(dict(cfg_path='mmseg::pspnet/pspnet_r101-d8_4xb2-80k_cityscapes-512x1024.py'),
                              teacher)
    cfg = testing.make_tiny_config(_config('pspnet'), str(tmp_path / 'work'), data_root=root,
                                   teacher_ckpts={'model.teacher_ckpt': teacher}, crop=(64, 128))
    runner = Runner.from_cfg(cfg)
    before = {k: v.clone() for k, v in runner.model.teacher.state_dict().items()}
    runner.train()
    assert runner.iter == 1
    loaded = torch.load(teacher, map_location='cpu')['state_dict']
    assert all(torch.equal(before[k], loaded[k]) for k in loaded)  # the teacher is the checkpoint's
    assert tuple(runner.model.data_preprocessor.size) == (64, 128)
