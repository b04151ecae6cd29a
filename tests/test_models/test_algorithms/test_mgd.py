"""MGD (+ CWD) end to end in SegmentationDistill: the connector is trained, never evaluated, never exported."""
import copy
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS, DefaultScope
from mmrazor.registry import MODELS as RAZOR_MODELS

from mmkdseg.apis import export_student
from mmkdseg.models.algorithms.segmentor_cfg import segmentor_cfg
from mmkdseg.models.connectors import MaskedGenerationConnector
from mmkdseg.testing.batches import fake_seg_batch

SYNTEX = osp.join('configs', 'mgd', 'mgd-cwd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py')
PAPER = {
    'pspnet': osp.join('configs', 'mgd', 'mgd-cwd_pspnet-r101-d8_pspnet-r18-d8_8xb2-40k_cityscapes-512x512.py'),
    'deeplabv3': osp.join('configs', 'mgd', 'mgd-cwd_pspnet-r101-d8_deeplabv3-r18-d8_8xb2-40k_cityscapes-512x512.py'),
}
CWD_REFERENCE = osp.join('configs', 'cwd', 'cwd-logits_pspnet-r101-d8_pspnet-r18-d8_4xb2-80k_cityscapes-512x1024.py')


@pytest.fixture(scope='module')
def cfg(repo_root):
    return Config.fromfile(osp.join(repo_root, SYNTEX))


def build(model_cfg):
    model_cfg = copy.deepcopy(model_cfg)
    model_cfg.teacher_ckpt = None
    with DefaultScope.overwrite_default_scope('mmseg'):
        return MODELS.build(model_cfg)


batch = fake_seg_batch


def test_losses_and_gradients(cfg):
    model = build(cfg.model).train()
    assert isinstance(model.distiller.connectors['mgd'], MaskedGenerationConnector)
    losses = model.loss(*batch())
    assert {'distill.loss_mgd', 'distill.loss_cwd', 'student.decode.loss_ce'} <= set(losses)
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    connector = model.distiller.connectors['mgd']
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in connector.parameters())
    assert all(p.grad is None for p in model.teacher.parameters())


def test_connector_is_trained_by_the_student_optimizer(cfg):
    model = build(cfg.model).train()
    wrapper = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    in_optimizer = {id(p) for g in wrapper.optimizer.param_groups for p in g['params']}
    connector = model.distiller.connectors['mgd']
    assert all(id(p) in in_optimizer for p in connector.parameters())
    before = [p.detach().clone() for p in connector.parameters()]
    losses = model.loss(*batch())
    wrapper.update_params(sum(v for k, v in losses.items() if 'loss' in k))
    assert all(not torch.equal(a, p) for a, p in zip(before, connector.parameters()))


def test_connector_is_not_used_at_evaluation_and_masks_per_step(cfg):
    model = build(cfg.model)
    connector = model.distiller.connectors['mgd']
    calls = []
    connector.register_forward_hook(lambda m, i, o: calls.append(m.training))
    inputs, samples = batch()
    model.eval()
    with torch.no_grad():
        preds = model(inputs, samples, mode='predict')
    assert calls == [] and len(preds) == 2
    model.train()
    torch.manual_seed(0)
    a = model.loss(inputs, samples)['distill.loss_mgd']
    b = model.loss(inputs, samples)['distill.loss_mgd']
    assert calls == [True, True]  # once per training step, in training mode (masked) ...
    assert a.item() != b.item()  # ... with a new mask each step


def test_export_leaves_the_connector_and_teacher_out(cfg, repo_root, tmp_path):
    model = build(cfg.model)
    assert any(k.startswith('distiller.connectors.mgd.generation') for k in model.state_dict())
    ckpt = str(tmp_path / 'mgd.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    cfg_path, state_path = export_student(osp.join(repo_root, SYNTEX), ckpt, str(tmp_path / 'export'))
    state = torch.load(state_path, weights_only=True)['state_dict']
    assert not any('connector' in k or 'generation' in k or k.startswith(('teacher', 'distiller')) for k in state)
    exported = Config.fromfile(cfg_path)
    assert 'distiller' not in exported.model and 'Connector' not in exported.pretty_text
    with DefaultScope.overwrite_default_scope('mmseg'):
        student = MODELS.build(exported.model)
    student.load_state_dict(state, strict=True)  # exactly the student's weights
    for k, v in student.state_dict().items():
        assert torch.equal(v, model.student.state_dict()[k]), k


def test_export_tool_leaves_the_connector_out(cfg, repo_root, tmp_path):
    import subprocess
    import sys
    model = build(cfg.model)
    ckpt = str(tmp_path / 'mgd.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    out = tmp_path / 'tool_export'
    proc = subprocess.run([sys.executable, 'tools/export_student.py', SYNTEX, ckpt, str(out)], cwd=repo_root,
                          capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    state = torch.load(str(out / 'student.pth'), weights_only=True)['state_dict']
    assert set(state) == set(model.student.state_dict())


def test_syntex_configs_use_the_published_mgd_and_cwd_settings(cfg, repo_root):
    d = cfg.model.distiller
    assert d.student_recorders.feat == dict(type='BackboneStage', stage='layer4')
    assert d.connectors.mgd.lambda_mgd == 0.75
    assert (d.distill_losses.loss_cwd.tau, d.distill_losses.loss_cwd.loss_weight) == (4.0, 3.0)
    alone = Config.fromfile(
        osp.join(repo_root, 'configs', 'mgd', 'mgd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'))
    assert alone.model.distiller.distill_losses.keys() == {'loss_mgd'}
    assert alone.model.distiller.distill_losses.loss_mgd == d.distill_losses.loss_mgd
    cwd = Config.fromfile(
        osp.join(repo_root, 'configs', 'cwd', 'cwd-logits_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'))
    assert cwd.model.distiller.distill_losses == dict(loss_cwd=d.distill_losses.loss_cwd)


@pytest.mark.parametrize('name', sorted(PAPER))
def test_paper_configs_use_the_published_settings(name, repo_root):
    cfg = Config.fromfile(osp.join(repo_root, PAPER[name]))
    d = cfg.model.distiller
    assert d.student_recorders.feat == d.teacher_recorders.feat == dict(type='BackboneStage', stage='layer4')
    assert d.connectors.mgd == dict(type='MaskedGenerationConnector', student_channels=512, teacher_channels=2048,
                                    lambda_mgd=0.75)
    assert d.distill_losses.loss_mgd == dict(type='MaskedGenerationLoss', loss_weight=2e-5)
    assert d.distill_losses.loss_cwd == dict(type='ChannelWiseKDLoss', tau=4.0, loss_weight=3.0)
    student, teacher = segmentor_cfg(cfg.model.architecture), segmentor_cfg(cfg.model.teacher)  # stock mmseg models
    assert student.decode_head.type == {'pspnet': 'PSPHead', 'deeplabv3': 'ASPPHead'}[name]
    assert teacher.backbone.depth == 101 and student.backbone.depth == 18
    assert cfg.train_cfg.max_iters == 40000
    crop = next(t['crop_size'] for t in cfg.train_dataloader.dataset.pipeline if t['type'] == 'RandomCrop')
    assert crop == (512, 512) == student.data_preprocessor.size
    assert '467e7cf4' in cfg.model.teacher_ckpt  # mmseg's PSPNet-R101 40k, the authors' teacher
    # the paper's generation block: two 3x3 convs at 2048 channels, ~75.5M parameters
    connector = RAZOR_MODELS.build(copy.deepcopy(d.connectors.mgd))
    assert sum(p.numel() for p in connector.generation.parameters()) == 2 * (2048 * 2048 * 9 + 2048)


def test_cwd_reference_config(repo_root):
    cfg = Config.fromfile(osp.join(repo_root, CWD_REFERENCE))
    assert cfg.model.distiller.distill_losses.loss_cwd == dict(type='ChannelWiseKDLoss', tau=1.0, loss_weight=5.0)
    assert cfg.train_cfg.max_iters == 80000
    assert segmentor_cfg(cfg.model.architecture).data_preprocessor.size == (512, 1024)
    assert 'e1e1100f' in cfg.model.teacher_ckpt  # mmseg's PSPNet-R101 80k (79.76)
