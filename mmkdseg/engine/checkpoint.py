"""Checkpoints: reading a file safely, and checking that it holds the weights of the model.

**Reading** (:func:`load_from_local`). mmengine 0.10.7 calls ``torch.load`` without ``weights_only``. Since
torch 2.6 that means ``weights_only=True``, which refuses mmengine's own runner checkpoints (numpy scalars,
``HistoryBuffer`` in the message hub). Instead of turning safe loading off globally, :func:`mmkdseg.compat.apply`
(at ``import mmkdseg``) registers :func:`load_from_local` as mmengine's ``CheckpointLoader`` for local files
(the ``''`` scheme): it keeps ``weights_only=True`` and allow-lists exactly the extra types that mmengine writes
into checkpoints (:data:`CHECKPOINT_SAFE_GLOBALS`), only for the duration of that call. A file that needs
anything else is refused with :class:`CheckpointLoadError` naming the type; if the user trusts the file they
can opt in with ``MMKDSEG_TRUSTED_CHECKPOINTS=1`` (:data:`TRUST_ENV`; full unpickling, logged). The
checkpoints that reach this loader are the ones the user points at (``load_from``, ``--resume``,
``teacher_ckpt``, the test tool's checkpoint).

**Checking** (:func:`check_state_dict_covers`). mmengine loads checkpoints non-strictly: a checkpoint of
another model (the teacher's plain mmseg checkpoint given to a distillation config, a distillation checkpoint
given to a plain segmentor config) only logs "do not match exactly" and the run goes on with random weights.
:func:`check_state_dict_covers` compares the keys (and shapes) of a checkpoint with those of the model and
raises :class:`CheckpointMismatchError` with a short report: the missing and unexpected keys grouped by prefix,
and which kind of checkpoint the keys look like (plain segmentor, distillation run, backbone only).
"""
import codecs
import contextlib
import functools
import os
import os.path as osp
import pickle
import re
import warnings
from collections import OrderedDict
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import torch
from torch import nn

from ..utils.constants import ALGORITHM_PARTS, SEGMENTOR_PARTS, SEGMENTOR_ROLES

__all__ = ['CHECKPOINT_SAFE_GLOBALS', 'CheckpointLoadError', 'CheckpointMismatchError', 'TRUST_ENV',
           'check_state_dict_covers', 'describe_keys', 'guess_checkpoint_kind', 'load_from_local',
           'revise_state_dict_keys']

#: Environment variable that lets a user load a checkpoint they trust with full unpickling.
TRUST_ENV = 'MMKDSEG_TRUSTED_CHECKPOINTS'

#: Top-level prefixes of a distillation algorithm's state dict (student, teachers, distiller, critic).
DISTILL_PREFIXES = SEGMENTOR_ROLES + ALGORITHM_PARTS
#: Top-level prefixes of an mmseg segmentor's state dict.
SEGMENTOR_PREFIXES = SEGMENTOR_PARTS
#: How many prefixes a report lists before it says "and N more".
MAX_LISTED = 8


def _history_buffer_getattr(obj, name):
    """Stand-in for ``getattr`` during safe loading: resolves only HistoryBuffer's statistics methods.

    ``HistoryBuffer`` keeps its statistics functions (``HistoryBuffer.mean``, ``.max``, ...) in its
    state, which pickle as ``getattr(HistoryBuffer, 'mean')``. Allow-listing the real ``getattr`` would
    let a crafted file reach
    arbitrary attributes (and from there arbitrary code), so only this exact use is accepted.
    """
    from mmengine.logging import HistoryBuffer
    if (obj is HistoryBuffer or isinstance(obj, HistoryBuffer)) and isinstance(name, str) \
            and not name.startswith('_') and callable(getattr(HistoryBuffer, name, None)):
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'refusing getattr({obj!r}, {name!r}) while loading a checkpoint safely')


def _checkpoint_safe_globals():
    """The non-tensor types that mmengine's ``Runner.save_checkpoint`` writes."""
    import numpy as np
    from mmengine.logging import HistoryBuffer
    try:  # numpy >= 1.25 exposes the dtype classes (numpy 2 pickles them)
        dtype_classes = [getattr(np.dtypes, n) for n in dir(np.dtypes) if n.endswith('DType')]
    except AttributeError:  # pragma: no cover
        dtype_classes = []
    core = np.core.multiarray if hasattr(np, 'core') else np._core.multiarray
    return [HistoryBuffer, core.scalar, core._reconstruct, np.ndarray, np.dtype, codecs.encode,
            (_history_buffer_getattr, '__builtin__.getattr'),
            (_history_buffer_getattr, 'builtins.getattr')] + dtype_classes


CHECKPOINT_SAFE_GLOBALS = _checkpoint_safe_globals()


class CheckpointLoadError(RuntimeError):
    """A checkpoint file cannot be read; the message names the file and the reason in one line."""


def _header(filename: str) -> bytes:
    with open(filename, 'rb') as f:
        return f.read(4)


def _load_failure(filename: str, exc: BaseException) -> str:
    """One line: what is wrong with ``filename``, from the exception torch raised while loading it."""
    size = osp.getsize(filename)
    text = str(exc)
    first = text.splitlines()[0] if text else type(exc).__name__
    if size == 0:
        return 'the file is empty (0 bytes), not a checkpoint (was its saving interrupted?)'
    refused = re.search(r'GLOBAL ([\w.]+)', text)
    if refused or 'refusing getattr' in text:
        what = f'type {refused.group(1)}' if refused else next(
            ln.strip() for ln in text.splitlines() if 'refusing getattr' in ln)
        return (f'safe loading (weights_only=True plus mmengine\'s own types) refuses {what} in it. Only if '
                f'you trust this file, set {TRUST_ENV}=1 to load it with full unpickling')
    header = _header(filename)
    if header == b'PK\x03\x04':
        return f'a damaged PyTorch zip archive ({size} bytes; truncated or corrupt: {first})'
    # a legacy (non-zip) torch.save file starts with pickle protocol 2 and its magic number (LONG1, 10 bytes)
    if header[:1] == b'\x80' and header[2:4] != b'\x8a\x0a' or 'magic number' in text:
        return 'a plain pickle file, not a torch.save checkpoint; load it and re-save its tensors with torch.save'
    return (f'not a PyTorch checkpoint ({size} bytes, neither a torch.save zip archive nor a legacy torch '
            f'file: {type(exc).__name__}: {first})')


def load_from_local(filename, map_location=None):
    """Load a local checkpoint with ``weights_only=True`` plus mmengine's own types.

    Replaces ``mmengine.runner.checkpoint.load_from_local`` (the loader of the ``''`` scheme).

    Raises:
        FileNotFoundError: the file does not exist (the path is in the message).
        CheckpointLoadError: the file cannot be loaded; one line names it and says why: empty, not a
            torch file, a damaged zip archive, a plain pickle, or a type outside
            :data:`CHECKPOINT_SAFE_GLOBALS` (with the ``MMKDSEG_TRUSTED_CHECKPOINTS=1`` opt-in).
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint file {filename!r} does not exist')
    if os.environ.get(TRUST_ENV, '') == '1':
        warnings.warn(f'{TRUST_ENV}=1: loading {filename} with full unpickling (trusted file)')
        loader = functools.partial(torch.load, filename, map_location=map_location, weights_only=False)
        context = contextlib.nullcontext()
    else:
        loader = functools.partial(torch.load, filename, map_location=map_location, weights_only=True)
        context = torch.serialization.safe_globals(CHECKPOINT_SAFE_GLOBALS)
    try:
        with context:
            return loader()
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as e:
        raise CheckpointLoadError(f'cannot load checkpoint {filename!r}: {_load_failure(filename, e)}') from e


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
