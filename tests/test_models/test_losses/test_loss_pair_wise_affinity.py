"""PairWiseAffinityLoss: Gram form == naive N×N form == a loop reference; gradients; pooling; errors."""
import pytest
import torch
import torch.nn.functional as F

from mmkdseg.models.losses import PairWiseAffinityLoss
from mmkdseg.models.losses.pair_wise_affinity import (affinity_distance_gram, affinity_distance_naive,
                                                      gram_is_cheaper)


def reference(s, t, kernel, pool='max', eps=1e-8):
    """Loops over images and node pairs: mean over b, i, j of (f̂S_i·f̂S_j − f̂T_i·f̂T_j)²."""
    pool_fn = F.max_pool2d if pool == 'max' else F.avg_pool2d
    kw = dict(ceil_mode=True) if pool == 'max' else dict(ceil_mode=True, count_include_pad=False)
    s = pool_fn(s.double(), kernel, stride=kernel, **kw) if kernel != (1, 1) else s.double()
    t = pool_fn(t.double(), kernel, stride=kernel, **kw) if kernel != (1, 1) else t.double()
    total = 0.0
    for b in range(s.shape[0]):
        fs = s[b].flatten(1)  # (K_S, N)
        ft = t[b].flatten(1)
        n = fs.shape[1]
        fs = [fs[:, i] / (fs[:, i].norm() + eps) for i in range(n)]
        ft = [ft[:, i] / (ft[:, i].norm() + eps) for i in range(n)]
        err = 0.0
        for i in range(n):
            for j in range(n):
                err += float((fs[i] @ fs[j] - ft[i] @ ft[j])**2)
        total += err / n**2
    return total / s.shape[0]


@pytest.mark.parametrize('method', ['gram', 'naive', 'auto'])
@pytest.mark.parametrize('kw,kernel', [
    (dict(scale=None, patch_size=1), (1, 1)),
    (dict(scale=None, patch_size=2), (2, 2)),
    (dict(scale=0.5), (3, 3)),            # β·(6, 7) -> int -> (3, 3), ceil mode: 2×3 nodes
    (dict(scale=None, patch_size=(2, 3), pool='avg'), (2, 3)),
])
def test_matches_loop_reference_with_different_channel_counts(method, kw, kernel):
    torch.manual_seed(0)
    s, t = torch.randn(2, 3, 6, 7), torch.randn(2, 5, 6, 7)
    loss = PairWiseAffinityLoss(method=method, **kw)(s, t)
    assert loss.dtype == torch.float32
    assert loss.item() == pytest.approx(reference(s, t, kernel, kw.get('pool', 'max')), rel=1e-5)


def test_gram_equals_naive_in_float64_values_and_gradients():
    torch.manual_seed(1)
    s = torch.randn(2, 4, 5, 6, dtype=torch.double, requires_grad=True)
    t = torch.randn(2, 9, 5, 6, dtype=torch.double)
    losses = {}
    grads = {}
    for method in ('gram', 'naive'):
        loss = PairWiseAffinityLoss(scale=None, patch_size=1, method=method)(s, t)
        grads[method], = torch.autograd.grad(loss, s)
        losses[method] = loss.item()
    assert losses['gram'] == pytest.approx(losses['naive'], rel=1e-10)
    torch.testing.assert_close(grads['gram'], grads['naive'], rtol=1e-8, atol=1e-12)


def test_gram_float32_is_accurate_when_affinities_nearly_cancel():
    """Student ≈ teacher: the three Gram terms cancel; float64 accumulation keeps 1e-5 relative."""
    torch.manual_seed(2)
    t = torch.randn(2, 16, 24, 24)
    s = t + 1e-2 * torch.randn_like(t)
    ref = affinity_distance_naive(*(PairWiseAffinityLoss(scale=None, patch_size=1).nodes(x.double(), (1, 1))
                                    for x in (s, t))).mean().item()
    gram = PairWiseAffinityLoss(scale=None, patch_size=1, method='gram')(s, t).item()
    assert ref > 0
    assert gram == pytest.approx(ref, rel=1e-5)


def test_gram_gradient_matches_naive_in_float32_and_finite_differences():
    torch.manual_seed(3)
    s = torch.randn(2, 8, 12, 10, requires_grad=True)
    t = torch.randn(2, 32, 12, 10)
    g = {}
    for method in ('gram', 'naive'):
        loss = PairWiseAffinityLoss(scale=None, patch_size=1, method=method)(s.double(), t.double())
        g[method], = torch.autograd.grad(loss, s)
    g32, = torch.autograd.grad(PairWiseAffinityLoss(scale=None, patch_size=1, method='gram')(s, t), s)
    torch.testing.assert_close(g32.double(), g['naive'].double(), rtol=1e-5, atol=1e-9)
    # gradcheck in float64, unpooled and max-pooled (detach_norm deliberately is not the true gradient)
    x = torch.randn(1, 3, 4, 4, dtype=torch.double, requires_grad=True)
    y = torch.randn(1, 2, 4, 4, dtype=torch.double)
    for kw in (dict(scale=None, patch_size=1), dict(scale=0.5)):
        fn = PairWiseAffinityLoss(method='gram', **kw)
        assert torch.autograd.gradcheck(lambda a: fn(a, y), (x, ))


def test_detach_norm_changes_only_the_gradient():
    torch.manual_seed(4)
    s = torch.randn(1, 3, 4, 4, dtype=torch.double, requires_grad=True)
    t = torch.randn(1, 5, 4, 4, dtype=torch.double)
    a = PairWiseAffinityLoss(scale=None, patch_size=1)(s, t)
    b = PairWiseAffinityLoss(scale=None, patch_size=1, detach_norm=True)(s, t)
    assert a.item() == pytest.approx(b.item(), rel=1e-12)
    ga, = torch.autograd.grad(a, s)
    gb, = torch.autograd.grad(b, s)
    assert not torch.allclose(ga, gb)


def test_weight_zero_for_equal_features_and_teacher_detached():
    torch.manual_seed(5)
    s = torch.randn(2, 4, 3, 3, requires_grad=True)
    t = (3 * s).detach().requires_grad_(True)  # same direction per node -> identical affinities
    loss = PairWiseAffinityLoss(loss_weight=7.0, scale=None, patch_size=1, method='gram')(s, t)
    assert abs(loss.item()) < 1e-6
    s2 = torch.randn(2, 4, 3, 3, requires_grad=True)
    loss = PairWiseAffinityLoss(loss_weight=2.0, scale=None, patch_size=1)(s2, t)
    loss.backward()
    assert t.grad is None and s2.grad.abs().sum() > 0
    ref = reference(s2.detach(), t.detach(), (1, 1))
    assert loss.item() == pytest.approx(2.0 * ref, rel=1e-5)


def test_paper_pooling_scale_gives_a_two_by_two_grid():
    loss = PairWiseAffinityLoss(scale=0.5)
    assert loss.kernel((64, 128)) == (32, 64)
    nodes = loss.nodes(torch.randn(1, 3, 65, 65), loss.kernel((65, 65)))
    assert nodes.shape == (1, 3, 9)  # 65 // 32 -> ceil(65 / 32) = 3 per side
    assert PairWiseAffinityLoss(scale=0.5).kernel((1, 1)) == (1, 1)


def test_spatial_mismatch_resize_policies():
    torch.manual_seed(6)
    s, t = torch.randn(1, 3, 4, 4), torch.randn(1, 6, 8, 8)
    up = PairWiseAffinityLoss(scale=None, patch_size=1)(s, t)
    t_small = F.interpolate(t, size=(4, 4), mode='bilinear', align_corners=False)
    assert up.item() == pytest.approx(reference(s, t_small, (1, 1)), rel=1e-5)
    with pytest.raises(ValueError, match=r'PairWiseAffinityLoss.*\(1, 3, 4, 4\).*\(1, 6, 8, 8\)'):
        PairWiseAffinityLoss(scale=None, patch_size=1, resize='none')(s, t)


def test_bad_inputs_give_clear_errors():
    with pytest.raises(ValueError, match='exactly one of scale'):
        PairWiseAffinityLoss(scale=0.5, patch_size=2)
    with pytest.raises(ValueError, match='exactly one of scale'):
        PairWiseAffinityLoss(scale=None)
    with pytest.raises(ValueError, match='scale must be in'):
        PairWiseAffinityLoss(scale=2.0)
    with pytest.raises(ValueError, match='pool='):
        PairWiseAffinityLoss(pool='median')
    with pytest.raises(ValueError, match='method='):
        PairWiseAffinityLoss(method='fast')
    with pytest.raises(ValueError, match=r'PairWiseAffinityLoss: batch sizes differ'):
        PairWiseAffinityLoss()(torch.randn(2, 3, 4, 4), torch.randn(1, 3, 4, 4))
    with pytest.raises(ValueError, match=r'PairWiseAffinityLoss: expects \(B, C, H, W\)'):
        PairWiseAffinityLoss()(torch.randn(3, 4, 4), torch.randn(3, 4, 4))


def test_auto_picks_the_cheaper_form():
    assert not gram_is_cheaper(4, 128, 512)      # paper 2×2 grid: naive 4×4 matrices
    assert gram_is_cheaper(64 * 128, 128, 512)   # 1/8 of a 512×1024 crop, unpooled
    torch.manual_seed(7)
    s, t = torch.randn(1, 2, 6, 6), torch.randn(1, 3, 6, 6)
    auto = PairWiseAffinityLoss(scale=None, patch_size=1)(s, t)
    assert auto.item() == pytest.approx(affinity_distance_gram(
        *(PairWiseAffinityLoss(scale=None, patch_size=1).nodes(x, (1, 1)) for x in (s, t))).item(), rel=1e-6)


def test_half_precision_inputs_give_float32_loss():
    torch.manual_seed(8)
    s, t = torch.randn(1, 4, 6, 6), torch.randn(1, 5, 6, 6)
    full = PairWiseAffinityLoss(scale=None, patch_size=1)(s, t)
    half = PairWiseAffinityLoss(scale=None, patch_size=1)(s.bfloat16(), t.bfloat16())
    assert half.dtype == torch.float32
    assert half.item() == pytest.approx(full.item(), rel=5e-2)
