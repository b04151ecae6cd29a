"""IFVDLoss against a straightforward per-pixel reference."""
import pytest
import torch
import torch.nn.functional as F

from mmkdseg.models.losses import IFVDLoss


def reference_maps(f, gt, ignore=255):
    """Loop: per image and class, the mean feature of its pixels; cosine of each pixel to its own center."""
    b, _, h, w = f.shape
    cos = {}
    for n in range(b):
        for k in set(gt[n].flatten().tolist()) - {ignore}:
            pix = [(y, x) for y in range(h) for x in range(w) if gt[n, y, x] == k]
            center = sum(f[n, :, y, x] for y, x in pix) / len(pix)
            for y, x in pix:
                v = f[n, :, y, x]
                cos[n, y, x] = (v * center).sum() / (v.norm() * center.norm())
    return cos


def reference(fs, ft, gt, ignore=255):
    cs, ct = reference_maps(fs, gt, ignore), reference_maps(ft, gt, ignore)
    if not cs:
        return 0.0
    return sum((cs[key] - ct[key]) ** 2 for key in cs) / len(cs)


def labels(b, h, w, classes, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, classes, (b, h, w), generator=g)


def test_matches_reference_with_ignored_pixels_and_absent_classes():
    torch.manual_seed(0)
    fs, ft = torch.randn(2, 6, 5, 6), torch.randn(2, 3, 5, 6)  # different widths are fine
    gt = labels(2, 5, 6, 3, 0)
    gt[0, :2] = 255
    gt[1][gt[1] == 2] = 0  # class 2 absent from image 1
    gt[0, 4, 5] = 7  # a class with a single pixel (cosine 1 for both)
    loss = IFVDLoss(loss_weight=1.0)(fs, ft, gt)
    assert loss.item() == pytest.approx(float(reference(fs.double(), ft.double(), gt)), rel=1e-5)
    assert IFVDLoss()(fs, ft, gt).item() == pytest.approx(200 * loss.item(), rel=1e-6)  # default weight


def test_ignored_pixels_do_not_matter():
    torch.manual_seed(1)
    fs, ft = torch.randn(1, 4, 4, 4), torch.randn(1, 4, 4, 4)
    gt = labels(1, 4, 4, 2, 1)
    gt[0, 0] = 255
    base = IFVDLoss()(fs, ft, gt)
    fs2, ft2 = fs.clone(), ft.clone()
    fs2[0, :, 0] += 100 * torch.randn(4, 4)
    ft2[0, :, 0] -= 50
    assert IFVDLoss()(fs2, ft2, gt).item() == pytest.approx(base.item(), rel=1e-6)


def test_gradients_match_reference_and_gradcheck():
    torch.manual_seed(2)
    fs = torch.randn(2, 3, 3, 4, dtype=torch.double, requires_grad=True)
    ft = torch.randn(2, 5, 3, 4, dtype=torch.double)
    gt = labels(2, 3, 4, 3, 2)
    gt[1, 0, :2] = 255
    IFVDLoss(loss_weight=1.0)(fs, ft, gt).backward()
    fs_ref = fs.detach().clone().requires_grad_(True)
    reference(fs_ref, ft, gt).backward()
    assert torch.allclose(fs.grad, fs_ref.grad, atol=1e-10, rtol=1e-7)
    assert torch.autograd.gradcheck(lambda x: IFVDLoss(loss_weight=1.0)(x, ft, gt), (fs, ))


def test_labels_resized_by_nearest_and_teacher_resized_to_student():
    torch.manual_seed(3)
    fs, ft = torch.randn(1, 4, 3, 3), torch.randn(1, 4, 6, 6)
    gt = labels(1, 12, 12, 3, 3)
    gt_small = F.interpolate(gt[:, None].float(), size=(3, 3), mode='nearest')[:, 0].long()
    ft_small = F.interpolate(ft, size=(3, 3), mode='bilinear', align_corners=False)
    loss = IFVDLoss(loss_weight=1.0)(fs, ft, gt)
    assert loss.item() == pytest.approx(float(reference(fs.double(), ft_small.double(), gt_small)), rel=1e-5)


def test_no_valid_pixel_gives_zero_and_no_nan():
    fs = torch.randn(2, 4, 3, 3, requires_grad=True)
    ft = torch.randn(2, 4, 3, 3)
    loss = IFVDLoss()(fs, ft, torch.full((2, 3, 3), 255))
    loss.backward()
    assert loss.item() == 0.0 and torch.isfinite(fs.grad).all()
    # zero features (cosine of a zero vector) stay finite too
    z = torch.zeros(1, 4, 3, 3, requires_grad=True)
    loss = IFVDLoss()(z, ft[:1], labels(1, 3, 3, 2, 4))
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(z.grad).all()


def test_equal_features_give_zero_and_teacher_is_detached():
    torch.manual_seed(5)
    ft = torch.randn(2, 4, 3, 3, requires_grad=True)
    fs = ft.detach().clone().requires_grad_(True)
    gt = labels(2, 3, 3, 3, 5)
    loss = IFVDLoss()(fs, ft, gt)
    loss.backward()
    assert loss.item() == pytest.approx(0.0, abs=1e-8)
    assert ft.grad is None


def test_errors_name_the_problem():
    fs, ft = torch.randn(2, 4, 3, 3), torch.randn(2, 4, 3, 3)
    with pytest.raises(ValueError, match="IFVDLoss: needs gt_sem_seg.*from_data='gt_sem_seg'"):
        IFVDLoss()(fs, ft, None)
    with pytest.raises(ValueError, match='IFVDLoss: labels have batch size 3'):
        IFVDLoss()(fs, ft, torch.zeros(3, 3, 3, dtype=torch.long))
    with pytest.raises(ValueError, match='IFVDLoss: batch sizes differ'):
        IFVDLoss()(fs, torch.randn(1, 4, 3, 3), torch.zeros(2, 3, 3, dtype=torch.long))
    with pytest.raises(ValueError, match='differ in spatial size'):
        IFVDLoss(resize='none')(fs, torch.randn(2, 4, 6, 6), torch.zeros(2, 3, 3, dtype=torch.long))
