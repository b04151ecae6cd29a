from .pixel_wise_kd import PixelWiseKDLoss

__all__ = ['PixelWiseKDLoss']
