"""CIRKD's mini-batch pixel-to-pixel cross-image relation loss (Yang et al., CVPR 2022; docs/methods/cirkd.md)."""
from typing import List, Optional

import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS
from torch import nn

from .utils import align_spatial, at_least_float32, check_policy, valid_mask


@MODELS.register_module()
class CIRKDMiniBatchLoss(nn.Module):
    """Cross-image pixel-to-pixel relations within the mini-batch, student vs teacher (CIRKD, CVPR 2022).

    Every pixel embedding of every image of the batch is related to every pixel embedding of every image
    (itself included), in the student and in the teacher; the student's relation distributions are pulled to
    the teacher's. With ``f_b`` the L2-normalised (over channels) feature map of image ``b`` flattened to
    ``(N, C)`` and τ the temperature, for each ordered pair of images (i, j)::

        S_ij = f_i^S (f_j^S)ᵀ / τ,   T_ij = f_i^T (f_j^T)ᵀ / τ          (N × N similarity maps)
        L_ij = 1/N · Σ_n KL( softmax(T_ij[n, :]) ‖ softmax(S_ij[n, :]) )  (softmax over the N pixels of j)
        loss = loss_weight · 1/B² · Σ_i Σ_j L_ij

    Only similarities within the student (and within the teacher) are formed, so student and teacher may have
    different channel counts; no projection is needed (the authors feed the raw decoder features). There is
    no τ² factor (as in the authors' code). ``pooling=True`` average-pools both maps 2×2 (stride 2,
    ``ceil_mode``) first, the authors' option to save memory (off in their training script).

    Without ``gt_sem_seg`` every pixel takes part — exactly the authors' ``CriterionMiniBatchCrossImagePair``.
    With ``gt_sem_seg`` (nearest-resized to the feature size) pixels labelled ``ignore_index`` are left out
    of both the rows and the softmax columns; ``L_ij`` is then the mean over the valid rows of image i and
    the pairs (i, j) where either image has no valid pixel are skipped (mean over the remaining pairs; none
    left gives 0, with a graph). With pooling, a pooled cell is valid if any of its pixels is.

    The relations are those of one process's batch: under several processes each rank relates its own
    images (as the authors, whose gather is commented out). The teacher is detached. Computed in at least
    float32, also under autocast. Memory grows as B²·N² (the pairs are formed one at a time, like the
    authors').

    Shapes: ``preds_S`` (B, C_S, h, w), ``preds_T`` (B, C_T, h', w') feature maps (the teacher's resized
    bilinearly to the student's size by ``resize``), ``gt_sem_seg`` (B, H, W) optional. Returns a scalar.

    Args:
        temperature (float): τ of the similarity softmax. Defaults to 0.1 (the authors'
            ``--contrast-temperature``).
        loss_weight (float): λ of the mini-batch term. Defaults to 1 (the authors' ``--lambda-minibatch-pixel``).
        pooling (bool): 2×2 average pooling of both maps first. Defaults to False (the authors' default).
        ignore_index (int): Label left out when ``gt_sem_seg`` is given. Defaults to 255.
        resize (str): Shape policy when the spatial sizes differ
            (:func:`~mmkdseg.models.losses.utils.align_spatial`). Defaults to ``'teacher_to_student'``.
    """

    def __init__(self, temperature: float = 0.1, loss_weight: float = 1.0, pooling: bool = False,
                 ignore_index: int = 255, resize: str = 'teacher_to_student') -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'{type(self).__name__}: temperature must be positive, got {temperature}')
        self.temperature = float(temperature)
        self.loss_weight = loss_weight
        self.pooling = bool(pooling)
        self.ignore_index = ignore_index
        self.resize = check_policy(resize)

    def _rows(self, feats: torch.Tensor, valid: Optional[torch.Tensor]) -> List[torch.Tensor]:
        """Per image, the (n_b, C) normalised embeddings of its valid pixels."""
        feats = F.normalize(feats, p=2, dim=1).flatten(2).transpose(1, 2)  # (B, N, C)
        if valid is None:
            return list(feats.unbind(0))
        return [f[v] for f, v in zip(feats.unbind(0), valid.flatten(1).unbind(0))]

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor,
                gt_sem_seg: Optional[torch.Tensor] = None) -> torch.Tensor:
        name = type(self).__name__
        preds_S, preds_T = align_spatial(preds_S, preds_T.detach(), self.resize, name, same_channels=False)
        feat_S = at_least_float32(preds_S)
        feat_T = at_least_float32(preds_T).to(feat_S.dtype)
        valid = None
        if gt_sem_seg is not None:
            valid = valid_mask(gt_sem_seg, feat_S.shape, self.ignore_index, feat_S.device)
        if self.pooling:
            feat_S = F.avg_pool2d(feat_S, kernel_size=2, stride=2, ceil_mode=True)
            feat_T = F.avg_pool2d(feat_T, kernel_size=2, stride=2, ceil_mode=True)
            if valid is not None:
                valid = F.max_pool2d(valid[:, None], kernel_size=2, stride=2, ceil_mode=True)[:, 0]
        if valid is not None:
            valid = valid > 0
        with torch.autocast(device_type=feat_S.device.type, enabled=False):  # similarities in float32
            rows_S, rows_T = self._rows(feat_S, valid), self._rows(feat_T, valid)
            total, pairs = feat_S.sum() * 0, 0
            for i in range(len(rows_S)):
                if rows_S[i].shape[0] == 0:
                    continue
                for j in range(len(rows_S)):
                    if rows_S[j].shape[0] == 0:
                        continue
                    log_p_S = F.log_softmax(rows_S[i] @ rows_S[j].t() / self.temperature, dim=1)
                    with torch.no_grad():
                        log_p_T = F.log_softmax(rows_T[i] @ rows_T[j].t() / self.temperature, dim=1)
                    total = total + (log_p_T.exp() * (log_p_T - log_p_S)).sum() / rows_S[i].shape[0]
                    pairs += 1
        return self.loss_weight * total / max(pairs, 1)
