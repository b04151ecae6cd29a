"""Pixel-wise knowledge distillation (Hinton KD per pixel; SKD's pixel-wise term)."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS
from torch import nn

from .utils import align_spatial, check_policy, valid_mask
from ...utils.checks import check_choice

REDUCTIONS = ('mean', 'sum_over_hw')


@MODELS.register_module()
class PixelWiseKDLoss(nn.Module):
    """Per-pixel KL(σ_τ(z_T) ‖ σ_τ(z_S)) · τ² (docs/methods/kd.md).

    Shapes: ``preds_S`` (B, C, h, w) student logits, ``preds_T`` (B, C, h', w') teacher logits,
    ``gt_sem_seg`` (B, H, W) labels (optional; resized to the logit size by nearest neighbour).

    Reduction:

    * ``'mean'`` (default): sum over classes, **mean over valid pixels** of the whole batch — pixels
      whose label is ``ignore_index`` are excluded; without labels every pixel is valid. A batch with no
      valid pixel gives 0 (with a graph, so backward still works).
    * ``'sum_over_hw'``: the SKD authors' scale — sum over batch and valid pixels, divided by h·w only,
      so its magnitude grows with the batch size. Offered for reproducing their code, not as a default.

    Args:
        tau (float): Temperature τ. Defaults to 1.
        loss_weight (float): Weight of the loss. Defaults to 1.
        reduction (str): ``'mean'`` or ``'sum_over_hw'``.
        ignore_index (int): Label ignored when ``gt_sem_seg`` is passed. Defaults to 255.
        resize (str): ``'teacher_to_student'`` (default), ``'student_to_teacher'`` or ``'none'`` when the
            logit sizes differ (see :func:`mmkdseg.models.losses.utils.align_spatial`).
    """

    def __init__(self, tau: float = 1.0, loss_weight: float = 1.0, reduction: str = 'mean',
                 ignore_index: int = 255, resize: str = 'teacher_to_student') -> None:
        super().__init__()
        check_choice(reduction, REDUCTIONS, 'reduction')
        if tau <= 0:
            raise ValueError(f'tau must be positive, got {tau}')
        self.tau = tau
        self.loss_weight = loss_weight
        self.reduction = reduction
        self.ignore_index = ignore_index
        self.resize = check_policy(resize)

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor,
                gt_sem_seg: Optional[torch.Tensor] = None) -> torch.Tensor:
        preds_S, preds_T = align_spatial(preds_S, preds_T.detach(), self.resize, type(self).__name__)
        log_p_S = F.log_softmax(preds_S / self.tau, dim=1)
        log_p_T = F.log_softmax(preds_T / self.tau, dim=1)
        kl = (log_p_T.exp() * (log_p_T - log_p_S)).sum(1)  # (B, h, w)
        mask = valid_mask(gt_sem_seg, kl.shape, self.ignore_index, kl.device)
        total = (kl * mask).sum()
        if self.reduction == 'mean':
            loss = total / mask.sum().clamp(min=1)
        else:
            loss = total / (kl.shape[-2] * kl.shape[-1])
        return self.loss_weight * self.tau**2 * loss
