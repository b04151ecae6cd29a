"""MaskedGenerationLoss (MGD): reference formula, parity with mmrazor's MGDLoss/MGDConnector, errors."""
import pytest
import torch
import torch.nn.functional as F
from mmrazor.models import MGDConnector, MGDLoss

from mmkdseg.models.connectors import MaskedGenerationConnector
from mmkdseg.models.losses import MaskedGenerationLoss


def reference(s, t, alpha):
    """alpha * sum over everything of (s - t)^2 / batch, by loops."""
    b, c, h, w = s.shape
    total = 0.0
    for i in range(b):
        for k in range(c):
            for y in range(h):
                for x in range(w):
                    total += (float(s[i, k, y, x]) - float(t[i, k, y, x]))**2
    return alpha * total / b


def test_matches_reference():
    torch.manual_seed(0)
    s, t = torch.randn(3, 4, 5, 6), torch.randn(3, 4, 5, 6)
    loss = MaskedGenerationLoss(loss_weight=2e-5)(s, t)
    assert loss.item() == pytest.approx(reference(s, t, 2e-5), rel=1e-5)
    assert MaskedGenerationLoss().loss_weight == 2e-5  # the paper's alpha is the default


def test_same_value_as_mmrazor_mgd_loss():
    torch.manual_seed(1)
    s, t = torch.randn(2, 8, 6, 6), torch.randn(2, 8, 6, 6)
    for alpha in (2e-5, 0.5):
        ours = MaskedGenerationLoss(loss_weight=alpha)(s, t)
        razor = MGDLoss(alpha_mgd=alpha)(s, t)
        assert ours.item() == pytest.approx(razor.item(), rel=1e-6)


@pytest.mark.parametrize('student,teacher', [(4, 16), (16, 16)])
def test_connector_plus_loss_equals_mmrazor_and_the_authors_formula(student, teacher):
    """Full MGD term on identical weights, inputs and seed: ours == mmrazor == the paper's code path."""
    torch.manual_seed(2)
    conn = MaskedGenerationConnector(student, teacher, lambda_mgd=0.75).train()
    razor_conn = MGDConnector(student, teacher, lambda_mgd=0.75).train()
    razor_conn.load_state_dict(conn.state_dict())
    f_s, f_t = torch.randn(2, student, 8, 8), torch.randn(2, teacher, 8, 8)
    torch.manual_seed(10)
    ours = MaskedGenerationLoss(2e-5)(conn(f_s), f_t)
    torch.manual_seed(10)
    razor = MGDLoss(2e-5)(razor_conn(f_s), f_t)
    # the authors' FeatureLoss.get_dis_loss, written out
    torch.manual_seed(10)
    aligned = conn.align(f_s) if conn.align is not None else f_s
    mat = torch.where(torch.rand(2, 1, 8, 8) > 1 - 0.75, 0, 1)
    new = conn.generation(aligned * mat)
    authors = F.mse_loss(new, f_t, reduction='sum') / 2 * 2e-5
    assert ours.item() == pytest.approx(razor.item(), rel=1e-6)
    assert ours.item() == pytest.approx(authors.item(), rel=1e-6)


def test_sum_over_positions_divided_by_batch_only():
    torch.manual_seed(3)
    s, t = torch.randn(1, 2, 3, 3), torch.randn(1, 2, 3, 3)
    loss = MaskedGenerationLoss(loss_weight=1.0)
    # repeating the batch leaves it unchanged; doubling the spatial size doubles it (a sum)
    assert loss(s.repeat(4, 1, 1, 1), t.repeat(4, 1, 1, 1)).item() == pytest.approx(loss(s, t).item(), rel=1e-6)
    assert loss(torch.cat([s, s], 3), torch.cat([t, t], 3)).item() == pytest.approx(2 * loss(s, t).item(),
                                                                                   rel=1e-6)


def test_gradient_to_student_only_and_gradcheck():
    s = torch.randn(2, 3, 4, 4, dtype=torch.double, requires_grad=True)
    t = torch.randn(2, 3, 4, 4, dtype=torch.double, requires_grad=True)
    MaskedGenerationLoss(loss_weight=0.1)(s, t).backward()
    assert t.grad is None and torch.allclose(s.grad, 0.1 * 2 * (s - t).detach() / 2)
    s2 = torch.randn(1, 2, 3, 3, dtype=torch.double, requires_grad=True)
    t2 = torch.randn(1, 2, 3, 3, dtype=torch.double)
    assert torch.autograd.gradcheck(lambda x: MaskedGenerationLoss(0.3)(x, t2), (s2, ))


def test_zero_when_equal():
    x = torch.randn(2, 3, 4, 4)
    assert MaskedGenerationLoss(1.0)(x, x.clone()).item() == 0.0


def test_mismatched_shapes_give_clear_errors_and_resize_is_opt_in():
    with pytest.raises(ValueError, match=r'MaskedGenerationLoss.*different channel counts.*MaskedGenerationConnector'
                                         r'.*teacher_channels=16'):
        MaskedGenerationLoss()(torch.randn(2, 4, 3, 3), torch.randn(2, 16, 3, 3))
    with pytest.raises(ValueError, match=r'\(2, 4, 3, 3\).*\(2, 4, 6, 6\).*resize="none"'):
        MaskedGenerationLoss()(torch.randn(2, 4, 3, 3), torch.randn(2, 4, 6, 6))
    with pytest.raises(ValueError, match='batch'):
        MaskedGenerationLoss()(torch.randn(2, 4, 3, 3), torch.randn(3, 4, 3, 3))
    with pytest.raises(ValueError, match='resize='):
        MaskedGenerationLoss(resize='nearest')
    torch.manual_seed(4)
    s, t = torch.randn(1, 2, 3, 3), torch.randn(1, 2, 6, 6)
    small_t = F.interpolate(t, size=(3, 3), mode='bilinear', align_corners=False)
    loss = MaskedGenerationLoss(1.0, resize='teacher_to_student')(s, t)
    assert loss.item() == pytest.approx(reference(s, small_t, 1.0), rel=1e-5)
