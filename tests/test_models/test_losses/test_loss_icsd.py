"""ICSDLoss against a straightforward per-pair reference (values and gradients)."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmkdseg.models.losses import ICSDLoss
from mmkdseg.models.losses.icsd import class_kl_matrix


def reference_matrix(z, tau):
    """Loop over images and class pairs: KL(P_i || P_j), P_c = softmax over all positions of z_c / tau."""
    b, c = z.shape[:2]
    m = torch.zeros(b, c, c, dtype=z.dtype)
    for n in range(b):
        for i in range(c):
            p = torch.softmax(z[n, i].reshape(-1) / tau, 0)
            for j in range(c):
                q = torch.softmax(z[n, j].reshape(-1) / tau, 0)
                m[n, i, j] = (p * (p.log() - q.log())).sum()
    return m


def reference(s, t, tau):
    """Row-wise L2 normalisation (written out), then the mean of squared differences over B*C*C."""
    def normalise(m):
        return m / m.pow(2).sum(-1, keepdim=True).sqrt()
    return (normalise(reference_matrix(s, tau)) - normalise(reference_matrix(t, tau))).pow(2).mean()


@pytest.mark.parametrize('classes', [2, 5, 19])
@pytest.mark.parametrize('tau', [1.0, 4.0])
def test_matches_per_pair_reference(classes, tau):
    torch.manual_seed(classes)
    s, t = 2 * torch.randn(2, classes, 5, 6), 2 * torch.randn(2, classes, 5, 6)
    loss = ICSDLoss(tau=tau, loss_weight=3.0)(s, t)
    assert loss.item() == pytest.approx(3.0 * reference(s.double(), t.double(), tau).item(), rel=1e-5)


def test_matrix_is_kl_over_all_positions():
    torch.manual_seed(0)
    z = torch.randn(3, 4, 5, 7, dtype=torch.double)
    m = class_kl_matrix(z, tau=2.0)
    ref = reference_matrix(z, 2.0)
    assert torch.allclose(m, ref, atol=1e-12)
    assert torch.all(torch.diagonal(m, dim1=1, dim2=2) == 0)
    assert torch.all(m >= -1e-12)
    # the released code's softmax over H only gives something else
    log_h = F.log_softmax(z, dim=2)
    wrong = (log_h[:, 0].exp() * (log_h[:, 0] - log_h[:, 1])).sum((1, 2))
    assert not torch.allclose(wrong, m[:, 0, 1])


def test_gradients_match_reference():
    torch.manual_seed(1)
    s = torch.randn(2, 4, 3, 5, dtype=torch.double, requires_grad=True)
    t = torch.randn(2, 4, 3, 5, dtype=torch.double)
    ICSDLoss(tau=2.0)(s, t).backward()
    s_ref = s.detach().clone().requires_grad_(True)
    reference(s_ref, t, 2.0).backward()
    assert torch.allclose(s.grad, s_ref.grad, atol=1e-10, rtol=1e-7)


def test_gradcheck():
    torch.manual_seed(2)
    s = torch.randn(1, 3, 2, 3, dtype=torch.double, requires_grad=True)
    t = torch.randn(1, 3, 2, 3, dtype=torch.double)
    assert torch.autograd.gradcheck(lambda x: ICSDLoss(tau=1.5)(x, t), (s, ))


def test_zero_for_equal_inputs_and_no_teacher_gradient():
    torch.manual_seed(3)
    t = torch.randn(2, 5, 4, 4, requires_grad=True)
    s = t.detach().clone().requires_grad_(True)
    loss = ICSDLoss()(s, t)
    assert loss.item() == pytest.approx(0.0, abs=1e-10)
    s2 = torch.randn(2, 5, 4, 4, requires_grad=True)
    ICSDLoss()(s2, t).backward()
    assert s2.grad.abs().sum() > 0 and torch.isfinite(s2.grad).all()
    assert t.grad is None


def test_invariant_to_per_class_logit_shifts():
    """A constant added to a class's logit map leaves its spatial distribution (and the loss) unchanged."""
    torch.manual_seed(4)
    s, t = torch.randn(2, 4, 3, 3), torch.randn(2, 4, 3, 3)
    shift = torch.randn(2, 4, 1, 1) * 5
    assert ICSDLoss()(s + shift, t).item() == pytest.approx(ICSDLoss()(s, t).item(), rel=1e-4)


def test_mean_over_batch_and_matrix_entries():
    torch.manual_seed(5)
    s, t = torch.randn(1, 3, 4, 4), torch.randn(1, 3, 4, 4)
    one = ICSDLoss()(s, t).item()
    assert ICSDLoss()(s.repeat(3, 1, 1, 1), t.repeat(3, 1, 1, 1)).item() == pytest.approx(one, rel=1e-6)
    assert math.isfinite(one)


def test_resize_and_errors():
    torch.manual_seed(6)
    s, t = torch.randn(1, 3, 4, 4), torch.randn(1, 3, 8, 8)
    t_small = F.interpolate(t, size=(4, 4), mode='bilinear', align_corners=False)
    assert ICSDLoss()(s, t).item() == pytest.approx(reference(s.double(), t_small.double(), 1.0).item(),
                                                     rel=1e-5)
    with pytest.raises(ValueError, match='ICSDLoss.*differ in spatial size'):
        ICSDLoss(resize='none')(s, t)
    with pytest.raises(ValueError, match='ICSDLoss: batch/channel sizes differ'):
        ICSDLoss()(torch.randn(1, 3, 4, 4), torch.randn(1, 4, 4, 4))
    with pytest.raises(ValueError, match='at least 2 classes'):
        ICSDLoss()(torch.randn(1, 1, 4, 4), torch.randn(1, 1, 4, 4))
    with pytest.raises(ValueError, match='tau must be positive'):
        ICSDLoss(tau=0)
    with pytest.raises(ValueError, match='resize='):
        ICSDLoss(resize='nearest')


def test_matrix_in_float32_under_autocast():
    torch.manual_seed(7)
    z = torch.randn(2, 5, 8, 8).bfloat16()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        m = class_kl_matrix(z)
    assert m.dtype == torch.float32
    assert torch.allclose(m, class_kl_matrix(z.float()), atol=1e-6)


def test_flat_student_rows_give_bounded_gradients():
    """A spatially flat student output has an all-zero KL matrix: its rows are divided by eps, not
    blown up to unit length (which would give gradients ~ 1 / row norm)."""
    torch.manual_seed(8)
    t = 3 * torch.randn(2, 4, 5, 5)
    flat = (torch.randn(2, 4, 1, 1) + 1e-4 * torch.randn(2, 4, 5, 5)).requires_grad_(True)
    loss = ICSDLoss()(flat, t)
    loss.backward()
    assert loss.item() == pytest.approx(1 / 4, rel=1e-3)  # mean of the teacher's squared unit rows
    assert torch.isfinite(flat.grad).all() and flat.grad.norm() < 1.0
    exact = torch.zeros(2, 4, 5, 5, requires_grad=True)
    ICSDLoss()(exact, t).backward()
    assert torch.isfinite(exact.grad).all() and exact.grad.norm() < 1.0
    # rows above eps are normalised exactly (the reference has no eps)
    s = torch.randn(2, 4, 5, 5)
    assert ICSDLoss()(s, t).item() == pytest.approx(reference(s.double(), t.double(), 1.0).item(), rel=1e-5)
