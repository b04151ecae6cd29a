"""Pair-wise (affinity) distillation — SKD's pair-wise term, computed without N×N affinity matrices."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS
from torch import nn

from .utils import align_spatial, check_policy
from ...utils.checks import check_choice, check_exactly_one

POOLS = ('max', 'avg')
METHODS = ('auto', 'gram', 'naive')


def node_features(feat: torch.Tensor, kernel: Tuple[int, int], pool: str) -> torch.Tensor:
    """Pool a (B, K, H, W) map into nodes with a ``kernel``-sized window (stride = kernel, ceil mode).

    A 1×1 kernel keeps every position as a node. Returns (B, K, h, w).
    """
    if tuple(kernel) == (1, 1):
        return feat
    if pool == 'max':
        return F.max_pool2d(feat, kernel, stride=kernel, padding=0, ceil_mode=True)
    # ceil-mode average pooling without counting the padding of the last, partial windows
    return F.avg_pool2d(feat, kernel, stride=kernel, padding=0, ceil_mode=True, count_include_pad=False)


def normalise_nodes(feat: torch.Tensor, eps: float, detach_norm: bool) -> torch.Tensor:
    """Divide each node vector (dim 1 of a (B, K, N) tensor) by its L2 norm + ``eps``."""
    norm = feat.pow(2).sum(1, keepdim=True).sqrt() + eps
    return feat / (norm.detach() if detach_norm else norm)


def affinity_distance_naive(f_S: torch.Tensor, f_T: torch.Tensor) -> torch.Tensor:
    """(1/N²) Σ_ij (a^S_ij − a^T_ij)² per image with explicit (B, N, N) affinity matrices.

    ``f_S`` (B, K_S, N), ``f_T`` (B, K_T, N), normalised node vectors. Returns (B,). Memory O(B·N²).
    """
    n = f_S.shape[-1]
    a_S = f_S.transpose(1, 2) @ f_S
    a_T = f_T.transpose(1, 2) @ f_T
    return (a_S - a_T).pow(2).sum((1, 2)) / n**2


def affinity_distance_gram(f_S: torch.Tensor, f_T: torch.Tensor) -> torch.Tensor:
    """The same as :func:`affinity_distance_naive`, from channel-space Gram products, in float64.

    Σ_ij (a^S_ij − a^T_ij)² = ‖F_S F_Sᵀ‖² − 2‖F_S F_Tᵀ‖² + ‖F_T F_Tᵀ‖² with F = (K, N), so only K_S×K_S,
    K_S×K_T and K_T×K_T matrices exist. The three terms are of similar size and cancel when student
    and teacher affinities are close; they are therefore computed and combined in float64 (the float32
    result would lose most of its digits). Memory O(B·K·N), time O(B·N·(K_S + K_T)²). Returns (B,)
    in the dtype of ``f_S``.
    """
    n = f_S.shape[-1]
    s = f_S.double()
    t = f_T.detach().double()
    g_ss = s @ s.transpose(1, 2)
    g_st = s @ t.transpose(1, 2)
    with torch.no_grad():
        g_tt = t @ t.transpose(1, 2)
        tt = g_tt.pow(2).sum((1, 2))
    total = g_ss.pow(2).sum((1, 2)) - 2 * g_st.pow(2).sum((1, 2)) + tt
    return (total / n**2).to(f_S.dtype)


def gram_is_cheaper(n: int, k_s: int, k_t: int) -> bool:
    """Whether the Gram form needs fewer multiply-adds than the N×N form (N²·(K_S+K_T))."""
    return n * (k_s * k_s + k_s * k_t + k_t * k_t) < n * n * (k_s + k_t)


@MODELS.register_module()
class PairWiseAffinityLoss(nn.Module):
    """SKD's pair-wise distillation: match the node-to-node affinities of student and teacher features.

    Shapes: ``preds_S`` (B, K_S, H, W) student features, ``preds_T`` (B, K_T, H', W') teacher features;
    the channel counts K_S and K_T may differ (affinities are N×N either way). When the spatial sizes
    differ, ``resize`` decides which map is bilinearly resized to the other's size first.

    Computation (docs/methods/skd.md):

    1. **Nodes**: each map is pooled (``pool``: max as in the paper, or average) with a window of
       ``scale``·(H, W) (the paper's β; β=0.5 → a 2×2 grid of nodes) or of ``patch_size`` (fixed
       windows; ``patch_size=1`` keeps every position as a node). Windows do not overlap; the last,
       partial ones are kept (ceil mode). N = number of nodes.
    2. Each node vector is **L2-normalised over channels**: f̂ = f / (‖f‖₂ + ``eps``); with
       ``detach_norm=True`` the norm is treated as a constant in backward, as the authors' code does.
    3. Affinity a_ij = f̂_i · f̂_j.

    Reduction: ``loss_weight`` · **mean over the batch** of (1/N²) Σ_ij (a^S_ij − a^T_ij)², i.e. the mean
    over all node pairs of all images (the authors' code: sum / N² / B, the same value).

    ``method='gram'`` computes the sum exactly from K×K Gram products in float64 without forming any
    N×N matrix (:func:`affinity_distance_gram`); ``'naive'`` forms the N×N matrices (kept as a reference
    and for tiny N); ``'auto'`` (default) takes whichever needs fewer operations — the naive form only
    wins when N is smaller than about the channel counts (e.g. the paper's 2×2 grid). The teacher is
    detached. The loss is returned in float32 even under autocast (features are cast to float32 first).

    Choosing the features: the normalisation divides by the node norm, so its gradient grows like
    1/‖f‖. Narrow post-ReLU features, where many nodes are (almost) zero vectors, therefore give erratic,
    very large gradients (SynTex's 16-channel student head: ~40% of its post-ReLU nodes are zero);
    prefer pre-activation features there (e.g. ``decode_head.bottleneck.bn`` instead of
    ``decode_head.bottleneck``).

    Args:
        loss_weight (float): Weight of the loss. Defaults to 1 (paper; the authors' code uses 0.5).
        scale (float, optional): Pooling window as a fraction β of the map size. Defaults to 0.5.
        patch_size (int | tuple, optional): Pooling window in positions (instead of ``scale``).
        pool (str): ``'max'`` (default, paper) or ``'avg'``.
        detach_norm (bool): Detach the L2 norm (authors' code). Defaults to False.
        eps (float): Added to the norm. Defaults to 1e-8 (authors' code).
        method (str): ``'auto'``, ``'gram'`` or ``'naive'``.
        resize (str): ``'teacher_to_student'`` (default), ``'student_to_teacher'`` or ``'none'``.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 scale: Optional[float] = 0.5,
                 patch_size: Optional[Union[int, Sequence[int]]] = None,
                 pool: str = 'max',
                 detach_norm: bool = False,
                 eps: float = 1e-8,
                 method: str = 'auto',
                 resize: str = 'teacher_to_student') -> None:
        super().__init__()
        name = type(self).__name__
        check_exactly_one(name, scale=(scale, 'β, a fraction of the map size'),
                          patch_size=(patch_size, 'a window in positions'))
        if scale is not None and not 0 < scale <= 1:
            raise ValueError(f'{name}: scale must be in (0, 1], got {scale}')
        if patch_size is not None:
            patch_size = (patch_size, patch_size) if isinstance(patch_size, int) else tuple(patch_size)
            if len(patch_size) != 2 or min(patch_size) < 1:
                raise ValueError(f'{name}: patch_size must be a positive int or (h, w), got {patch_size}')
        check_choice(pool, POOLS, 'pool', name)
        check_choice(method, METHODS, 'method', name)
        self.loss_weight = loss_weight
        self.scale = scale
        self.patch_size = patch_size
        self.pool = pool
        self.detach_norm = detach_norm
        self.eps = eps
        self.method = method
        self.resize = check_policy(resize)

    def kernel(self, size: Tuple[int, int]) -> Tuple[int, int]:
        """The pooling window for a map of spatial ``size`` (h, w)."""
        if self.patch_size is not None:
            return self.patch_size
        return max(1, int(size[0] * self.scale)), max(1, int(size[1] * self.scale))

    def nodes(self, feat: torch.Tensor, kernel: Tuple[int, int]) -> torch.Tensor:
        """(B, K, H, W) features → (B, K, N) L2-normalised node vectors (float32 or float64)."""
        if not feat.is_floating_point() or feat.dtype in (torch.float16, torch.bfloat16):
            feat = feat.float()
        feat = node_features(feat, kernel, self.pool)
        return normalise_nodes(feat.flatten(2), self.eps, self.detach_norm)

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor) -> torch.Tensor:
        name = type(self).__name__
        preds_S, preds_T = align_spatial(preds_S, preds_T.detach(), self.resize, name, same_channels=False)
        kernel = self.kernel(tuple(preds_S.shape[2:]))
        f_S, f_T = self.nodes(preds_S, kernel), self.nodes(preds_T, kernel)
        n, k_s, k_t = f_S.shape[-1], f_S.shape[1], f_T.shape[1]
        method = self.method
        if method == 'auto':
            method = 'gram' if gram_is_cheaper(n, k_s, k_t) else 'naive'
        if method == 'gram':
            dist = affinity_distance_gram(f_S, f_T)
        else:
            dist = affinity_distance_naive(f_S, f_T)
        return self.loss_weight * dist.mean()
