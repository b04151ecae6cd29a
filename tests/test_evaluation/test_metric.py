"""ClassIoUMetric: IoUMetric's numbers plus per-class entries that match a direct computation."""
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.evaluation import IoUMetric
from mmseg.structures import SegDataSample

from mmkdseg.evaluation import ClassIoUMetric


def _samples(pred, gt):
    s = SegDataSample()
    s.pred_sem_seg = PixelData(data=torch.as_tensor(pred)[None])
    s.gt_sem_seg = PixelData(data=torch.as_tensor(gt)[None])
    s.set_metainfo(dict(img_path='x.png'))
    return [s.to_dict()]


def test_per_class_iou_matches_direct_computation():
    rng = np.random.default_rng(0)
    gt = rng.integers(0, 3, (16, 16))
    gt[0, :5] = 255
    pred = np.where(rng.random((16, 16)) < 0.7, gt, rng.integers(0, 3, (16, 16)))
    pred[gt == 255] = 0
    meta = dict(classes=('a', 'b', 'c', 'absent'))
    ours, ref = ClassIoUMetric(), IoUMetric()
    for m in (ours, ref):
        m.dataset_meta = meta
        m.process({}, _samples(pred, gt))
    res, base = ours.evaluate(1), ref.evaluate(1)
    for k, v in base.items():
        assert res[k] == v
    valid = gt != 255
    for c, name in enumerate(meta['classes'][:3]):
        inter = ((pred == c) & (gt == c) & valid).sum()
        union = (((pred == c) | (gt == c)) & valid).sum()
        assert res[f'IoU.{name}'] == pytest.approx(round(100 * inter / union, 2))
    assert np.isnan(res['IoU.absent'])
