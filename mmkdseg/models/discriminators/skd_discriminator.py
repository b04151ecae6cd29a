"""The discriminator of SKD's holistic (adversarial) distillation: a SAGAN-style critic of label maps."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmrazor.registry import MODELS
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm as _spectral_norm
from ...utils.checks import check_choice

INPUT_TRANSFORMS = ('softmax', 'none')


def _sn(module: nn.Module, enabled: bool) -> nn.Module:
    return _spectral_norm(module) if enabled else module


class SelfAttention(nn.Module):
    """SAGAN self-attention: x + γ · (attention-weighted values), γ initialised to 0.

    Query and key are 1×1 convolutions to ``max(1, C // 8)`` channels, the value a 1×1 convolution to C
    channels; attention is a softmax over all h·w positions. Input and output are (B, C, h, w).
    """

    def __init__(self, channels: int, use_spectral_norm: bool = True) -> None:
        super().__init__()
        inner = max(1, channels // 8)
        self.query = _sn(nn.Conv2d(channels, inner, 1), use_spectral_norm)
        self.key = _sn(nn.Conv2d(channels, inner, 1), use_spectral_norm)
        self.value = _sn(nn.Conv2d(channels, channels, 1), use_spectral_norm)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q = self.query(x).flatten(2)                      # (B, C', N)
        k = self.key(x).flatten(2)                        # (B, C', N)
        v = self.value(x).flatten(2)                      # (B, C, N)
        attn = torch.softmax(q.transpose(1, 2) @ k, -1)   # (B, N, N): row i attends over positions j
        out = (v @ attn.transpose(1, 2)).view_as(x)
        return x + self.gamma * out


@MODELS.register_module()
class SKDDiscriminator(BaseModule):
    """Critic of segmentation maps for holistic distillation (SKD, docs/methods/skd.md).

    Input: ``maps`` (B, C, h, w) — logits, turned into the critic's input by ``input_transform``
    (``'softmax'`` over classes, default, or ``'none'``) — and, if ``image_channels > 0``, the image
    (B, image_channels, H, W), bilinearly resized to (h, w) and concatenated after the maps (the CVPR
    version's image-conditioned critic). Output: one score per image, shape (B,).

    Architecture (the authors' SAGAN-style critic): optional BatchNorm on the input channels
    (``input_norm``; it couples the samples of a batch, so leave it off with a gradient penalty), then
    per entry of ``widths`` a block [conv ``kernel_size``×``kernel_size`` stride 2 (spectral-normalised)
    + LeakyReLU(``negative_slope``)], a :class:`SelfAttention` block after the blocks listed in
    ``attention_after``, and a final convolution to one channel (``final_kernel``, 'same' padding)
    whose map is averaged into the score. Paper: widths (64, 128, 256, 512), attention after the 256-
    and 512-channel blocks, LeakyReLU 0.1, on 1/8-resolution logits.

    Sizes: each block maps h to ⌈h/2⌉ (zero padding k/2 − 1 before and k/2 after; for even h exactly the
    authors' padding-1 convolution), so no input is too small — a map that reaches 1×1 stays 1×1. The
    authors' final layer is a 4×4 convolution without padding on the last 4×4 map of a 65×65 input;
    averaging a 'same' convolution instead keeps the critic valid for any input size (SynTex's 12×12
    logits, the 8×8 logits of the configs' tiny test runs).

    Args:
        in_channels (int): Channels of ``maps`` (the number of classes).
        image_channels (int): Channels of the conditioning image; 0 (default) = not conditioned.
        widths (Sequence[int]): Output channels of the stride-2 blocks.
        attention_after (Sequence[int]): Indices of blocks followed by self-attention.
        kernel_size (int): Kernel (even) of the stride-2 convolutions. Defaults to 4.
        negative_slope (float): LeakyReLU slope. Defaults to 0.1.
        use_spectral_norm (bool): Spectral normalisation of every convolution. Defaults to True.
        input_norm (bool): BatchNorm on the input channels. Defaults to False.
        input_transform (str): ``'softmax'`` or ``'none'``.
        final_kernel (int): Kernel of the final convolution. Defaults to 3.
    """

    def __init__(self,
                 in_channels: int,
                 image_channels: int = 0,
                 widths: Sequence[int] = (64, 128, 256, 512),
                 attention_after: Sequence[int] = (2, 3),
                 kernel_size: int = 4,
                 negative_slope: float = 0.1,
                 use_spectral_norm: bool = True,
                 input_norm: bool = False,
                 input_transform: str = 'softmax',
                 final_kernel: int = 3,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        name = type(self).__name__
        if not widths:
            raise ValueError(f'{name}: widths must name at least one block')
        bad = [i for i in attention_after if not 0 <= i < len(widths)]
        if bad:
            raise ValueError(f'{name}: attention_after={tuple(attention_after)} has block indices {bad} '
                             f'outside 0..{len(widths) - 1} (widths={tuple(widths)})')
        check_choice(input_transform, INPUT_TRANSFORMS, 'input_transform', name)
        if kernel_size < 2 or kernel_size % 2:
            raise ValueError(f'{name}: kernel_size must be even and >= 2 (stride 2 halves the size), '
                             f'got {kernel_size}')
        self.in_channels = in_channels
        self.image_channels = image_channels
        self.input_transform = input_transform
        self.depth = len(widths)
        total = in_channels + image_channels
        self.input_bn = nn.BatchNorm2d(total) if input_norm else nn.Identity()
        layers = []
        prev = total
        for i, width in enumerate(widths):
            layers += [nn.ZeroPad2d((kernel_size // 2 - 1, kernel_size // 2) * 2),  # h -> ceil(h / 2)
                       _sn(nn.Conv2d(prev, width, kernel_size, 2, 0), use_spectral_norm),
                       nn.LeakyReLU(negative_slope)]
            if i in attention_after:
                layers.append(SelfAttention(width, use_spectral_norm))
            prev = width
        self.blocks = nn.Sequential(*layers)
        self.last = _sn(nn.Conv2d(prev, 1, final_kernel, 1, final_kernel // 2), use_spectral_norm)

    def transform(self, logits: torch.Tensor) -> torch.Tensor:
        """Logits → the maps the critic scores (what a gradient penalty interpolates between)."""
        if self.input_transform == 'softmax':
            return torch.softmax(logits.float(), dim=1)
        return logits

    def forward(self, maps: torch.Tensor, image: Optional[torch.Tensor] = None,
                transform: bool = True) -> torch.Tensor:
        name = type(self).__name__
        if maps.dim() != 4 or maps.shape[1] != self.in_channels:
            raise ValueError(f'{name}: expects maps of shape (B, {self.in_channels}, h, w), got '
                             f'{tuple(maps.shape)}')
        h, w = maps.shape[2:]
        if transform:
            maps = self.transform(maps)
        if self.image_channels:
            if image is None:
                raise ValueError(f'{name}: image_channels={self.image_channels} (conditioned on the image) '
                                 f'but no image was passed')
            if image.shape[0] != maps.shape[0] or image.shape[1] != self.image_channels:
                raise ValueError(f'{name}: image of shape {tuple(image.shape)} does not fit maps '
                                 f'{tuple(maps.shape)} and image_channels={self.image_channels}')
            image = F.interpolate(image.to(maps.dtype), size=(h, w), mode='bilinear', align_corners=False)
            maps = torch.cat([maps, image], dim=1)
        elif image is not None:
            raise ValueError(f'{name}: an image was passed but image_channels=0 (not conditioned)')
        x = self.blocks(self.input_bn(maps))
        return self.last(x).mean((1, 2, 3))
