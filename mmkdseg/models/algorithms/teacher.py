"""Teacher utilities of the distillation algorithms: checkpoint loading, freezing, compatibility checks,
and running a segmentor only as far as its recorders need."""
import os.path as osp
from typing import Dict, List, Optional, Set

import torch
from mmengine.runner import load_checkpoint

from ...utils.constants import SEGMENTOR_PARTS
from ..distillers.seg_distiller import MODULE_RECORDERS


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


def forward_parts(model: torch.nn.Module, inputs: torch.Tensor, data_samples: Optional[List],
                  parts: Optional[Set[str]]) -> None:
    """Run an mmseg segmentor only as far as ``parts`` (:func:`teacher_parts_to_run`) need; no losses.

    ``{'backbone'}`` runs the backbone; a set with ``neck``/``decode_head`` runs ``extract_feat`` and the
    decode head(s) called as modules (so hooks on them fire; no upsampling); ``auxiliary_head`` adds the
    auxiliary heads; ``None`` runs the ``tensor``-mode forward plus every auxiliary head (or only the
    ``tensor`` forward for a model that is not an ``EncoderDecoder``); an empty set runs nothing.
    """
    if parts is None and not hasattr(model, 'extract_feat'):
        model(inputs, data_samples, mode='tensor')  # not an mmseg EncoderDecoder
        return
    if parts is not None and not parts:
        return
    if parts == {'backbone'}:
        model.backbone(inputs)
        return
    feats = model.extract_feat(inputs)
    if parts is None or 'decode_head' in parts:
        heads = model.decode_head
        if isinstance(heads, torch.nn.ModuleList):  # CascadeEncoderDecoder
            out = heads[0](feats)
            for head in heads[1:]:
                out = head(feats, out)
        else:
            heads(feats)
    if (parts is None or 'auxiliary_head' in parts) and getattr(model, 'with_auxiliary_head', False):
        heads = model.auxiliary_head
        for head in (heads if isinstance(heads, torch.nn.ModuleList) else [heads]):
            head(feats)


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
