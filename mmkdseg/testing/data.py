"""Tiny dataset directories in the layouts mmseg's dataset classes read (for tests)."""
import os
import os.path as osp
from typing import Sequence

import numpy as np
from PIL import Image


def _write(path: str, array: np.ndarray) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(array).save(path)


def _pair(rng, h: int, w: int, num_classes: int, ignore: int = 255):
    img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    label = rng.integers(0, num_classes, (h, w)).astype(np.uint8)
    label[:2] = ignore
    return img, label


def make_tiny_syntex(root: str, num_train: int = 8, num_val: int = 4, size: int = 96) -> str:
    """A small SynTex (real generator output) with ``num_train``/``num_val`` images."""
    from mmkdseg.datasets import prepare_syntex
    return prepare_syntex(root, splits=(('train', num_train), ('val', num_val)), size=size)


def make_tiny_cityscapes(root: str, n: int = 2, h: int = 64, w: int = 128, seed: int = 0) -> str:
    """``leftImg8bit/{train,val}/city/*_leftImg8bit.png`` + ``gtFine/.../*_gtFine_labelTrainIds.png``."""
    rng = np.random.default_rng(seed)
    for split in ('train', 'val'):
        for i in range(n):
            img, label = _pair(rng, h, w, 19)
            _write(osp.join(root, 'leftImg8bit', split, 'city', f'city_{i:06d}_000019_leftImg8bit.png'), img)
            _write(osp.join(root, 'gtFine', split, 'city', f'city_{i:06d}_000019_gtFine_labelTrainIds.png'),
                   label)
    return root


def make_tiny_voc(root: str, n: int = 4, h: int = 64, w: int = 80, seed: int = 0,
                  splits: Sequence[str] = ('train', 'val', 'aug', 'trainaug')) -> str:
    """``VOC2012``-style root: JPEGImages, SegmentationClass(Aug), ImageSets/Segmentation/*.txt."""
    rng = np.random.default_rng(seed)
    names = [f'2007_{i:06d}' for i in range(n)]
    for name in names:
        img, label = _pair(rng, h, w, 21)
        _write(osp.join(root, 'JPEGImages', f'{name}.jpg'), img)
        _write(osp.join(root, 'SegmentationClass', f'{name}.png'), label)
        _write(osp.join(root, 'SegmentationClassAug', f'{name}.png'), label)
    os.makedirs(osp.join(root, 'ImageSets', 'Segmentation'), exist_ok=True)
    for split in splits:
        with open(osp.join(root, 'ImageSets', 'Segmentation', f'{split}.txt'), 'w') as f:
            f.write('\n'.join(names) + '\n')
    return root


def make_tiny_ade20k(root: str, n: int = 2, h: int = 64, w: int = 64, seed: int = 0) -> str:
    """``images/{training,validation}/*.jpg`` + ``annotations/.../*.png`` (0 = ignored, reduce_zero_label)."""
    rng = np.random.default_rng(seed)
    for split in ('training', 'validation'):
        for i in range(n):
            img, _ = _pair(rng, h, w, 150)
            label = rng.integers(0, 151, (h, w)).astype(np.uint8)
            _write(osp.join(root, 'images', split, f'ADE_{split}_{i:08d}.jpg'), img)
            _write(osp.join(root, 'annotations', split, f'ADE_{split}_{i:08d}.png'), label)
    return root


def make_tiny_camvid(root: str, n: int = 2, h: int = 48, w: int = 64, seed: int = 0) -> str:
    """``images/{train,val,test}/*.png`` + ``labels/.../*.png`` with 11 classes (255 = void)."""
    rng = np.random.default_rng(seed)
    for split in ('train', 'val', 'test'):
        for i in range(n):
            img, label = _pair(rng, h, w, 11)
            _write(osp.join(root, 'images', split, f'0001TP_{i:06d}.png'), img)
            _write(osp.join(root, 'labels', split, f'0001TP_{i:06d}.png'), label)
    return root
