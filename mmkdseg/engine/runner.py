"""``CheckedRunner``: mmengine's ``Runner`` that refuses a checkpoint which does not fit the model."""
import logging
from typing import Callable, Union

from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.model import BaseTTAModel
from mmengine.registry import RUNNERS
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint, _load_checkpoint_to_model, get_state_dict

from ..utils.checks import unwrap
from .checkpoint import check_state_dict_covers, describe_keys, revise_state_dict_keys
from .hooks import RNGStateHook

__all__ = ['CheckedRunner', 'build_runner', 'PARTIAL_KEY']

#: Config key (and ``--allow-partial-checkpoint``) that lets a run load a checkpoint non-strictly.
PARTIAL_KEY = 'allow_partial_checkpoint'


@RUNNERS.register_module()
class CheckedRunner(Runner):
    """mmengine's :class:`~mmengine.runner.Runner` whose :meth:`load_checkpoint` checks coverage.

    Every checkpoint the runner loads — ``load_from`` (fine-tuning, ``tools/test.py``), ``--resume`` —
    must hold every weight of the model with the right shape (:func:`check_state_dict_covers`); otherwise
    :class:`~mmkdseg.engine.checkpoint.CheckpointMismatchError` names the missing / unexpected key
    prefixes and what the checkpoint looks like. mmengine's own runner only logs a warning and goes on
    with the model's random initialisation.

    ``allow_partial_checkpoint=True`` in the config (``--allow-partial-checkpoint`` of the tools) restores
    mmengine's behaviour, with the mismatch logged as a warning. Unexpected checkpoint keys alone (the
    model is covered) are logged as a warning either way.

    Every run also gets :class:`~mmkdseg.engine.hooks.RNGStateHook` (unless its ``custom_hooks`` list it), so
    that ``--resume`` continues the model's random number stream where the interrupted run was.
    """

    #: Set from the config by :meth:`from_cfg`.
    allow_partial_checkpoint = False

    @classmethod
    def from_cfg(cls, cfg: Config) -> 'CheckedRunner':
        runner = super().from_cfg(cfg)
        runner.allow_partial_checkpoint = bool(cfg.get(PARTIAL_KEY, False))
        if not any(isinstance(h, RNGStateHook) for h in runner.hooks):
            runner.register_hook(RNGStateHook())
        return runner

    def load_checkpoint(self, filename: str, map_location: Union[str, Callable] = 'cpu',
                        strict: bool = False, revise_keys: list = [(r'^module.', '')]):
        checkpoint = _load_checkpoint(filename, map_location=map_location)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = unwrap(self.model)
        state = checkpoint.get('state_dict', checkpoint)
        if not isinstance(state, dict):
            raise TypeError(f'checkpoint {filename!r} holds a {type(state).__name__}, not a state dict')
        revised = revise_state_dict_keys(state, revise_keys)
        # mmengine's loader also unwraps a test-time-augmentation model (tools/test.py --tta)
        target = model.module if isinstance(model, BaseTTAModel) else model
        try:
            unexpected = check_state_dict_covers(target, revised, f'checkpoint {filename!r}',
                                                 model_keys=get_state_dict(target))
        except Exception as e:
            if not self.allow_partial_checkpoint:
                raise
            print_log(f'{e}\n{PARTIAL_KEY}=True: loading the matching part only.', logger='current',
                      level=logging.WARNING)
        else:
            if unexpected:
                print_log(f'checkpoint {filename!r} has keys the model does not use (ignored): '
                          f'{describe_keys(unexpected)}', logger='current', level=logging.WARNING)
        checkpoint = _load_checkpoint_to_model(model, checkpoint, strict, revise_keys=revise_keys)
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint


def build_runner(cfg: Config) -> Runner:
    """The runner of ``cfg``: ``cfg.runner_type`` if set (mmengine's rule), else :class:`CheckedRunner`."""
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return CheckedRunner.from_cfg(cfg)
