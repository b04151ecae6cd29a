from .cutmix import BoxMaskGenerator, cutmix

__all__ = ['BoxMaskGenerator', 'cutmix']
