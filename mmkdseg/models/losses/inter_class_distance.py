"""FRKDNet's inter-class distance loss (docs/methods/frkd.md)."""
from typing import Optional

import torch
from mmrazor.registry import MODELS

from .class_centers import (ClassCenterDistillBase, class_centers, criterion, normalise_distances, safe_norm,
                            zero_with_graph)


def center_distances(centers: torch.Tensor) -> torch.Tensor:
    """(G, K, C) centers → (G, K, K) Euclidean distances ‖c_i − c_j‖₂ (zero-safe gradient)."""
    return safe_norm(centers[:, :, None, :] - centers[:, None, :, :], dim=-1)


@MODELS.register_module()
class FRKDInterClassLoss(ClassCenterDistillBase):
    """Inter-class distance distillation: match the class-center distance matrices of student and teacher.

    For every group (image, or the batch with ``per_image=False``): class centers ``c_k`` = mean refined
    output over the participating pixels of class k (see :mod:`.class_centers`), ``D_ij = ‖c_i − c_j‖₂``
    (a C×C matrix), computed from the student's and the teacher's outputs with the **same** pixel
    assignment; loss = criterion(D^S_ij, D^T_ij).

    Only pairs of classes that are **both present** in the group contribute (a class without any
    participating pixel has no center), and each unordered pair counts once (i < j; D is symmetric with
    a zero diagonal).

    Shapes: ``preds_S`` (B, C, h, w) student logits, ``preds_T`` (B, C, h', w') teacher logits,
    ``gt_sem_seg`` (B, H, W) labels (optional with ``assign='teacher'``), ``refine_mask``
    (B, 1, h'', w'') 0/1 from :class:`~mmkdseg.models.connectors.FeatureRefineConnector` (optional; without
    it every valid pixel takes part).

    Reduction: **mean over the contributing class pairs** of all groups, times ``loss_weight``. A batch in
    which no group has two present classes (a single class, everything ignored, an all-zero refine mask)
    gives 0 with a graph (finite, zero gradients).

    Args: see :class:`~mmkdseg.models.losses.class_centers.ClassCenterDistillBase`
    (``normalize='each'`` divides each D matrix by the mean of its contributing entries first, ``'teacher'`` both by
    the teacher's mean).
    """

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor, gt_sem_seg: Optional[torch.Tensor] = None,
                refine_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        xs, xt, classes, used, _, _ = self.prepare(preds_S, preds_T, gt_sem_seg, refine_mask)
        num_classes = xs.shape[1]
        c_s, counts = class_centers(xs, classes, used, num_classes)
        c_t, _ = class_centers(xt, classes, used, num_classes)
        d_s, d_t = center_distances(c_s), center_distances(c_t)
        present = counts > 0
        upper = torch.ones(num_classes, num_classes, dtype=torch.bool, device=xs.device).triu(1)
        pairs = (present[:, :, None] & present[:, None, :] & upper).to(d_s.dtype)
        if not bool(pairs.any()):
            return self.loss_weight * zero_with_graph(preds_S)
        d_s, d_t = normalise_distances(d_s, d_t, pairs, (1, 2), self.normalize)
        loss = (criterion(d_s, d_t, self.criterion) * pairs).sum() / pairs.sum()
        return self.loss_weight * loss
