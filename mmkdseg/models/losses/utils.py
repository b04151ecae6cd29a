"""Helpers shared by mmkdseg's distillation losses: shape policies and valid-pixel masks."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from ...utils.checks import check_choice

#: How a loss reconciles student and teacher maps of different spatial size.
RESIZE_POLICIES = ('teacher_to_student', 'student_to_teacher', 'none')


def check_policy(resize: str) -> str:
    check_choice(resize, RESIZE_POLICIES, 'resize')
    return resize


def align_spatial(preds_S: torch.Tensor, preds_T: torch.Tensor, resize: str, loss_name: str,
                  align_corners: bool = False,
                  same_channels: bool = True) -> Tuple[torch.Tensor, torch.Tensor]:
    """Bring (B, C, H, W) student/teacher maps to one spatial size by ``resize`` policy.

    ``teacher_to_student`` bilinearly resizes the teacher map to the student's size (the teacher is
    detached, so no gradient flows through the resize); ``student_to_teacher`` resizes the student map
    (gradients flow back through the interpolation); ``none`` requires equal sizes. Batch sizes must
    always match, channel sizes too unless ``same_channels=False`` (losses that compare per-pixel
    statistics of feature maps of different widths).
    """
    if preds_S.dim() != 4 or preds_T.dim() != 4:
        raise ValueError(f'{loss_name}: expects (B, C, H, W) maps, got student {tuple(preds_S.shape)} '
                         f'and teacher {tuple(preds_T.shape)}')
    if preds_S.shape[:2] != preds_T.shape[:2] and (same_channels or preds_S.shape[0] != preds_T.shape[0]):
        what = 'batch/channel' if same_channels else 'batch'
        raise ValueError(f'{loss_name}: {what} sizes differ: student {tuple(preds_S.shape)} vs '
                         f'teacher {tuple(preds_T.shape)}')
    if preds_S.shape[2:] == preds_T.shape[2:]:
        return preds_S, preds_T
    if resize == 'teacher_to_student':
        preds_T = F.interpolate(preds_T, size=preds_S.shape[2:], mode='bilinear', align_corners=align_corners)
    elif resize == 'student_to_teacher':
        preds_S = F.interpolate(preds_S, size=preds_T.shape[2:], mode='bilinear', align_corners=align_corners)
    else:
        raise ValueError(f'{loss_name}: student {tuple(preds_S.shape)} and teacher '
                         f'{tuple(preds_T.shape)} differ in spatial size and resize="none"')
    return preds_S, preds_T


def at_least_float32(x: torch.Tensor) -> torch.Tensor:
    """``x`` in float32 if it is in a lower precision (float16, bfloat16), else unchanged (float32, float64)."""
    return x if x.dtype in (torch.float32, torch.float64) else x.float()


def resize_labels(gt: torch.Tensor, size) -> torch.Tensor:
    """Nearest-neighbour resize of (B, H, W) integer labels to ``size`` = (h, w)."""
    if gt.dim() == 4:
        gt = gt.squeeze(1)
    if tuple(gt.shape[-2:]) == tuple(size):
        return gt.long()
    return F.interpolate(gt[:, None].float(), size=tuple(size), mode='nearest')[:, 0].long()


def valid_mask(gt: Optional[torch.Tensor], shape, ignore_index: int, device) -> torch.Tensor:
    """(B, h, w) float mask of pixels whose resized label is not ``ignore_index`` (all ones if gt is None)."""
    b, h, w = shape[0], shape[-2], shape[-1]
    if gt is None:
        return torch.ones((b, h, w), device=device)
    if gt.shape[0] != b:
        raise ValueError(f'labels have batch size {gt.shape[0]} but the maps have {b}')
    return (resize_labels(gt, (h, w)) != ignore_index).float().to(device)


def check_labels(labels: torch.Tensor, valid: torch.Tensor, num_classes: Optional[int], ignore_index: int,
                 name: str) -> None:
    """Raise ``ValueError`` naming ``name`` if a non-ignored label is negative or not below ``num_classes``.

    Args:
        labels: integer labels of any shape; ``valid`` the bool mask of the non-ignored ones.
        num_classes: number of classes, or None (then only negative labels are refused).
    """
    bad = valid & (labels < 0)
    if num_classes is not None:
        bad = bad | (valid & (labels >= num_classes))
    if bool(bad.any()):
        allowed = f'[0, {num_classes})' if num_classes is not None else 'the non-negative integers'
        raise ValueError(f'{name}: gt_sem_seg has labels {sorted(set(labels[bad].tolist()))[:5]} outside '
                         f'{allowed} that are not ignore_index={ignore_index}')
