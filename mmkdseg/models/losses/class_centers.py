"""Class centers of refined segmentation outputs — the shared part of FRKDNet's losses (docs/methods/frkd.md).

FRKD's inter-class, intra-class and similarity losses all start the same way, implemented here once:

1. :func:`prepare_refined` — align the student/teacher outputs (``align_spatial``), decide which class
   each pixel belongs to (``assign='gt'``: the ground truth resized by nearest neighbour; ``'teacher'``:
   the teacher's argmax), and which pixels take part: not ignored (label ``ignore_index``) **and** kept by
   the refine mask (:class:`~mmkdseg.models.connectors.FeatureRefineConnector`).
2. :func:`to_space` — the paper computes distances on the outputs *before* the final softmax (logits,
   the default); ``space='softmax'`` uses class probabilities instead.
3. :func:`class_centers` — per image (or per batch), the center of class k is the mean output over the
   participating pixels of class k.

"Refined output" = output multiplied by the 0/1 refine mask. A zeroed pixel is background noise, not a
zero-valued observation, so centers and distances use the kept pixels only (averaging the zeros in would
shrink every center towards the origin by the fraction of zeroed pixels). Distances use
:func:`safe_norm`, whose gradient is 0 (not NaN) where a distance is exactly 0 (a class with one pixel,
two identical centers).
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F

from .utils import align_spatial, check_labels, check_policy, resize_labels, valid_mask
from ...utils.checks import check_choice

#: How pixels are assigned to classes for the centers.
ASSIGNMENTS = ('gt', 'teacher')
#: Which output space distances are measured in.
SPACES = ('logits', 'softmax')
#: Element-wise criteria for matching student and teacher distances / similarities.
CRITERIA = ('mse', 'l1', 'smooth_l1')
#: Scale normalisations of the distances (besides False = none).
NORMALIZATIONS = ('each', 'teacher')


def resize_refine_mask(refine_mask: Optional[torch.Tensor], shape, name: str) -> Optional[torch.Tensor]:
    """(B, 1, h', w') or (B, h', w') refine mask → (B, h, w) bool at ``shape`` = (B, C, h, w) (nearest)."""
    if refine_mask is None:
        return None
    b, h, w = shape[0], shape[-2], shape[-1]
    given = tuple(refine_mask.shape)
    if refine_mask.dim() == 4 and refine_mask.shape[1] == 1:
        refine_mask = refine_mask[:, 0]
    if refine_mask.dim() != 3 or refine_mask.shape[0] != b:
        raise ValueError(f'{name}: refine_mask must be (B, 1, h, w) or (B, h, w) with B={b}, got '
                         f'{given}')
    refine_mask = refine_mask.detach()
    if tuple(refine_mask.shape[-2:]) != (h, w):
        refine_mask = F.interpolate(refine_mask[:, None].float(), size=(h, w), mode='nearest')[:, 0]
    return refine_mask > 0.5


def prepare_refined(preds_S: torch.Tensor, preds_T: torch.Tensor, gt_sem_seg: Optional[torch.Tensor],
                    refine_mask: Optional[torch.Tensor], *, assign: str, resize: str, ignore_index: int,
                    name: str) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Common input handling of the FRKD losses.

    Args:
        preds_S: (B, C, h, w) student outputs (logits).
        preds_T: (B, C, h', w') teacher outputs (detached here).
        gt_sem_seg: (B, H, W) labels or None (then no pixel is ignored; ``assign='gt'`` needs them).
        refine_mask: (B, 1, h'', w'') 0/1 mask or None (no refinement: every pixel is kept).

    Returns:
        ``(S, T, classes, used)``: aligned (B, C, h, w) outputs, the (B, h, w) class map (long; values
        outside [0, C) only at ignored pixels) and the (B, h, w) bool map of pixels that take part
        (valid and kept).
    """
    preds_S, preds_T = align_spatial(preds_S, preds_T.detach(), resize, name)
    b, c, h, w = preds_S.shape
    valid = valid_mask(gt_sem_seg, preds_S.shape, ignore_index, preds_S.device) > 0
    if assign == 'gt':
        if gt_sem_seg is None:
            raise ValueError(f"{name}: assign='gt' needs gt_sem_seg (map it with from_data='gt_sem_seg'), "
                             f"or use assign='teacher'")
        classes = resize_labels(gt_sem_seg, (h, w)).to(preds_S.device)
        check_labels(classes, valid, c, ignore_index, name)
    else:
        classes = preds_T.argmax(dim=1)
    used = valid
    keep = resize_refine_mask(refine_mask, preds_S.shape, name)
    if keep is not None:
        used = used & keep.to(used.device)
    return preds_S, preds_T, classes, used


def to_space(x: torch.Tensor, space: str, tau: float = 1.0) -> torch.Tensor:
    """Outputs in the space distances are measured in: logits as they are, or softmax(x / tau)."""
    return x if space == 'logits' else F.softmax(x / tau, dim=1)


def class_centers(x: torch.Tensor, classes: torch.Tensor, used: torch.Tensor,
                  num_classes: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Mean of ``x`` over the used pixels of each class, per group (image, or the whole batch).

    Args:
        x: (G, C, N) outputs of G groups of N pixels.
        classes: (G, N) class of each pixel.
        used: (G, N) bool, pixels that take part.

    Returns:
        ``(centers, counts)``: (G, K, C) centers (0 for absent classes) and (G, K) pixel counts, with
        K = ``num_classes``.
    """
    onehot = F.one_hot(torch.where(used, classes, 0).clamp(0, num_classes - 1), num_classes)
    onehot = onehot.to(x.dtype) * used[..., None].to(x.dtype)  # (G, N, K)
    counts = onehot.sum(dim=1)  # (G, K)
    sums = torch.bmm(x, onehot).transpose(1, 2)  # (G, K, C)
    return sums / counts.clamp(min=1)[..., None], counts


def group_pixels(x: torch.Tensor, classes: torch.Tensor, used: torch.Tensor, per_image: bool):
    """(B, C, h, w), (B, h, w), (B, h, w) → (G, C, N), (G, N), (G, N): G = B per image, else 1 (batch)."""
    b, c = x.shape[:2]
    if per_image:
        return x.flatten(2), classes.flatten(1), used.flatten(1)
    return x.transpose(0, 1).reshape(1, c, -1), classes.reshape(1, -1), used.reshape(1, -1)


def safe_norm(v: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Euclidean norm along ``dim`` with a zero (not NaN) gradient where the norm is 0."""
    sq = v.pow(2).sum(dim)
    pos = sq > 0
    return torch.where(pos, torch.where(pos, sq, torch.ones_like(sq)).sqrt(), torch.zeros_like(sq))


def criterion(a: torch.Tensor, b: torch.Tensor, kind: str) -> torch.Tensor:
    """Element-wise matching criterion (no reduction)."""
    if kind == 'mse':
        return (a - b).pow(2)
    if kind == 'l1':
        return (a - b).abs()
    return F.smooth_l1_loss(a, b, reduction='none')


def weighted_mean(d: torch.Tensor, weights: torch.Tensor, dims) -> torch.Tensor:
    """Weighted mean of distances over ``dims`` (kept); 1 where the mean is 0 (nothing to compare)."""
    total = (d * weights).sum(dim=dims, keepdim=True)
    count = weights.sum(dim=dims, keepdim=True)
    mean = total / count.clamp(min=1)
    return torch.where(mean > 0, mean, torch.ones_like(mean))


def normalise_distances(d_s: torch.Tensor, d_t: torch.Tensor, weights: torch.Tensor, dims, mode):
    """Scale-normalise student / teacher distances (see ``normalize`` of :class:`ClassCenterDistillBase`).

    ``mode``: ``False`` (unchanged), ``'each'`` (each divided by its own weighted mean over ``dims``) or
    ``'teacher'`` (both divided by the teacher's mean). Means are taken over the entries with nonzero
    ``weights``; a group with nothing to compare is left unchanged.
    """
    if not mode:
        return d_s, d_t
    m_t = weighted_mean(d_t, weights, dims)
    m_s = weighted_mean(d_s, weights, dims) if mode == 'each' else m_t
    return d_s / m_s, d_t / m_t


def class_boundary(classes: torch.Tensor, radius: int = 1) -> torch.Tensor:
    """(B, h, w) bool: pixels with a differently-labelled pixel within ``radius`` (a (2r+1)² window).

    Labels are compared as they are, ignore_index included (for Pascal VOC, whose ignore band outlines
    objects, the pixels next to the band are object edges). Beyond the image border there is nothing.
    """
    lab = classes[:, None].float()
    k = 2 * radius + 1
    hi = F.max_pool2d(lab, k, stride=1, padding=radius)
    lo = -F.max_pool2d(-lab, k, stride=1, padding=radius)
    return (hi != lo)[:, 0]


def zero_with_graph(*tensors: torch.Tensor) -> torch.Tensor:
    """A 0 that keeps the graph of ``tensors`` (so ``backward`` works and gives zero gradients)."""
    return sum(t.sum() * 0 for t in tensors)


class ClassCenterDistillBase(torch.nn.Module):
    """Shared arguments and input handling of FRKD's center-based losses (not registered itself).

    Args:
        loss_weight (float): Weight of the loss (the paper's balance factor γ goes here).
        assign (str): ``'gt'`` (default; ground truth assigns pixels to classes) or ``'teacher'``
            (teacher argmax; ignored pixels are still excluded when ``gt_sem_seg`` is given).
        space (str): ``'logits'`` (default; the paper's outputs before softmax) or ``'softmax'``.
        tau (float): Softmax temperature when ``space='softmax'``. Defaults to 1.
        per_image (bool): Centers per image (default) or over the whole batch.
        criterion (str): ``'mse'`` (default), ``'l1'`` or ``'smooth_l1'`` between student and teacher values.
        normalize (bool | str): Scale normalisation of the distances before matching. ``False`` (default; the
            paper matches raw distances); ``True`` or ``'each'``: divide the student's and the teacher's
            distances each by their own mean (RKD-style; scale-free, but an untrained student whose distances
            are all ~0 gets huge gradients: on SynTex it diverged at iteration ~100); ``'teacher'``: divide both
            by the teacher's mean (a constant: the loss no longer depends on the teacher's output scale, and
            the gradient stays bounded however small the student's distances are).
        ignore_index (int): Label excluded everywhere. Defaults to 255.
        resize (str): ``'teacher_to_student'`` (default), ``'student_to_teacher'`` or ``'none'``.
    """

    def __init__(self, loss_weight: float = 1.0, assign: str = 'gt', space: str = 'logits',
                 tau: float = 1.0, per_image: bool = True, criterion: str = 'mse', normalize=False,
                 ignore_index: int = 255, resize: str = 'teacher_to_student') -> None:
        super().__init__()
        name = type(self).__name__
        self.loss_weight = loss_weight
        self.assign = check_choice(assign, ASSIGNMENTS, 'assign', name)
        self.space = check_choice(space, SPACES, 'space', name)
        self.criterion = check_choice(criterion, CRITERIA, 'criterion', name)
        if tau <= 0:
            raise ValueError(f'{name}: tau must be positive, got {tau}')
        self.tau = tau
        self.per_image = per_image
        if normalize is True:
            normalize = 'each'
        if normalize is not False:
            check_choice(normalize, NORMALIZATIONS, 'normalize', name)
        self.normalize = normalize
        self.ignore_index = ignore_index
        self.resize = check_policy(resize)

    def prepare(self, preds_S, preds_T, gt_sem_seg, refine_mask):
        """→ ``(x_S, x_T, classes, used)`` grouped as (G, C, N), (G, C, N), (G, N), (G, N)."""
        s, t, classes, used = prepare_refined(preds_S, preds_T, gt_sem_seg, refine_mask, assign=self.assign,
                                              resize=self.resize, ignore_index=self.ignore_index,
                                              name=type(self).__name__)
        xs, cls_g, used_g = group_pixels(to_space(s, self.space, self.tau), classes, used, self.per_image)
        xt, _, _ = group_pixels(to_space(t, self.space, self.tau), classes, used, self.per_image)
        return xs, xt, cls_g, used_g, classes, used

    def extra_repr(self) -> str:
        return (f'loss_weight={self.loss_weight}, assign={self.assign!r}, space={self.space!r}, '
                f'per_image={self.per_image}, criterion={self.criterion!r}, normalize={self.normalize}')
