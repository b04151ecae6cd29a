"""ChannelWiseKDLoss (CWD) against a per-channel reference and mmrazor's ChannelWiseDivergence."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmrazor.models import ChannelWiseDivergence

from mmkdseg.models.losses import ChannelWiseKDLoss


def reference(s, t, tau, weight=1.0):
    """For every (sample, channel): KL over positions of softmax(t/tau) || softmax(s/tau); sum/(B*C)*tau^2."""
    b, c = s.shape[:2]
    total = 0.0
    for i in range(b):
        for k in range(c):
            p = torch.softmax(t[i, k].flatten().double() / tau, 0)
            q = torch.softmax(s[i, k].flatten().double() / tau, 0)
            total += float((p * (p.log() - q.log())).sum())
    return weight * total / (b * c) * tau**2


@pytest.mark.parametrize('tau,weight', [(1.0, 5.0), (4.0, 3.0)])
def test_matches_reference_and_mmrazor(tau, weight):
    torch.manual_seed(0)
    s, t = torch.randn(2, 5, 6, 7) * 3, torch.randn(2, 5, 6, 7) * 3
    ours = ChannelWiseKDLoss(tau=tau, loss_weight=weight)(s, t)
    assert ours.item() == pytest.approx(reference(s, t, tau, weight), rel=1e-5)
    razor = ChannelWiseDivergence(tau=tau, loss_weight=weight)(s, t)
    assert ours.item() == pytest.approx(razor.item(), rel=1e-5)


def test_same_gradient_as_mmrazor():
    torch.manual_seed(1)
    t = torch.randn(2, 3, 4, 4)
    s1 = torch.randn(2, 3, 4, 4, requires_grad=True)
    s2 = s1.detach().clone().requires_grad_(True)
    ChannelWiseKDLoss(tau=4.0, loss_weight=3.0)(s1, t).backward()
    ChannelWiseDivergence(tau=4.0, loss_weight=3.0)(s2, t).backward()
    assert torch.allclose(s1.grad, s2.grad, atol=1e-7, rtol=1e-5)


def test_mean_over_channels_and_batch():
    torch.manual_seed(2)
    s, t = torch.randn(1, 2, 3, 3), torch.randn(1, 2, 3, 3)
    loss = ChannelWiseKDLoss()
    assert loss(s.repeat(3, 2, 1, 1), t.repeat(3, 2, 1, 1)).item() == pytest.approx(loss(s, t).item(), rel=1e-5)


def test_distribution_is_over_positions_not_classes():
    # adding a per-channel constant does not change a softmax over positions: the loss stays the same
    torch.manual_seed(3)
    s, t = torch.randn(2, 3, 4, 4), torch.randn(2, 3, 4, 4)
    shift = torch.randn(2, 3, 1, 1) * 10
    loss = ChannelWiseKDLoss(tau=2.0)
    assert loss(s + shift, t).item() == pytest.approx(loss(s, t).item(), rel=1e-5)
    # a per-position constant over channels (which a softmax over classes ignores) does change it
    assert loss(s + torch.randn(2, 1, 4, 4) * 3, t).item() != pytest.approx(loss(s, t).item(), rel=1e-3)


def test_zero_when_equal_gradient_only_to_student_and_gradcheck():
    x = torch.randn(2, 3, 4, 4)
    assert ChannelWiseKDLoss()(x, x.clone()).item() == pytest.approx(0.0, abs=1e-6)
    s = torch.randn(1, 2, 3, 3, requires_grad=True)
    t = torch.randn(1, 2, 3, 3, requires_grad=True)
    ChannelWiseKDLoss()(s, t).backward()
    assert t.grad is None and s.grad.abs().sum() > 0
    s64 = torch.randn(1, 2, 3, 3, dtype=torch.double, requires_grad=True)
    t64 = torch.randn(1, 2, 3, 3, dtype=torch.double)
    assert torch.autograd.gradcheck(lambda v: ChannelWiseKDLoss(tau=4.0, loss_weight=3.0)(v, t64), (s64, ))


def test_resize_policies_and_mismatch_errors():
    torch.manual_seed(4)
    s, t = torch.randn(2, 3, 4, 4), torch.randn(2, 3, 8, 8)
    t_small = F.interpolate(t, size=(4, 4), mode='bilinear', align_corners=False)
    s_big = F.interpolate(s, size=(8, 8), mode='bilinear', align_corners=False)
    assert ChannelWiseKDLoss()(s, t).item() == pytest.approx(reference(s, t_small, 1.0), rel=1e-5)
    assert ChannelWiseKDLoss(resize='student_to_teacher')(s, t).item() == pytest.approx(
        reference(s_big, t, 1.0), rel=1e-5)
    with pytest.raises(ValueError, match=r'ChannelWiseKDLoss.*\(2, 3, 4, 4\).*\(2, 3, 8, 8\)'):
        ChannelWiseKDLoss(resize='none')(s, t)
    with pytest.raises(ValueError, match='ChannelWiseKDLoss: batch/channel'):
        ChannelWiseKDLoss()(torch.randn(2, 3, 4, 4), torch.randn(2, 5, 4, 4))
    with pytest.raises(ValueError, match='ChannelWiseKDLoss: expects'):
        ChannelWiseKDLoss()(torch.randn(2, 3, 16), torch.randn(2, 3, 16))
    with pytest.raises(ValueError, match='tau'):
        ChannelWiseKDLoss(tau=0)


def test_large_logits_stay_finite():
    s = torch.randn(1, 2, 3, 3) * 1e4
    t = torch.randn(1, 2, 3, 3) * 1e4
    assert math.isfinite(ChannelWiseKDLoss(tau=1.0)(s, t).item())
