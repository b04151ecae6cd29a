from .feature_refine import FeatureRefineConnector
from .masked_generation import MaskedGenerationConnector

__all__ = ['FeatureRefineConnector', 'MaskedGenerationConnector']
