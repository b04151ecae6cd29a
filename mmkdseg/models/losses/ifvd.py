"""Intra-class feature variation distillation (IFVD, Wang et al. 2020; docs/methods/ifvd.md)."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS
from torch import nn

from .class_centers import class_centers
from .utils import align_spatial, check_labels, check_policy, resize_labels


def class_center_cosine(feats: torch.Tensor, labels: torch.Tensor, ignore_index: int = 255,
                        eps: float = 1e-8, num_classes: Optional[int] = None,
                        name: str = 'class_center_cosine') -> Tuple[torch.Tensor, torch.Tensor]:
    """Cosine similarity of every pixel's feature to the center of its class in the same image.

    The center of class ``k`` in image ``b`` is the mean feature over the pixels of ``b`` labelled ``k``
    (labels resized to the feature size by nearest neighbour). Pixels labelled ``ignore_index`` take
    part in no center and get no similarity; classes absent from an image have no center.

    Args:
        feats: ``(B, K, h, w)`` features.
        labels: ``(B, H, W)`` integer labels: ``ignore_index`` or in ``[0, num_classes)`` (a negative
            label, or one ``>= num_classes`` when that is given, raises ``ValueError``).
        num_classes: number of classes (None: only negative labels are refused).

    Returns:
        ``(cos, valid)``: ``(B, h, w)`` similarities (0 where not valid) and the ``(B, h, w)`` bool mask
        of valid pixels.
    """
    b, k, h, w = feats.shape
    lab = resize_labels(labels, (h, w)).to(feats.device)
    valid = lab != ignore_index
    check_labels(lab, valid, num_classes, ignore_index, name)
    num_classes = int(lab[valid].max()) + 1 if bool(valid.any()) else 1
    x = feats.flatten(2)  # (B, K, N)
    centers, _ = class_centers(x, lab.flatten(1), valid.flatten(1), num_classes)  # (B, classes, K)
    own = torch.where(valid, lab, 0).flatten(1)  # (B, N): each pixel's class
    own_centers = torch.gather(centers, 1, own[..., None].expand(-1, -1, k))  # (B, N, K)
    cos = F.cosine_similarity(x.transpose(1, 2), own_centers, dim=2, eps=eps).view(b, h, w)
    cos = cos * valid
    return cos, valid


@MODELS.register_module()
class IFVDLoss(nn.Module):
    """IFVD: match each pixel's cosine similarity to its class center between student and teacher.

    ``map(x) = cos(f(x), c_{y(x)})`` with ``c_k`` the label-masked mean feature of class ``k`` in the same
    image (:func:`class_center_cosine`); loss = ``MSE(map_S, map_T)``. Student and teacher features may have
    different numbers of channels (only the similarity maps are compared).

    Shapes: ``preds_S`` (B, K_S, h, w) student features, ``preds_T`` (B, K_T, h', w') teacher features
    (detached; resized to the student's size by default, before the centers are computed),
    ``gt_sem_seg`` (B, H, W) labels (resized to the feature size by nearest neighbour; pass them with
    ``from_data='gt_sem_seg'``).

    Reduction: **mean over valid pixels** of the batch (pixels labelled ``ignore_index`` are excluded from
    the centers and the mean; classes absent from an image have no center), times ``loss_weight``. A
    batch without any valid pixel gives 0 (with a graph).

    Args:
        loss_weight (float): Weight of the loss. Defaults to 200 (docs/methods/ifvd.md).
        ignore_index (int): Label excluded everywhere. Defaults to 255.
        resize (str): ``'teacher_to_student'`` (default), ``'student_to_teacher'`` or ``'none'``.
        eps (float): ``eps`` of the cosine similarity. Defaults to 1e-8.
        num_classes (int, optional): Number of classes; labels that are neither ``ignore_index`` nor in
            ``[0, num_classes)`` raise ``ValueError`` (negative labels always do).
    """

    def __init__(self, loss_weight: float = 200.0, ignore_index: int = 255,
                 resize: str = 'teacher_to_student', eps: float = 1e-8,
                 num_classes: Optional[int] = None) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.loss_weight = loss_weight
        self.ignore_index = ignore_index
        self.resize = check_policy(resize)
        self.eps = eps

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor,
                gt_sem_seg: torch.Tensor) -> torch.Tensor:
        name = type(self).__name__
        if gt_sem_seg is None or gt_sem_seg.dim() not in (3, 4):
            raise ValueError(f'{name}: needs gt_sem_seg labels of shape (B, H, W) (map them with '
                             f'from_data=\'gt_sem_seg\'), got '
                             f'{None if gt_sem_seg is None else tuple(gt_sem_seg.shape)}')
        preds_S, preds_T = align_spatial(preds_S, preds_T.detach(), self.resize, name, same_channels=False)
        if gt_sem_seg.shape[0] != preds_S.shape[0]:
            raise ValueError(f'{name}: labels have batch size {gt_sem_seg.shape[0]} but the features '
                             f'have {preds_S.shape[0]}')
        cos_S, valid = class_center_cosine(preds_S, gt_sem_seg, self.ignore_index, self.eps, self.num_classes,
                                           name)
        cos_T, _ = class_center_cosine(preds_T, gt_sem_seg, self.ignore_index, self.eps, self.num_classes, name)
        sq = (cos_S - cos_T)[valid].pow(2)
        loss = sq.sum() / max(sq.numel(), 1)
        return self.loss_weight * loss
