"""Every method's embedded (SynTex) config trains a step under CPU bfloat16 autocast: no dtype error, finite
losses and gradients, loss values close to float32 (the path `--amp` takes)."""
import copy
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmkdseg.testing.batches import fake_seg_batch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CONFIGS = sorted(p for p in glob.glob(osp.join(REPO, 'configs', '*', '*_syntex-*.py'))
                 if 'architecture' in Config.fromfile(p).get('model', {}))


def _losses(model, inputs, samples, state, autocast: bool):
    model.load_state_dict(state)  # the same RNG-state buffers (CutMix boxes, gradient-penalty draws) each time
    torch.manual_seed(0)
    with torch.autocast('cpu', dtype=torch.bfloat16, enabled=autocast):
        losses = model.loss(inputs, copy.deepcopy(samples))
    return {k: v for k, v in losses.items() if 'loss' in k and torch.is_tensor(v)}


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.basename(p)[:40] for p in CONFIGS])
def test_one_step_under_bfloat16_autocast(path):
    from mmrazor.registry import MODELS
    cfg = Config.fromfile(path)
    cfg.model.load_pretrained = False  # no pretext backbones needed (a fresh clone has none)
    for key in ('teacher_ckpt', 'teacher_wide_ckpt', 'teacher_deep_ckpt'):
        if key in cfg.model:
            cfg.model[key] = None  # random teachers: the dtype path is the same
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(copy.deepcopy(cfg.model))
    model.init_weights()
    model.train()
    semi = hasattr(model, 'loss_semantic')  # MGD-SSSS: one labeled and two unlabeled images (CutMix pairs)
    inputs, samples = fake_seg_batch(3 if semi else 2, 48, num_classes=7, generator=torch.Generator().manual_seed(0))
    if semi:
        for sample, part in zip(samples, ('labeled', 'unlabeled', 'unlabeled')):
            sample.set_metainfo(dict(semi_part=part))
    state = copy.deepcopy(model.state_dict())
    full = _losses(model, inputs, samples, state, autocast=False)
    half = _losses(model, inputs, samples, state, autocast=True)
    assert full.keys() == half.keys() and full
    for key in full:
        a, b = full[key].float(), half[key].float()
        assert torch.isfinite(b).all(), f'{key} is not finite under autocast'
        assert torch.allclose(a, b, rtol=0.1, atol=0.05), f'{key}: float32 {a.item():.4f}, bfloat16 {b.item():.4f}'
    total = sum(v.float().sum() for v in half.values())
    total.backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)
