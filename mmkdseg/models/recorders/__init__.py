from .backbone_stage import BackboneStageRecorder
from .decode_head import DecodeHeadRecorder

__all__ = ['BackboneStageRecorder', 'DecodeHeadRecorder']
