"""Image-level semantic-sensitive loss of MGD-SSSS (docs/methods/mgd_ssss.md)."""
import torch
from mmrazor.registry import MODELS
from torch import nn
from ...utils.checks import check_choice

REDUCTIONS = ('mean', 'sum')


@MODELS.register_module()
class SemanticSensitiveLoss(nn.Module):
    """L1 distance between the global-average-pooled logits of student and teacher.

    ``g = GAP(z)`` is a (B, C) image-level class-score vector; the loss is ``Σ_c |g_S − g_T|`` per image.
    MGD-SSSS applies it on CutMix images against the deep teacher (λ₁ = 0.002 for VOC ResNet-18,
    0.0005 for MobileNetV2, 0.001 for Cityscapes, with ``reduction='sum'``).

    Shapes: ``preds_S`` (B, C, h, w) student logits, ``preds_T`` (B, C, h', w') teacher logits; the
    spatial sizes may differ (the average is taken over each map's own pixels).

    Reduction:

    * ``'mean'`` (default): sum over classes, **mean over the batch** — independent of the batch size.
    * ``'sum'``: sum over classes and over the batch (the paper's formula; the reference code used 2
      images per GPU). Its scale grows with the per-process batch size, never with the number of
      processes (nothing is reduced across processes).

    Args:
        loss_weight (float): λ₁. Defaults to 1.
        reduction (str): ``'mean'`` or ``'sum'``.
    """

    def __init__(self, loss_weight: float = 1.0, reduction: str = 'mean') -> None:
        super().__init__()
        check_choice(reduction, REDUCTIONS, 'reduction', 'SemanticSensitiveLoss')
        self.loss_weight = loss_weight
        self.reduction = reduction

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor) -> torch.Tensor:
        if preds_S.dim() != 4 or preds_T.dim() != 4 or preds_S.shape[:2] != preds_T.shape[:2]:
            raise ValueError(f'SemanticSensitiveLoss: expects (B, C, H, W) logits with equal B and C, got '
                             f'student {tuple(preds_S.shape)} and teacher {tuple(preds_T.shape)}')
        g_S = preds_S.mean(dim=(2, 3))
        g_T = preds_T.detach().mean(dim=(2, 3))
        per_image = (g_S - g_T).abs().sum(dim=1)  # (B,)
        loss = per_image.mean() if self.reduction == 'mean' else per_image.sum()
        return self.loss_weight * loss
