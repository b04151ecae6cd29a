"""CutMix with box masks for unlabeled image pairs (MGD-SSSS's pixel-level consistency, docs/methods/mgd_ssss.md).

``BoxMaskGenerator`` draws one binary mask per mixed image; :func:`cutmix` blends two tensors with it.
The same mask is applied to the two source *images* (to build the student's input) and to the teachers'
*logits* of the two source images (to build the pseudo labels of the mixed image), so the pseudo label
of every pixel comes from the image that pixel was taken from.
"""
import math
from typing import Optional, Sequence, Tuple

import torch
from mmrazor.registry import TASK_UTILS


def cutmix(base: torch.Tensor, other: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``base · (1 − mask) + other · mask`` for (B, K, H, W) tensors and a (B, 1, H, W) {0, 1} mask.

    The mask is resized to the tensors' size by nearest neighbour if needed (it is binary, so mixing
    logits or probabilities gives the same arg-max).
    """
    if base.shape != other.shape:
        raise ValueError(f'cutmix: the two sources differ in shape: {tuple(base.shape)} vs {tuple(other.shape)}')
    if mask.dim() != 4 or mask.shape[1] != 1 or mask.shape[0] != base.shape[0]:
        raise ValueError(f'cutmix: mask must be (B, 1, H, W) with B={base.shape[0]}, got {tuple(mask.shape)}')
    if mask.shape[-2:] != base.shape[-2:]:
        mask = torch.nn.functional.interpolate(mask.float(), size=base.shape[-2:], mode='nearest')
    mask = mask.to(base.dtype)
    return base * (1 - mask) + other * mask


@TASK_UTILS.register_module()
class BoxMaskGenerator:
    """Random box masks for CutMix (French et al. 2020, as used by CPS and MGD-SSSS).

    For every mask a total proportion ``p ~ U(area_range)`` is drawn; each of the ``num_boxes`` boxes
    then covers ``p / num_boxes`` of the image: its height and width are the shares
    ``p^u · √(1/n)`` and ``p^(1−u) · √(1/n)`` of the image's (``u ~ U(0, 1)``, a log-uniform aspect
    ratio; ``random_aspect_ratio=False`` gives ``u = 1/2``), at a uniformly random position inside the
    image. Pixels inside any box are 1
    (take them from the partner image), the rest 0. Boxes that overlap are united, so the mask covers
    at most ``p`` of the image (the reference code XOR-ed overlaps, which pastes the base image back
    into the overlap; union keeps "a box is pasted" literally true). Per-box proportions and positions
    are drawn independently per box, like the reference implementation.

    Args:
        num_boxes (int): Boxes per mask. Defaults to 3 (MGD-SSSS).
        area_range (tuple): Range of the total proportion ``p``. Defaults to (0.25, 0.5) (MGD-SSSS).
        random_aspect_ratio (bool): Random box shapes; False gives squares. Defaults to True.
    """

    def __init__(self, num_boxes: int = 3, area_range: Sequence[float] = (0.25, 0.5),
                 random_aspect_ratio: bool = True) -> None:
        if not isinstance(num_boxes, int) or num_boxes < 1:
            raise ValueError(f'BoxMaskGenerator: num_boxes must be a positive integer, got {num_boxes!r}')
        lo, hi = (float(v) for v in area_range)
        if not 0 < lo <= hi <= 1:
            raise ValueError(f'BoxMaskGenerator: area_range must satisfy 0 < low <= high <= 1, got {area_range}')
        self.num_boxes = num_boxes
        self.area_range = (lo, hi)
        self.random_aspect_ratio = random_aspect_ratio

    def boxes(self, num_masks: int, size: Tuple[int, int],
              generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """(num_masks, num_boxes, 4) integer boxes ``(y0, x0, y1, x1)`` (end exclusive)."""
        h, w = size
        n, k = num_masks, self.num_boxes
        lo, hi = self.area_range
        props = lo + (hi - lo) * torch.rand(n, k, generator=generator, dtype=torch.float64)
        if self.random_aspect_ratio:
            u = torch.rand(n, k, generator=generator, dtype=torch.float64)
            y_props = torch.exp(u * torch.log(props))  # in [p, 1]
            x_props = props / y_props
        else:
            y_props = x_props = props.sqrt()
        fac = math.sqrt(1.0 / k)
        sizes = torch.stack([y_props * fac * h, x_props * fac * w], dim=-1).round()
        limits = torch.tensor([h, w], dtype=torch.float64)
        sizes = torch.minimum(sizes, limits)
        pos = ((limits - sizes) * torch.rand(n, k, 2, generator=generator, dtype=torch.float64)).round()
        return torch.cat([pos, pos + sizes], dim=-1).long()

    def __call__(self, num_masks: int, size: Tuple[int, int], device=None,
                 generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """(num_masks, 1, H, W) float masks in {0, 1}; 1 = take the pixel from the partner image."""
        h, w = int(size[0]), int(size[1])
        boxes = self.boxes(num_masks, (h, w), generator)
        ys = torch.arange(h).view(1, 1, h, 1)
        xs = torch.arange(w).view(1, 1, 1, w)
        y0, x0, y1, x1 = (boxes[..., i].view(num_masks, self.num_boxes, 1, 1) for i in range(4))
        inside = (ys >= y0) & (ys < y1) & (xs >= x0) & (xs < x1)  # (n, k, h, w)
        return inside.any(dim=1, keepdim=True).float().to(device)
