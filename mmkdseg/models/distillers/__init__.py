from .seg_distiller import SegDistiller

__all__ = ['SegDistiller']
