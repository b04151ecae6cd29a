"""``ClassIoUMetric``: mmseg's ``IoUMetric`` that also returns the per-class values."""
from typing import Dict

import numpy as np
from mmseg.evaluation import IoUMetric
from mmseg.registry import METRICS


@METRICS.register_module()
class ClassIoUMetric(IoUMetric):
    """mmseg's :class:`~mmseg.evaluation.IoUMetric`, whose result also holds one entry per class.

    Besides ``aAcc``, ``mIoU``, ``mAcc`` (in %, rounded to 2 decimals, exactly as ``IoUMetric``), the
    result has ``IoU.<class>`` and ``Acc.<class>`` (and ``Dice.<class>`` etc. for the other
    ``iou_metrics``), so per-class numbers reach the logs, the test tool's JSON and benchmark tables. A
    class absent from both predictions and labels gets ``nan`` (as in ``IoUMetric``'s table).
    """

    def total_area_to_metrics(self, *args, **kwargs):
        # IoUMetric calls this static method through the instance: keep the per-class arrays.
        ret = IoUMetric.total_area_to_metrics(*args, **kwargs)
        self._per_class = {k: v for k, v in ret.items() if k != 'aAcc'}
        return ret

    def compute_metrics(self, results: list) -> Dict[str, float]:
        self._per_class = {}
        metrics = super().compute_metrics(results)
        for metric, values in self._per_class.items():
            for name, value in zip(self.dataset_meta['classes'], np.asarray(values)):
                metrics[f'{metric}.{name}'] = float(np.round(value * 100, 2))
        return metrics
