from . import hooks  # noqa: F401
from .checkpoint import CheckpointMismatchError, check_state_dict_covers
from .runner import CheckedRunner, build_runner

__all__ = ['CheckedRunner', 'CheckpointMismatchError', 'build_runner', 'check_state_dict_covers']
