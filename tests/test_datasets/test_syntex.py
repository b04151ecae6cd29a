"""SynTex: deterministic, mmseg layout, colour alone does not identify a class, loads through mmseg."""
import json
import os.path as osp

import numpy as np
import pytest

from mmkdseg.datasets import prepare_syntex
from mmkdseg.datasets.syntex_generator import CLASSES, HOLE, generate_sample


def test_deterministic_and_seed_dependent():
    a_img, a_lbl = generate_sample(0, 'train', 5)
    b_img, b_lbl = generate_sample(0, 'train', 5)
    c_img, _ = generate_sample(1, 'train', 5)
    d_img, _ = generate_sample(0, 'val', 5)
    assert np.array_equal(a_img, b_img) and np.array_equal(a_lbl, b_lbl)
    assert not np.array_equal(a_img, c_img) and not np.array_equal(a_img, d_img)
    assert a_img.shape == (96, 96, 3) and a_img.dtype == np.uint8 and a_lbl.dtype == np.uint8


def test_every_class_occurs_with_reasonable_frequency():
    counts = np.zeros(len(CLASSES))
    for i in range(60):
        counts += np.bincount(generate_sample(0, 'train', i)[1].ravel(), minlength=len(CLASSES))
    freq = counts / counts.sum()
    assert (freq > 0.02).all(), dict(zip(CLASSES, freq.round(3)))
    assert len(CLASSES) >= 6


def test_pixel_colour_does_not_identify_the_class():
    """A nearest-class-mean classifier on single-pixel RGB stays far below what texture allows."""
    xs, ys = [], []
    for i in range(40):
        img, lbl = generate_sample(0, 'train', i)
        xs.append(img.reshape(-1, 3).astype(np.float32))
        ys.append(lbl.ravel())
    x, y = np.concatenate(xs), np.concatenate(ys)
    fg = y != 0  # background dominates; judge the texture classes
    means = np.stack([x[y == c].mean(0) for c in range(len(CLASSES))])
    pred = np.argmin(((x[fg, None] - means[None])**2).sum(-1), 1)
    accuracy = (pred == y[fg]).mean()
    assert accuracy < 0.3, accuracy  # chance among 7 classes is 0.14


def test_hole_shows_the_background_texture():
    for i in range(30):
        img, lbl = generate_sample(0, 'train', i)
        if (lbl == HOLE).sum() > 50 and (lbl == 0).sum() > 50:
            hole, bg = img[lbl == HOLE].mean(0), img[lbl == 0].mean(0)
            assert np.abs(hole.astype(float) - bg).max() < 60  # same colours, up to the gradient
            return
    pytest.fail('no image with a hole and background in 30 samples')


def test_prepare_writes_mmseg_layout_once(tmp_path):
    root = str(tmp_path / 'syntex')
    prepare_syntex(root, splits=(('train', 6), ('val', 3)))
    assert sorted(p.name for p in (tmp_path / 'syntex' / 'img_dir' / 'train').iterdir())[0] == '000000.png'
    assert len(list((tmp_path / 'syntex' / 'ann_dir' / 'val').iterdir())) == 3
    meta = json.load(open(osp.join(root, 'meta.json')))
    assert meta['classes'] == list(CLASSES)
    mtime = osp.getmtime(osp.join(root, 'img_dir', 'train', '000000.png'))
    prepare_syntex(root, splits=(('train', 6), ('val', 3)))  # identical: nothing rewritten
    assert osp.getmtime(osp.join(root, 'img_dir', 'train', '000000.png')) == mtime
    prepare_syntex(root, splits=(('train', 7), ('val', 3)))  # different: regenerated
    assert len(list((tmp_path / 'syntex' / 'img_dir' / 'train').iterdir())) == 7


def test_dataset_loads_through_mmseg_pipeline(syntex_root):
    from mmengine.registry import DefaultScope
    from mmseg.registry import DATASETS
    with DefaultScope.overwrite_default_scope('mmseg'):
        ds = DATASETS.build(dict(
            type='SynTexDataset', data_root=syntex_root, auto_generate=False,
            data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train'),
            pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'), dict(type='PackSegInputs')]))
    assert len(ds) == 8
    assert ds.metainfo['classes'] == CLASSES and len(ds.metainfo['palette']) == len(CLASSES)
    item = ds[0]
    assert tuple(item['inputs'].shape) == (3, 96, 96)
    assert item['data_samples'].gt_sem_seg.data.max() < len(CLASSES)


def test_missing_directory_without_generation(tmp_path):
    from mmseg.registry import DATASETS
    with pytest.raises(FileNotFoundError, match='nothing_here'):
        DATASETS.build(dict(type='SynTexDataset', data_root=str(tmp_path / 'nothing_here'), auto_generate=False,
                            data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train')))
