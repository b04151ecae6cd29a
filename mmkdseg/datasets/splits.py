"""Partition protocols for semi-supervised segmentation: deterministic, seeded labeled/unlabeled splits.

A *partition* divides the training images of a dataset (its *universe*) into a labeled part (a fraction
``f`` of the images, e.g. 1/16, 1/8, 1/4, 1/2 — or any fraction in (0, 1]) and an unlabeled part (the
rest). It is written as two **split files** that mmseg's ``BaseSegDataset`` reads as ``ann_file``: one
image name per line, relative to ``data_prefix.img_path`` and without the image suffix (for Cityscapes
``aachen/aachen_000000_000019`` — the city folder kept, ``_leftImg8bit.png`` removed).

The rule (:func:`partition`):

* the universe is sorted (so the file-system order does not matter) and permuted with
  ``numpy.random.default_rng(seed)``;
* the first ``ceil(f · N)`` images of the permutation are labeled (at least one), the rest unlabeled —
  ``ceil`` gives the counts of the common protocols (VOC train_aug 10582: 662 / 1323 / 2646 / 5291;
  Cityscapes 2975: 186 / 372 / 744 / 1488);
* for one seed the labeled sets are **nested** across fractions (1/16 ⊂ 1/8 ⊂ 1/4 ⊂ 1/2), since every
  fraction takes a prefix of the same permutation.

Files are named ``<split_dir>/seed<seed>/{labeled,unlabeled}_<p>-<q>.txt`` relative to the dataset's
``data_root`` (``p/q`` is the reduced fraction: ``1-8``, ``3-10``). ``tools/make_splits.py`` writes
them for any dataset directory; :class:`mmkdseg.datasets.SplitDataset` reads them (and can create
them on first use).
"""
import math
import os
import os.path as osp
from fractions import Fraction
from typing import Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

PARTS = ('labeled', 'unlabeled')
FractionLike = Union[str, float, int, Fraction]


def parse_fraction(value: FractionLike) -> Fraction:
    """``'1/8'``, ``'1-8'``, ``0.125`` or ``Fraction(1, 8)`` → ``Fraction(1, 8)``; must lie in (0, 1]."""
    try:
        if isinstance(value, str):
            text = value.strip().replace('-', '/')
            frac = Fraction(text)
        elif isinstance(value, Fraction):
            frac = value
        else:
            frac = Fraction(value).limit_denominator(10000)
    except (ValueError, ZeroDivisionError, TypeError) as e:
        raise ValueError(f'labeled fraction {value!r} is not a number or p/q fraction') from e
    if not 0 < frac <= 1:
        raise ValueError(f'labeled fraction must lie in (0, 1], got {value!r}')
    return frac


def fraction_tag(value: FractionLike) -> str:
    """File-name tag of a fraction: ``1/8`` → ``'1-8'``, ``0.3`` → ``'3-10'``."""
    frac = parse_fraction(value)
    return f'{frac.numerator}-{frac.denominator}'


def split_file(part: str, fraction: FractionLike, seed: int, split_dir: str = 'splits') -> str:
    """Path of a split file relative to ``data_root``, e.g. ``splits/seed0/labeled_1-8.txt``."""
    if part not in PARTS:
        raise ValueError(f'part must be one of {PARTS}, got {part!r}')
    return osp.join(split_dir, f'seed{int(seed)}', f'{part}_{fraction_tag(fraction)}.txt')


def list_images(img_dir: str, img_suffix: str) -> List[str]:
    """Names of all images under ``img_dir`` (recursive), relative to it, without ``img_suffix``, sorted."""
    if not osp.isdir(img_dir):
        raise FileNotFoundError(f'image directory {img_dir!r} does not exist')
    names = []
    for root, _, files in os.walk(img_dir):
        for f in files:
            if f.endswith(img_suffix):
                rel = osp.relpath(osp.join(root, f), img_dir)
                names.append(rel[:-len(img_suffix)].replace(os.sep, '/'))
    if not names:
        raise FileNotFoundError(f'no images ending in {img_suffix!r} under {img_dir!r}')
    return sorted(names)


def read_list(paths: Union[str, Sequence[str]]) -> List[str]:
    """Union of the names in one or several list files (one name per line), sorted, without duplicates."""
    if isinstance(paths, str):
        paths = [paths]
    names = set()
    for path in paths:
        if not osp.isfile(path):
            raise FileNotFoundError(f'image list {path!r} does not exist')
        with open(path) as f:
            names.update(line.strip() for line in f if line.strip())
    if not names:
        raise ValueError(f'image list(s) {list(paths)} are empty')
    return sorted(names)


def partition(names: Iterable[str], fraction: FractionLike, seed: int) -> Tuple[List[str], List[str]]:
    """Split ``names`` into (labeled, unlabeled), both sorted; see the module docstring for the rule."""
    universe = sorted(set(names))
    if not universe:
        raise ValueError('cannot partition an empty list of images')
    frac = parse_fraction(fraction)
    n = len(universe)
    num_labeled = max(1, math.ceil(frac * n))  # exact: Fraction * int is a Fraction
    order = np.random.default_rng(int(seed)).permutation(n)
    labeled = sorted(universe[i] for i in order[:num_labeled])
    unlabeled = sorted(universe[i] for i in order[num_labeled:])
    return labeled, unlabeled


def _write_atomic(path: str, names: Sequence[str]) -> None:
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        f.write(''.join(f'{n}\n' for n in names))
    os.replace(tmp, path)


def write_split_files(data_root: str,
                      fraction: FractionLike,
                      seed: int,
                      img_dir: Optional[str] = None,
                      img_suffix: Optional[str] = None,
                      universe: Optional[Union[str, Sequence[str]]] = None,
                      split_dir: str = 'splits') -> Tuple[str, str]:
    """Write the labeled and unlabeled split files of one partition; return their absolute paths.

    The universe is either the union of the list files ``universe`` (paths relative to ``data_root``,
    e.g. VOC's ``ImageSets/Segmentation/{train,aug}.txt``) or every image under
    ``data_root/img_dir`` ending in ``img_suffix`` (nested folders included).
    """
    if universe:
        lists = [universe] if isinstance(universe, str) else list(universe)
        names = read_list([osp.join(data_root, u) for u in lists])
    else:
        if img_dir is None or img_suffix is None:
            raise ValueError('give either universe (list files) or img_dir and img_suffix')
        names = list_images(osp.join(data_root, img_dir), img_suffix)
    labeled, unlabeled = partition(names, fraction, seed)
    paths = []
    for part, part_names in zip(PARTS, (labeled, unlabeled)):
        path = osp.join(data_root, split_file(part, fraction, seed, split_dir))
        _write_atomic(path, part_names)
        paths.append(path)
    return paths[0], paths[1]
