"""DIST for segmentation: relational distillation by Pearson correlation (Huang et al., NeurIPS 2022)."""
from typing import Optional

import torch
from mmrazor.models.losses import DISTLoss
from mmrazor.registry import MODELS

from .utils import align_spatial, at_least_float32, check_policy, valid_mask


@MODELS.register_module()
class SegDISTLoss(DISTLoss):
    """DIST on segmentation logits (docs/methods/dist.md): every valid pixel of the batch is a sample.

    With P_S = softmax(z_S / τ), P_T = softmax(z_T / τ) over the C classes and the N valid pixels of the batch
    as rows (P: N × C), and ρ the Pearson correlation:

    * inter-class relation  L_inter = 1 − mean over pixels n of ρ(P_S[n, :], P_T[n, :]);
    * intra-class relation  L_intra = 1 − mean over classes c of ρ(P_S[:, c], P_T[:, c]) (across all valid
      pixels of the batch);

    ``loss = loss_weight · τ² · (inter_loss_weight · L_inter + intra_loss_weight · L_intra)``.

    mmrazor's ``DISTLoss`` computes exactly this for (N, C) classification logits; this subclass turns the
    (B, C, h, w) maps into (N, C) rows first — resizing the teacher's logits to the student's
    (``resize``) and, with ``gt_sem_seg``, leaving out pixels whose nearest-resized label is ``ignore_index``
    — then calls it. Without labels, with τ = 1 and both weights 1, it equals the authors' segmentation code.
    No valid pixel gives 0 (with a graph). Computed in at least float32.

    Shapes: ``preds_S`` (B, C, h, w), ``preds_T`` (B, C, h', w') logits, ``gt_sem_seg`` (B, H, W) optional.
    Returns a scalar.

    Args:
        inter_loss_weight (float): β. Defaults to 1 (the authors').
        intra_loss_weight (float): γ. Defaults to 1 (the authors').
        tau (float): Temperature τ. Defaults to 1 (the authors' segmentation setting).
        loss_weight (float): Defaults to 1.
        ignore_index (int): Label left out when ``gt_sem_seg`` is given. Defaults to 255.
        resize (str): Shape policy when the logit sizes differ (:func:`~mmkdseg.models.losses.utils.align_spatial`).
    """

    def __init__(self, inter_loss_weight: float = 1.0, intra_loss_weight: float = 1.0, tau: float = 1.0,
                 loss_weight: float = 1.0, ignore_index: int = 255, resize: str = 'teacher_to_student') -> None:
        if tau <= 0:
            raise ValueError(f'{type(self).__name__}: tau must be positive, got {tau}')
        super().__init__(inter_loss_weight=inter_loss_weight, intra_loss_weight=intra_loss_weight, tau=tau,
                         loss_weight=loss_weight, teacher_detach=True)
        self.ignore_index = ignore_index
        self.resize = check_policy(resize)

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor,
                gt_sem_seg: Optional[torch.Tensor] = None) -> torch.Tensor:
        preds_S, preds_T = align_spatial(preds_S, preds_T.detach(), self.resize, type(self).__name__)
        num_classes = preds_S.shape[1]
        rows_S = at_least_float32(preds_S).permute(0, 2, 3, 1).reshape(-1, num_classes)
        rows_T = at_least_float32(preds_T).permute(0, 2, 3, 1).reshape(-1, num_classes)
        valid = valid_mask(gt_sem_seg, preds_S.shape, self.ignore_index, preds_S.device).reshape(-1) > 0
        if not bool(valid.any()):
            return preds_S.sum() * 0
        return super().forward(rows_S[valid], rows_T[valid])
