from .loss_weight_schedule import LossWeightScheduleHook

__all__ = ['LossWeightScheduleHook']
