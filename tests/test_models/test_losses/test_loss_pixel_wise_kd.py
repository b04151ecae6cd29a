"""PixelWiseKDLoss against a straightforward per-pixel reference."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmkdseg.models.losses import PixelWiseKDLoss


def reference(s, t, tau, gt=None, ignore=255, reduction='mean'):
    """Loop over pixels: KL(softmax(t/tau) || softmax(s/tau)) * tau^2."""
    b, c, h, w = s.shape
    total, count = 0.0, 0
    for i in range(b):
        for y in range(h):
            for x in range(w):
                if gt is not None and gt[i, y, x] == ignore:
                    continue
                p = torch.softmax(t[i, :, y, x].double() / tau, 0)
                q = torch.softmax(s[i, :, y, x].double() / tau, 0)
                total += float((p * (p.log() - q.log())).sum())
                count += 1
    if reduction == 'mean':
        return total / max(count, 1) * tau**2
    return total / (h * w) * tau**2


@pytest.mark.parametrize('tau', [1.0, 4.0])
@pytest.mark.parametrize('reduction', ['mean', 'sum_over_hw'])
def test_matches_reference_with_ignored_pixels(tau, reduction):
    torch.manual_seed(0)
    s, t = torch.randn(2, 5, 6, 7), torch.randn(2, 5, 6, 7)
    gt = torch.randint(0, 5, (2, 6, 7))
    gt[0, :2] = 255
    loss = PixelWiseKDLoss(tau=tau, loss_weight=1.0, reduction=reduction)(s, t, gt)
    assert loss.item() == pytest.approx(reference(s, t, tau, gt, reduction=reduction), rel=1e-5)


def test_weight_and_no_labels():
    torch.manual_seed(1)
    s, t = torch.randn(1, 3, 4, 4), torch.randn(1, 3, 4, 4)
    loss = PixelWiseKDLoss(loss_weight=10.0)(s, t)
    assert loss.item() == pytest.approx(10 * reference(s, t, 1.0), rel=1e-5)


def test_sum_over_hw_grows_with_batch_but_mean_does_not():
    torch.manual_seed(2)
    s, t = torch.randn(1, 3, 4, 4), torch.randn(1, 3, 4, 4)
    s2, t2 = s.repeat(4, 1, 1, 1), t.repeat(4, 1, 1, 1)
    mean = PixelWiseKDLoss()
    paper = PixelWiseKDLoss(reduction='sum_over_hw')
    assert mean(s2, t2).item() == pytest.approx(mean(s, t).item(), rel=1e-6)
    assert paper(s2, t2).item() == pytest.approx(4 * paper(s, t).item(), rel=1e-6)


def test_zero_when_equal_and_gradient_only_to_student():
    s = torch.randn(2, 4, 3, 3, requires_grad=True)
    t = s.detach().clone().requires_grad_(True)
    loss = PixelWiseKDLoss()(s, t)
    assert loss.item() == pytest.approx(0.0, abs=1e-6)
    s2 = torch.randn(2, 4, 3, 3, requires_grad=True)
    PixelWiseKDLoss()(s2, t).backward()
    assert s2.grad is not None and s2.grad.abs().sum() > 0
    assert t.grad is None  # the teacher is detached


def test_gradient_matches_finite_differences():
    torch.manual_seed(3)
    s = torch.randn(1, 3, 2, 2, dtype=torch.double, requires_grad=True)
    t = torch.randn(1, 3, 2, 2, dtype=torch.double)
    gt = torch.tensor([[[0, 255], [1, 2]]])
    assert torch.autograd.gradcheck(lambda x: PixelWiseKDLoss(tau=2.0)(x, t, gt), (s, ))


def test_all_pixels_ignored_gives_zero_and_finite_gradient():
    s = torch.randn(2, 3, 4, 4, requires_grad=True)
    t = torch.randn(2, 3, 4, 4)
    gt = torch.full((2, 4, 4), 255)
    loss = PixelWiseKDLoss()(s, t, gt)
    loss.backward()
    assert loss.item() == 0.0 and torch.isfinite(s.grad).all()


def test_resize_policies_and_mismatch_errors():
    torch.manual_seed(4)
    s, t = torch.randn(1, 3, 4, 4), torch.randn(1, 3, 8, 8)
    up = PixelWiseKDLoss(resize='teacher_to_student')(s, t)
    t_small = F.interpolate(t, size=(4, 4), mode='bilinear', align_corners=False)
    assert up.item() == pytest.approx(reference(s, t_small, 1.0), rel=1e-5)
    s_big = F.interpolate(s, size=(8, 8), mode='bilinear', align_corners=False)
    down = PixelWiseKDLoss(resize='student_to_teacher')(s, t)
    assert down.item() == pytest.approx(reference(s_big, t, 1.0), rel=1e-5)
    with pytest.raises(ValueError, match=r'\(1, 3, 4, 4\).*\(1, 3, 8, 8\)'):
        PixelWiseKDLoss(resize='none')(s, t)
    with pytest.raises(ValueError, match='batch/channel'):
        PixelWiseKDLoss()(torch.randn(1, 3, 4, 4), torch.randn(1, 5, 4, 4))
    with pytest.raises(ValueError, match='resize='):
        PixelWiseKDLoss(resize='bilinear')


def test_labels_at_input_resolution_are_resized_by_nearest():
    torch.manual_seed(5)
    s, t = torch.randn(1, 3, 2, 2), torch.randn(1, 3, 2, 2)
    gt = torch.zeros(1, 4, 4, dtype=torch.long)
    gt[0, :2, :2] = 255  # exactly the top-left logit pixel
    loss = PixelWiseKDLoss()(s, t, gt)
    ref_gt = torch.tensor([[[255, 0], [0, 0]]])
    assert loss.item() == pytest.approx(reference(s, t, 1.0, ref_gt), rel=1e-5)
    assert math.isfinite(loss.item())
