"""FRKDNet's similarity-matrix term (docs/methods/frkd.md): inner-product similarity matrices matched by MSE."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS

from .class_centers import ClassCenterDistillBase, class_centers, criterion, zero_with_graph
from ...utils.checks import check_choice

#: Whose similarities are compared: class centers (C×C) or refined pixels (N×N).
LEVELS = ('class', 'pixel')


@MODELS.register_module()
class FRKDSimilarityLoss(ClassCenterDistillBase):
    """Similarity-matrix distillation on refined outputs.

    The paper names "a similarity matrix (inner-product similarity) matched with MSE" next to the distance
    losses without saying between what; both readings are offered:

    * ``level='class'`` (default): the C×C matrix ``A_ij = ⟨c_i, c_j⟩`` of class centers (the same centers
      as :class:`FRKDInterClassLoss`), entries where classes i and j are both present (diagonal included).
    * ``level='pixel'``: the N×N matrix ``A_xy = ⟨o(x), o(y)⟩`` between the participating (valid, kept)
      pixels of one image (SKD's pair-wise term on refined outputs). It is never built: the sum of squared
      differences is ``‖F_S F_Sᵀ‖² − 2‖F_S F_Tᵀ‖² + ‖F_T F_Tᵀ‖²`` with the C×N matrices F, accumulated in
      float64 (cancellation), so memory stays O(C·N). Always per image.

    ``cosine=True`` (default) L2-normalises the vectors first (cosine similarity, bounded, scale free);
    ``cosine=False`` uses raw inner products.

    Shapes: ``preds_S`` (B, C, h, w) student logits, ``preds_T`` (B, C, h', w') teacher logits,
    ``gt_sem_seg`` (B, H, W) labels (optional unless ``assign='gt'`` with ``level='class'``), ``refine_mask``
    (B, 1, h'', w'') 0/1 (optional).

    Reduction: ``'class'``: **mean over the contributing (i, j) entries** of all groups; ``'pixel'``: **mean
    over all participating pixel pairs** of the batch (Σ_b n_b² pairs; MSE only). Times ``loss_weight``.
    Nothing to compare gives 0 with a graph.

    Args:
        level (str): ``'class'`` (default) or ``'pixel'``.
        cosine (bool): Cosine instead of raw inner-product similarity. Defaults to True.
        Others: see :class:`~mmkdseg.models.losses.class_centers.ClassCenterDistillBase` (``normalize`` is not
        used here).
    """

    def __init__(self, level: str = 'class', cosine: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        name = type(self).__name__
        check_choice(level, LEVELS, 'level', name)
        if level == 'pixel' and self.criterion != 'mse':
            raise ValueError(f"{name}: level='pixel' supports criterion='mse' only (computed from Gram "
                             f"products), got {self.criterion!r}")
        if level == 'pixel' and not self.per_image:
            raise ValueError(f"{name}: level='pixel' is always per image; per_image=False is not supported")
        self.level = level
        self.cosine = cosine

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor, gt_sem_seg: Optional[torch.Tensor] = None,
                refine_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        xs, xt, classes, used, _, _ = self.prepare(preds_S, preds_T, gt_sem_seg, refine_mask)
        if self.level == 'class':
            return self.loss_weight * self._class_level(preds_S, xs, xt, classes, used)
        return self.loss_weight * self._pixel_level(preds_S, xs, xt, used)

    def _class_level(self, preds_S, xs, xt, classes, used):
        num_classes = xs.shape[1]
        c_s, counts = class_centers(xs, classes, used, num_classes)
        c_t, _ = class_centers(xt, classes, used, num_classes)
        if self.cosine:
            c_s, c_t = F.normalize(c_s, dim=-1), F.normalize(c_t, dim=-1)
        a_s, a_t = c_s @ c_s.transpose(1, 2), c_t @ c_t.transpose(1, 2)  # (G, K, K)
        present = counts > 0
        pairs = (present[:, :, None] & present[:, None, :]).to(a_s.dtype)
        if not bool(pairs.any()):
            return zero_with_graph(preds_S)
        return (criterion(a_s, a_t, self.criterion) * pairs).sum() / pairs.sum()

    def _pixel_level(self, preds_S, xs, xt, used):
        w = used.to(xs.dtype)[:, None]  # (B, 1, N)
        n = used.sum(dim=1).to(torch.float64)  # (B,)
        if not bool((n > 0).any()):
            return zero_with_graph(preds_S)
        if self.cosine:
            xs, xt = F.normalize(xs, dim=1), F.normalize(xt, dim=1)
        f_s, f_t = (xs * w).double(), (xt * w).double()  # zero columns for pixels that do not take part
        g_ss = f_s @ f_s.transpose(1, 2)  # (B, C, C)
        g_st = f_s @ f_t.transpose(1, 2)
        g_tt = f_t @ f_t.transpose(1, 2)
        sq = g_ss.pow(2).sum((1, 2)) - 2 * g_st.pow(2).sum((1, 2)) + g_tt.pow(2).sum((1, 2))
        loss = sq.clamp(min=0).sum() / n.pow(2).sum()
        return loss.to(preds_S.dtype)

    def extra_repr(self) -> str:
        return super().extra_repr() + f', level={self.level!r}, cosine={self.cosine}'
