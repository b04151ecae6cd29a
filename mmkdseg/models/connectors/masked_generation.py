"""The masked-generation connector of Masked Generative Distillation (MGD, docs/methods/mgd.md)."""
from typing import Dict, Optional

import torch
from mmrazor.models.architectures.connectors import MGDConnector
from mmrazor.registry import MODELS

from ...utils.checks import check_choice

MASK_MODES = ('spatial', 'channel')


@MODELS.register_module()
class MaskedGenerationConnector(MGDConnector):
    """Student feature → (1×1 align) → random mask → generation block G (MGD, Yang et al. 2022).

    ``G(align(f_S) ⊙ M)`` is what :class:`~mmkdseg.models.losses.MaskedGenerationLoss` compares with the
    teacher feature. It is mmrazor's ``MGDConnector`` (this class is its subclass: same layout and
    parameter names ``align``, ``generation.0``, ``generation.2``, so weights load either way, and in
    training mode, for the same seed, the same output). What it adds: argument and input checks that name
    the wrong value, ``mask_mode`` instead of ``mask_on_channel``, no mask in eval mode (mmrazor's masks
    there too), no random draw at ``lambda_mgd=0``, and a mask in the feature's dtype.

    * **align**: a 1×1 conv ``student_channels → teacher_channels`` (with bias) when the counts differ,
      otherwise none.
    * **mask** (training mode only): ``'spatial'`` drops each position of each sample with probability
      ``lambda_mgd`` (mask shape ``(B, 1, H, W)``, shared by all channels); ``'channel'`` drops whole
      channels of each sample (mask shape ``(B, C, 1, 1)``). A new mask is drawn for every sample at every
      call (every training step), with mmrazor's draws and rule (a uniform draw from torch's default CPU
      generator per entry, dropped where it exceeds ``1 - λ``) — so it is reproducible under
      ``randomness.seed`` and equal to mmrazor's for the same seed. Kept entries are 1 (no rescaling),
      dropped ones 0; the mask has the feature's dtype (under autocast and in half precision alike).
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
        for name, value in (('student_channels', student_channels), ('teacher_channels', teacher_channels)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f'{type(self).__name__}: {name} must be a positive int, got {value!r}')
        if not 0.0 <= float(lambda_mgd) < 1.0:
            raise ValueError(f'{type(self).__name__}: lambda_mgd (mask ratio) must be in [0, 1), got '
                             f'{lambda_mgd}')
        check_choice(mask_mode, MASK_MODES, 'mask_mode', type(self).__name__)
        super().__init__(student_channels, teacher_channels, lambda_mgd=float(lambda_mgd),
                         mask_on_channel=mask_mode == 'channel', init_cfg=init_cfg)
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.mask_mode = mask_mode

    def forward_train(self, feature: torch.Tensor) -> torch.Tensor:
        """``G(align(f_S) ⊙ M)`` in training mode, ``G(align(f_S))`` in eval mode or at λ = 0.

        ``forward`` (``BaseConnector``'s) calls this method. The mask is mmrazor's (same draws, same rule)
        but in the feature's dtype, so a connector in half precision also trains without autocast.
        """
        if feature.dim() != 4 or feature.shape[1] != self.student_channels:
            raise ValueError(
                f'{type(self).__name__}: expects a (B, {self.student_channels}, H, W) student feature '
                f'(student_channels={self.student_channels}), got {tuple(feature.shape)}; check '
                f'student_channels or the recorder that feeds this connector')
        if self.align is not None:
            feature = self.align(feature)
        if self.training and self.lambda_mgd > 0:
            n, c, h, w = feature.shape
            draw = torch.rand((n, c, 1, 1) if self.mask_on_channel else (n, 1, h, w)).to(feature.device)
            feature = feature * (draw <= 1 - self.lambda_mgd).to(feature.dtype)
        return self.generation(feature)
