"""``AdversarialSegmentationDistill``: SegmentationDistill + a critic with its own optimizer (SKD holistic)."""
import contextlib
from typing import Dict, Optional, Tuple, Union

import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmrazor.registry import MODELS
from torch import nn

from ...utils.checks import unwrap
from ..losses.utils import align_spatial, check_policy
from ..task_modules.rng import new_rng_state, resumable_generator
from .seg_distill import SegmentationDistill

#: Keys of the optimizer-wrapper dict this algorithm needs (the submodule names it optimises).
STUDENT_KEY, CRITIC_KEY = 'architecture', 'discriminator'


@contextlib.contextmanager
def frozen(module: nn.Module):
    """Parameters of ``module`` do not require grad inside the context (restored afterwards)."""
    params = [p for p in module.parameters() if p.requires_grad]
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in params:
            p.requires_grad_(True)


@MODELS.register_module()
class AdversarialSegmentationDistill(SegmentationDistill):
    """Segmentation distillation with an adversarial (holistic) term and a critic trained alongside.

    Everything of :class:`SegmentationDistill` (frozen eval-mode teacher, minimal teacher forward,
    distill losses from ``distiller``), plus a ``discriminator`` that scores segmentation maps — the
    teacher's as real, the student's as fake — and has **its own optimizer**. One ``train_step``:

    1. teacher and student forward (recorded), the student's own and the distiller's losses;
    2. ``n_critic`` critic updates on the **detached** maps (``adversarial_loss.critic``, e.g. WGAN-GP):
       the student's graph is not traversed and the student gets no gradient;
    3. the student update with the adversarial term ``distill.loss_adv`` added (``adversarial_loss``,
       −λ_adv·E[D(student maps)]), with the critic's parameters frozen, so they receive no gradient.

    The maps are the records ``student_recorder`` / ``teacher_recorder`` of the distiller (logits by
    default; the teacher's are resized to the student's size if they differ, see ``resize``), passed
    through the discriminator's input transform (softmax). A discriminator with ``image_channels > 0``
    is conditioned on the batch's (normalised) input images. Several critic steps per iteration reuse
    the iteration's batch (with fresh interpolation weights).

    Optimizers: the config's ``optim_wrapper`` must give one wrapper per submodule —
    ``dict(constructor='mmrazor.SeparateOptimWrapperConstructor', architecture=dict(...),
    discriminator=dict(...))`` — and ``param_scheduler`` may be a dict of scheduler lists with the same
    keys. Under AMP (``AmpOptimWrapper`` for the discriminator) the gradient penalty uses the
    discriminator wrapper's loss scaler (PyTorch's AMP gradient-penalty recipe).

    Distributed training: mmengine's ``MMDistributedDataParallel.train_step`` bypasses this
    ``train_step``; use ``model_wrapper_cfg=dict(type='MMSeparateDistributedDataParallel')`` (on CPU
    mmkdseg substitutes ``CPUSeparateDistributedDataParallel``), which wraps student and discriminator
    separately and calls this ``train_step``.

    Logged (besides the losses): ``critic.loss`` (the critic's loss, not added to the student's),
    ``critic.wasserstein`` (E[D(teacher)] − E[D(student)]) and ``critic.gp`` (the gradient penalty), all
    from the last critic step of the iteration.

    The gradient penalty's interpolation weights come from a generator seeded by (a seed drawn at
    construction, the critic step count, the rank), both kept as buffers, so a resumed run draws the
    same weights as an uninterrupted one.

    Args:
        discriminator (dict): The critic (e.g. ``SKDDiscriminator``); ``in_channels`` = classes.
        adversarial_loss (dict): Critic and student losses. Defaults to ``HolisticAdversarialLoss``.
        student_recorder (str): Student recorder giving the maps. Defaults to ``'logits'``.
        teacher_recorder (str): Teacher recorder giving the maps. Defaults to ``'logits'``.
        n_critic (int): Critic updates per iteration. Defaults to 1.
        resize (str): ``'teacher_to_student'`` (default), ``'student_to_teacher'`` or ``'none'`` for maps
            of different sizes.
        **kwargs: :class:`SegmentationDistill` arguments (``architecture``, ``teacher``, ``distiller``,
            ``teacher_ckpt``, ...).
    """

    def __init__(self,
                 discriminator: Union[dict, nn.Module],
                 adversarial_loss: Union[dict, nn.Module] = dict(type='HolisticAdversarialLoss'),
                 student_recorder: str = 'logits',
                 teacher_recorder: str = 'logits',
                 n_critic: int = 1,
                 resize: str = 'teacher_to_student',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        name = type(self).__name__
        self.discriminator = MODELS.build(discriminator) if isinstance(discriminator, dict) else discriminator
        self.adversarial_loss = (MODELS.build(adversarial_loss) if isinstance(adversarial_loss, dict)
                                 else adversarial_loss)
        if n_critic < 1:
            raise ValueError(f'{name}: n_critic must be >= 1, got {n_critic}')
        self.n_critic = n_critic
        self.resize = check_policy(resize)
        for role, rec, manager in (('student', student_recorder, self.distiller.student_recorders),
                                   ('teacher', teacher_recorder, self.distiller.teacher_recorders)):
            if rec not in manager.recorders:
                raise KeyError(f'{name}: {role}_recorder={rec!r} is not among the distiller\'s '
                               f'{role}_recorders ({list(manager.recorders)})')
        self.student_recorder = student_recorder
        self.teacher_recorder = teacher_recorder
        extra = [n for n, p in self.distiller.named_parameters() if p.requires_grad]
        if extra:
            raise ValueError(f'{name} optimises the student ({STUDENT_KEY!r}) and the {CRITIC_KEY!r} only, '
                             f'but the distiller has trainable parameters that no optimizer would update: '
                             f'{extra[:5]}')
        # [seed, critic steps so far]: reproducible gradient-penalty interpolation, restored on resume
        self.register_buffer('gp_rng_state', new_rng_state())

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def optim_wrappers(optim_wrapper) -> Tuple[OptimWrapper, OptimWrapper]:
        """(student wrapper, discriminator wrapper) of an ``OptimWrapperDict``, or a clear error."""
        if not isinstance(optim_wrapper, OptimWrapperDict) or STUDENT_KEY not in optim_wrapper.keys() \
                or CRITIC_KEY not in optim_wrapper.keys():
            got = list(optim_wrapper.keys()) if isinstance(optim_wrapper, OptimWrapperDict) \
                else type(optim_wrapper).__name__
            raise TypeError(
                f'AdversarialSegmentationDistill needs one optimizer wrapper for the student and one for '
                f'the discriminator: optim_wrapper=dict('
                f'constructor=\'mmrazor.SeparateOptimWrapperConstructor\', '
                f'{STUDENT_KEY}=dict(...), {CRITIC_KEY}=dict(...)); got {got}')
        return optim_wrapper[STUDENT_KEY], optim_wrapper[CRITIC_KEY]

    def _gp_alpha(self, batch_size: int) -> torch.Tensor:
        return torch.rand(batch_size, generator=resumable_generator(self.gp_rng_state))

    def adversarial_inputs(self, inputs: torch.Tensor
                           ) -> Tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]:
        """(teacher maps, student maps, image or None) of the last forward, as the critic sees them."""
        distiller = unwrap(self.distiller)
        fake = distiller.get_record(recorder=self.student_recorder, from_student=True)
        real = distiller.get_record(recorder=self.teacher_recorder, from_student=False)
        fake, real = align_spatial(fake, real.detach(), self.resize, type(self).__name__)
        disc = unwrap(self.discriminator)
        image = inputs if getattr(disc, 'image_channels', 0) else None
        return disc.transform(real), disc.transform(fake), image

    # --------------------------------------------------------------- training
    def critic_step(self, real: torch.Tensor, fake: torch.Tensor, image: Optional[torch.Tensor],
                    optim_wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        """``n_critic`` updates of the discriminator on detached maps; returns the last step's logs."""
        disc = self.discriminator  # the DDP wrapper under MMSeparateDistributedDataParallel
        real, fake = real.detach(), fake.detach()
        image = None if image is None else image.detach()
        scaler = getattr(optim_wrapper, 'loss_scaler', None)
        logs = {}
        for _ in range(self.n_critic):
            alpha = self._gp_alpha(real.shape[0])
            with optim_wrapper.optim_context(disc):
                loss, logs = self.adversarial_loss.critic(disc, real, fake, image, alpha=alpha, scaler=scaler)
            optim_wrapper.update_params(loss)
        return {f'critic.{k}': v for k, v in logs.items()}

    def student_adversarial_loss(self, fake: torch.Tensor, image: Optional[torch.Tensor]) -> torch.Tensor:
        """The student's adversarial term; the discriminator's parameters receive no gradient."""
        disc = unwrap(self.discriminator)  # called directly: no DDP bookkeeping for a frozen module
        with frozen(disc):
            return self.adversarial_loss(disc, fake, None if image is None else image.detach())

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        student_wrapper, critic_wrapper = self.optim_wrappers(optim_wrapper)
        with student_wrapper.optim_context(self.student):
            data = self.data_preprocessor(data, True)
            losses = self._run_forward(data, mode='loss')
        critic_logs = {}
        if not self.distillation_stopped:
            real, fake, image = self.adversarial_inputs(data['inputs'])
            critic_logs = self.critic_step(real, fake, image, critic_wrapper)
            with student_wrapper.optim_context(self.student):
                losses['distill.loss_adv'] = self.student_adversarial_loss(fake, image)
        parsed, log_vars = self.parse_losses(losses)
        student_wrapper.update_params(parsed)
        log_vars.update(critic_logs)
        return log_vars
