"""Inter-Class Similarity Distillation (ICSD, the loss of AICSD; docs/methods/aicsd.md)."""
import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS
from torch import nn

from .utils import align_spatial, at_least_float32, check_policy


def class_kl_matrix(logits: torch.Tensor, tau: float = 1.0) -> torch.Tensor:
    """Per-image matrix of KL divergences between the spatial distributions of every pair of classes.

    For each image and class ``c``, ``P_c = softmax over all h·w positions of z_c / τ``. Entry ``(i, j)``
    is ``KL(P_i ‖ P_j) = Σ_x P_i log P_i − Σ_x P_i log P_j``; everything stays in log space and the
    cross term of all pairs is one batched ``(C × N) · (N × C)`` product.

    Args:
        logits: ``(B, C, h, w)``.
        tau: temperature τ.

    Returns:
        ``(B, C, C)`` matrix, zero on the diagonal, non-negative (up to rounding).
    """
    # at least float32, also under autocast: M is a difference of two sums of size ~log(N)
    with torch.autocast(device_type=logits.device.type, enabled=False):
        z = at_least_float32(logits)
        log_p = F.log_softmax(z.flatten(2) / tau, dim=2)  # (B, C, N)
        cross = torch.bmm(log_p.exp(), log_p.transpose(1, 2))  # (B, C, C): Σ_x P_i log P_j
    # its diagonal is Σ_x P_i log P_i, so M_ij = cross_ii - cross_ij (exactly 0 on the diagonal)
    return torch.diagonal(cross, dim1=1, dim2=2).unsqueeze(2) - cross


@MODELS.register_module()
class ICSDLoss(nn.Module):
    """Inter-class similarity distillation: match the teacher's inter-class KL matrix (docs/methods/aicsd.md).

    For every image, each class's logit map becomes a distribution over all positions
    (``softmax(z_c / τ)`` over h·w), ``M_ij = KL(P_i ‖ P_j)`` for all class pairs (:func:`class_kl_matrix`),
    each row of ``M`` is L2-normalised, and the loss is the mean squared difference between the
    student's and the teacher's normalised matrices. Any number of classes; no class-pair loop.

    Shapes: ``preds_S`` (B, C, h, w) student logits, ``preds_T`` (B, C, h', w') teacher logits (detached
    here; resized to the student's size by default).

    Reduction: **mean over B·C·C** matrix entries, times ``loss_weight``. All positions take part in the
    distributions (the method is defined on whole images; no labels are used).

    Args:
        tau (float): Temperature τ of the spatial softmax. Defaults to 1.
        loss_weight (float): Weight of the loss. Defaults to 1.
        resize (str): ``'teacher_to_student'`` (default), ``'student_to_teacher'`` or ``'none'`` when the
            logit sizes differ (see :func:`mmkdseg.models.losses.utils.align_spatial`).
        eps (float): Lower bound of a row's norm in the L2 normalisation: a row with a smaller norm is
            divided by ``eps`` (``F.normalize``). Defaults to 1e-2. A row is (near) zero when that class's
            spatial distribution is the same as every other class's — a spatially flat student output,
            common early in training, where the KL values are rounding noise. Normalising such a row to
            unit length gives gradients ∝ 1/‖row‖ (measured: 4e3 on the student logits, and a diverged
            run on SynTex with ``eps=1e-12``); rows of a trained network have norms of about 1-10.
    """

    def __init__(self, tau: float = 1.0, loss_weight: float = 1.0, resize: str = 'teacher_to_student',
                 eps: float = 1e-2) -> None:
        super().__init__()
        if tau <= 0:
            raise ValueError(f'{type(self).__name__}: tau must be positive, got {tau}')
        self.tau = tau
        self.loss_weight = loss_weight
        self.resize = check_policy(resize)
        self.eps = eps

    def similarity(self, logits: torch.Tensor) -> torch.Tensor:
        """Row-wise L2-normalised ``(B, C, C)`` inter-class KL matrix of ``(B, C, h, w)`` logits."""
        return F.normalize(class_kl_matrix(logits, self.tau), p=2, dim=2, eps=self.eps)

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor) -> torch.Tensor:
        preds_S, preds_T = align_spatial(preds_S, preds_T.detach(), self.resize, type(self).__name__)
        if preds_S.shape[1] < 2:
            raise ValueError(f'{type(self).__name__}: needs at least 2 classes, got logits of shape '
                             f'{tuple(preds_S.shape)}')
        return self.loss_weight * F.mse_loss(self.similarity(preds_S), self.similarity(preds_T))
