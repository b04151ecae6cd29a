"""Channel-wise distillation (CWD, Shu et al., ICCV 2021; docs/methods/cwd.md)."""
import torch
from mmrazor.models.losses import ChannelWiseDivergence
from mmrazor.registry import MODELS

from .utils import align_spatial, at_least_float32, check_policy


@MODELS.register_module()
class ChannelWiseKDLoss(ChannelWiseDivergence):
    """Per channel, KL(σ_τ(z_T) ‖ σ_τ(z_S)) over spatial positions, · τ² / (B·C).

    Each channel of each sample is turned into a distribution over its h·w positions with a softmax at
    temperature τ; the student's distribution is pulled towards the teacher's.

    Shapes: ``preds_S`` (B, C, h, w), ``preds_T`` (B, C, h', w') — logits (C = classes) or features of
    equal channel count (align features first, e.g. with a connector).

    Reduction: KL **summed** over positions, channels and batch, **divided by B·C** (a mean over the
    B·C per-channel KL divergences), times τ² and ``loss_weight`` — the formula of the paper and of
    mmrazor's ``ChannelWiseDivergence``. No label is used (ignored pixels take part like any other).

    The loss itself is mmrazor's ``ChannelWiseDivergence`` (this class is its subclass); what it adds: the
    teacher map is detached, maps of different sizes are aligned (below), the softmax and KL are computed in
    float32 with autocast off, and wrong shapes or ``tau`` are reported by name instead of failing inside
    ``view``.

    Resize policy (when h×w ≠ h'×w'): ``'teacher_to_student'`` (default) bilinearly resizes the detached
    teacher map to the student's grid, so the distributions live on the student's positions;
    ``'student_to_teacher'`` resizes the student map (gradients flow through the interpolation);
    ``'none'`` raises an error naming both shapes. See :func:`mmkdseg.models.losses.utils.align_spatial`.

    Args:
        tau (float): Temperature τ. Defaults to 1 (MGD's segmentation setting: 4).
        loss_weight (float): Weight of the loss. Defaults to 1 (MGD's segmentation setting: 3).
        resize (str): See above.
    """

    def __init__(self, tau: float = 1.0, loss_weight: float = 1.0, resize: str = 'teacher_to_student') -> None:
        if tau <= 0:
            raise ValueError(f'{type(self).__name__}: tau must be positive, got {tau}')
        super().__init__(tau=tau, loss_weight=loss_weight)
        self.resize = check_policy(resize)

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor) -> torch.Tensor:
        preds_S, preds_T = align_spatial(preds_S, preds_T.detach(), self.resize, type(self).__name__)
        with torch.autocast(device_type=preds_S.device.type, enabled=False):
            # mmrazor's loss reshapes with view: contiguous inputs
            return super().forward(at_least_float32(preds_S).contiguous(), at_least_float32(preds_T).contiguous())
