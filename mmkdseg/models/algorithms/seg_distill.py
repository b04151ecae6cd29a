"""``SegmentationDistill``: the base single-teacher distillation algorithm of mmkdseg."""
import os.path as osp
from typing import Dict, List, Optional, Set, Union

import torch
from mmengine.model import BaseModel
from mmengine.runner import load_checkpoint
from mmrazor.models.algorithms import SingleTeacherDistill
from mmrazor.models.utils import add_prefix
from mmrazor.registry import MODELS

from ..distillers.seg_distiller import MODULE_RECORDERS

#: Parts of an mmseg ``EncoderDecoder`` in forward order; recorders under a later part need the
#: earlier ones to run.
SEGMENTOR_PARTS = ('backbone', 'neck', 'decode_head', 'auxiliary_head')


def teacher_parts_to_run(model: torch.nn.Module, recorders: Dict) -> Optional[Set[str]]:
    """The top-level parts of an mmseg segmentor that the teacher recorders need.

    Returns ``None`` (run the whole ``tensor``-mode forward and every auxiliary head) when some
    recorder is not a module recorder or records something outside the standard parts.
    """
    parts = set()
    for recorder in recorders.values():
        if not isinstance(recorder, MODULE_RECORDERS):
            return None
        top = recorder.source.split('.')[0]
        if top not in SEGMENTOR_PARTS:
            return None
        parts.add(top)
    return parts


def _normalisation(model: torch.nn.Module):
    dp = getattr(model, 'data_preprocessor', None)
    mean = getattr(dp, 'mean', None)
    std = getattr(dp, 'std', None)
    return (None if mean is None else mean.flatten().tolist(),
            None if std is None else std.flatten().tolist(),
            bool(getattr(dp, '_channel_conversion', False)))


def check_teacher_ckpt(ckpt: Optional[str], key: str = 'teacher_ckpt') -> None:
    """Fail with a message naming ``model.<key>`` when a local teacher checkpoint does not exist."""
    if ckpt and '://' not in ckpt and not osp.isfile(ckpt):
        raise FileNotFoundError(
            f'{key} {ckpt!r} does not exist. Train the teacher first (its config with tools/train.py) '
            f'or point {key} at its checkpoint, e.g. --cfg-options model.{key}=PATH')


def load_teacher_checkpoint(teacher: torch.nn.Module, ckpt: Optional[str], strict: bool = True) -> None:
    """Load ``ckpt`` into ``teacher`` (strictly by default) and keep ``init_weights()`` off it."""
    if ckpt:
        load_checkpoint(teacher, ckpt, map_location='cpu', strict=strict)
        teacher._is_init = True  # keep init_weights() from overwriting it


def freeze_teacher(teacher: torch.nn.Module) -> None:
    """No gradients for the teacher's parameters, and eval mode for all its modules."""
    for p in teacher.parameters():
        p.requires_grad = False
    teacher.eval()


def check_teacher_compatible(student: torch.nn.Module, teacher: torch.nn.Module,
                             role: str = 'teacher') -> None:
    """Teacher and student must predict the same number of classes and normalise inputs alike."""
    s_head = getattr(student, 'decode_head', None)
    t_head = getattr(teacher, 'decode_head', None)
    s_cls = getattr(s_head, 'num_classes', None)
    t_cls = getattr(t_head, 'num_classes', None)
    if s_cls is not None and t_cls is not None and s_cls != t_cls:
        raise ValueError(f'{role} and student predict different numbers of classes: {role} '
                         f'decode_head.num_classes={t_cls}, student decode_head.num_classes={s_cls}')
    s_norm, t_norm = _normalisation(student), _normalisation(teacher)
    if s_norm != t_norm:
        raise ValueError(
            f'{role} and student data_preprocessors normalise inputs differently (mean, std, '
            f'bgr_to_rgb): {role} {t_norm}, student {s_norm}. The {role} sees the student\'s '
            'inputs, so give both the same data_preprocessor.')


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


def _add_wrapper_keys(module, state_dict, prefix, *args):
    """Load-state-dict pre-hook, the inverse of :func:`_strip_wrapper_keys`."""
    for name in _wrapped_children(module):
        plain, wrapped = f'{prefix}{name}.', f'{prefix}{name}.module.'
        for key in [k for k in state_dict if k.startswith(plain) and not k.startswith(wrapped)]:
            state_dict[wrapped + key[len(plain):]] = state_dict.pop(key)


def register_unwrapped_state_dict_hooks(module: torch.nn.Module) -> None:
    """Keep DDP wrappers of submodules out of ``module``'s checkpoints.

    mmengine's ``MMSeparateDistributedDataParallel`` (used by algorithms with several optimizers, e.g.
    student + discriminator) wraps each trainable child in its own ``MMDistributedDataParallel``, so
    the runner would save ``architecture.module.backbone...`` keys that a non-distributed resume, the
    exporter or mmseg cannot load. These hooks save the plain keys and accept them when loading
    into a wrapped model, so checkpoints are identical with and without distributed training.
    """
    module._register_state_dict_hook(_strip_wrapper_keys)
    module._register_load_state_dict_pre_hook(_add_wrapper_keys, with_module=True)


@MODELS.register_module()
class SegmentationDistill(SingleTeacherDistill):
    """Single-teacher distillation for mmseg segmentors, built on mmrazor's ``SingleTeacherDistill``.

    Differences from ``SingleTeacherDistill`` (all deliberate):

    * The teacher is frozen and **entirely in eval mode** — batch norm *and* dropout — whatever
      ``train()`` is called with; its parameters have ``requires_grad=False``.
    * The teacher forward computes **only what the teacher recorders need**, under ``torch.no_grad``:
      recorders inside ``backbone`` → backbone only; ``neck`` → backbone + neck; ``decode_head`` →
      ``extract_feat`` + the decode head called as a module, so hooks on it fire too (no loss, no upsampling, no auxiliary head);
      ``auxiliary_head`` → its forward as well. Teacher losses are never computed. Recorders of other
      kinds fall back to the full ``tensor`` forward plus the auxiliary heads.
    * The teacher checkpoint is loaded **strictly** (a checkpoint for another architecture fails
      instead of leaving random weights), and a missing file fails with a message naming it.
    * Teacher and student must predict the same number of classes and normalise their inputs the
      same way; otherwise a ``ValueError`` names both values.
    * Distill losses can receive batch data (``from_data='gt_sem_seg'`` / ``'inputs'``, see
      :class:`SegDistiller`).

    Args:
        architecture (dict | BaseModel): The student segmentor (build it with ``_scope_='mmseg'``).
        teacher (dict | BaseModel): The teacher segmentor.
        distiller (dict): Distiller config (usually ``SegDistiller``).
        teacher_ckpt (str, optional): Teacher checkpoint (local path or URL).
        teacher_ckpt_strict (bool): Load the teacher checkpoint strictly. Defaults to True.
        calculate_student_loss (bool): Add the student's own decode/auxiliary losses. Defaults to True.
        **kwargs: Passed to ``SingleTeacherDistill`` (``data_preprocessor``, ``init_cfg``, ...).
            ``teacher_trainable`` and ``teacher_norm_eval`` are fixed and may not be passed.
    """

    def __init__(self,
                 distiller: dict,
                 teacher: Union[BaseModel, Dict],
                 teacher_ckpt: Optional[str] = None,
                 teacher_ckpt_strict: bool = True,
                 **kwargs) -> None:
        for fixed in ('teacher_trainable', 'teacher_norm_eval'):
            if fixed in kwargs:
                raise TypeError(f'{type(self).__name__} always freezes the teacher; '
                                f'{fixed!r} cannot be set')
        check_teacher_ckpt(teacher_ckpt)
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
        register_unwrapped_state_dict_hooks(self)

    def _check_compatible(self) -> None:
        check_teacher_compatible(self.student, self.teacher)

    # ---------------------------------------------------------------- forward
    def train(self, mode: bool = True):
        """Set train/eval mode; the teacher stays in eval mode (batch norm and dropout) always."""
        super().train(mode)
        self.teacher.eval()
        return self

    @torch.no_grad()
    def teacher_forward(self, inputs: torch.Tensor, data_samples: Optional[List] = None) -> None:
        """Run the teacher as far as its recorders need (see the class docstring)."""
        teacher = self.teacher
        parts = self._teacher_parts
        if parts is None and not hasattr(teacher, 'extract_feat'):
            teacher(inputs, data_samples, mode='tensor')  # not an mmseg EncoderDecoder
            return
        if parts is not None and not parts:
            return
        if parts == {'backbone'}:
            teacher.backbone(inputs)
            return
        feats = teacher.extract_feat(inputs)
        if parts is None or 'decode_head' in parts:
            heads = teacher.decode_head
            if isinstance(heads, torch.nn.ModuleList):  # CascadeEncoderDecoder
                out = heads[0](feats)
                for head in heads[1:]:
                    out = head(feats, out)
            else:
                heads(feats)
        if (parts is None or 'auxiliary_head' in parts) and getattr(teacher, 'with_auxiliary_head', False):
            heads = teacher.auxiliary_head
            for head in (heads if isinstance(heads, torch.nn.ModuleList) else [heads]):
                head(feats)

    def student_losses(self, inputs: torch.Tensor, data_samples: Optional[List]) -> Dict:
        """Student forward under the student recorders; returns its own losses if they are used."""
        with self.distiller.student_recorders, self.distiller.deliveries:
            student_losses = self.student(inputs, data_samples, mode='loss')
        return add_prefix(student_losses, 'student') if self.calculate_student_loss else {}

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
            losses.update(add_prefix(self.distiller.compute_distill_losses(), 'distill'))
        return losses
