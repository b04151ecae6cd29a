"""FRKDNet's intra-class distance loss (docs/methods/frkd.md)."""
from typing import Optional

import torch
from mmrazor.registry import MODELS

from .class_centers import (ClassCenterDistillBase, class_boundary, class_centers, criterion, normalise_distances,
                            safe_norm, zero_with_graph)
from ...utils.checks import check_choice

#: Which pixels of a class are compared with its center.
PIXEL_SETS = ('all', 'boundary')


@MODELS.register_module()
class FRKDIntraClassLoss(ClassCenterDistillBase):
    """Intra-class distance distillation: match each pixel's distance to its class center.

    For every group (image, or the batch with ``per_image=False``) and every participating pixel x of class
    k: ``d(x) = ‖o(x) − c_k‖₂`` with ``o`` the refined output and ``c_k`` the class center (mean over the
    participating pixels of class k, :mod:`.class_centers`), for the student and for the teacher with the
    same assignment; loss = criterion(d^S(x), d^T(x)).

    ``pixels='boundary'`` (the paper's "edge pixels") compares only pixels that have a pixel of another
    class (or an ignored pixel) within ``boundary_radius`` in the class map (ground truth or teacher argmax,
    at the output resolution, before refinement); the centers still use every participating pixel.

    Shapes: ``preds_S`` (B, C, h, w) student logits, ``preds_T`` (B, C, h', w') teacher logits,
    ``gt_sem_seg`` (B, H, W) labels (optional with ``assign='teacher'``), ``refine_mask`` (B, 1, h'', w'')
    0/1 (optional).

    Reduction: **mean over the compared pixels** of the batch, times ``loss_weight``. No compared pixel
    gives 0 with a graph. With ``normalize='each'`` (or True) each group's distances are first divided by
    their mean over the compared pixels of that group; with ``'teacher'`` both by the teacher's mean.

    Args:
        pixels (str): ``'all'`` (default) or ``'boundary'``.
        boundary_radius (int): Neighbourhood radius of ``'boundary'`` (1 → 3×3). Defaults to 1.
        Others: see :class:`~mmkdseg.models.losses.class_centers.ClassCenterDistillBase`.
    """

    def __init__(self, pixels: str = 'all', boundary_radius: int = 1, **kwargs) -> None:
        super().__init__(**kwargs)
        check_choice(pixels, PIXEL_SETS, 'pixels', type(self).__name__)
        if boundary_radius < 1:
            raise ValueError(f'{type(self).__name__}: boundary_radius must be >= 1, got {boundary_radius}')
        self.pixels = pixels
        self.boundary_radius = boundary_radius

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor, gt_sem_seg: Optional[torch.Tensor] = None,
                refine_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        xs, xt, classes, used, class_map, used_map = self.prepare(preds_S, preds_T, gt_sem_seg, refine_mask)
        num_classes = xs.shape[1]
        c_s, _ = class_centers(xs, classes, used, num_classes)
        c_t, _ = class_centers(xt, classes, used, num_classes)
        compared = used_map
        if self.pixels == 'boundary':
            compared = compared & class_boundary(class_map, self.boundary_radius)
        if self.per_image:
            compared = compared.flatten(1)
        else:
            compared = compared.reshape(1, -1)
        if not bool(compared.any()):
            return self.loss_weight * zero_with_graph(preds_S)
        index = torch.where(used, classes, 0).clamp(0, num_classes - 1)  # (G, N)

        def distances(x, centers):  # (G, C, N), (G, K, C) -> (G, N)
            own = centers.gather(1, index[..., None].expand(-1, -1, centers.shape[-1]))  # (G, N, C)
            return safe_norm(x.transpose(1, 2) - own, dim=-1)

        d_s, d_t = distances(xs, c_s), distances(xt, c_t)
        weights = compared.to(d_s.dtype)
        d_s, d_t = normalise_distances(d_s, d_t, weights, (1, ), self.normalize)
        loss = (criterion(d_s, d_t, self.criterion) * weights).sum() / weights.sum()
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        return super().extra_repr() + f', pixels={self.pixels!r}'
