"""Cross-entropy of the student against a teacher's arg-max pseudo labels (MGD-SSSS, docs/methods/mgd_ssss.md)."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS
from torch import nn

from .utils import align_spatial, check_policy


@MODELS.register_module()
class PseudoLabelCELoss(nn.Module):
    """CE(z_S, argmax_c z_T): the teacher's hard predictions supervise the student.

    MGD-SSSS uses it for both teachers on labeled images (next to the ground-truth CE) and on CutMix
    images, where ``preds_T`` are the teachers' logits of the two source images mixed with the same box
    mask as the images.

    Shapes: ``preds_S`` (B, C, h, w) student logits; ``preds_T`` (B, C, h', w') teacher logits (resized to
    the student's size by ``resize`` before the arg-max); ``valid`` (B, h, w) or (B, 1, h, w) mask of the
    pixels that count (1) — e.g. not padding — resized by nearest neighbour if its size differs;
    optional (every pixel counts).

    Reduction: **mean over valid pixels of the whole batch** (sum of per-pixel CE over valid pixels,
    divided by their number); 0 with a graph when no pixel is valid. Nothing is summed or averaged
    across processes, so the weight means the same for any number of GPUs.

    Args:
        loss_weight (float): Weight of the loss. Defaults to 1.
        resize (str): How to reconcile logit sizes (see ``losses.utils.align_spatial``). Defaults to
            ``'teacher_to_student'``.
        align_corners (bool): ``align_corners`` of that bilinear resize. Defaults to False.
    """

    def __init__(self, loss_weight: float = 1.0, resize: str = 'teacher_to_student',
                 align_corners: bool = False) -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.resize = check_policy(resize)
        self.align_corners = align_corners

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor,
                valid: Optional[torch.Tensor] = None) -> torch.Tensor:
        name = type(self).__name__
        preds_S, preds_T = align_spatial(preds_S, preds_T.detach(), self.resize, name, self.align_corners)
        pseudo = preds_T.argmax(dim=1)  # (B, h, w)
        ce = F.cross_entropy(preds_S, pseudo, reduction='none')  # (B, h, w)
        if valid is None:
            mask = torch.ones_like(ce)
        else:
            if valid.dim() == 4 and valid.shape[1] == 1:
                valid = valid[:, 0]
            if valid.dim() != 3 or valid.shape[0] != ce.shape[0]:
                raise ValueError(f'{name}: valid must be (B, h, w) or (B, 1, h, w) with B={ce.shape[0]}, '
                                 f'got {tuple(valid.shape)}')
            if valid.shape[-2:] != ce.shape[-2:]:
                valid = F.interpolate(valid[:, None].float(), size=ce.shape[-2:], mode='nearest')[:, 0]
            mask = valid.to(ce.dtype).detach()
        return self.loss_weight * (ce * mask).sum() / mask.sum().clamp(min=1)
