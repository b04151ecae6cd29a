"""Pixel-wise KD on FRKDNet-refined outputs (the "+refine" row of the FRKD ablation, docs/methods/frkd.md)."""
from typing import Optional

import torch
from mmrazor.registry import MODELS

from .class_centers import resize_refine_mask
from .pixel_wise_kd import PixelWiseKDLoss
from .utils import align_spatial, valid_mask
from ...utils.checks import check_choice

#: What the summed KL of a refined batch is divided by (``reduction='mean'``).
NORMALIZERS = ('kept', 'valid')


@MODELS.register_module()
class RefinedPixelWiseKDLoss(PixelWiseKDLoss):
    """:class:`PixelWiseKDLoss` on refined outputs: both logits are multiplied by the refine mask first.

    ``KL(σ_τ(M·z_T) ‖ σ_τ(M·z_S))·τ²`` per pixel, with M the 0/1 mask of
    :class:`~mmkdseg.models.connectors.FeatureRefineConnector`. This is the paper's operation taken
    literally: at a zeroed pixel both outputs become the same uniform distribution, so the pixel adds 0
    and passes no gradient — pixel KD restricted to the kept pixels.

    Shapes: as :class:`PixelWiseKDLoss`, plus ``refine_mask`` (B, 1, h'', w'') or (B, h'', w'') (resized to
    the logit size by nearest neighbour). Without ``refine_mask`` this is exactly :class:`PixelWiseKDLoss`.

    Reduction (``reduction='mean'``): the KL summed over kept, valid pixels, divided by

    * ``normalize_by='kept'`` (default): the number of kept, valid pixels — the loss keeps the scale of
      plain pixel KD whatever fraction the mask keeps;
    * ``normalize_by='valid'``: the number of valid pixels — the literal mean of the refined outputs'
      KL map (zeros included), i.e. plain pixel KD scaled down by the kept fraction.

    A batch with no kept valid pixel gives 0 with a graph. ``reduction='sum_over_hw'`` sums over kept
    valid pixels and divides by h·w (``normalize_by`` is not used).

    Args:
        normalize_by (str): ``'kept'`` (default) or ``'valid'``.
        Others: see :class:`PixelWiseKDLoss`.
    """

    def __init__(self, normalize_by: str = 'kept', **kwargs) -> None:
        super().__init__(**kwargs)
        check_choice(normalize_by, NORMALIZERS, 'normalize_by', type(self).__name__)
        self.normalize_by = normalize_by

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor, gt_sem_seg: Optional[torch.Tensor] = None,
                refine_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        if refine_mask is None:
            return super().forward(preds_S, preds_T, gt_sem_seg)
        name = type(self).__name__
        preds_S, preds_T = align_spatial(preds_S, preds_T.detach(), self.resize, name)
        keep = resize_refine_mask(refine_mask, preds_S.shape, name).to(preds_S.dtype)
        loss = super().forward(preds_S * keep[:, None], preds_T * keep[:, None], gt_sem_seg)
        if self.reduction == 'mean' and self.normalize_by == 'kept':
            valid = valid_mask(gt_sem_seg, preds_S.shape, self.ignore_index, preds_S.device)
            loss = loss * valid.sum().clamp(min=1) / (valid * keep).sum().clamp(min=1)
        return loss
