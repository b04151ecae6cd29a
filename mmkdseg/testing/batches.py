"""Fake segmentation batches for unit tests and micro-benchmarks."""
from typing import List, Optional, Tuple

import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

__all__ = ['fake_seg_samples', 'fake_seg_batch']


def fake_seg_samples(b: int = 2, size: int = 32, num_classes: int = 7, generator: Optional[torch.Generator] = None,
                     labels: Optional[torch.Tensor] = None, ignore_rows: int = 0,
                     ignore_index: int = 255) -> List[SegDataSample]:
    """``b`` data samples with ``(1, size, size)`` labels and the metainfo of an unpadded ``size``² image.

    Labels are uniform in ``[0, num_classes)`` (drawn from ``generator``, or torch's global RNG), or the rows
    of ``labels`` ``(b, size, size)``; the first ``ignore_rows`` rows of each label map are ``ignore_index``.
    """
    samples = []
    for i in range(b):
        s = SegDataSample()
        label = (torch.randint(0, num_classes, (1, size, size), generator=generator) if labels is None
                 else labels[i:i + 1].clone())
        if ignore_rows:
            label[:, :ignore_rows] = ignore_index
        s.gt_sem_seg = PixelData(data=label)
        s.set_metainfo(dict(img_shape=(size, size), pad_shape=(size, size), ori_shape=(size, size)))
        samples.append(s)
    return samples


def fake_seg_batch(b: int = 2, size: int = 32, num_classes: int = 7, generator: Optional[torch.Generator] = None,
                   **kwargs) -> Tuple[torch.Tensor, List[SegDataSample]]:
    """``(inputs, data_samples)``: normalised-looking ``(b, 3, size, size)`` Gaussian inputs (drawn first) and
    :func:`fake_seg_samples` (``kwargs`` go there)."""
    inputs = torch.randn(b, 3, size, size, generator=generator)
    return inputs, fake_seg_samples(b, size, num_classes, generator, **kwargs)
