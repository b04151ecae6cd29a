"""SemiSegDataset (tagged labeled/unlabeled samples) and the semi-supervised samplers."""
import itertools
import os.path as osp

import pytest
import torch
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmkdseg.datasets import SemiBatchSampler, SemiInfiniteSampler, SemiSegDataset

LABELED_PIPE = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'), dict(type='PackSegInputs')]
UNLABELED_PIPE = [dict(type='LoadImageFromFile'), dict(type='PackSegInputs')]


def part_cfg(root, part, pipeline, fraction='1/4', seed=0, **kw):
    return dict(type='SplitDataset', part=part, fraction=fraction, seed=seed, create_missing=True,
                dataset=dict(type='SynTexDataset', data_root=root, auto_generate=False, pipeline=pipeline,
                             data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train')), **kw)


@pytest.fixture(autouse=True)
def mmseg_scope():
    with DefaultScope.overwrite_default_scope('mmseg'):
        yield


@pytest.fixture
def semi(syntex_root):
    return SemiSegDataset([part_cfg(syntex_root, 'labeled', LABELED_PIPE),
                           part_cfg(syntex_root, 'unlabeled', UNLABELED_PIPE)])


def test_parts_indices_and_tags(semi):
    assert (semi.num_labeled, semi.num_unlabeled, len(semi)) == (2, 6, 8)  # tiny SynTex: 8 images
    assert semi.metainfo['classes'][-1] == 'hole'
    for idx in range(len(semi)):
        sample = semi[idx]['data_samples']
        part = 'labeled' if idx < 2 else 'unlabeled'
        assert sample.metainfo['semi_part'] == part
        assert ('gt_sem_seg' in sample) == (part == 'labeled')
        assert semi.get_data_info(idx)['semi_part'] == part
    assert semi.locate(-1) == ('unlabeled', 5)
    with pytest.raises(IndexError, match='out of range'):
        semi.locate(8)


def test_unlabeled_pipeline_with_labels_is_refused(syntex_root):
    ds = SemiSegDataset([part_cfg(syntex_root, 'labeled', LABELED_PIPE),
                         part_cfg(syntex_root, 'unlabeled', LABELED_PIPE)])
    with pytest.raises(ValueError, match='remove LoadAnnotations from the unlabeled pipeline'):
        ds[ds.num_labeled]
    ds = SemiSegDataset([part_cfg(syntex_root, 'labeled', UNLABELED_PIPE),
                         part_cfg(syntex_root, 'unlabeled', UNLABELED_PIPE)])
    with pytest.raises(ValueError, match='needs LoadAnnotations'):
        ds[0]


def test_parts_must_be_one_partition_and_disjoint(syntex_root):
    with pytest.raises(ValueError, match='different partitions'):
        SemiSegDataset([part_cfg(syntex_root, 'labeled', LABELED_PIPE),
                        part_cfg(syntex_root, 'unlabeled', UNLABELED_PIPE, fraction='1/2')])
    with pytest.raises(ValueError, match=r"\['unlabeled', 'labeled'\]"):
        SemiSegDataset([part_cfg(syntex_root, 'unlabeled', UNLABELED_PIPE),
                        part_cfg(syntex_root, 'labeled', LABELED_PIPE)])
    # two plain datasets over the same images: the overlap is reported
    plain = dict(type='SynTexDataset', data_root=syntex_root, auto_generate=False, pipeline=UNLABELED_PIPE,
                 data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train'))
    with pytest.raises(ValueError, match='8 image\\(s\\) are in both'):
        SemiSegDataset([plain, plain])
    with pytest.raises(ValueError, match=r'\[labeled, unlabeled\]'):
        SemiSegDataset([plain])


class FakeSemi:
    def __init__(self, num_labeled, num_unlabeled):
        self.num_labeled, self.num_unlabeled = num_labeled, num_unlabeled

    def __len__(self):
        return self.num_labeled + self.num_unlabeled


def _ranked(dataset, rank, world_size, seed=0):
    sampler = SemiInfiniteSampler(dataset, seed=seed)
    sampler.rank, sampler.world_size = rank, world_size
    return sampler


def test_batches_have_the_configured_composition():
    ds = FakeSemi(5, 13)
    batches = SemiBatchSampler(_ranked(ds, 0, 1), batch_size=3, unlabeled_batch_size=4)
    for batch in itertools.islice(iter(batches), 20):
        assert len(batch) == 7
        assert all(i < 5 for i in batch[:3]) and all(5 <= i < 18 for i in batch[3:])


def test_each_pass_covers_a_part_once_and_is_seeded():
    ds = FakeSemi(6, 10)
    sampler = _ranked(ds, 0, 1, seed=3)
    lab = list(itertools.islice(sampler.labeled_indices(), 12))
    assert sorted(lab[:6]) == list(range(6)) and sorted(lab[6:]) == list(range(6))
    unl = list(itertools.islice(sampler.unlabeled_indices(), 10))
    assert sorted(unl) == list(range(6, 16))
    assert lab == list(itertools.islice(_ranked(ds, 0, 1, seed=3).labeled_indices(), 12))
    assert lab != list(itertools.islice(_ranked(ds, 0, 1, seed=4).labeled_indices(), 12))


def test_ranks_see_disjoint_images():
    ds = FakeSemi(8, 16)
    world = 2
    seen = []
    for rank in range(world):
        s = _ranked(ds, rank, world, seed=5)
        seen.append((set(itertools.islice(s.labeled_indices(), 4)),
                     set(itertools.islice(s.unlabeled_indices(), 8))))
    assert not seen[0][0] & seen[1][0] and seen[0][0] | seen[1][0] == set(range(8))
    assert not seen[0][1] & seen[1][1] and seen[0][1] | seen[1][1] == set(range(8, 24))


def test_sampler_errors():
    with pytest.raises(TypeError, match='needs a SemiSegDataset'):
        SemiInfiniteSampler(list(range(4)), seed=0)
    from mmengine.dataset import InfiniteSampler
    with pytest.raises(TypeError, match='use SemiInfiniteSampler'):
        SemiBatchSampler(InfiniteSampler(list(range(4)), seed=0), batch_size=2, unlabeled_batch_size=2)
    with pytest.raises(ValueError, match='unlabeled_batch_size must be a positive integer'):
        SemiBatchSampler(_ranked(FakeSemi(2, 2), 0, 1), batch_size=2, unlabeled_batch_size=0)


def test_runner_dataloader_and_preprocessor(semi, syntex_root):
    """mmengine builds the loader from config; SegDataPreProcessor stacks the mixed batch."""
    loader = Runner.build_dataloader(
        dict(batch_size=2, num_workers=0,
             sampler=dict(type='SemiInfiniteSampler', shuffle=True),
             batch_sampler=dict(type='SemiBatchSampler', unlabeled_batch_size=3),
             dataset=dict(type='SemiSegDataset',
                          datasets=[part_cfg(syntex_root, 'labeled', LABELED_PIPE),
                                    part_cfg(syntex_root, 'unlabeled', UNLABELED_PIPE)])), seed=0)
    batch = next(iter(loader))
    parts = [s.metainfo['semi_part'] for s in batch['data_samples']]
    assert parts == ['labeled'] * 2 + ['unlabeled'] * 3
    from mmseg.models import SegDataPreProcessor
    pre = SegDataPreProcessor(mean=[0, 0, 0], std=[1, 1, 1], size=(100, 100))
    out = pre(batch, training=True)
    assert out['inputs'].shape == (5, 3, 100, 100)
    samples = out['data_samples']
    assert samples[0].gt_sem_seg.data.shape == (1, 100, 100) and 'gt_sem_seg' not in samples[4]
    assert tuple(samples[4].metainfo['padding_size']) == (0, 4, 0, 4)
    assert osp.isfile(osp.join(syntex_root, 'splits', 'seed0', 'labeled_1-4.txt'))
    assert isinstance(out['inputs'], torch.Tensor)
