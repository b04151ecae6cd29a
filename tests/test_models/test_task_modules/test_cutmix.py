"""BoxMaskGenerator and cutmix (MGD-SSSS pixel-level consistency)."""
import math

import pytest
import torch
from mmrazor.registry import TASK_UTILS

from mmkdseg.models.task_modules import BoxMaskGenerator, cutmix


def gen(seed=0):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def paint(boxes, h, w):
    """Reference: paint every box with loops (union)."""
    n = boxes.shape[0]
    mask = torch.zeros(n, 1, h, w)
    for i in range(n):
        for y0, x0, y1, x1 in boxes[i].tolist():
            for y in range(y0, y1):
                for x in range(x0, x1):
                    mask[i, 0, y, x] = 1
    return mask


def test_registered_and_built_from_config():
    m = TASK_UTILS.build(dict(type='BoxMaskGenerator', num_boxes=2, area_range=(0.1, 0.2)))
    assert isinstance(m, BoxMaskGenerator) and m.num_boxes == 2


def test_mask_is_the_union_of_the_boxes():
    m = BoxMaskGenerator(num_boxes=3, area_range=(0.25, 0.5))
    boxes = m.boxes(4, (20, 30), gen(1))
    mask = m(4, (20, 30), generator=gen(1))
    assert mask.shape == (4, 1, 20, 30) and mask.dtype == torch.float32
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(mask, paint(boxes, 20, 30))


def test_boxes_inside_image_with_the_drawn_areas():
    h, w, k = 64, 48, 3
    m = BoxMaskGenerator(num_boxes=k, area_range=(0.25, 0.5))
    boxes = m.boxes(200, (h, w), gen(2))
    y0, x0, y1, x1 = boxes.unbind(-1)
    assert (y0 >= 0).all() and (x0 >= 0).all() and (y1 <= h).all() and (x1 <= w).all()
    areas = ((y1 - y0) * (x1 - x0)).double() / (h * w)
    # each box covers p/k of the image, p in [0.25, 0.5] (up to rounding of the sides)
    slack = 1.5 / min(h, w) * 2
    assert areas.min() >= 0.25 / k - slack and areas.max() <= 0.5 / k + slack
    covered = m(200, (h, w), generator=gen(2)).mean(dim=(1, 2, 3))
    assert covered.max() <= 0.5 + slack and covered.min() >= 0.25 / k - slack
    assert covered.mean() > 0.2  # mostly disjoint boxes: close to the drawn total


def test_square_boxes_without_random_aspect_ratio():
    m = BoxMaskGenerator(num_boxes=1, area_range=(0.3, 0.3), random_aspect_ratio=False)
    boxes = m.boxes(10, (50, 50), gen(3))
    sides = torch.stack([boxes[..., 2] - boxes[..., 0], boxes[..., 3] - boxes[..., 1]], -1)
    assert (sides == round(math.sqrt(0.3) * 50)).all()


def test_seeded_and_varied():
    m = BoxMaskGenerator()
    assert torch.equal(m(3, (16, 16), generator=gen(4)), m(3, (16, 16), generator=gen(4)))
    assert not torch.equal(m(3, (16, 16), generator=gen(4)), m(3, (16, 16), generator=gen(5)))


@pytest.mark.parametrize('kwargs,match', [(dict(num_boxes=0), 'num_boxes'),
                                          (dict(area_range=(0.6, 0.5)), 'area_range'),
                                          (dict(area_range=(0.0, 0.5)), 'area_range')])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        BoxMaskGenerator(**kwargs)


def test_cutmix_formula_and_mask_resize():
    a, b = torch.randn(2, 3, 4, 4), torch.randn(2, 3, 4, 4)
    mask = torch.zeros(2, 1, 4, 4)
    mask[0, :, :2] = 1
    out = cutmix(a, b, mask)
    assert torch.equal(out[0, :, :2], b[0, :, :2]) and torch.equal(out[0, :, 2:], a[0, :, 2:])
    assert torch.equal(out[1], a[1])
    big = torch.zeros(2, 1, 8, 8)
    big[0, :, :4] = 1  # the same mask at twice the resolution
    assert torch.equal(cutmix(a, b, big), out)


def test_cutmix_errors():
    a = torch.randn(2, 3, 4, 4)
    with pytest.raises(ValueError, match='differ in shape'):
        cutmix(a, torch.randn(2, 3, 4, 5), torch.zeros(2, 1, 4, 4))
    with pytest.raises(ValueError, match=r'mask must be \(B, 1, H, W\) with B=2'):
        cutmix(a, a, torch.zeros(3, 1, 4, 4))
