"""RNGStateHook: the checkpoint carries torch's random state; a resume restores it, validation does not use it."""
from types import SimpleNamespace
from unittest import mock

import pytest
import torch

from mmkdseg.engine.hooks import RNGStateHook
from mmkdseg.engine.hooks import rng_state as module


def runner(it, **randomness):
    return SimpleNamespace(iter=it, _randomness_cfg=dict(seed=0, **randomness))


def saved_at(it):
    """The checkpoint dict a run saves after iteration ``it``, and the numbers it draws next."""
    hook, ckpt = RNGStateHook(), dict(meta=dict(iter=it))
    hook.before_save_checkpoint(runner(it), ckpt)
    return ckpt, torch.rand(5)


def test_resume_restores_the_stream_of_the_saved_iteration():
    torch.manual_seed(3)
    torch.rand(7)  # the run so far
    ckpt, expected = saved_at(2)
    assert ckpt['rng_state']['iter'] == 2 and ckpt['rng_state']['torch'].dtype == torch.uint8
    torch.manual_seed(0)  # the resumed process: the seed's stream, then the checkpoint
    hook = RNGStateHook()
    hook.after_load_checkpoint(runner(2), ckpt)
    with mock.patch.object(module, 'print_log') as log:
        hook.before_train_iter(runner(2), 2)
    assert torch.equal(torch.rand(5), expected)
    assert 'restored to iteration 2' in log.call_args[0][0]
    # only at the first iteration of the session
    torch.manual_seed(0)
    hook.before_train_iter(runner(3), 3)
    assert not torch.equal(torch.rand(5), expected)


@pytest.mark.parametrize('case', ['fresh', 'other_iter', 'no_states', 'diff_rank_seed'])
def test_when_the_stream_is_not_restored(case, monkeypatch):
    ckpt, expected = saved_at(2)
    if case == 'no_states':
        del ckpt['rng_state']
    if case == 'diff_rank_seed':
        monkeypatch.setattr(module, 'get_world_size', lambda: 2)
    hook = RNGStateHook()
    hook.after_load_checkpoint(runner(2), ckpt)
    torch.manual_seed(0)
    it = dict(fresh=0, other_iter=4).get(case, 2)  # load_from starts at 0
    with mock.patch.object(module, 'print_log') as log:
        hook.before_train_iter(runner(it, diff_rank_seed=case == 'diff_rank_seed'), it)
    assert not torch.equal(torch.rand(5), expected)
    warned = {'fresh': None, 'other_iter': 'training resumes at 4: not restored',
              'no_states': 'without random number states', 'diff_rank_seed': 'diff_rank_seed=True'}[case]
    if warned is None:
        log.assert_not_called()
    else:
        assert warned in log.call_args[0][0] and log.call_args[1]['level'] == module.logging.WARNING


def test_validation_draws_from_a_copy():
    hook = RNGStateHook()
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    hook.before_val(runner(2))
    torch.rand(100)  # e.g. the validation loader's base seed
    hook.after_val(runner(2))
    assert torch.equal(torch.rand(3), expected)
