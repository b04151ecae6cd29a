"""Holistic (adversarial) distillation losses: the critic's loss and the student's adversarial term."""
from typing import Callable, Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS
from torch import nn
from ...utils.checks import check_choice

GAN_TYPES = ('wgan', 'hinge')


def gradient_penalty(critic: Callable, interp: torch.Tensor, scores: torch.Tensor,
                     scaler=None) -> torch.Tensor:
    """WGAN-GP penalty E[(‖∇_x̂ D(x̂)‖₂ − 1)²] over the samples x̂ = ``interp`` with scores ``scores``.

    ``scores`` (B,) must have been computed from ``interp`` (B, ...), which requires grad. The
    gradient is taken with ``create_graph=True`` so that the penalty trains the critic. ``scaler``
    (a ``torch.amp.GradScaler``, e.g. the ``loss_scaler`` of mmengine's ``AmpOptimWrapper``) follows
    PyTorch's AMP gradient-penalty recipe: the scores are scaled before ``autograd.grad`` (so float16
    gradients do not underflow) and the gradient is unscaled before the norm. An overflow then gives
    an infinite penalty, the scaler skips that step and lowers its scale. The norm is computed in
    float32. ``critic`` is unused; it documents that ``scores = critic(interp)``.
    """
    out = scores.sum()
    if scaler is not None:
        out = scaler.scale(out)
    grad, = torch.autograd.grad(out, interp, create_graph=True)
    grad = grad.float()
    if scaler is not None:
        grad = grad / scaler.get_scale()
    return (grad.flatten(1).norm(2, dim=1) - 1).pow(2).mean()


@MODELS.register_module()
class HolisticAdversarialLoss(nn.Module):
    """SKD's holistic distillation: a critic D tells teacher maps (real) from student maps (fake).

    Shapes: ``real`` and ``fake`` (B, C, h, w) — the maps the critic scores (the algorithm applies the
    discriminator's input transform, e.g. softmax, to the logits first); ``image`` (B, 3, H, W) or None,
    passed to a conditioned critic; D returns one score per image (B,).

    * :meth:`critic` — the discriminator's loss, ``critic_weight`` · (L_adv + ``lambda_gp`` · GP):

      - ``'wgan'`` (paper): L_adv = E[D(fake)] − E[D(real)] (means over the batch);
      - ``'hinge'``: L_adv = E[relu(1 − D(real))] + E[relu(1 + D(fake))];
      - GP (both, unless ``lambda_gp=0``): :func:`gradient_penalty` at x̂ = α·real + (1 − α)·fake, one
        α ~ U[0, 1) per image.

      Real, fake and interpolated maps go through D **in one call** (a batch of 3B), so a
      ``DistributedDataParallel`` critic sees one forward per backward. Student and teacher maps are
      detached here: the critic step never reaches the student's graph.
    * :meth:`forward` — the student's term, ``loss_weight`` · (−E[D(fake)]) (both GAN types; the
      critic's parameters must be frozen by the caller so that they receive no gradient).

    Args:
        gan_type (str): ``'wgan'`` (default) or ``'hinge'``.
        loss_weight (float): λ_adv of the student term. Defaults to 0.1 (paper; later works 0.001 with
            hinge).
        critic_weight (float): λ_d, scales the whole critic loss. Defaults to 1 (paper code: 0.1).
        lambda_gp (float): Gradient-penalty weight. Defaults to 10; 0 disables it.
    """

    def __init__(self, gan_type: str = 'wgan', loss_weight: float = 0.1, critic_weight: float = 1.0,
                 lambda_gp: float = 10.0) -> None:
        super().__init__()
        check_choice(gan_type, GAN_TYPES, 'gan_type', type(self).__name__)
        if lambda_gp < 0:
            raise ValueError(f'{type(self).__name__}: lambda_gp must be >= 0, got {lambda_gp}')
        self.gan_type = gan_type
        self.loss_weight = loss_weight
        self.critic_weight = critic_weight
        self.lambda_gp = lambda_gp

    @staticmethod
    def _check(real: torch.Tensor, fake: torch.Tensor) -> None:
        if real.shape != fake.shape:
            raise ValueError(f'HolisticAdversarialLoss: teacher (real) maps {tuple(real.shape)} and student '
                             f'(fake) maps {tuple(fake.shape)} differ in shape')

    def critic(self, discriminator: Callable, real: torch.Tensor, fake: torch.Tensor,
               image: Optional[torch.Tensor] = None, alpha: Optional[torch.Tensor] = None,
               scaler=None) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
        """The critic's loss and its log values ``{'wasserstein', 'gp', 'loss'}`` (detached).

        ``wasserstein`` is the critic's estimate E[D(real)] − E[D(fake)]. ``alpha`` (B,) may be given
        (reproducible interpolation); by default it is drawn with ``torch.rand``. ``discriminator`` is
        called as ``discriminator(maps, image, transform=False)``.
        """
        self._check(real, fake)
        real, fake = real.detach(), fake.detach()
        b = real.shape[0]
        x = [real, fake]
        interp = None
        if self.lambda_gp > 0:
            if alpha is None:
                alpha = torch.rand(b, device=real.device)
            alpha = alpha.to(device=real.device, dtype=real.dtype).view(b, *([1] * (real.dim() - 1)))
            interp = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
            x.append(interp)
        cond = None if image is None else torch.cat([image.detach()] * len(x))
        scores = discriminator(torch.cat(x), cond, transform=False).float()
        s_real, s_fake = scores[:b], scores[b:2 * b]
        wasserstein = s_real.mean() - s_fake.mean()
        if self.gan_type == 'wgan':
            adv = -wasserstein
        else:
            adv = F.relu(1 - s_real).mean() + F.relu(1 + s_fake).mean()
        gp = scores.new_zeros(())
        if interp is not None:
            gp = gradient_penalty(discriminator, interp, scores[2 * b:], scaler)
        loss = self.critic_weight * (adv + self.lambda_gp * gp)
        return loss, dict(loss=loss.detach(), wasserstein=wasserstein.detach(), gp=gp.detach())

    def forward(self, discriminator: Callable, fake: torch.Tensor,
                image: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The student's adversarial term ``loss_weight`` · (−E[D(fake)]), mean over the batch."""
        return -self.loss_weight * discriminator(fake, image, transform=False).float().mean()
