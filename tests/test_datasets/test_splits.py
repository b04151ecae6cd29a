"""Partition protocols: the split rule, split files, tools/make_splits.py and SplitDataset."""
import math
import os
import os.path as osp
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

from mmkdseg import testing
from mmkdseg.datasets import SplitDataset
from mmkdseg.datasets.splits import (fraction_tag, list_images, parse_fraction, partition, read_list,
                                     split_file, write_split_files)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def reference_partition(names, fraction, seed):
    """The documented rule, written out: sort, permute with default_rng(seed), first ceil(f*N) labeled."""
    universe = sorted(set(names))
    perm = np.random.default_rng(seed).permutation(len(universe))
    k = max(1, math.ceil(Fraction(fraction) * len(universe)))
    chosen = {universe[i] for i in perm[:k]}
    return sorted(chosen), sorted(n for n in universe if n not in chosen)


@pytest.mark.parametrize('value,expected', [('1/8', Fraction(1, 8)), ('1-16', Fraction(1, 16)),
                                            (0.25, Fraction(1, 4)), ('0.3', Fraction(3, 10)),
                                            (1, Fraction(1)), (Fraction(1, 2), Fraction(1, 2))])
def test_parse_fraction(value, expected):
    assert parse_fraction(value) == expected


@pytest.mark.parametrize('bad', ['0', '3/2', 'abc', -0.5, '1/0'])
def test_parse_fraction_rejects(bad):
    with pytest.raises(ValueError, match='fraction'):
        parse_fraction(bad)


def test_tags_and_paths():
    assert fraction_tag('1/8') == '1-8' and fraction_tag(0.3) == '3-10'
    assert split_file('labeled', '1/16', 2) == osp.join('splits', 'seed2', 'labeled_1-16.txt')
    with pytest.raises(ValueError, match='part'):
        split_file('test', '1/8', 0)


def test_partition_matches_rule_counts_and_is_deterministic():
    names = [f'img{i:04d}' for i in range(103)]
    shuffled = list(reversed(names))  # input order must not matter
    for frac in ('1/16', '1/8', '1/4', '1/2', '0.3'):
        lab, unl = partition(shuffled, frac, seed=3)
        assert (lab, unl) == reference_partition(names, parse_fraction(frac), 3)
        assert len(lab) == math.ceil(parse_fraction(frac) * 103)
        assert not set(lab) & set(unl) and len(lab) + len(unl) == 103
    assert partition(names, '1/8', 0) == partition(names, '1/8', 0)
    assert partition(names, '1/8', 0) != partition(names, '1/8', 1)


def test_published_protocol_counts():
    # ceil gives the counts of the common VOC train_aug / Cityscapes protocols
    assert [len(partition(range(10582), f, 0)[0]) for f in ('1/16', '1/8', '1/4', '1/2')] == \
        [662, 1323, 2646, 5291]
    assert [len(partition(range(2975), f, 0)[0]) for f in ('1/16', '1/8', '1/4', '1/2')] == \
        [186, 372, 744, 1488]


def test_labeled_sets_are_nested_across_fractions():
    names = [f'n{i}' for i in range(200)]
    sets = [set(partition(names, f, 7)[0]) for f in ('1/16', '1/8', '1/4', '1/2')]
    assert sets[0] < sets[1] < sets[2] < sets[3]


def test_tiny_universe_keeps_one_labeled_image():
    assert partition(['a', 'b'], '1/16', 0)[0] in (['a'], ['b'])
    with pytest.raises(ValueError, match='empty'):
        partition([], '1/2', 0)


def test_list_images_nested_dirs_and_suffix(tmp_path):
    root = testing.make_tiny_cityscapes(str(tmp_path / 'city'), n=3)
    os.makedirs(osp.join(root, 'leftImg8bit', 'train', 'other'))
    open(osp.join(root, 'leftImg8bit', 'train', 'other', 'x_000001_000019_leftImg8bit.png'), 'w').close()
    open(osp.join(root, 'leftImg8bit', 'train', 'other', 'notes.txt'), 'w').close()
    names = list_images(osp.join(root, 'leftImg8bit', 'train'), '_leftImg8bit.png')
    assert names == ['city/city_000000_000019', 'city/city_000001_000019', 'city/city_000002_000019',
                     'other/x_000001_000019']
    with pytest.raises(FileNotFoundError, match='no images'):
        list_images(osp.join(root, 'leftImg8bit', 'train'), '.jpg')
    with pytest.raises(FileNotFoundError, match='does not exist'):
        list_images(str(tmp_path / 'missing'), '.png')


def test_write_split_files_from_lists_is_a_union(tmp_path):
    root = testing.make_tiny_voc(str(tmp_path / 'voc'), n=4)
    with open(osp.join(root, 'ImageSets', 'Segmentation', 'aug.txt'), 'w') as f:
        f.write('2007_000003\nextra_a\nextra_b\n')
    universe = ['ImageSets/Segmentation/train.txt', 'ImageSets/Segmentation/aug.txt']
    lab, unl = write_split_files(root, '1/2', 0, universe=universe)
    assert lab == osp.join(root, 'splits', 'seed0', 'labeled_1-2.txt')
    names = read_list(lab) + read_list(unl)
    assert sorted(names) == ['2007_000000', '2007_000001', '2007_000002', '2007_000003', 'extra_a', 'extra_b']
    assert (read_list(lab), read_list(unl)) == partition(names, '1/2', 0)


def test_make_splits_tool_cityscapes_layout(tmp_path):
    root = testing.make_tiny_cityscapes(str(tmp_path / 'city'), n=5)
    proc = subprocess.run([sys.executable, 'tools/make_splits.py', root, '--preset', 'cityscapes',
                           '--fractions', '1/4', '1/2', '--seeds', '0', '1'], cwd=REPO, capture_output=True,
                          text=True, env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stderr
    for seed in (0, 1):
        for tag, k in (('1-4', 2), ('1-2', 3)):
            lab = read_list(osp.join(root, 'splits', f'seed{seed}', f'labeled_{tag}.txt'))
            unl = read_list(osp.join(root, 'splits', f'seed{seed}', f'unlabeled_{tag}.txt'))
            assert len(lab) == k and len(unl) == 5 - k
            assert all(n.startswith('city/') and not n.endswith('.png') for n in lab + unl)
    assert '2 labeled' in proc.stdout
    bad = subprocess.run([sys.executable, 'tools/make_splits.py', root], cwd=REPO, capture_output=True,
                         text=True)
    assert bad.returncode != 0 and '--preset' in bad.stderr


def _city_cfg(root, pipeline=None):
    return dict(type='CityscapesDataset', data_root=root,
                data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
                pipeline=pipeline or [])


def test_split_dataset_missing_file_names_the_command(tmp_path):
    root = testing.make_tiny_cityscapes(str(tmp_path / 'city'), n=4)
    with pytest.raises(FileNotFoundError) as e:
        SplitDataset(_city_cfg(root), part='labeled', fraction='1/4', seed=0)
    msg = str(e.value)
    assert 'labeled_1-4.txt' in msg and 'tools/make_splits.py' in msg and '--img-suffix _leftImg8bit.png' in msg


def test_split_dataset_creates_and_reads_split_files(tmp_path):
    root = testing.make_tiny_cityscapes(str(tmp_path / 'city'), n=4)
    lab = SplitDataset(_city_cfg(root), part='labeled', fraction='1/4', seed=0, create_missing=True)
    unl = SplitDataset(_city_cfg(root), part='unlabeled', fraction='1/4', seed=0)  # file exists now
    assert len(lab) == 1 and len(unl) == 3
    names = read_list(osp.join(root, 'splits', 'seed0', 'labeled_1-4.txt'))
    info = lab.get_data_info(0)
    assert info['img_path'].endswith(names[0] + '_leftImg8bit.png')
    assert info['seg_map_path'].endswith(names[0] + '_gtFine_labelTrainIds.png')
    assert lab.metainfo['classes'][0] == 'road'


def test_split_dataset_refuses_ann_file_and_bad_part(tmp_path):
    root = testing.make_tiny_cityscapes(str(tmp_path / 'city'), n=2)
    with pytest.raises(ValueError, match='already has ann_file'):
        SplitDataset(dict(_city_cfg(root), ann_file='x.txt'), part='labeled', fraction='1/2')
    with pytest.raises(ValueError, match='part must be one of'):
        SplitDataset(_city_cfg(root), part='train', fraction='1/2')


def test_split_dataset_generates_syntex_first(tmp_path):
    """A self-generating dataset without images yet: built lazily, then the split files are written."""
    root = str(tmp_path / 'syntex')
    cfg = dict(type='SynTexDataset', data_root=root, splits=(('train', 6), ('val', 2)),
               data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train'), pipeline=[])
    ds = SplitDataset(cfg, part='labeled', fraction='1/2', seed=0, create_missing=True)
    assert len(ds) == 3 and osp.isfile(osp.join(root, 'splits', 'seed0', 'unlabeled_1-2.txt'))
