from .loss_weight_schedule import LossWeightScheduleHook
from .rng_state import RNGStateHook

__all__ = ['LossWeightScheduleHook', 'RNGStateHook']
