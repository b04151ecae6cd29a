"""The one place where mmkdseg patches the pinned OpenMMLab stack for torch 2.x; :func:`apply` runs at
``import mmkdseg``.

**mmrazor 1.0.0 does not import on torch >= 2.** Its quantization modules build backend tables at import
time behind ``if digit_version(torch.__version__) >= digit_version('1.13.0')``, and those tables reference
torch internals that were renamed after 1.13. Upstream fixed this after the 1.0.0 release by skipping the
tables. :func:`import_mmrazor` gets the same effect: while (and only while) mmrazor's modules are imported,
``torch.__version__`` reads :data:`GATE_VERSION`, so the gated tables are not built. The real version is
restored afterwards. Nothing else in mmrazor changes; mmrazor's quantization algorithms are therefore
unavailable (mmkdseg does not use them).

:func:`apply` also installs the two fixes that live with their own concept:

* :func:`mmkdseg.engine.checkpoint.load_from_local` becomes mmengine's loader of local checkpoints (safe
  ``weights_only`` loading that still reads mmengine's runner checkpoints);
* :class:`mmkdseg.engine.dist.CPUDistributedDataParallel` and ``CPUSeparateDistributedDataParallel`` are
  registered as model wrappers (distributed runs on a CPU-only torch; the config side is
  :func:`mmkdseg.engine.dist.setup_cpu_distributed`).
"""
import contextlib
import importlib
import sys

import torch

__all__ = ['GATE_VERSION', 'MMRAZOR_MODULES', 'apply', 'import_mmrazor']

#: mmrazor subpackages that must be imported while the version gate is lowered (they evaluate
#: ``digit_version(torch.__version__)`` at import time, directly or through their imports).
MMRAZOR_MODULES = ('mmrazor', 'mmrazor.registry', 'mmrazor.structures', 'mmrazor.models',
                   'mmrazor.engine', 'mmrazor.datasets', 'mmrazor.utils')
#: The version mmrazor's import-time gate sees. Anything below 1.13 skips the quantization tables.
GATE_VERSION = '1.12.0'


@contextlib.contextmanager
def _torch_version_seen_as(version: str):
    """``torch.__version__`` reads ``version`` inside the ``with`` block, its real value again afterwards."""
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
    with _torch_version_seen_as(GATE_VERSION):
        for name in MMRAZOR_MODULES:
            importlib.import_module(name)
    return sys.modules['mmrazor']


_applied = False


def apply():
    """Import mmrazor through the shim, register the safe checkpoint loader and the CPU DDP wrappers.

    Idempotent. The engine modules are imported here, after mmrazor, not at the top of this module.
    """
    global _applied
    if _applied:
        return
    import_mmrazor()
    from mmengine.registry import MODEL_WRAPPERS
    from mmengine.runner.checkpoint import CheckpointLoader

    from .engine.checkpoint import load_from_local
    from .engine.dist import CPUDistributedDataParallel, CPUSeparateDistributedDataParallel
    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local, force=True)
    MODEL_WRAPPERS.register_module(module=CPUDistributedDataParallel, force=True)
    MODEL_WRAPPERS.register_module(module=CPUSeparateDistributedDataParallel, force=True)
    _applied = True
