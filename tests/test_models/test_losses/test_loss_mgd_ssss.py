"""MGD-SSSS losses against straightforward references: PseudoLabelCELoss, SemanticSensitiveLoss,
ContentAwareLoss."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmkdseg.models.losses import ContentAwareLoss, PseudoLabelCELoss, SemanticSensitiveLoss


# ---------------------------------------------------------------- pseudo-label CE
def ce_reference(s, t, valid=None):
    b, c, h, w = s.shape
    total, count = 0.0, 0
    for i in range(b):
        for y in range(h):
            for x in range(w):
                if valid is not None and valid[i, y, x] == 0:
                    continue
                label = int(torch.argmax(t[i, :, y, x]))
                logp = torch.log_softmax(s[i, :, y, x].double(), 0)
                total += -float(logp[label])
                count += 1
    return total / max(count, 1)


def test_pseudo_ce_matches_reference_with_valid_mask():
    torch.manual_seed(0)
    s, t = torch.randn(2, 5, 4, 6), torch.randn(2, 5, 4, 6)
    valid = torch.ones(2, 4, 6)
    valid[0, :, 3:] = 0
    loss = PseudoLabelCELoss(loss_weight=2.0)(s, t, valid)
    assert loss.item() == pytest.approx(2 * ce_reference(s, t, valid), rel=1e-5)
    assert PseudoLabelCELoss()(s, t, valid[:, None]).item() == pytest.approx(ce_reference(s, t, valid), rel=1e-5)
    assert PseudoLabelCELoss()(s, t).item() == pytest.approx(ce_reference(s, t), rel=1e-5)


def test_pseudo_ce_resizes_teacher_and_valid_mask():
    torch.manual_seed(1)
    s, t = torch.randn(1, 3, 4, 4), torch.randn(1, 3, 8, 8)
    valid = torch.ones(1, 8, 8)
    valid[0, :4, :4] = 0  # the top-left quarter = top-left 2x2 logit pixels
    t_small = F.interpolate(t, size=(4, 4), mode='bilinear', align_corners=False)
    ref_valid = torch.ones(1, 4, 4)
    ref_valid[0, :2, :2] = 0
    loss = PseudoLabelCELoss()(s, t, valid)
    assert loss.item() == pytest.approx(ce_reference(s, t_small, ref_valid), rel=1e-5)


def test_pseudo_ce_gradient_only_to_student_and_finite_difference():
    s = torch.randn(1, 3, 2, 2, dtype=torch.double, requires_grad=True)
    t = torch.randn(1, 3, 2, 2, dtype=torch.double, requires_grad=True)
    PseudoLabelCELoss()(s, t).backward()
    assert s.grad is not None and t.grad is None
    s2 = torch.randn(1, 3, 2, 2, dtype=torch.double, requires_grad=True)
    valid = torch.tensor([[[1.0, 0.0], [1.0, 1.0]]], dtype=torch.double)
    assert torch.autograd.gradcheck(lambda x: PseudoLabelCELoss()(x, t.detach(), valid), (s2, ))


def test_pseudo_ce_no_valid_pixel_and_errors():
    s = torch.randn(2, 3, 4, 4, requires_grad=True)
    loss = PseudoLabelCELoss()(s, torch.randn(2, 3, 4, 4), torch.zeros(2, 4, 4))
    loss.backward()
    assert loss.item() == 0.0 and torch.isfinite(s.grad).all()
    with pytest.raises(ValueError, match=r'PseudoLabelCELoss: valid must be \(B, h, w\)'):
        PseudoLabelCELoss()(s, torch.randn(2, 3, 4, 4), torch.ones(3, 4, 4))
    with pytest.raises(ValueError, match='batch/channel'):
        PseudoLabelCELoss()(s, torch.randn(2, 5, 4, 4))


def test_pseudo_ce_is_per_pixel_mean_so_batch_size_does_not_scale_it():
    torch.manual_seed(2)
    s, t = torch.randn(1, 4, 3, 3), torch.randn(1, 4, 3, 3)
    one = PseudoLabelCELoss()(s, t)
    four = PseudoLabelCELoss()(s.repeat(4, 1, 1, 1), t.repeat(4, 1, 1, 1))
    assert four.item() == pytest.approx(one.item(), rel=1e-6)


# --------------------------------------------------------- image-level semantic
def sem_reference(s, t, reduction):
    per_image = []
    for i in range(s.shape[0]):
        total = 0.0
        for c in range(s.shape[1]):
            total += abs(float(s[i, c].double().mean()) - float(t[i, c].double().mean()))
        per_image.append(total)
    return sum(per_image) / (len(per_image) if reduction == 'mean' else 1)


@pytest.mark.parametrize('reduction', ['mean', 'sum'])
def test_semantic_matches_reference(reduction):
    torch.manual_seed(3)
    s, t = torch.randn(3, 5, 4, 4), torch.randn(3, 5, 8, 6)  # spatial sizes may differ
    loss = SemanticSensitiveLoss(loss_weight=0.5, reduction=reduction)(s, t)
    assert loss.item() == pytest.approx(0.5 * sem_reference(s, t, reduction), rel=1e-5)


def test_semantic_sum_grows_with_batch_mean_does_not():
    torch.manual_seed(4)
    s, t = torch.randn(1, 3, 4, 4), torch.randn(1, 3, 4, 4)
    s4, t4 = s.repeat(4, 1, 1, 1), t.repeat(4, 1, 1, 1)
    assert SemanticSensitiveLoss()(s4, t4).item() == pytest.approx(SemanticSensitiveLoss()(s, t).item(), rel=1e-6)
    paper = SemanticSensitiveLoss(reduction='sum')
    assert paper(s4, t4).item() == pytest.approx(4 * paper(s, t).item(), rel=1e-6)


def test_semantic_gradient_and_errors():
    s = torch.randn(2, 3, 3, 3, dtype=torch.double, requires_grad=True)
    t = torch.randn(2, 3, 5, 5, dtype=torch.double)
    assert torch.autograd.gradcheck(lambda x: SemanticSensitiveLoss()(x, t), (s, ))
    t2 = t.clone().requires_grad_(True)
    SemanticSensitiveLoss()(s, t2).backward()
    assert t2.grad is None
    with pytest.raises(ValueError, match='SemanticSensitiveLoss: expects'):
        SemanticSensitiveLoss()(s, torch.randn(2, 4, 3, 3))
    with pytest.raises(ValueError, match='reduction'):
        SemanticSensitiveLoss(reduction='batchmean')


# ----------------------------------------------------------- region-level content
def content_reference(fs, ft, pool):
    def sim(f):
        b, k, h, w = f.shape
        out = torch.zeros(b, pool * pool, pool * pool, dtype=torch.double)
        regions = []
        for i in range(b):
            vecs = []
            for ry in range(pool):
                for rx in range(pool):  # adaptive pooling bins
                    y0, y1 = (ry * h) // pool, math.ceil((ry + 1) * h / pool)
                    x0, x1 = (rx * w) // pool, math.ceil((rx + 1) * w / pool)
                    vecs.append(f[i, :, y0:y1, x0:x1].double().mean(dim=(1, 2)))
            regions.append(vecs)
        for i in range(b):
            for p in range(pool * pool):
                for q in range(pool * pool):
                    a, c = regions[i][p], regions[i][q]
                    out[i, p, q] = (a @ c) / (a.norm() * c.norm())
        return out
    return float(((sim(fs) - sim(ft))**2).mean())


def test_content_matches_reference_with_different_widths_and_sizes():
    torch.manual_seed(5)
    fs, ft = torch.randn(2, 4, 6, 6), torch.randn(2, 9, 7, 5)
    loss = ContentAwareLoss(pool_size=3, loss_weight=10.0)(fs, ft)
    assert loss.item() == pytest.approx(10 * content_reference(fs, ft, 3), rel=1e-4)


def test_content_zero_when_features_are_scaled_copies_and_gradient():
    f = torch.rand(2, 5, 8, 8)
    assert ContentAwareLoss(pool_size=4)(f, 3 * f).item() == pytest.approx(0.0, abs=1e-10)
    s = torch.randn(1, 3, 4, 4, dtype=torch.double, requires_grad=True)
    t = torch.randn(1, 6, 4, 4, dtype=torch.double)
    assert torch.autograd.gradcheck(lambda x: ContentAwareLoss(pool_size=2)(x, t), (s, ))


def test_content_zero_region_is_finite_and_errors():
    fs = torch.zeros(1, 3, 4, 4, requires_grad=True)
    loss = ContentAwareLoss(pool_size=2)(fs, torch.randn(1, 3, 4, 4))
    loss.backward()
    assert math.isfinite(loss.item()) and torch.isfinite(fs.grad).all()
    with pytest.raises(ValueError, match='ContentAwareLoss: expects'):
        ContentAwareLoss()(torch.randn(2, 3, 4, 4), torch.randn(3, 3, 4, 4))
    with pytest.raises(ValueError, match='pool_size'):
        ContentAwareLoss(pool_size=0)
