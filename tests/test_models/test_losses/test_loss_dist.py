"""SegDISTLoss against a reference written here from the DIST paper (Huang et al. 2022) and the authors'
segmentation code: values, gradients, ignored pixels, absent classes, shapes."""
import pytest
import torch

from mmkdseg.models.losses import SegDISTLoss


def reference(z_s, z_t, beta=1.0, gamma=1.0, tau=1.0, eps=1e-8):
    """The authors' form: every pixel of the batch a row of class probabilities."""
    c = z_s.shape[1]
    y_s = (z_s / tau).softmax(1).transpose(1, 3).reshape(-1, c)
    y_t = (z_t / tau).softmax(1).transpose(1, 3).reshape(-1, c)

    def rho(a, b):  # row-wise Pearson correlation
        a = a - a.mean(1).unsqueeze(1)
        b = b - b.mean(1).unsqueeze(1)
        return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1) + eps)
    inter = 1 - rho(y_s, y_t).mean()
    intra = 1 - rho(y_s.transpose(0, 1), y_t.transpose(0, 1)).mean()
    return tau**2 * (beta * inter + gamma * intra)


def test_matches_the_reference_and_its_gradient():
    torch.manual_seed(0)
    z_s = torch.randn(2, 5, 6, 7, dtype=torch.float64, requires_grad=True)
    z_t = torch.randn(2, 5, 6, 7, dtype=torch.float64)
    loss = SegDISTLoss(inter_loss_weight=2.0, intra_loss_weight=0.5, loss_weight=3.0)(z_s, z_t)
    ref = 3.0 * reference(z_s, z_t, beta=2.0, gamma=0.5)
    assert loss.dtype == torch.float64 and torch.allclose(loss, ref, atol=1e-12)  # float64 stays float64
    g, = torch.autograd.grad(loss, z_s)
    g_ref, = torch.autograd.grad(ref, z_s)
    assert torch.allclose(g, g_ref, atol=1e-12)
    assert torch.autograd.gradcheck(lambda v: SegDISTLoss()(v, z_t), (z_s, ))
    # bfloat16 inputs are computed in float32
    assert SegDISTLoss()(z_s.detach().bfloat16(), z_t.bfloat16()).dtype == torch.float32


def test_temperature_scales_by_tau_squared():
    torch.manual_seed(1)
    z_s, z_t = torch.randn(1, 4, 5, 5), torch.randn(1, 4, 5, 5)
    assert torch.allclose(SegDISTLoss(tau=4.0)(z_s, z_t), reference(z_s, z_t, tau=4.0), atol=1e-6)


def test_identical_and_shifted_logits_give_zero():
    torch.manual_seed(2)
    z = torch.randn(2, 6, 4, 4)
    assert SegDISTLoss()(z, z).abs().item() < 1e-6
    # a per-pixel constant shift leaves the softmax unchanged
    assert SegDISTLoss()(z + 3.0, z).abs().item() < 1e-6


def test_ignored_pixels_are_left_out():
    torch.manual_seed(3)
    z_s, z_t = torch.randn(2, 3, 4, 4), torch.randn(2, 3, 4, 4)
    gt = torch.randint(0, 3, (2, 4, 4))
    gt[0, :2] = 255
    keep = gt != 255
    sub_s = z_s.permute(0, 2, 3, 1)[keep][:, :, None, None]  # (N, C, 1, 1): every valid pixel a row
    sub_t = z_t.permute(0, 2, 3, 1)[keep][:, :, None, None]
    got = SegDISTLoss()(z_s, z_t, gt)
    assert torch.allclose(got, reference(sub_s, sub_t), atol=1e-6)
    assert not torch.allclose(got, SegDISTLoss()(z_s, z_t), atol=1e-4)
    # changing an ignored pixel changes nothing
    z_s2 = z_s.clone()
    z_s2[0, :, 0, 0] += 5
    assert torch.allclose(SegDISTLoss()(z_s2, z_t, gt), got)


def test_no_valid_pixel_gives_zero_with_a_graph():
    z_s = torch.randn(1, 3, 2, 2, requires_grad=True)
    loss = SegDISTLoss()(z_s, torch.randn(1, 3, 2, 2), torch.full((1, 2, 2), 255))
    assert loss.item() == 0
    loss.backward()
    assert torch.equal(z_s.grad, torch.zeros_like(z_s))


def test_absent_class_is_finite():
    # a class with the same (tiny) probability everywhere has no variance: its correlation is 0, not NaN
    z_s = torch.randn(1, 3, 4, 4, requires_grad=True)
    z_t = torch.randn(1, 3, 4, 4)
    z_t[:, 2] = -1e4
    loss = SegDISTLoss()(z_s, z_t)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(z_s.grad).all()


def test_teacher_logits_of_another_size_are_resized_and_bad_shapes_fail():
    torch.manual_seed(4)
    z_s, z_t = torch.randn(1, 3, 4, 4), torch.randn(1, 3, 8, 8)
    assert torch.isfinite(SegDISTLoss()(z_s, z_t))
    with pytest.raises(ValueError, match='differ'):
        SegDISTLoss()(z_s, torch.randn(1, 4, 4, 4))
    with pytest.raises(ValueError, match='tau'):
        SegDISTLoss(tau=0)
