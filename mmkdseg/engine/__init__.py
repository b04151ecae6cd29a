from . import hooks  # noqa: F401
from .checkpoint import CheckpointLoadError, CheckpointMismatchError, check_state_dict_covers, load_from_local
from .dist import setup_cpu_distributed, teardown_distributed
from .runner import CheckedRunner, build_runner

__all__ = ['CheckedRunner', 'CheckpointLoadError', 'CheckpointMismatchError', 'build_runner',
           'check_state_dict_covers', 'load_from_local', 'setup_cpu_distributed', 'teardown_distributed']
