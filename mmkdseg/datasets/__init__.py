from .camvid import CamVidDataset
from .samplers import SemiBatchSampler, SemiInfiniteSampler
from .semi_dataset import SemiSegDataset
from .split_dataset import SplitDataset
from .syntex import SynTexDataset
from .syntex_generator import generate_syntex, prepare_syntex

__all__ = [
    'CamVidDataset', 'SynTexDataset', 'generate_syntex', 'prepare_syntex', 'SplitDataset', 'SemiSegDataset',
    'SemiInfiniteSampler', 'SemiBatchSampler'
]
