"""``SemiSegDataset``: a labeled and an unlabeled dataset behind one index space, samples tagged by part.

Design (why a dataset wrapper plus a batch sampler, not a second dataloader): mmengine's standard
``IterBasedTrainLoop`` and ``Runner`` drive exactly one training dataloader, and
``MMDistributedDataParallel.train_step`` passes one batch through the data preprocessor into the
model's ``loss`` mode. So every training batch carries both parts:

* ``SemiSegDataset`` concatenates the two datasets (indices ``[0, n_labeled)`` are labeled,
  ``[n_labeled, n_labeled + n_unlabeled)`` unlabeled), each with its own mmseg pipeline, and stamps
  ``semi_part='labeled'|'unlabeled'`` into every sample's metainfo. The algorithm splits a batch by
  that tag, never by position. Unlabeled samples must not carry labels (their pipeline has no
  ``LoadAnnotations``); a labeled sample without ``gt_sem_seg`` or an unlabeled one with it is an error.
* :class:`~mmkdseg.datasets.samplers.SemiBatchSampler` composes every batch from ``batch_size``
  labeled and ``unlabeled_batch_size`` unlabeled indices, drawn from per-rank disjoint, seeded,
  infinite streams (:class:`~mmkdseg.datasets.samplers.SemiInfiniteSampler`).
* The ordinary ``SegDataPreProcessor`` stacks and pads the mixed batch (it already handles samples
  without ``gt_sem_seg``), so nothing in the model wrapper or the data preprocessor changes.
"""
import copy
from typing import List, Sequence, Union

from mmseg.registry import DATASETS

#: Metainfo key that tells a sample's part.
PART_KEY = 'semi_part'


def _build(cfg):
    return DATASETS.build(cfg) if isinstance(cfg, dict) else cfg


def _img_paths(dataset) -> set:
    return {dataset.get_data_info(i)['img_path'] for i in range(len(dataset))}


@DATASETS.register_module()
class SemiSegDataset:
    """A labeled and an unlabeled segmentation dataset for semi-supervised training.

    Args:
        datasets (list): ``[labeled, unlabeled]`` dataset configs (or built datasets), usually two
            :class:`SplitDataset` parts of one partition. The key is ``datasets`` like mmengine's
            ``ConcatDataset``, so tools that walk dataset configs (``check_data_dirs``,
            ``mmkdseg.testing.make_tiny_config``) see both.
        check_disjoint (bool): Fail if an image is in both parts. Defaults to True.

    ``metainfo`` (classes, palette) is the labeled dataset's; both parts must have the same classes.
    """

    def __init__(self, datasets: Sequence[Union[dict, object]], check_disjoint: bool = True) -> None:
        if not isinstance(datasets, (list, tuple)) or len(datasets) != 2:
            length = len(datasets) if hasattr(datasets, '__len__') else '?'
            raise ValueError('SemiSegDataset: datasets must be [labeled, unlabeled], got '
                             f'{type(datasets).__name__} of length {length}')
        self.labeled, self.unlabeled = _build(datasets[0]), _build(datasets[1])
        self.datasets = [self.labeled, self.unlabeled]
        self._check_parts()
        for ds in self.datasets:
            if hasattr(ds, 'full_init'):
                ds.full_init()
        self.num_labeled, self.num_unlabeled = len(self.labeled), len(self.unlabeled)
        if self.num_labeled == 0 or self.num_unlabeled == 0:
            raise ValueError(f'SemiSegDataset: the labeled part has {self.num_labeled} and the unlabeled '
                             f'part {self.num_unlabeled} images; both must be non-empty')
        c_l = tuple(self.labeled.metainfo.get('classes', ()))
        c_u = tuple(self.unlabeled.metainfo.get('classes', ()))
        if c_l != c_u:
            raise ValueError(f'SemiSegDataset: the parts have different classes: labeled {c_l}, '
                             f'unlabeled {c_u}')
        if check_disjoint:
            shared = _img_paths(self.labeled) & _img_paths(self.unlabeled)
            if shared:
                raise ValueError(f'SemiSegDataset: {len(shared)} image(s) are in both the labeled and the '
                                 f'unlabeled part, e.g. {sorted(shared)[:3]}')

    def _check_parts(self) -> None:
        parts = [getattr(ds, 'part', None) for ds in self.datasets]
        if parts[0] not in (None, 'labeled') or parts[1] not in (None, 'unlabeled'):
            raise ValueError(f'SemiSegDataset: datasets must be [labeled, unlabeled], got SplitDataset '
                             f'parts {parts}')
        if None not in parts:
            keys = [(ds.fraction, ds.seed, ds.universe, ds.split_dir) for ds in self.datasets]
            if keys[0] != keys[1]:
                raise ValueError('SemiSegDataset: the labeled and unlabeled SplitDatasets belong to different '
                                 'partitions (fraction, seed, universe, split_dir): '
                                 f'{keys[0]} vs {keys[1]}')

    @property
    def metainfo(self) -> dict:
        return copy.deepcopy(self.labeled.metainfo)

    def full_init(self) -> None:
        for ds in self.datasets:
            if hasattr(ds, 'full_init'):
                ds.full_init()

    def __len__(self) -> int:
        return self.num_labeled + self.num_unlabeled

    def locate(self, idx: int):
        """(part, index within that part) of a global index."""
        if idx < 0:
            idx += len(self)
        if not 0 <= idx < len(self):
            raise IndexError(f'SemiSegDataset index {idx} out of range (length {len(self)})')
        if idx < self.num_labeled:
            return 'labeled', idx
        return 'unlabeled', idx - self.num_labeled

    def get_data_info(self, idx: int) -> dict:
        part, i = self.locate(idx)
        info = (self.labeled if part == 'labeled' else self.unlabeled).get_data_info(i)
        return dict(info, **{PART_KEY: part})

    def __getitem__(self, idx: int) -> dict:
        part, i = self.locate(idx)
        data = (self.labeled if part == 'labeled' else self.unlabeled)[i]
        sample = data.get('data_samples') if isinstance(data, dict) else None
        if sample is None:
            raise TypeError(f'SemiSegDataset: the {part} pipeline must end with PackSegInputs (got '
                            f'{type(data).__name__} without data_samples)')
        has_gt = 'gt_sem_seg' in sample
        if part == 'unlabeled' and has_gt:
            raise ValueError('SemiSegDataset: an unlabeled sample carries gt_sem_seg — remove '
                             'LoadAnnotations from the unlabeled pipeline (unlabeled data must not see labels)')
        if part == 'labeled' and not has_gt:
            raise ValueError('SemiSegDataset: a labeled sample has no gt_sem_seg — its pipeline needs '
                             'LoadAnnotations')
        sample.set_metainfo({PART_KEY: part})
        return data

    def part_indices(self, part: str) -> List[int]:
        """Global indices of ``part``."""
        if part == 'labeled':
            return list(range(self.num_labeled))
        if part == 'unlabeled':
            return list(range(self.num_labeled, len(self)))
        raise ValueError(f'part must be labeled or unlabeled, got {part!r}')
