"""Does a checkpoint hold the weights of the model it is loaded into?

mmengine loads checkpoints non-strictly: a checkpoint of another model (the teacher's plain mmseg
checkpoint given to a distillation config, a distillation checkpoint given to a plain segmentor config)
only logs "do not match exactly" and the run goes on with random weights. :func:`check_state_dict_covers`
compares the keys (and shapes) of a checkpoint with those of the model and raises
:class:`CheckpointMismatchError` with a short report: the missing and unexpected keys grouped by prefix,
and which kind of checkpoint the keys look like (plain segmentor, distillation run, backbone only).
"""
import re
from collections import OrderedDict
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from torch import nn

__all__ = ['CheckpointMismatchError', 'check_state_dict_covers', 'describe_keys', 'guess_checkpoint_kind',
           'revise_state_dict_keys']

#: Top-level prefixes of a distillation algorithm's state dict (student, teachers, distiller, critic).
DISTILL_PREFIXES = ('architecture', 'teacher', 'teacher_wide', 'teacher_deep', 'distiller', 'discriminator')
#: Top-level prefixes of an mmseg segmentor's state dict.
SEGMENTOR_PREFIXES = ('backbone', 'neck', 'decode_head', 'auxiliary_head')
#: How many prefixes a report lists before it says "and N more".
MAX_LISTED = 8


class CheckpointMismatchError(RuntimeError):
    """A checkpoint's weights do not cover the model they are loaded into."""


def revise_state_dict_keys(state_dict: Mapping, revise_keys: Sequence[Tuple[str, str]]) -> 'OrderedDict':
    """``state_dict`` with each ``(pattern, replacement)`` of ``revise_keys`` applied to its keys, in order.

    The same rewriting as mmengine's ``_load_checkpoint_to_model`` (e.g. ``[(r'^module\\.', '')]``).
    """
    out = OrderedDict(state_dict.items())
    for pattern, repl in revise_keys:
        out = OrderedDict((re.sub(pattern, repl, k), v) for k, v in out.items())
    return out


def _prefix(key: str, depth: int) -> str:
    parts = key.split('.')
    return '.'.join(parts[:min(depth, len(parts) - 1) or 1])


def describe_keys(keys: Iterable[str], depth: int = 2) -> str:
    """``'architecture.backbone (122 keys), architecture.decode_head (14 keys)'``: keys grouped by prefix."""
    counts: Dict[str, int] = OrderedDict()
    for key in sorted(keys):
        p = _prefix(key, depth)
        counts[p] = counts.get(p, 0) + 1
    items = [f'{p}.* ({n} key{"s" if n > 1 else ""})' for p, n in counts.items()]
    more = len(items) - MAX_LISTED
    return ', '.join(items[:MAX_LISTED]) + (f' and {more} more prefixes' if more > 0 else '')


def guess_checkpoint_kind(keys: Iterable[str]) -> str:
    """What a state dict with these keys looks like, in words (for error messages)."""
    tops = {k.split('.')[0] for k in keys}
    if not tops:
        return 'an empty state dict'
    if 'architecture' in tops and tops & set(DISTILL_PREFIXES[1:]):
        return ('a distillation checkpoint (student under architecture.*, with '
                + ', '.join(sorted(t + '.*' for t in tops & set(DISTILL_PREFIXES[1:]))) + ')')
    if 'architecture' in tops:
        return 'a checkpoint of a model wrapping a student (architecture.*)'
    if tops & set(SEGMENTOR_PREFIXES) and tops <= set(SEGMENTOR_PREFIXES) | {'data_preprocessor'}:
        return 'a plain mmseg segmentor checkpoint (' + ', '.join(
            sorted(t + '.*' for t in tops & set(SEGMENTOR_PREFIXES))) + ')'
    if tops & {'conv1', 'stem', 'layer1', 'patch_embed', 'layers'}:
        return 'a backbone-only checkpoint (e.g. ImageNet weights; load it with init_cfg=dict(type=\'Pretrained\'))'
    return 'a checkpoint with top-level prefixes ' + ', '.join(sorted(t + '.*' for t in tops))


def _advice(model_keys: Sequence[str], ckpt_keys: Sequence[str]) -> str:
    model_tops = {k.split('.')[0] for k in model_keys}
    ckpt_tops = {k.split('.')[0] for k in ckpt_keys}
    if 'architecture' in model_tops and 'architecture' not in ckpt_tops and ckpt_tops & set(SEGMENTOR_PREFIXES):
        return ('The model is a distillation algorithm and the file a plain segmentor checkpoint: test it with '
                'the segmentor\'s own config, or use it as the teacher (model.teacher_ckpt).')
    if 'architecture' not in model_tops and 'architecture' in ckpt_tops and model_tops & set(SEGMENTOR_PREFIXES):
        return ('The model is a plain segmentor and the file a distillation checkpoint: test it with the '
                'distillation config, or export the student first (tools/export_student.py).')
    return 'Check that the config is the one the checkpoint was trained with.'


def check_state_dict_covers(model: nn.Module, state_dict: Mapping, source: str = 'checkpoint',
                            model_keys: Optional[Mapping] = None) -> List[str]:
    """Raise :class:`CheckpointMismatchError` unless ``state_dict`` holds every weight of ``model``.

    Every key of the model's state dict (mmengine's ``get_state_dict``: wrappers of child modules
    unwrapped, plain key names) must be in ``state_dict`` with the same shape. Keys of the checkpoint that
    the model does not have are tolerated and returned (the caller may warn about them).

    Args:
        model: the module the weights are for (not a model wrapper).
        state_dict: the checkpoint's weights, keys already revised (e.g. ``module.`` stripped).
        source: what to call the checkpoint in the message (its file name).
        model_keys: the model's ``{key: tensor}`` if the caller has it already.

    Returns:
        The unexpected keys (sorted).
    """
    if model_keys is None:
        from mmengine.runner.checkpoint import get_state_dict
        model_keys = get_state_dict(model)
    missing = [k for k in model_keys if k not in state_dict]
    mismatched = [f'{k}: checkpoint {tuple(state_dict[k].shape)}, model {tuple(model_keys[k].shape)}'
                  for k in model_keys
                  if k in state_dict and hasattr(state_dict[k], 'shape')
                  and tuple(state_dict[k].shape) != tuple(model_keys[k].shape)]
    unexpected = sorted(k for k in state_dict if k not in model_keys)
    if missing or mismatched:
        lines = [f'{source} does not hold the weights of the {type(model).__name__} it is loaded into: '
                 f'it looks like {guess_checkpoint_kind(state_dict)}.']
        if missing:
            lines.append(f'  missing ({len(missing)} of {len(model_keys)} model keys): {describe_keys(missing)}')
        if unexpected:
            lines.append(f'  unexpected ({len(unexpected)} checkpoint keys): {describe_keys(unexpected)}')
        if mismatched:
            lines.append(f'  shape mismatch ({len(mismatched)}): ' + '; '.join(mismatched[:4])
                         + (f' and {len(mismatched) - 4} more' if len(mismatched) > 4 else ''))
        lines.append('  ' + _advice(list(model_keys), list(state_dict)))
        lines.append('  To load the matching part anyway (the rest keeps its initialisation), pass '
                     '--allow-partial-checkpoint to tools/train.py / tools/test.py / tools/export_student.py '
                     '(config key allow_partial_checkpoint=True).')
        raise CheckpointMismatchError('\n'.join(lines))
    return unexpected
