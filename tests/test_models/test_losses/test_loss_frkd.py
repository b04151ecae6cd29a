"""FRKD losses (inter-class, intra-class, similarity, refined pixel KD) against loop references.

The references below loop over images, classes and pixels and recompute everything from scratch; the
losses must match them, give finite values and gradients in every edge case (ignored pixels, a class in one
image only, a single class, an all-background refine mask) and fail with clear errors on bad input.
"""
import itertools
import math

import pytest
import torch
import torch.nn.functional as F

from mmkdseg.models.losses import (FRKDInterClassLoss, FRKDIntraClassLoss, FRKDSimilarityLoss,
                                   PixelWiseKDLoss, RefinedPixelWiseKDLoss)

IGNORE = 255


# ---------------------------------------------------------------- references (plain loops, float64)
def _space(v, space):
    return v if space == 'logits' else torch.softmax(v, 0)


def ref_groups(s, t, gt, mask, assign='gt', space='logits', per_image=True):
    """List of groups; each group: list of (class, out_S, out_T, (image, y, x)) of the used pixels."""
    b, c, h, w = s.shape
    groups = [[] for _ in range(b if per_image else 1)]
    for i, y, x in itertools.product(range(b), range(h), range(w)):
        if gt is not None and gt[i, y, x] == IGNORE:
            continue
        if mask is not None and mask[i, 0, y, x] < 0.5:
            continue
        k = int(gt[i, y, x]) if assign == 'gt' else int(t[i, :, y, x].argmax())
        groups[i if per_image else 0].append(
            (k, _space(s[i, :, y, x].double(), space), _space(t[i, :, y, x].double(), space), (i, y, x)))
    return groups


def ref_centers(group):
    cs, ct = {}, {}
    for k in sorted({g[0] for g in group}):
        cs[k] = torch.stack([g[1] for g in group if g[0] == k]).mean(0)
        ct[k] = torch.stack([g[2] for g in group if g[0] == k]).mean(0)
    return cs, ct


def ref_inter(s, t, gt=None, mask=None, normalize=False, **kw):
    diffs = []
    for group in ref_groups(s, t, gt, mask, **kw):
        cs, ct = ref_centers(group)
        pairs = list(itertools.combinations(sorted(cs), 2))
        ds = [float((cs[i] - cs[j]).norm()) for i, j in pairs]
        dt = [float((ct[i] - ct[j]).norm()) for i, j in pairs]
        if normalize and pairs:
            ms, mt = sum(ds) / len(ds), sum(dt) / len(dt)
            ms = mt if normalize == 'teacher' else ms
            ds, dt = [d / ms for d in ds], [d / mt for d in dt]
        diffs += [(a - b)**2 for a, b in zip(ds, dt)]
    return sum(diffs) / len(diffs) if diffs else 0.0


def ref_boundary(lab, i, y, x, r=1):
    h, w = lab.shape[-2:]
    for dy, dx in itertools.product(range(-r, r + 1), repeat=2):
        yy, xx = y + dy, x + dx
        if 0 <= yy < h and 0 <= xx < w and lab[i, yy, xx] != lab[i, y, x]:
            return True
    return False


def ref_intra(s, t, gt=None, mask=None, pixels='all', assign='gt', **kw):
    diffs = []
    class_map = gt if assign == 'gt' else t.argmax(1)
    for group in ref_groups(s, t, gt, mask, assign=assign, **kw):
        cs, ct = ref_centers(group)
        for k, vs, vt, (i, y, x) in group:
            if pixels == 'boundary' and not ref_boundary(class_map, i, y, x):
                continue
            diffs.append((float((vs - cs[k]).norm()) - float((vt - ct[k]).norm()))**2)
    return sum(diffs) / len(diffs) if diffs else 0.0


def ref_sim_class(s, t, gt=None, mask=None, cosine=True, **kw):
    diffs = []
    for group in ref_groups(s, t, gt, mask, **kw):
        cs, ct = ref_centers(group)
        for i, j in itertools.product(sorted(cs), repeat=2):
            if cosine:
                a_s = float(F.cosine_similarity(cs[i], cs[j], 0, eps=1e-12))
                a_t = float(F.cosine_similarity(ct[i], ct[j], 0, eps=1e-12))
            else:
                a_s, a_t = float(cs[i] @ cs[j]), float(ct[i] @ ct[j])
            diffs.append((a_s - a_t)**2)
    return sum(diffs) / len(diffs) if diffs else 0.0


def ref_sim_pixel(s, t, gt=None, mask=None, cosine=True):
    total, count = 0.0, 0
    for group in ref_groups(s, t, gt, mask):
        vs = [g[1] / g[1].norm() if cosine else g[1] for g in group]
        vt = [g[2] / g[2].norm() if cosine else g[2] for g in group]
        for a, b in itertools.product(range(len(group)), repeat=2):
            total += float(vs[a] @ vs[b] - vt[a] @ vt[b])**2
            count += 1
    return total / count if count else 0.0


def data(b=2, c=4, h=5, w=6, seed=0, ignore=True, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    s = torch.randn(b, c, h, w, generator=g, dtype=dtype) * 2
    t = torch.randn(b, c, h, w, generator=g, dtype=dtype) * 3
    gt = torch.randint(0, c, (b, h, w), generator=g)
    if ignore:
        gt[0, 0, :] = IGNORE
    mask = (torch.rand(b, 1, h, w, generator=g) > 0.3).to(dtype)
    return s, t, gt, mask


# ------------------------------------------------------------------------------- formulas
@pytest.mark.parametrize('use_mask', [False, True])
@pytest.mark.parametrize('per_image', [True, False])
@pytest.mark.parametrize('normalize', [False, True, 'teacher'])
def test_inter_matches_reference(use_mask, per_image, normalize):
    s, t, gt, mask = data()
    mask = mask if use_mask else None
    loss = FRKDInterClassLoss(per_image=per_image, normalize=normalize)(s, t, gt, mask)
    ref = ref_inter(s, t, gt, mask, per_image=per_image, normalize=normalize)
    assert loss.item() == pytest.approx(ref, rel=1e-4)


@pytest.mark.parametrize('assign,space', [('teacher', 'logits'), ('gt', 'softmax'), ('teacher', 'softmax')])
def test_inter_assignment_and_space(assign, space):
    s, t, gt, mask = data(seed=1)
    loss = FRKDInterClassLoss(assign=assign, space=space, loss_weight=0.4)(s, t, gt, mask)
    assert loss.item() == pytest.approx(0.4 * ref_inter(s, t, gt, mask, assign=assign, space=space), rel=1e-4)


def test_teacher_assignment_works_without_labels():
    s, t, _, mask = data(seed=2)
    loss = FRKDInterClassLoss(assign='teacher')(s, t, None, mask)
    assert loss.item() == pytest.approx(ref_inter(s, t, None, mask, assign='teacher'), rel=1e-4)


@pytest.mark.parametrize('pixels', ['all', 'boundary'])
@pytest.mark.parametrize('assign', ['gt', 'teacher'])
@pytest.mark.parametrize('per_image', [True, False])
def test_intra_matches_reference(pixels, assign, per_image):
    s, t, gt, mask = data(seed=3, h=6, w=7)
    gt[:, 3:, :4] = 1  # some regions, so that not every pixel is a boundary pixel
    loss = FRKDIntraClassLoss(pixels=pixels, assign=assign, per_image=per_image)(s, t, gt, mask)
    ref = ref_intra(s, t, gt, mask, pixels=pixels, assign=assign, per_image=per_image)
    assert loss.item() == pytest.approx(ref, rel=1e-4)


def test_boundary_is_a_strict_subset_on_region_maps():
    from mmkdseg.models.losses.class_centers import class_boundary
    lab = torch.zeros(1, 6, 6, dtype=torch.long)
    lab[0, :, 3:] = 1
    edge = class_boundary(lab)
    assert edge[0, :, 2:4].all() and not edge[0, :, :2].any() and not edge[0, :, 4:].any()
    assert class_boundary(lab, radius=2)[0, :, 1:5].all()


@pytest.mark.parametrize('cosine', [True, False])
def test_similarity_class_level_matches_reference(cosine):
    s, t, gt, mask = data(seed=4)
    loss = FRKDSimilarityLoss(level='class', cosine=cosine)(s, t, gt, mask)
    assert loss.item() == pytest.approx(ref_sim_class(s, t, gt, mask, cosine=cosine), rel=1e-4)


@pytest.mark.parametrize('cosine', [True, False])
def test_similarity_pixel_level_matches_the_explicit_matrix(cosine):
    s, t, gt, mask = data(seed=5, h=4, w=5)
    loss = FRKDSimilarityLoss(level='pixel', cosine=cosine)(s, t, gt, mask)
    assert loss.item() == pytest.approx(ref_sim_pixel(s, t, gt, mask, cosine=cosine), rel=1e-4)


def test_losses_are_zero_when_student_equals_teacher():
    _, t, gt, mask = data(seed=6)
    for loss in (FRKDInterClassLoss(), FRKDIntraClassLoss(), FRKDSimilarityLoss(),
                 FRKDSimilarityLoss(level='pixel'), RefinedPixelWiseKDLoss()):
        assert loss(t.clone(), t, gt, mask).item() == pytest.approx(0.0, abs=1e-5), type(loss).__name__


def test_refined_kd_is_kd_on_kept_pixels():
    s, t, gt, mask = data(seed=7)
    keep_gt = gt.clone()
    keep_gt[mask[:, 0] < 0.5] = IGNORE  # KD on the kept pixels only
    expected = PixelWiseKDLoss()(s, t, keep_gt)
    assert RefinedPixelWiseKDLoss()(s, t, gt, mask).item() == pytest.approx(expected.item(), rel=1e-5)
    # 'valid': the literal mean of the refined KL map (zeros at refined-away pixels) over valid pixels
    n_valid, n_kept = float((gt != IGNORE).sum()), float((keep_gt != IGNORE).sum())
    literal = RefinedPixelWiseKDLoss(normalize_by='valid')(s, t, gt, mask)
    assert literal.item() == pytest.approx(expected.item() * n_kept / n_valid, rel=1e-5)
    # no mask: plain pixel KD
    assert RefinedPixelWiseKDLoss(tau=2.0)(s, t, gt).item() == pytest.approx(
        PixelWiseKDLoss(tau=2.0)(s, t, gt).item(), rel=1e-6)


def test_refine_mask_at_another_resolution_is_resized_by_nearest():
    s, t, gt, _ = data(seed=8, h=4, w=4)
    small = torch.tensor([[1.0, 0.0], [1.0, 1.0]]).expand(2, 1, 2, 2)
    big = F.interpolate(small, size=(4, 4), mode='nearest')
    for loss in (FRKDInterClassLoss(), FRKDIntraClassLoss(), RefinedPixelWiseKDLoss()):
        assert loss(s, t, gt, small).item() == pytest.approx(loss(s, t, gt, big).item(), rel=1e-6)


def test_teacher_resized_to_student():
    s, t, gt, mask = data(seed=9, h=4, w=4)
    t_big = F.interpolate(t, size=(8, 8), mode='bilinear', align_corners=False)
    t_back = F.interpolate(t_big, size=(4, 4), mode='bilinear', align_corners=False)
    loss = FRKDInterClassLoss()(s, t_big, gt, mask)
    assert loss.item() == pytest.approx(ref_inter(s, t_back, gt, mask), rel=1e-4)


# ------------------------------------------------------------------------------- gradients
def _all_losses():
    return [FRKDInterClassLoss(), FRKDInterClassLoss(normalize=True, criterion='smooth_l1'),
            FRKDIntraClassLoss(), FRKDIntraClassLoss(pixels='boundary', normalize=True),
            FRKDInterClassLoss(normalize='teacher'), FRKDIntraClassLoss(normalize='teacher'),
            FRKDSimilarityLoss(), FRKDSimilarityLoss(level='pixel'), FRKDSimilarityLoss(cosine=False),
            RefinedPixelWiseKDLoss()]


@pytest.mark.parametrize('loss', _all_losses(), ids=lambda m: type(m).__name__)
def test_gradcheck(loss):
    s, t, gt, mask = data(b=2, c=3, h=3, w=3, seed=10, dtype=torch.double)
    s.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda x: loss(x, t, gt, mask), (s, ))


@pytest.mark.parametrize('loss', _all_losses(), ids=lambda m: type(m).__name__)
def test_only_the_student_gets_gradients(loss):
    s, t, gt, mask = data(seed=11)
    s.requires_grad_(True)
    t.requires_grad_(True)
    loss(s, t, gt, mask).backward()
    assert t.grad is None and s.grad is not None and torch.isfinite(s.grad).all()


# ------------------------------------------------------------------------------- edge cases
def _finite_value_and_grad(loss, s, t, gt, mask):
    s = s.clone().requires_grad_(True)
    value = loss(s, t, gt, mask)
    value.backward()
    assert torch.isfinite(value), type(loss).__name__
    assert s.grad is not None and torch.isfinite(s.grad).all(), type(loss).__name__
    return value.item(), s.grad


@pytest.mark.parametrize('loss', _all_losses(), ids=lambda m: type(m).__name__)
def test_ignored_pixels_do_not_matter(loss):
    s, t, gt, mask = data(seed=12)
    gt[1, 2:4, 1:5] = IGNORE
    ignored = (gt == IGNORE)[:, None].expand_as(s)
    s2, t2 = s.clone(), t.clone()
    s2[ignored] = 100.0 * torch.randn(int(ignored.sum()))
    t2[ignored] = -50.0
    assert loss(s, t, gt, mask).item() == pytest.approx(loss(s2, t2, gt, mask).item(), rel=1e-5, abs=1e-7)
    _, grad = _finite_value_and_grad(loss, s2, t2, gt, mask)
    assert (grad[ignored] == 0).all()


@pytest.mark.parametrize('loss', _all_losses(), ids=lambda m: type(m).__name__)
def test_all_pixels_ignored(loss):
    s, t, gt, mask = data(seed=13)
    value, grad = _finite_value_and_grad(loss, s, t, torch.full_like(gt, IGNORE), mask)
    assert value == 0.0 and (grad == 0).all()


@pytest.mark.parametrize('loss', _all_losses(), ids=lambda m: type(m).__name__)
def test_all_background_refine_mask(loss):
    s, t, gt, mask = data(seed=14)
    value, grad = _finite_value_and_grad(loss, s, t, gt, torch.zeros_like(mask))
    assert value == 0.0 and (grad == 0).all()


@pytest.mark.parametrize('loss', _all_losses(), ids=lambda m: type(m).__name__)
def test_single_class_batch(loss):
    s, t, gt, mask = data(seed=15)
    value, _ = _finite_value_and_grad(loss, s, t, torch.full_like(gt, 2), mask)
    if isinstance(loss, FRKDInterClassLoss):
        assert value == 0.0  # no pair of present classes
    else:
        assert value >= 0.0


def test_single_class_inter_and_intra_values():
    s, t, gt, mask = data(seed=16)
    gt = torch.full_like(gt, 1)
    assert FRKDIntraClassLoss()(s, t, gt, mask).item() == pytest.approx(ref_intra(s, t, gt, mask), rel=1e-4)
    assert FRKDSimilarityLoss()(s, t, gt, mask).item() == pytest.approx(0.0, abs=1e-6)  # 1×1 cosine = 1


@pytest.mark.parametrize('loss', _all_losses(), ids=lambda m: type(m).__name__)
def test_class_present_in_one_image_only(loss):
    s, t, gt, mask = data(b=2, c=4, seed=17, ignore=False)
    gt[0] = torch.randint(0, 2, gt[0].shape)  # image 0: classes 0, 1
    gt[1] = 2 + torch.randint(0, 2, gt[1].shape)  # image 1: classes 2, 3
    gt[1, 0, 0] = 1  # class 1 in image 1 by a single pixel (distance 0 to its own center)
    mask[1, 0, 0, 0] = 1
    _finite_value_and_grad(loss, s, t, gt, mask)


def test_class_present_in_one_image_only_values():
    s, t, gt, mask = data(b=2, c=4, seed=18, ignore=False)
    gt[0] = torch.randint(0, 2, gt[0].shape)
    gt[1] = 2 + torch.randint(0, 2, gt[1].shape)
    gt[1, 0, 0] = 1
    mask[1, 0, 0, 0] = 1
    for per_image in (True, False):
        assert FRKDInterClassLoss(per_image=per_image)(s, t, gt, mask).item() == pytest.approx(
            ref_inter(s, t, gt, mask, per_image=per_image), rel=1e-4)
        assert FRKDIntraClassLoss(per_image=per_image)(s, t, gt, mask).item() == pytest.approx(
            ref_intra(s, t, gt, mask, per_image=per_image), rel=1e-4)


def test_identical_centers_give_zero_not_nan_gradient():
    # two classes with exactly the same student output: distance 0, gradient must stay finite
    s = torch.ones(1, 3, 2, 2, requires_grad=True)
    t = torch.randn(1, 3, 2, 2)
    gt = torch.tensor([[[0, 0], [1, 1]]])
    for loss in (FRKDInterClassLoss(), FRKDIntraClassLoss(), FRKDInterClassLoss(normalize=True)):
        s.grad = None
        loss(s, t, gt).backward()
        assert torch.isfinite(s.grad).all()


def test_teacher_normalisation_keeps_gradients_bounded_for_a_collapsed_student():
    # an untrained student whose class centers almost coincide: dividing by its own mean distance (RKD-style,
    # normalize='each') amplifies the gradient by ~1/mean; dividing by the teacher's mean does not
    s0, t, gt, _ = data(seed=12)
    s = (s0 * 1e-4).requires_grad_(True)
    grads = {}
    for mode in ('each', 'teacher'):
        s.grad = None
        FRKDInterClassLoss(normalize=mode)(s, t, gt).backward()
        grads[mode] = s.grad.abs().max().item()
    assert grads['each'] > 100 * grads['teacher']
    s.grad = None
    FRKDIntraClassLoss(normalize='teacher')(s, t, gt).backward()
    assert torch.isfinite(s.grad).all()


# ------------------------------------------------------------------------------- errors
def test_errors_name_the_problem():
    s, t, gt, mask = data()
    with pytest.raises(ValueError, match="FRKDInterClassLoss: assign='gt' needs gt_sem_seg"):
        FRKDInterClassLoss()(s, t, None, mask)
    bad = gt.clone()
    bad[1, 1, 1] = 9
    with pytest.raises(ValueError, match=r'FRKDIntraClassLoss: gt_sem_seg has labels \[9\] outside \[0, 4\)'):
        FRKDIntraClassLoss()(s, t, bad, mask)
    with pytest.raises(ValueError, match=r'FRKDSimilarityLoss: refine_mask must be .*\(3, 1, 5, 6\)'):
        FRKDSimilarityLoss()(s, t, gt, torch.ones(3, 1, 5, 6))
    with pytest.raises(ValueError, match=r'RefinedPixelWiseKDLoss: refine_mask must be'):
        RefinedPixelWiseKDLoss()(s, t, gt, torch.ones(2, 2, 5, 6))
    with pytest.raises(ValueError, match='batch/channel'):
        FRKDInterClassLoss()(s, t[:, :3], gt)
    with pytest.raises(ValueError, match='labels have batch size 1'):
        FRKDInterClassLoss()(s, t, gt[:1])
    with pytest.raises(ValueError, match="FRKDInterClassLoss: assign='pred'"):
        FRKDInterClassLoss(assign='pred')
    with pytest.raises(ValueError, match="space='probs'"):
        FRKDIntraClassLoss(space='probs')
    with pytest.raises(ValueError, match="pixels='edges'"):
        FRKDIntraClassLoss(pixels='edges')
    with pytest.raises(ValueError, match="level='pixel' supports criterion='mse' only"):
        FRKDSimilarityLoss(level='pixel', criterion='l1')
    with pytest.raises(ValueError,
                       match=r"FRKDInterClassLoss: normalize='student' is not one of \('each', 'teacher'\)"):
        FRKDInterClassLoss(normalize='student')
    with pytest.raises(ValueError, match="normalize_by='all'"):
        RefinedPixelWiseKDLoss(normalize_by='all')
    with pytest.raises(ValueError, match='tau must be positive'):
        FRKDInterClassLoss(tau=0.0)


def test_loss_weight_is_an_attribute_a_hook_can_change():
    s, t, gt, mask = data(seed=19)
    loss = FRKDInterClassLoss(loss_weight=1.0)
    base = loss(s, t, gt, mask).item()
    loss.loss_weight = 0.25
    assert loss(s, t, gt, mask).item() == pytest.approx(0.25 * base, rel=1e-6)
    assert math.isfinite(base)
