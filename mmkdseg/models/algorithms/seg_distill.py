"""``SegmentationDistill``: the base single-teacher distillation algorithm of mmkdseg."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseModel
from mmrazor.models.algorithms import SingleTeacherDistill
from mmrazor.models.utils import add_prefix
from mmrazor.registry import MODELS

from .segmentor_cfg import prepare_segmentor_cfg, prepare_teacher_cfg
from .silent_check import SilentDistillationCheck
from .teacher import (check_teacher_ckpt, check_teacher_compatible, forward_parts, load_teacher_checkpoint,
                      teacher_parts_to_run)

#: Settings of mmseg's ``SegDataPreProcessor`` that must agree between an algorithm and its student.
PREPROCESSOR_FIELDS = ('mean', 'std', 'bgr_to_rgb', 'size', 'size_divisor', 'pad_val', 'seg_pad_val')


def _preprocessor_settings(dp: torch.nn.Module) -> Dict:
    def value(v):
        if isinstance(v, torch.Tensor):
            return [round(float(x), 4) for x in v.flatten()]
        return list(v) if isinstance(v, (list, tuple)) else v
    return dict(mean=value(getattr(dp, 'mean', None)) if getattr(dp, '_enable_normalize', True) else None,
                std=value(getattr(dp, 'std', None)) if getattr(dp, '_enable_normalize', True) else None,
                bgr_to_rgb=bool(getattr(dp, '_channel_conversion', False)),
                size=value(getattr(dp, 'size', None)), size_divisor=getattr(dp, 'size_divisor', None),
                pad_val=getattr(dp, 'pad_val', None), seg_pad_val=getattr(dp, 'seg_pad_val', None))


def check_data_preprocessor(algorithm: torch.nn.Module, student: torch.nn.Module) -> None:
    """The algorithm's data preprocessor (the one training uses) must equal the student's.

    mmengine's ``Runner`` injects a config's top-level ``data_preprocessor`` into ``model`` when the model
    has none; a distillation config that inherits a stock mmseg config (``data_preprocessor =
    dict(size=crop_size, ...)``) thus trains with *that* preprocessor (e.g. padding 128x256 crops to
    512x1024), while the exported student keeps its own. Raises ``ValueError`` naming every field that
    differs (:data:`PREPROCESSOR_FIELDS`) with both values.
    """
    dp, sdp = getattr(algorithm, 'data_preprocessor', None), getattr(student, 'data_preprocessor', None)
    if dp is None or sdp is None or dp is sdp or not hasattr(sdp, 'mean'):
        return
    a, s = _preprocessor_settings(dp), _preprocessor_settings(sdp)
    diff = [f'{k}: model.data_preprocessor {a[k]!r} vs student {s[k]!r}' for k in PREPROCESSOR_FIELDS
            if a[k] != s[k]]
    if diff:
        raise ValueError(
            f'{type(algorithm).__name__}: the data preprocessor used for training differs from the '
            f'student\'s: ' + '; '.join(diff) + '. model.data_preprocessor is either set in the config or '
            'injected by mmengine\'s Runner from a top-level `data_preprocessor` (e.g. of an inherited mmseg '
            'config). Set model.data_preprocessor to the student\'s (or delete the top-level one with '
            'data_preprocessor=None) so that training and the exported student preprocess alike.')


def _wrapped_children(module: torch.nn.Module) -> List[str]:
    from mmengine.model import is_model_wrapper
    return [name for name, child in module.named_children() if is_model_wrapper(child)]


def _strip_wrapper_keys(module, state_dict, prefix, local_metadata):
    """State-dict hook: ``<child>.module.<key>`` -> ``<child>.<key>`` for children wrapped in DDP."""
    for name in _wrapped_children(module):
        wrapped = f'{prefix}{name}.module.'
        for key in [k for k in state_dict if k.startswith(wrapped)]:
            state_dict[f'{prefix}{name}.{key[len(wrapped):]}'] = state_dict.pop(key)
    return state_dict


class UnwrappedStateDictMixin:
    """Checkpoints of an algorithm are identical with and without DDP wrappers around its children.

    mmengine's ``MMSeparateDistributedDataParallel`` (algorithms with several optimizers, e.g. student +
    discriminator) wraps each trainable child in its own ``MMDistributedDataParallel``. Then:

    * saving: mmengine's ``get_state_dict`` (the runner's checkpoints) already unwraps children; torch's
      ``state_dict()`` would write ``architecture.module.*`` — a state-dict hook strips the ``.module.``;
    * loading: mmengine's ``load_state_dict`` (``load_checkpoint``, ``--resume``, ``load_from``) unwraps
      children itself and needs the plain keys, so no hook may touch them on that path; only torch's
      ``Module.load_state_dict`` walks into the wrapper, so :meth:`load_state_dict` adds ``.module.``
      for wrapped children, and only there. (A load-state-dict pre-hook would fire on both paths and
      break mmengine's: every student key reported missing, a random student evaluated or resumed.)
    """

    def _register_unwrapped_state_dict_hook(self) -> None:
        self._register_state_dict_hook(_strip_wrapper_keys)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        state_dict = dict(state_dict)
        for name in _wrapped_children(self):
            plain, wrapped = f'{name}.', f'{name}.module.'
            for key in [k for k in state_dict if k.startswith(plain) and not k.startswith(wrapped)]:
                state_dict[wrapped + key[len(plain):]] = state_dict.pop(key)
        return super().load_state_dict(state_dict, strict=strict, assign=assign)


@MODELS.register_module()
class SegmentationDistill(UnwrappedStateDictMixin, SingleTeacherDistill):
    """Single-teacher distillation for mmseg segmentors, built on mmrazor's ``SingleTeacherDistill``.

    Differences from ``SingleTeacherDistill`` (all deliberate):

    * The teacher is frozen and **entirely in eval mode** — batch norm *and* dropout — whatever
      ``train()`` is called with; its parameters have ``requires_grad=False``.
    * The teacher forward computes **only what the teacher recorders need**, under ``torch.no_grad``:
      recorders inside ``backbone`` → backbone only; ``neck`` → backbone + neck; ``decode_head`` →
      ``extract_feat`` + the decode head called as a module, so hooks on it fire too (no loss, no upsampling,
      no auxiliary head);
      ``auxiliary_head`` → its forward as well. Teacher losses are never computed. Recorders of other
      kinds fall back to the full ``tensor`` forward plus the auxiliary heads.
    * The teacher checkpoint is loaded **strictly** (a checkpoint for another architecture fails
      instead of leaving random weights), and a missing file fails with a message naming it.
    * Teacher and student must predict the same number of classes and normalise their inputs the
      same way; otherwise a ``ValueError`` names both values.
    * Distill losses can receive batch data (``from_data='gt_sem_seg'`` / ``'inputs'``, see
      :class:`SegDistiller`).

    Args:
        architecture (dict | BaseModel): The student segmentor: a model config (``_scope_='mmseg'``),
            ``dict(cfg_path='mmseg::<stock config>', **overrides)``
            (:func:`~mmkdseg.models.algorithms.segmentor_cfg.segmentor_cfg`) or a built model.
        teacher (dict | BaseModel): The teacher segmentor, given the same ways.
        distiller (dict): Distiller config (usually ``SegDistiller``).
        teacher_ckpt (str, optional): Teacher checkpoint (local path or URL).
        teacher_ckpt_strict (bool): Load the teacher checkpoint strictly. Defaults to True.
        calculate_student_loss (bool): Add the student's own decode/auxiliary losses. Defaults to True.
        silent_check_iters (int): Warn if a distill loss is exactly 0 (or a refine mask keeps < 1% of the
            pixels) throughout the first this many training iterations
            (:class:`~mmkdseg.models.algorithms.silent_check.SilentDistillationCheck`); 0 disables.
            Defaults to 50.
        load_pretrained (bool): Initialise student and teacher with the pretrained weights their configs name
            (``pretrained=``, ``init_cfg=dict(type='Pretrained', ...)``, e.g. ImageNet backbones); the teacher's
            are never read when ``teacher_ckpt`` is loaded strictly (it replaces every weight). False
            removes them (:func:`~mmkdseg.models.algorithms.segmentor_cfg.without_pretrained`): for
            offline runs and tests, and for a teacher whose ``teacher_ckpt`` replaces every weight anyway.
            Defaults to True.
        **kwargs: Passed to ``SingleTeacherDistill`` (``data_preprocessor``, ``init_cfg``, ...).
            ``teacher_trainable`` and ``teacher_norm_eval`` are fixed and may not be passed.
    """

    def __init__(self,
                 distiller: dict,
                 teacher: Union[BaseModel, Dict],
                 teacher_ckpt: Optional[str] = None,
                 teacher_ckpt_strict: bool = True,
                 silent_check_iters: int = 50,
                 load_pretrained: bool = True,
                 **kwargs) -> None:
        for fixed in ('teacher_trainable', 'teacher_norm_eval'):
            if fixed in kwargs:
                raise TypeError(f'{type(self).__name__} always freezes the teacher; '
                                f'{fixed!r} cannot be set')
        check_teacher_ckpt(teacher_ckpt)
        name = type(self).__name__
        if 'architecture' in kwargs:
            kwargs['architecture'] = prepare_segmentor_cfg(kwargs['architecture'], 'architecture',
                                                           load_pretrained, name)
        teacher = prepare_teacher_cfg(teacher, 'teacher', teacher_ckpt, teacher_ckpt_strict, load_pretrained, name)
        dp = kwargs.get('data_preprocessor')
        if isinstance(dp, dict) and '_scope_' not in dp:
            # mmengine's Runner injects a top-level `data_preprocessor` of an mmseg config here; it
            # is an mmseg component, while this algorithm is built in the mmrazor scope
            kwargs['data_preprocessor'] = dict(dp, _scope_='mmseg')
        super().__init__(distiller, teacher, teacher_ckpt=None, teacher_trainable=False,
                         teacher_norm_eval=True, **kwargs)
        self._check_compatible()
        load_teacher_checkpoint(self.teacher, teacher_ckpt, teacher_ckpt_strict)
        self.teacher.eval()
        self._teacher_parts = teacher_parts_to_run(self.teacher, self.distiller.teacher_recorders.recorders)
        self._student_parts = teacher_parts_to_run(self.student, self.distiller.student_recorders.recorders)
        self._register_unwrapped_state_dict_hook()
        self._silent_check = SilentDistillationCheck(type(self).__name__, silent_check_iters)

    def _check_compatible(self) -> None:
        check_teacher_compatible(self.student, self.teacher)
        check_data_preprocessor(self, self.student)

    # ---------------------------------------------------------------- forward
    def train(self, mode: bool = True):
        """Set train/eval mode; the teacher stays in eval mode (batch norm and dropout) always."""
        super().train(mode)
        self.teacher.eval()
        return self

    @torch.no_grad()
    def teacher_forward(self, inputs: torch.Tensor, data_samples: Optional[List] = None) -> None:
        """Run the teacher as far as its recorders need (see the class docstring)."""
        forward_parts(self.teacher, inputs, data_samples, self._teacher_parts)

    def student_losses(self, inputs: torch.Tensor, data_samples: Optional[List]) -> Dict:
        """Student forward under the student recorders; returns its own losses if they are used.

        With ``calculate_student_loss=False`` the student runs only as far as its recorders need (like the
        teacher), never ``mode='loss'``: its decode/auxiliary losses are neither computed nor needed.
        """
        with self.distiller.student_recorders, self.distiller.deliveries:
            if self.calculate_student_loss:
                return add_prefix(self.student(inputs, data_samples, mode='loss'), 'student')
            forward_parts(self.student, inputs, data_samples, self._student_parts)
        return {}

    def loss(self, batch_inputs: torch.Tensor, data_samples: Optional[List] = None) -> Dict:
        """Teacher forward (recorded), student forward (recorded, with its losses), distill losses."""
        self.distiller.set_deliveries_override(False)
        with self.distiller.teacher_recorders, self.distiller.deliveries:
            self.teacher_forward(batch_inputs, data_samples)
        self.distiller.set_deliveries_override(True)
        losses = self.student_losses(batch_inputs, data_samples)
        if not self.distillation_stopped:
            if hasattr(self.distiller, 'set_batch'):
                self.distiller.set_batch(batch_inputs, data_samples)
            distill_losses = self.distiller.compute_distill_losses()
            if not self._silent_check.done:
                self._silent_check.update(distill_losses, self.distiller.distill_losses, *self._mask_stats())
            losses.update(add_prefix(distill_losses, 'distill'))
        return losses

    def _mask_stats(self):
        """Kept fractions of the distiller's masking connectors this step, and which losses use each."""
        masks, users = {}, {}
        connectors = getattr(self.distiller, 'connectors', {})
        for name, connector in connectors.items():
            if getattr(connector, 'kept_fraction', None) is not None:
                masks[name] = connector.kept_fraction
                users[name] = [loss for loss, mapping in self.distiller.loss_forward_mappings.items()
                               if any(rec.get('connector') == name for rec in mapping.values())]
        return masks, users
