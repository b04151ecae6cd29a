"""Procedural generator of SynTex, mmkdseg's embedded segmentation dataset.

Every image shows a few shapes on a background. Each shape is filled with one of five textures; colours
are drawn at random for every region (the background included), so **no class can be told from the colour
of a pixel**: a model has to recognise the texture in a neighbourhood (stripes, checkers, dots, grain,
rings), and one class can only be told from spatial context:

* ``hole`` — the inside of a ring-shaped object. It shows exactly the background's texture and colours
  (the background is seen through it), so it differs from ``background`` only by being enclosed by an
  object; recognising it needs a receptive field larger than the hole.

Scale and orientation vary (stripe period 3–9 px at any angle, checker cells 3–7 px, ...), images get
noise and a brightness gradient, so model capacity and receptive field both matter.

The generator is deterministic: image ``i`` of split ``s`` depends only on ``(seed, s, i)``. Output uses
mmseg's standard layout::

    data_root/img_dir/{train,val}/000000.png   RGB images, uint8
    data_root/ann_dir/{train,val}/000000.png   label maps, uint8, values 0..num_classes-1
    data_root/meta.json                        generator version, arguments, class names

A reduced-label (``0 = background``) convention is not used: label 0 is a real class.
"""
import json
import os
import os.path as osp
from typing import Dict, Optional, Tuple

import numpy as np
from PIL import Image

#: Bumped whenever the generated pixels change; ``prepare_syntex`` regenerates on mismatch.
GENERATOR_VERSION = 1

CLASSES = ('background', 'stripes', 'checker', 'dots', 'grain', 'rings', 'hole')
PALETTE = [[0, 0, 0], [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200],
           [245, 130, 48], [145, 30, 180]]
TEXTURES = ('stripes', 'checker', 'dots', 'grain', 'rings')
HOLE = CLASSES.index('hole')

DEFAULT_SPLITS = (('train', 1500), ('val', 300))


def _smooth_noise(rng: np.random.Generator, size: int, scale: int) -> np.ndarray:
    """Low-frequency noise in [0, 1]: a coarse random grid upsampled bilinearly."""
    n = max(2, size // scale + 2)
    grid = rng.random((n, n)).astype(np.float32)
    img = Image.fromarray(grid).resize((size, size), Image.BILINEAR)
    return np.asarray(img, dtype=np.float32)


def _texture(rng: np.random.Generator, kind: str, size: int, center: Tuple[float, float]) -> np.ndarray:
    """A pattern in [0, 1] of shape (size, size) for one texture class."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    theta = rng.uniform(0, np.pi)
    u = xx * np.cos(theta) + yy * np.sin(theta)
    v = -xx * np.sin(theta) + yy * np.cos(theta)
    if kind == 'stripes':
        period = rng.uniform(3.0, 9.0)
        p = 0.5 + 0.5 * np.sin(2 * np.pi * u / period + rng.uniform(0, 2 * np.pi))
    elif kind == 'checker':
        cell = rng.uniform(3.0, 7.0)
        p = ((np.floor(u / cell) + np.floor(v / cell)) % 2).astype(np.float32)
    elif kind == 'dots':
        spacing = rng.uniform(5.0, 9.0)
        radius = spacing * rng.uniform(0.2, 0.32)
        du = (u % spacing) - spacing / 2
        dv = (v % spacing) - spacing / 2
        p = (du * du + dv * dv < radius * radius).astype(np.float32)
    elif kind == 'grain':
        cell = int(rng.integers(1, 3))
        n = size // cell + 1
        p = rng.random((n, n)).astype(np.float32).repeat(cell, 0).repeat(cell, 1)[:size, :size]
    elif kind == 'rings':
        period = rng.uniform(4.0, 9.0)
        r = np.sqrt((xx - center[0])**2 + (yy - center[1])**2)
        p = 0.5 + 0.5 * np.sin(2 * np.pi * r / period)
    else:  # pragma: no cover - internal
        raise ValueError(kind)
    return p


def _colours(rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """Two random RGB colours in [0, 1] with enough contrast for a pattern to be visible."""
    while True:
        c1, c2 = rng.random(3), rng.random(3)
        if np.abs(c1 - c2).sum() > 0.6:
            return c1.astype(np.float32), c2.astype(np.float32)


def _shape_mask(rng: np.random.Generator, size: int) -> Tuple[np.ndarray, np.ndarray, Tuple[float, float]]:
    """A random blob (star-shaped radial profile): returns (outer mask, hole mask, centre).

    About 40% of the shapes are rings: their inner part (hole mask) is cut out.
    """
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    cx, cy = rng.uniform(0.15, 0.85, 2) * size
    radius = rng.uniform(0.14, 0.3) * size
    ang = np.arctan2(yy - cy, xx - cx)
    dist = np.sqrt((xx - cx)**2 + (yy - cy)**2)
    profile = np.ones_like(ang)
    for k in (2, 3, 5):
        profile += rng.uniform(0, 0.18) * np.sin(k * ang + rng.uniform(0, 2 * np.pi))
    outer = dist < radius * profile
    hole = np.zeros_like(outer)
    if rng.random() < 0.4:
        hole = dist < radius * profile * rng.uniform(0.4, 0.6)
    return outer, hole, (cx, cy)


def generate_sample(seed: int, split: str, index: int, size: int = 96) -> Tuple[np.ndarray, np.ndarray]:
    """Generate one ``(image, label)`` pair: uint8 (size, size, 3) and uint8 (size, size)."""
    split_id = sum(ord(c) * 31**i for i, c in enumerate(split)) % (2**31)
    rng = np.random.default_rng([seed, split_id, index])
    # Background: smooth two-colour clouds. Holes show the same pattern and colours.
    c1, c2 = _colours(rng)
    bg = _smooth_noise(rng, size, int(rng.integers(12, 32)))
    image = c1 * (1 - bg[..., None]) + c2 * bg[..., None]
    label = np.zeros((size, size), np.uint8)
    for _ in range(int(rng.integers(2, 5))):
        outer, hole, center = _shape_mask(rng, size)
        kind = TEXTURES[int(rng.integers(len(TEXTURES)))]
        p = _texture(rng, kind, size, center)[..., None]
        s1, s2 = _colours(rng)
        fill = s1 * (1 - p) + s2 * p
        body = outer & ~hole
        image[body] = fill[body]
        label[body] = CLASSES.index(kind)
        # the hole shows the background again (same texture, same colours)
        background_again = np.broadcast_to(c1 * (1 - bg[..., None]) + c2 * bg[..., None], image.shape)
        image[hole] = background_again[hole]
        label[hole] = HOLE
    # a hole that a later shape covered partly is still a hole only where it stayed uncovered (handled by
    # drawing order); a "hole" that touches the image border is kept: it is still enclosed within the view
    # except at the border, like a lake cut by the frame.
    # photometric nuisance: brightness gradient and pixel noise
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    gain = 1 + rng.uniform(-0.25, 0.25) * (xx - 0.5) + rng.uniform(-0.25, 0.25) * (yy - 0.5)
    image = image * gain[..., None] + rng.normal(0, 0.04, image.shape).astype(np.float32)
    image = (np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8)
    return image, label


def _meta(seed: int, size: int, splits) -> Dict:
    return dict(generator_version=GENERATOR_VERSION, seed=seed, size=size,
                splits={name: n for name, n in splits}, classes=list(CLASSES))


def generate_syntex(data_root: str, seed: int = 0, size: int = 96, splits=DEFAULT_SPLITS) -> str:
    """Write the dataset to ``data_root`` (overwriting) and return ``data_root``."""
    for name, n in splits:
        img_dir = osp.join(data_root, 'img_dir', name)
        ann_dir = osp.join(data_root, 'ann_dir', name)
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(ann_dir, exist_ok=True)
        for i in range(n):
            image, label = generate_sample(seed, name, i, size)
            Image.fromarray(image).save(osp.join(img_dir, f'{i:06d}.png'), compress_level=1)
            Image.fromarray(label).save(osp.join(ann_dir, f'{i:06d}.png'), compress_level=1)
    with open(osp.join(data_root, 'meta.json'), 'w') as f:
        json.dump(_meta(seed, size, splits), f, indent=1)
    return data_root


def prepare_syntex(data_root: str, seed: int = 0, size: int = 96, splits=DEFAULT_SPLITS,
                   logger: Optional[object] = None) -> str:
    """Generate the dataset into ``data_root`` unless an identical one is already there.

    Identity is checked through ``meta.json`` (generator version, seed, size, split sizes), so changing
    any of them, or a newer generator, regenerates the data.
    """
    meta_file = osp.join(data_root, 'meta.json')
    if osp.isfile(meta_file):
        with open(meta_file) as f:
            if json.load(f) == _meta(seed, size, splits):
                return data_root
    if logger is not None:
        logger.info(f'generating the SynTex dataset into {data_root} ...')
    return generate_syntex(data_root, seed=seed, size=size, splits=splits)
