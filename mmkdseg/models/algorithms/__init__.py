from .seg_distill import SegmentationDistill

__all__ = ['SegmentationDistill']
