"""Every distillation loss's spatial-alignment and channel policy (docs/alignment.md), one case per loss.

Spatial: a loss with ``resize='teacher_to_student'`` (the default of the losses on logits and features) on a
teacher map of another size equals the same loss on the teacher map bilinearly resized to the student's size
(``align_corners=False``) by hand; ``'student_to_teacher'`` equals the loss on the student map resized to the
teacher's; ``'none'`` refuses different sizes with an error naming the loss. Channels: losses that compare
per-channel quantities refuse different widths (a connector adapts them first), the losses that compare per-pixel
statistics (pair-wise affinity, IFVD's class-centre similarities) accept them. MGD-SSSS's image- and
region-level losses pool each map on its own grid.
"""
import pytest
import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS

import mmkdseg  # noqa: F401

B, C, H, W = 2, 4, 6, 8  # the student's map; the teacher's is (B, C, 2H, 2W) unless a case says otherwise


def labels(h=2 * H, w=2 * W, seed=0):
    g = torch.Generator().manual_seed(seed)
    lab = torch.randint(0, C, (B, h, w), generator=g)
    lab[:, :2] = 255  # ignored rows
    return lab


def maps(c_s=C, c_t=C, size_t=(2 * H, 2 * W), seed=0):
    g = torch.Generator().manual_seed(seed)
    s = torch.randn(B, c_s, H, W, generator=g, dtype=torch.float64)
    t = torch.randn(B, c_t, *size_t, generator=g, dtype=torch.float64)
    return s, t


def resized(x, size):
    return F.interpolate(x, size=size, mode='bilinear', align_corners=False)


# (loss config, extra inputs builder) for the losses with a resize policy
CASES = {
    'PixelWiseKDLoss': (dict(type='PixelWiseKDLoss'), lambda: dict(gt_sem_seg=labels())),
    'ChannelWiseKDLoss': (dict(type='ChannelWiseKDLoss', tau=4.0), lambda: {}),
    'SegDISTLoss': (dict(type='SegDISTLoss'), lambda: dict(gt_sem_seg=labels())),
    'ICSDLoss': (dict(type='ICSDLoss'), lambda: {}),
    'IFVDLoss': (dict(type='IFVDLoss', loss_weight=1.0), lambda: dict(gt_sem_seg=labels())),
    'PseudoLabelCELoss': (dict(type='PseudoLabelCELoss'), lambda: {}),
    'RefinedPixelWiseKDLoss': (dict(type='RefinedPixelWiseKDLoss'), lambda: dict(gt_sem_seg=labels())),
    'FRKDSimilarityLoss': (dict(type='FRKDSimilarityLoss'), lambda: dict(gt_sem_seg=labels())),
    'FRKDInterClassLoss': (dict(type='FRKDInterClassLoss'), lambda: dict(gt_sem_seg=labels())),
    'FRKDIntraClassLoss': (dict(type='FRKDIntraClassLoss'), lambda: dict(gt_sem_seg=labels())),
    'PairWiseAffinityLoss': (dict(type='PairWiseAffinityLoss'), lambda: {}),
}


@pytest.mark.parametrize('name', sorted(CASES))
def test_teacher_to_student_equals_the_aligned_reference(name):
    cfg, extra = CASES[name]
    loss = MODELS.build(dict(cfg, resize='teacher_to_student'))
    s, t = maps()
    s.requires_grad_(True)
    value = loss(s, t, **extra())
    reference = loss(s, resized(t, (H, W)), **extra())
    assert torch.isfinite(value) and torch.allclose(value, reference, rtol=1e-6, atol=1e-9), name
    value.backward()
    assert s.grad is not None and torch.isfinite(s.grad).all()


@pytest.mark.parametrize('name', sorted(CASES))
def test_student_to_teacher_resizes_the_student_and_keeps_its_gradient(name):
    cfg, extra = CASES[name]
    loss = MODELS.build(dict(cfg, resize='student_to_teacher'))
    s, t = maps()
    s.requires_grad_(True)
    value = loss(s, t, **extra())
    reference = loss(resized(s, t.shape[2:]), t, **extra())
    assert torch.allclose(value, reference, rtol=1e-6, atol=1e-9), name
    (grad, ) = torch.autograd.grad(value, s)
    assert grad.shape == s.shape and grad.abs().sum() > 0  # flows back through the interpolation


@pytest.mark.parametrize('name', sorted(CASES) + ['MaskedGenerationLoss'])
def test_none_refuses_different_sizes_naming_the_loss(name):
    cfg, extra = CASES.get(name, (dict(type=name), lambda: {}))
    loss = MODELS.build(dict(cfg, resize='none'))
    s, t = maps()
    with pytest.raises(ValueError, match=name):
        loss(s, t, **extra())


@pytest.mark.parametrize('name', ['PixelWiseKDLoss', 'ChannelWiseKDLoss', 'SegDISTLoss', 'ICSDLoss',
                                  'PseudoLabelCELoss', 'FRKDSimilarityLoss', 'MaskedGenerationLoss',
                                  'SemanticSensitiveLoss'])
def test_per_channel_losses_refuse_different_widths(name):
    cfg, extra = CASES.get(name, (dict(type=name), lambda: {}))
    loss = MODELS.build(cfg)
    s, t = maps(c_t=C + 2, size_t=(H, W))
    with pytest.raises(ValueError, match=name):
        loss(s, t, **extra())


@pytest.mark.parametrize('name', ['PairWiseAffinityLoss', 'IFVDLoss'])
def test_per_pixel_statistics_accept_different_widths(name):
    cfg, extra = CASES[name]
    loss = MODELS.build(cfg)
    s, t = maps(c_s=3, c_t=7)
    value = loss(s, t, **extra())
    assert torch.isfinite(value) and torch.allclose(value, loss(s, resized(t, (H, W)), **extra()), rtol=1e-6)


def test_pooled_losses_pool_each_map_over_its_own_pixels():
    """MGD-SSSS's image- and region-level losses pool each map on its own grid, so sizes (and, for the
    region self-similarity, widths) may differ: a 2x larger teacher map gives what its 2x2-average-pooled
    version gives (the pooled regions cover the same pixels)."""
    s, t = maps()
    loss = MODELS.build(dict(type='SemanticSensitiveLoss'))
    assert torch.allclose(loss(s, t), loss(s, F.avg_pool2d(t, 2)), rtol=1e-9)
    loss = MODELS.build(dict(type='ContentAwareLoss', pool_size=2))
    s, t = maps(c_s=3, c_t=5)
    assert torch.allclose(loss(s, t), loss(s, F.avg_pool2d(t, 2)), rtol=1e-6)
