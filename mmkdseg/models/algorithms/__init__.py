from .adversarial_seg_distill import AdversarialSegmentationDistill
from .multi_granularity_distill import MultiGranularityDistill
from .seg_distill import SegmentationDistill

__all__ = ['SegmentationDistill', 'AdversarialSegmentationDistill', 'MultiGranularityDistill']
