"""Distributed runs on a CPU-only torch, and a clean end of every distributed run.

mmengine 0.10.7 cannot run distributed without CUDA: its ``pytorch`` launcher calls ``torch.cuda.set_device``
unconditionally, and its default DDP wrapper passes ``device_ids``, which torch rejects for CPU modules.
:func:`setup_cpu_distributed` (called through :func:`mmkdseg.utils.config_utils.load_config` by
``tools/train.py`` and ``tools/test.py`` only when there is no CUDA device and a launcher is given)
initialises the process group itself with the gloo backend, so mmengine skips its own ``init_dist``, and
selects the :class:`CPUDistributedDataParallel` wrapper (mmengine's ``MMDistributedDataParallel`` without
``device_ids``). A config that asks for mmengine's ``MMSeparateDistributedDataParallel`` (models with their
own ``train_step`` and several optimizers, e.g. a student and a discriminator) gets
:class:`CPUSeparateDistributedDataParallel` instead, the same wrapper without ``device_ids``. With CUDA,
nothing changes. Both wrappers are registered in mmengine's ``MODEL_WRAPPERS`` by :func:`mmkdseg.compat.apply`
(at ``import mmkdseg``).

Both tools end a successful distributed run with :func:`teardown_distributed` (barrier,
``destroy_process_group``, ``os._exit(0)``), on CPU and CUDA alike.
"""
import os
import sys

import torch

__all__ = ['CPUDistributedDataParallel', 'CPUSeparateDistributedDataParallel', 'CPU_WRAPPERS',
           'setup_cpu_distributed', 'teardown_distributed']


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
