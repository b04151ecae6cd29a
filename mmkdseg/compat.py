"""Compatibility of the pinned OpenMMLab stack with torch 2.x — the only module that patches anything.

Two problems, two small fixes, both applied once by ``import mmkdseg``:

1. **mmrazor 1.0.0 does not import on torch >= 2.** Its quantization modules build backend tables at
   import time behind ``if digit_version(torch.__version__) >= digit_version('1.13.0')``, and those
   tables reference torch internals that were renamed after 1.13. Upstream fixed this after the 1.0.0
   release by skipping the tables. :func:`import_mmrazor` gets the same effect: while (and only while)
   mmrazor's modules are imported, ``torch.__version__`` reads ``1.12.0``, so the gated tables are not
   built. The real version is restored afterwards. Nothing else in mmrazor changes; mmrazor's
   quantization algorithms are therefore unavailable (mmkdseg does not use them).

2. **mmengine 0.10.7 calls ``torch.load`` without ``weights_only``.** Since torch 2.6 that means
   ``weights_only=True``, which refuses mmengine's own runner checkpoints (numpy scalars, ``HistoryBuffer``
   in the message hub). Instead of turning safe loading off globally, mmkdseg replaces mmengine's loader
   for local files with :func:`load_from_local`: it keeps ``weights_only=True`` and allow-lists exactly the
   extra types that mmengine writes into checkpoints (:data:`CHECKPOINT_SAFE_GLOBALS`), only for the
   duration of that call. A file that needs anything else is refused with an error naming the type;
   if the user trusts the file they can opt in with ``MMKDSEG_TRUSTED_CHECKPOINTS=1`` (full unpickling,
   logged). The checkpoints that reach this loader are the ones the user points at (``load_from``,
   ``--resume``, ``teacher_ckpt``, the test tool's checkpoint).

3. **mmengine 0.10.7 cannot run distributed on a CPU-only torch.** Its ``pytorch`` launcher calls
   ``torch.cuda.set_device`` unconditionally, and its default DDP wrapper passes ``device_ids``, which
   torch rejects for CPU modules. :func:`setup_cpu_distributed` (called by ``tools/train.py`` and
   ``tools/test.py`` only when there is no CUDA device and a launcher is given) initialises the process
   group itself with the gloo backend, so mmengine skips its own ``init_dist``, and selects the
   ``CPUDistributedDataParallel`` wrapper (mmengine's ``MMDistributedDataParallel`` without
   ``device_ids``). A config that asks for mmengine's ``MMSeparateDistributedDataParallel`` (models with
   their own ``train_step`` and several optimizers, e.g. a student and a discriminator) gets
   ``CPUSeparateDistributedDataParallel`` instead, the same wrapper without ``device_ids``. With CUDA,
   nothing changes. Both tools end a successful distributed run with :func:`teardown_distributed` (barrier,
   ``destroy_process_group``, ``os._exit(0)``), on CPU and CUDA alike.
"""
import codecs
import contextlib
import functools
import os
import os.path as osp
import pickle
import re
import sys
import warnings

import torch

__all__ = [
    'import_mmrazor', 'load_from_local', 'CheckpointLoadError', 'CHECKPOINT_SAFE_GLOBALS', 'TRUST_ENV', 'apply',
    'setup_cpu_distributed', 'CPUDistributedDataParallel', 'CPUSeparateDistributedDataParallel'
]

#: mmrazor subpackages that must be imported while the version gate is lowered (they evaluate
#: ``digit_version(torch.__version__)`` at import time, directly or through their imports).
MMRAZOR_MODULES = ('mmrazor', 'mmrazor.registry', 'mmrazor.structures', 'mmrazor.models',
                   'mmrazor.engine', 'mmrazor.datasets', 'mmrazor.utils')
#: The version mmrazor's import-time gate sees. Anything below 1.13 skips the quantization tables.
GATE_VERSION = '1.12.0'
#: Environment variable that lets a user load a checkpoint they trust with full unpickling.
TRUST_ENV = 'MMKDSEG_TRUSTED_CHECKPOINTS'


@contextlib.contextmanager
def _torch_version_seen_as(version: str):
    real = torch.__version__
    torch.__version__ = type(real)(version) if isinstance(real, str) else version
    try:
        yield
    finally:
        torch.__version__ = real


def import_mmrazor():
    """Import mmrazor 1.0.0 on torch 2.x and return the ``mmrazor`` module.

    The libraries mmrazor depends on are imported first, with the real torch version, so that their
    own import-time version checks (mmengine's ``TORCH_VERSION`` etc.) are unaffected.
    """
    if 'mmrazor.models' in sys.modules:
        return sys.modules['mmrazor']
    import mmcv  # noqa: F401
    import mmcv.ops  # noqa: F401
    import mmengine.model  # noqa: F401
    import mmengine.runner  # noqa: F401
    import mmseg.models  # noqa: F401
    import importlib
    with _torch_version_seen_as(GATE_VERSION):
        for name in MMRAZOR_MODULES:
            importlib.import_module(name)
    return sys.modules['mmrazor']


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


class CPUDistributedDataParallel:
    """Model wrapper for CPU-only distributed training: ``MMDistributedDataParallel`` without
    ``device_ids``.

    It is deliberately not a ``DistributedDataParallel`` subclass: mmengine's ``Runner.wrap_model``
    adds ``device_ids=[LOCAL_RANK]`` to wrappers that are, and torch refuses ``device_ids`` for CPU
    modules. Constructing it returns the ``MMDistributedDataParallel`` instance itself.
    """

    def __new__(cls, module, **kwargs):
        from mmengine.model import MMDistributedDataParallel
        kwargs.pop('device_ids', None)
        kwargs.setdefault('broadcast_buffers', False)
        return MMDistributedDataParallel(module=module, device_ids=None, **kwargs)


class CPUSeparateDistributedDataParallel:
    """Model wrapper for CPU-only distributed training of models with several optimizers:
    ``MMSeparateDistributedDataParallel`` (each trainable submodule in its own
    ``MMDistributedDataParallel``, the model's own ``train_step`` called) without ``device_ids``.

    Not a ``DistributedDataParallel`` subclass, for the reason given in
    :class:`CPUDistributedDataParallel`. Constructing it returns the
    ``MMSeparateDistributedDataParallel`` instance itself.
    """

    def __new__(cls, module, **kwargs):
        from mmengine.model import MMSeparateDistributedDataParallel
        kwargs.pop('device_ids', None)
        return MMSeparateDistributedDataParallel(module=module, **kwargs)


#: Wrappers a config may name, and their CPU stand-ins.
CPU_WRAPPERS = {
    'MMDistributedDataParallel': 'CPUDistributedDataParallel',
    'MMSeparateDistributedDataParallel': 'CPUSeparateDistributedDataParallel',
}


def setup_cpu_distributed(cfg) -> bool:
    """Prepare a config for distributed training/testing without CUDA (see the module docstring).

    Does nothing (returns False) when ``cfg.launcher`` is ``'none'`` or CUDA is available. Otherwise
    switches an ``nccl`` backend to ``gloo``, initialises the process group from the launcher's
    environment variables and selects :class:`CPUDistributedDataParallel` (or replaces a configured
    mmengine wrapper by its CPU stand-in, :data:`CPU_WRAPPERS`); returns True.
    """
    import torch.distributed as dist
    from mmengine.logging import print_log
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return False
    if cfg.launcher != 'pytorch':
        raise RuntimeError(f'CPU-only distributed runs support launcher=pytorch (torchrun), '
                           f'got {cfg.launcher!r}')
    dist_cfg = cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    if dist_cfg.get('backend', 'nccl') == 'nccl':
        dist_cfg['backend'] = 'gloo'
    if not dist.is_initialized():
        dist.init_process_group(backend=dist_cfg['backend'])
    wrapper = dict(type='CPUDistributedDataParallel',
                   find_unused_parameters=cfg.get('find_unused_parameters', False))
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = wrapper
    else:  # mmengine's CUDA wrappers named by the config -> their CPU stand-ins
        kind = cfg.model_wrapper_cfg.get('type', 'MMDistributedDataParallel')
        cfg.model_wrapper_cfg.type = CPU_WRAPPERS.get(kind, kind)
    print_log(f'no CUDA device: distributed {dist_cfg["backend"]} process group of '
              f'{dist.get_world_size()} CPU processes', logger='current')
    return True


def teardown_distributed() -> None:
    """End a successful distributed run: barrier, ``destroy_process_group``, then leave the process at once.

    No-op when no process group was initialised (a plain single-process run returns normally).
    ``tools/train.py`` and ``tools/test.py`` call it last. Without it a gloo rank sometimes aborts with
    ``terminate called without an active exception`` (SIGABRT) *after* the checkpoint and the metrics are
    written, which fails the whole ``torchrun`` job: torch 2.13 destroys c10d/gloo objects during interpreter
    shutdown while their threads are still joinable. Measured here: 3 of 14 two-process runs without this
    function; with only the barrier and ``destroy_process_group`` the abort still happened once in about 25
    runs. So after both, the rank flushes its output and logging handlers and ends with ``os._exit(0)``,
    skipping the interpreter shutdown where the abort happens (atexit handlers do not run; everything mmkdseg
    and mmengine write is closed by then).
    """
    import logging
    import torch.distributed as dist
    if not (dist.is_available() and dist.is_initialized()):
        return
    dist.barrier()
    dist.destroy_process_group()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


_applied = False


def apply():
    """Apply the fixes that need no config (1, 2; registers the wrapper of 3). Idempotent."""
    global _applied
    if _applied:
        return
    import_mmrazor()
    from mmengine.runner.checkpoint import CheckpointLoader
    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local, force=True)
    from mmengine.registry import MODEL_WRAPPERS
    MODEL_WRAPPERS.register_module(module=CPUDistributedDataParallel, force=True)
    MODEL_WRAPPERS.register_module(module=CPUSeparateDistributedDataParallel, force=True)
    _applied = True
