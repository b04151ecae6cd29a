"""Semi-supervised batch sampling: every batch = ``batch_size`` labeled + ``unlabeled_batch_size`` unlabeled.

Used with :class:`~mmkdseg.datasets.SemiSegDataset` in an ordinary mmengine dataloader::

    train_dataloader = dict(
        batch_size=8,                                        # labeled images per batch (per process)
        sampler=dict(type='SemiInfiniteSampler', shuffle=True),
        batch_sampler=dict(type='SemiBatchSampler', unlabeled_batch_size=8),
        dataset=dict(type='SemiSegDataset', datasets=[labeled, unlabeled]))

mmengine builds the sampler with the dataset and the run's seed, then the batch sampler with that
sampler and the dataloader's ``batch_size``. ``batch_size`` keeps its usual meaning (labeled images per
process), so ``auto_scale_lr`` and tools that shrink batch sizes keep working.

Distributed safety: like mmengine's ``InfiniteSampler``, each part has one seeded infinite stream of
permutations shared by all ranks, and rank ``r`` of ``w`` takes every ``w``-th entry starting at ``r`` —
so within each pass over a part the ranks see disjoint images, and every rank sees a different batch.
"""
import itertools
from typing import Iterator, List, Optional

import torch
from mmengine.dataset.sampler import InfiniteSampler
from mmengine.dist import get_dist_info, sync_random_seed
from mmseg.registry import DATA_SAMPLERS
from torch.utils.data import Sampler


@DATA_SAMPLERS.register_module()
class SemiInfiniteSampler(Sampler):
    """Per-rank disjoint, seeded, infinite index streams of the labeled and the unlabeled part.

    Iterating it directly alternates one labeled and one unlabeled index; use it through
    :class:`SemiBatchSampler`, which draws ``labeled_indices()`` and ``unlabeled_indices()`` in the
    configured proportions.

    Args:
        dataset (SemiSegDataset): Must have ``num_labeled`` and ``num_unlabeled``.
        shuffle (bool): Shuffle each pass over a part. Defaults to True.
        seed (int, optional): Seed shared by all ranks (mmengine passes the run's seed); a random one
            synchronised across ranks if None.
    """

    def __init__(self, dataset, shuffle: bool = True, seed: Optional[int] = None) -> None:
        if not (hasattr(dataset, 'num_labeled') and hasattr(dataset, 'num_unlabeled')):
            raise TypeError(f'SemiInfiniteSampler needs a SemiSegDataset (num_labeled / num_unlabeled), '
                            f'got {type(dataset).__name__}')
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else int(seed)
        self.num_labeled = dataset.num_labeled
        self.num_unlabeled = dataset.num_unlabeled

    def _stream(self, size: int, offset: int, seed: int) -> Iterator[int]:
        g = torch.Generator()
        g.manual_seed(seed)

        def forever():
            while True:
                order = torch.randperm(size, generator=g) if self.shuffle else torch.arange(size)
                yield from (offset + i for i in order.tolist())
        return itertools.islice(forever(), self.rank, None, self.world_size)

    def labeled_indices(self) -> Iterator[int]:
        """This rank's infinite stream of labeled indices (a fresh stream from the seed on every call)."""
        return self._stream(self.num_labeled, 0, self.seed)

    def unlabeled_indices(self) -> Iterator[int]:
        """This rank's infinite stream of unlabeled indices (offset by ``num_labeled``)."""
        # another seed, so the two parts are not shuffled in lockstep when they have equal sizes
        return self._stream(self.num_unlabeled, self.num_labeled, self.seed + 1)

    def __iter__(self) -> Iterator[int]:
        for pair in zip(self.labeled_indices(), self.unlabeled_indices()):
            yield from pair

    def __len__(self) -> int:
        return len(self.dataset)

    def set_epoch(self, epoch: int) -> None:
        """Not used by iteration-based training (the streams are infinite)."""


@DATA_SAMPLERS.register_module()
class SemiBatchSampler:
    """Infinite batches of ``batch_size`` labeled then ``unlabeled_batch_size`` unlabeled indices.

    Args:
        sampler (SemiInfiniteSampler): Provides the per-rank index streams (mmengine passes it).
        batch_size (int): Labeled images per batch (mmengine passes the dataloader's batch_size).
        unlabeled_batch_size (int): Unlabeled images per batch.
    """

    def __init__(self, sampler, batch_size: int, unlabeled_batch_size: int) -> None:
        if not isinstance(sampler, SemiInfiniteSampler):
            hint = (' (mmengine\'s InfiniteSampler mixes the parts; use SemiInfiniteSampler)'
                    if isinstance(sampler, InfiniteSampler) else '')
            raise TypeError(f'SemiBatchSampler needs sampler=dict(type="SemiInfiniteSampler"), got '
                            f'{type(sampler).__name__}{hint}')
        for name, value in (('batch_size', batch_size), ('unlabeled_batch_size', unlabeled_batch_size)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f'SemiBatchSampler: {name} must be a positive integer, got {value!r}')
        self.sampler = sampler
        self.batch_size = batch_size
        self.unlabeled_batch_size = unlabeled_batch_size

    def __iter__(self) -> Iterator[List[int]]:
        labeled, unlabeled = self.sampler.labeled_indices(), self.sampler.unlabeled_indices()
        while True:
            yield (list(itertools.islice(labeled, self.batch_size))
                   + list(itertools.islice(unlabeled, self.unlabeled_batch_size)))

    def __len__(self) -> int:
        """Batches per pass over the labeled part on this rank (the iterator itself never ends)."""
        per_rank = -(-self.sampler.num_labeled // self.sampler.world_size)
        return max(1, -(-per_rank // self.batch_size))
