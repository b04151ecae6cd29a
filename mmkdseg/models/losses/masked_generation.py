"""The loss of Masked Generative Distillation (MGD, Yang et al., ECCV 2022; docs/methods/mgd.md)."""
import torch
from mmrazor.registry import MODELS
from torch import nn

from .utils import align_spatial, check_policy


@MODELS.register_module()
class MaskedGenerationLoss(nn.Module):
    """α · Σ (G(f_S ⊙ M) − f_T)² / B — the MGD loss on generated vs teacher features.

    ``preds_S`` is the output of :class:`~mmkdseg.models.connectors.MaskedGenerationConnector` (the
    generated feature, already at the teacher's width), ``preds_T`` the teacher feature (detached here).

    Shapes: ``preds_S`` (B, K, h, w), ``preds_T`` (B, K, h', w'); batch and channel counts must match.

    Reduction: squared error **summed** over channels, positions and the batch, **divided by the batch
    size B** only, times ``loss_weight`` (= α). Being a sum, its scale grows with K·h·w: the paper's
    α = 2e-5 is calibrated for 2048-channel features at 1/8 of a 512×512 crop (8.4M values per image).

    Args:
        loss_weight (float): α. Defaults to 2e-5 (the paper's segmentation setting).
        resize (str): What to do when the spatial sizes differ: ``'none'`` (default: an error naming both
            shapes — MGD compares features of one resolution), ``'teacher_to_student'`` or
            ``'student_to_teacher'`` (bilinear, see :func:`mmkdseg.models.losses.utils.align_spatial`;
            note the sum then runs over the resized grid).
    """

    def __init__(self, loss_weight: float = 2e-5, resize: str = 'none') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.resize = check_policy(resize)

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor) -> torch.Tensor:
        name = type(self).__name__
        if preds_S.dim() == 4 and preds_T.dim() == 4 and preds_S.shape[1] != preds_T.shape[1]:
            raise ValueError(
                f'{name}: student {tuple(preds_S.shape)} and teacher {tuple(preds_T.shape)} have different '
                f'channel counts; feed the student feature through a MaskedGenerationConnector '
                f'(connector=... in loss_forward_mappings) with teacher_channels={preds_T.shape[1]}')
        preds_S, preds_T = align_spatial(preds_S, preds_T.detach(), self.resize, name)
        return self.loss_weight * (preds_S - preds_T).pow(2).sum() / preds_S.shape[0]
