"""Helpers for mmkdseg's tests: tiny datasets on disk and configs shrunk to run in seconds on a CPU.

Kept in the package (like ``mmrazor.testing``) so that tests do not import a top-level ``tests``
package, which the mmseg wheel also installs into site-packages.
"""
from .data import (make_tiny_ade20k, make_tiny_camvid, make_tiny_cityscapes, make_tiny_voc,
                   make_tiny_syntex)
from .batches import fake_seg_batch, fake_seg_samples
from .configs import make_tiny_config, iter_config_files, random_checkpoint

__all__ = [
    'make_tiny_ade20k', 'make_tiny_camvid', 'make_tiny_cityscapes', 'make_tiny_voc', 'make_tiny_syntex',
    'make_tiny_config', 'iter_config_files', 'random_checkpoint', 'fake_seg_batch', 'fake_seg_samples'
]
