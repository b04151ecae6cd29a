"""The masked-generation connector of Masked Generative Distillation (MGD, docs/methods/mgd.md)."""
from typing import Dict, Optional

import torch
from mmrazor.models.architectures.connectors.base_connector import BaseConnector
from mmrazor.registry import MODELS
from torch import nn
from ...utils.checks import check_choice

MASK_MODES = ('spatial', 'channel')


@MODELS.register_module()
class MaskedGenerationConnector(BaseConnector):
    """Student feature → (1×1 align) → random mask → generation block G (MGD, Yang et al. 2022).

    ``G(align(f_S) ⊙ M)`` is what :class:`~mmkdseg.models.losses.MaskedGenerationLoss` compares with the
    teacher feature. Layout and parameter names are those of mmrazor's ``MGDConnector`` (``align``,
    ``generation.0``, ``generation.2``), so weights load either way and, for the same seed, both give the
    same output.

    * **align**: a 1×1 conv ``student_channels → teacher_channels`` (with bias) when the counts differ,
      otherwise none.
    * **mask** (training mode only): ``'spatial'`` drops each position of each sample with probability
      ``lambda_mgd`` (mask shape ``(B, 1, H, W)``, shared by all channels); ``'channel'`` drops whole
      channels of each sample (mask shape ``(B, C, 1, 1)``). A new mask is drawn for every sample at every
      call (every training step), from torch's default CPU generator as mmrazor does — so it is
      reproducible under ``randomness.seed``. Kept entries are 1 (no rescaling), dropped ones 0.
    * **generation**: conv3×3 → ReLU → conv3×3, both ``teacher_channels`` wide (with bias, padding 1).

    In eval mode no mask is applied (``G(align(f_S))``, deterministic). The connector lives in the
    distiller (``distiller.connectors``), so it is trained by the student's optimizer and is not part of
    the student: inference never runs it and ``tools/export_student.py`` leaves it out.

    Shapes: input ``(B, student_channels, H, W)`` → output ``(B, teacher_channels, H, W)``.

    Args:
        student_channels (int): Channels of the student feature.
        teacher_channels (int): Channels of the teacher feature (width of the generation block).
        lambda_mgd (float): Mask ratio λ in ``[0, 1)``: the probability that a position (or channel) is
            dropped. Defaults to 0.75, the paper's segmentation setting.
        mask_mode (str): ``'spatial'`` (default, the paper's) or ``'channel'``.
        init_cfg (dict, optional): Initialisation config (default: PyTorch's conv initialisation).
    """

    def __init__(self,
                 student_channels: int,
                 teacher_channels: int,
                 lambda_mgd: float = 0.75,
                 mask_mode: str = 'spatial',
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg)
        for name, value in (('student_channels', student_channels), ('teacher_channels', teacher_channels)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f'{type(self).__name__}: {name} must be a positive int, got {value!r}')
        if not 0.0 <= float(lambda_mgd) < 1.0:
            raise ValueError(f'{type(self).__name__}: lambda_mgd (mask ratio) must be in [0, 1), got '
                             f'{lambda_mgd}')
        check_choice(mask_mode, MASK_MODES, 'mask_mode', type(self).__name__)
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.lambda_mgd = float(lambda_mgd)
        self.mask_mode = mask_mode
        if student_channels != teacher_channels:
            self.align = nn.Conv2d(student_channels, teacher_channels, kernel_size=1, stride=1, padding=0)
        else:
            self.align = None
        self.generation = nn.Sequential(
            nn.Conv2d(teacher_channels, teacher_channels, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(teacher_channels, teacher_channels, kernel_size=3, padding=1))

    def make_mask(self, feature: torch.Tensor) -> torch.Tensor:
        """A fresh 0/1 mask for an aligned ``(B, C, H, W)`` feature: ``(B, 1, H, W)`` or ``(B, C, 1, 1)``.

        An entry is dropped (0) where a uniform draw exceeds ``1 - λ`` — mmrazor's rule and draw order.
        """
        n, c, h, w = feature.shape
        shape = (n, 1, h, w) if self.mask_mode == 'spatial' else (n, c, 1, 1)
        draw = torch.rand(shape).to(feature.device)
        return (draw <= 1 - self.lambda_mgd).to(feature.dtype)

    def forward(self, feature: torch.Tensor) -> torch.Tensor:
        if feature.dim() != 4 or feature.shape[1] != self.student_channels:
            raise ValueError(
                f'{type(self).__name__}: expects a (B, {self.student_channels}, H, W) student feature '
                f'(student_channels={self.student_channels}), got {tuple(feature.shape)}; check '
                f'student_channels or the recorder that feeds this connector')
        if self.align is not None:
            feature = self.align(feature)
        if self.training and self.lambda_mgd > 0:
            feature = feature * self.make_mask(feature)
        return self.generation(feature)

    def forward_train(self, feature: torch.Tensor) -> torch.Tensor:
        """Same as :meth:`forward` (masking follows ``self.training``)."""
        return self.forward(feature)
