"""Resumable random draws for algorithms (gradient-penalty interpolation, CutMix boxes)."""
import torch


def new_rng_state() -> torch.Tensor:
    """A ``[seed, steps so far]`` buffer for :func:`resumable_generator` (the seed drawn from torch's RNG)."""
    return torch.tensor([int(torch.randint(0, 2**31 - 1, ())), 0])


def resumable_generator(state: torch.Tensor, per_rank: bool = True) -> torch.Generator:
    """A CPU generator seeded by ``state`` = [seed, step] (and the rank if ``per_rank``); advances the step.

    Kept as a registered buffer, ``state`` is saved in checkpoints, so the random draws of a resumed run
    (gradient-penalty interpolation, CutMix boxes) equal those of an uninterrupted one, on every rank.
    ``per_rank=False`` gives every process the same draws (like mmengine's default seeding,
    ``randomness.diff_rank_seed=False``).
    """
    from mmengine.dist import get_rank
    seed, step = (int(v) for v in state)
    state[1] += 1
    rank = get_rank() if per_rank else 0
    return torch.Generator().manual_seed((seed * 1_000_003 + step * 1009 + rank) % (2**63 - 1))
