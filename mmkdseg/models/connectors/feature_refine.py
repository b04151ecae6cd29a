"""FRKDNet's feature-refine module (docs/methods/frkd.md): which pixels of the teacher's output carry knowledge.

The paper (Jiang et al., 2023; no public code) separates "foreground knowledge" from "background noise"
in the teacher's output: per pixel, a saliency is computed from the teacher's class probabilities and the
pixels with little saliency are zeroed in **both** the teacher's and the student's outputs before the
distillation losses are computed. This module computes that binary mask, once per training step, from the
teacher logits alone. It has no parameters and is not part of the student, so it costs nothing at
inference (the exported student does not contain it).

Design decisions (the paper leaves them open; each is a constructor argument):

* **Saliency** (``saliency``), higher = more knowledge, always in [0, 1]:

  - ``'contribution'`` (default): the class contribution of the pixel, ``max_c p_c / Σ_c p_c`` with
    ``p = softmax(z_T / τ)`` over classes — the share of the predicted class in the pixel's class scores
    (after the softmax the denominator is 1, so this is the teacher's confidence). Range [1/C, 1].
  - ``'entropy'``: one minus the normalised prediction entropy, ``1 − H(p) / log C``. A uniform
    prediction scores 0, a one-hot prediction 1.

* **Selection** — exactly one of

  - ``threshold``: keep pixels with saliency ``>= threshold`` (the number kept varies per image; a
    threshold above every saliency keeps nothing, and the losses then return 0 — tested);
  - ``keep_ratio``: keep the ``ceil(keep_ratio · h·w)`` most salient pixels of each image (``topk``, so
    ties are broken by position and exactly that many are kept).

* **What the mask sees**: only the teacher logits (a connector gets one recorded tensor). Ignored pixels
  (label ``ignore_index``) are removed afterwards by every loss from ``gt_sem_seg``; ``keep_ratio`` is
  therefore a fraction of all pixels of the logit map, ignored ones included.
* **Hard mask**: the paper zeroes noise pixels, so the mask is binary {0, 1}; no gradient flows through
  it (it is computed under ``torch.no_grad`` from the detached teacher).

Computed once per step: :class:`FeatureRefineConnector` is a connector of ``SegDistiller``; every loss
that needs the mask maps ``refine_mask=dict(from_student=False, recorder='logits', connector='refine')``.
mmrazor calls the connector once per mapping entry, so the connector remembers its last result and
returns it while it is called with the *same* tensor object, unmodified (same ``_version``) — the
teacher's recorded logits of the current step. A new step records a new tensor, which is refined anew.
The memo holds only a weak reference to its input, so it never keeps a tensor (or a graph) alive.
"""
import math
import weakref
from typing import Optional

import torch
import torch.nn.functional as F
from mmrazor.models.architectures.connectors.base_connector import BaseConnector
from mmrazor.registry import MODELS
from ...utils.checks import check_choice, check_exactly_one

#: Pixel saliencies the refine mask can be computed from.
SALIENCIES = ('contribution', 'entropy')


def _check_refine_args(saliency: str, threshold: Optional[float], keep_ratio: Optional[float],
                       tau: float, name: str) -> None:
    check_choice(saliency, SALIENCIES, 'saliency', name)
    check_exactly_one(name, threshold=(threshold, 'keep saliency >= threshold'),
                      keep_ratio=(keep_ratio, 'keep the most salient fraction'))
    if keep_ratio is not None and not 0 < keep_ratio <= 1:
        raise ValueError(f'{name}: keep_ratio must be in (0, 1], got {keep_ratio}')
    if tau <= 0:
        raise ValueError(f'{name}: tau must be positive, got {tau}')


def refine_saliency(logits: torch.Tensor, saliency: str = 'contribution', tau: float = 1.0) -> torch.Tensor:
    """Per-pixel saliency in [0, 1] of (B, C, h, w) logits → (B, h, w); see the module docstring."""
    if logits.dim() != 4:
        raise ValueError(f'refine_saliency: expects (B, C, h, w) logits, got {tuple(logits.shape)}')
    check_choice(saliency, SALIENCIES, 'saliency')
    log_p = F.log_softmax(logits.float() / tau, dim=1)
    p = log_p.exp()
    if saliency == 'contribution':
        return p.max(dim=1).values / p.sum(dim=1)
    num_classes = logits.shape[1]
    if num_classes < 2:
        return torch.ones_like(p[:, 0])
    entropy = -(p * log_p).sum(dim=1)
    return (1 - entropy / math.log(num_classes)).clamp(0, 1)


@torch.no_grad()
def feature_refine_mask(logits: torch.Tensor,
                        saliency: str = 'contribution',
                        threshold: Optional[float] = None,
                        keep_ratio: Optional[float] = None,
                        tau: float = 1.0) -> torch.Tensor:
    """The refine mask of (B, C, h, w) teacher logits: a (B, 1, h, w) tensor of 0/1 in the logits' dtype.

    1 marks a pixel that carries knowledge (kept), 0 background noise (zeroed in both outputs).
    """
    _check_refine_args(saliency, threshold, keep_ratio, tau, 'feature_refine_mask')
    s = refine_saliency(logits.detach(), saliency, tau)  # (B, h, w)
    if threshold is not None:
        keep = s >= threshold
    else:
        b = s.shape[0]
        flat = s.reshape(b, -1)
        k = max(1, min(flat.shape[1], math.ceil(keep_ratio * flat.shape[1] - 1e-9)))
        idx = flat.topk(k, dim=1).indices
        keep = torch.zeros_like(flat, dtype=torch.bool).scatter_(1, idx, True).view_as(s)
    dtype = logits.dtype if logits.is_floating_point() else torch.float32
    return keep[:, None].to(dtype)


@MODELS.register_module()
class FeatureRefineConnector(BaseConnector):
    """FRKDNet's feature refine as a parameter-free teacher connector: logits → refine mask.

    Input: the teacher's (B, C, h, w) logits. Output: the (B, 1, h, w) 0/1 refine mask (see the module
    docstring for the saliencies, the selection rules and why the result is memoised per step).
    Distill losses take it as their ``refine_mask`` argument and apply it to both outputs.

    Args:
        saliency (str): ``'contribution'`` (default) or ``'entropy'``.
        threshold (float, optional): Keep pixels whose saliency is at least this.
        keep_ratio (float, optional): Keep this fraction (0, 1] of the most salient pixels per image.
            Exactly one of ``threshold`` and ``keep_ratio`` must be given.
        tau (float): Softmax temperature of the saliency. Defaults to 1.
    """

    def __init__(self,
                 saliency: str = 'contribution',
                 threshold: Optional[float] = None,
                 keep_ratio: Optional[float] = None,
                 tau: float = 1.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        _check_refine_args(saliency, threshold, keep_ratio, tau, type(self).__name__)
        self.saliency = saliency
        self.threshold = threshold
        self.keep_ratio = keep_ratio
        self.tau = tau
        self._memo = None  # (weakref to the input, its _version, the mask)
        #: how many masks were computed (not served from the memo); for tests and inspection
        self.num_computed = 0
        #: fraction of pixels the last computed mask kept (0-dim tensor; read by the algorithm's
        #: :class:`~mmkdseg.models.algorithms.silent_check.SilentDistillationCheck`)
        self.kept_fraction = None

    def forward_train(self, feature: torch.Tensor) -> torch.Tensor:
        if not isinstance(feature, torch.Tensor) or feature.dim() != 4:
            shape = tuple(feature.shape) if isinstance(feature, torch.Tensor) else type(feature).__name__
            raise ValueError(f'{type(self).__name__}: expects the teacher logits (B, C, h, w), got {shape}; '
                             f'record a classifier output (e.g. decode_head.conv_seg)')
        memo = self._memo
        if memo is not None and memo[0]() is feature and memo[1] == feature._version:
            return memo[2]
        mask = feature_refine_mask(feature, self.saliency, self.threshold, self.keep_ratio, self.tau)
        self._memo = (weakref.ref(feature), feature._version, mask)
        self.num_computed += 1
        self.kept_fraction = mask.mean()
        return mask

    def __getstate__(self):  # weak references cannot be pickled; the memo is per step anyway
        state = self.__dict__.copy()
        state['_memo'] = None
        return state

    def extra_repr(self) -> str:
        rule = f'threshold={self.threshold}' if self.threshold is not None else f'keep_ratio={self.keep_ratio}'
        return f'saliency={self.saliency!r}, {rule}, tau={self.tau}'
