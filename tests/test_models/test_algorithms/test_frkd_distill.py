"""FRKD inside SegmentationDistill: the refine mask is computed once per step and shared by every loss;
it adds no parameters and is not run at inference."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
from mmkdseg.testing.batches import fake_seg_batch

FRKD_CFG = osp.join('configs', 'frkd', 'frkd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py')


@pytest.fixture(scope='module')
def frkd_cfg(repo_root):
    cfg = Config.fromfile(osp.join(repo_root, FRKD_CFG))
    model = copy.deepcopy(cfg.model)
    model.teacher_ckpt = None
    return model


def build(model_cfg):
    with DefaultScope.overwrite_default_scope('mmseg'):
        return MODELS.build(copy.deepcopy(model_cfg))


def batch(b=2, size=32, num_classes=7, seed=0):
    return fake_seg_batch(b, size, num_classes, torch.Generator().manual_seed(seed), ignore_rows=4)


def test_refine_mask_is_computed_once_per_step_and_shared(frkd_cfg):
    model = build(frkd_cfg)
    model.train()
    connector = model.distiller.connectors['refine']
    seen = []
    for name, loss in model.distiller.distill_losses.items():
        loss.register_forward_pre_hook(
            lambda m, args, kwargs, name=name: seen.append((name, kwargs['refine_mask'])), with_kwargs=True)
    inputs, samples = batch()
    losses = model.loss(inputs, samples)
    assert {'distill.loss_kd', 'distill.loss_inter', 'distill.loss_intra', 'distill.loss_sim'} <= set(losses)
    assert connector.num_computed == 1  # four losses, one mask
    assert len(seen) == 4 and all(mask is seen[0][1] for _, mask in seen)
    assert seen[0][1].shape == (2, 1, 4, 4)  # the logit resolution (1/8 of 32)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    # the next step records new teacher logits: a new mask
    model.loss(*batch(seed=1))
    assert connector.num_computed == 2


def test_no_parameters_and_no_cost_at_inference(frkd_cfg):
    model = build(frkd_cfg)
    plain = build(frkd_cfg.architecture)
    assert sum(p.numel() for p in model.distiller.parameters()) == 0
    assert sum(p.numel() for p in model.student.parameters()) == sum(p.numel() for p in plain.parameters())
    assert not any(k.startswith('distiller') for k in model.state_dict())
    connector = model.distiller.connectors['refine']
    model.eval()
    inputs, samples = batch()
    with torch.no_grad():
        preds = model(inputs, samples, mode='predict')
    assert len(preds) == 2 and connector.num_computed == 0  # inference never refines


@pytest.mark.parametrize('refine', [dict(threshold=1.5), dict(keep_ratio=0.25, saliency='entropy')])
def test_training_step_with_extreme_refine_masks(frkd_cfg, refine):
    cfg = copy.deepcopy(frkd_cfg)
    cfg.distiller.connectors.refine = dict(type='FeatureRefineConnector', **refine)
    model = build(cfg)
    model.train()
    losses = model.loss(*batch())
    distill = {k: v for k, v in losses.items() if k.startswith('distill.')}
    assert len(distill) == 4 and all(torch.isfinite(v) for v in distill.values())
    if refine.get('threshold') == 1.5:  # an all-background mask: nothing to distil
        assert all(v.item() == 0.0 for v in distill.values())
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    grads = [p.grad for p in model.student.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)
