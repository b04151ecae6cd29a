"""Region-level content-aware loss of MGD-SSSS (docs/methods/mgd_ssss.md)."""
import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS
from torch import nn

from .utils import at_least_float32


def region_self_similarity(feats: torch.Tensor, pool_size: int, eps: float = 1e-8) -> torch.Tensor:
    """(B, K, H, W) features → (B, P, P) cosine similarities of the P = pool_size² pooled regions."""
    regions = F.adaptive_avg_pool2d(feats, pool_size).flatten(2)  # (B, K, P)
    regions = F.normalize(regions, dim=1, eps=eps)
    return regions.transpose(1, 2) @ regions


@MODELS.register_module()
class ContentAwareLoss(nn.Module):
    """MSE between the region self-similarity matrices of student and teacher decoder features.

    Both feature maps are average-pooled to ``pool_size × pool_size`` regions; each region is a vector of
    the model's own channels, and the (P × P) matrix of cosine similarities between regions
    (P = pool_size²) describes how the image's content relates across regions. The student's matrix is
    pulled towards the teacher's. Since only P × P matrices are compared, the channel counts and the
    spatial sizes of the two maps may differ (no connector is needed). MGD-SSSS applies it on CutMix
    images against the wide teacher, λ₂ = 100 (50 for MobileNetV2).

    Shapes: ``feats_S`` (B, K_S, h, w), ``feats_T`` (B, K_T, h', w').

    Reduction: **mean over the B · P · P matrix entries** (``F.mse_loss``), independent of the batch
    size and of the number of processes; computed in float32, also under autocast. A region whose pooled
    vector is zero has similarity 0 to every region (the norm is clamped at ``eps``; the reference code
    divided by zero there).

    Args:
        pool_size (int): Regions per side. Defaults to 7.
        loss_weight (float): λ₂. Defaults to 1.
    """

    def __init__(self, pool_size: int = 7, loss_weight: float = 1.0) -> None:
        super().__init__()
        if not isinstance(pool_size, int) or pool_size < 1:
            raise ValueError(f'ContentAwareLoss: pool_size must be a positive integer, got {pool_size!r}')
        self.pool_size = pool_size
        self.loss_weight = loss_weight

    def forward(self, feats_S: torch.Tensor, feats_T: torch.Tensor) -> torch.Tensor:
        if feats_S.dim() != 4 or feats_T.dim() != 4 or feats_S.shape[0] != feats_T.shape[0]:
            raise ValueError(f'ContentAwareLoss: expects (B, K, H, W) features with equal B, got student '
                             f'{tuple(feats_S.shape)} and teacher {tuple(feats_T.shape)}')
        with torch.autocast(device_type=feats_S.device.type, enabled=False):  # cosines in float32
            sim_S = region_self_similarity(at_least_float32(feats_S), self.pool_size)
            sim_T = region_self_similarity(at_least_float32(feats_T.detach()), self.pool_size)
            return self.loss_weight * F.mse_loss(sim_S, sim_T)
