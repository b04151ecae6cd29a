"""``RNGStateHook``: the model's random number stream is part of the training state, as in an uninterrupted run."""
import logging
from typing import Optional

import torch
from mmengine.dist import get_world_size
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.registry import HOOKS

#: Key of the saved states in a checkpoint.
CKPT_KEY = 'rng_state'


def _get_states() -> dict:
    states = dict(torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        states['cuda'] = torch.cuda.get_rng_state()
    return states


def _set_states(states: dict) -> None:
    torch.set_rng_state(states['torch'])
    if 'cuda' in states and torch.cuda.is_available():
        torch.cuda.set_rng_state(states['cuda'])


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Saves torch's global random state (CPU, and the current CUDA device's) in every checkpoint and restores it
    when training resumes, so that a resumed run draws what the uninterrupted run draws.

    What draws from that stream during training: dropout (decode heads), stochastic depth (MiT), MGD's random
    masks, the SKD critic's interpolation weights. Without this hook, a resumed run starts them from the state
    the seed leaves after building the model, not from where the interrupted run was (``docs/user_guides.md``,
    ``--resume``).

    * ``before_save_checkpoint``: ``checkpoint['rng_state'] = {'torch': ByteTensor, 'cuda': ByteTensor,
      'iter': int}`` (``cuda`` where CUDA is initialised).
    * ``after_load_checkpoint``: keeps the states of the checkpoint; ``before_train_iter`` restores them at the
      first training iteration when that iteration is the checkpoint's (a resume), after the data loader
      skipped the trained batches. A checkpoint loaded with ``load_from`` (training starts at 0) is left alone.
    * ``before_val`` / ``after_val``: validation during training runs on a copy of the state (creating the
      validation loader draws from it), so a run that validates continues as one that does not, and the
      state saved before a validation is the one training continues with.

    Where it cannot be exact it says so, once, at the resume: a checkpoint without states (saved without this
    hook), or several processes with ``randomness.diff_rank_seed=True`` (each rank has its own stream; the
    checkpoint holds rank 0's). numpy's and Python's generators drive the data pipeline and are not restored:
    mmengine's resume replays the data loader over the trained batches, which advances them as the
    uninterrupted run did (in the loader's worker processes, seeded per worker).

    :class:`~mmkdseg.engine.CheckedRunner` (the runner of ``tools/train.py``) adds this hook to every run unless
    the config lists it in ``custom_hooks``.
    """

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._loaded: Optional[dict] = None
        self._checked = False
        self._val_states: Optional[dict] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint[CKPT_KEY] = dict(_get_states(), iter=checkpoint.get('meta', {}).get('iter', runner.iter))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._loaded = checkpoint.get(CKPT_KEY)
        self._checked = False

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if self._checked:
            return
        self._checked = True
        if runner.iter == 0:  # a fresh start (or load_from): the seed's stream
            return
        if self._loaded is None:
            print_log(f'resumed at iteration {runner.iter} from a checkpoint without random number states '
                      f"(no '{CKPT_KEY}': saved without RNGStateHook): dropout, stochastic depth and random masks "
                      'draw other numbers than the uninterrupted run', logger='current', level=logging.WARNING)
            return
        if self._loaded.get('iter') != runner.iter:
            print_log(f"the checkpoint's random number states are of iteration {self._loaded.get('iter')}, "
                      f'training resumes at {runner.iter}: not restored', logger='current', level=logging.WARNING)
            return
        if get_world_size() > 1 and runner._randomness_cfg.get('diff_rank_seed', False):
            print_log('randomness.diff_rank_seed=True with several processes: each rank draws its own random '
                      "stream and the checkpoint holds rank 0's only; not restored, so the resumed run's dropout "
                      'and masks differ from the uninterrupted run', logger='current', level=logging.WARNING)
            return
        _set_states(self._loaded)
        print_log(f'random number states restored to iteration {runner.iter}', logger='current')

    def before_val(self, runner) -> None:
        self._val_states = _get_states()

    def after_val(self, runner) -> None:
        if self._val_states is not None:
            _set_states(self._val_states)
            self._val_states = None
