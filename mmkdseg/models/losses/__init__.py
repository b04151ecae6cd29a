from .dist import SegDISTLoss
from .icsd import ICSDLoss
from .ifvd import IFVDLoss
from .channel_wise_kd import ChannelWiseKDLoss
from .masked_generation import MaskedGenerationLoss
from .holistic_adversarial import HolisticAdversarialLoss
from .pair_wise_affinity import PairWiseAffinityLoss
from .pixel_wise_kd import PixelWiseKDLoss
from .pseudo_label_ce import PseudoLabelCELoss
from .semantic_sensitive import SemanticSensitiveLoss
from .content_aware import ContentAwareLoss
from .class_similarity import FRKDSimilarityLoss
from .inter_class_distance import FRKDInterClassLoss
from .intra_class_distance import FRKDIntraClassLoss
from .refined_pixel_kd import RefinedPixelWiseKDLoss
from .cirkd_mini_batch import CIRKDMiniBatchLoss
from .cirkd_memory import CIRKDMemoryLoss

__all__ = ['ChannelWiseKDLoss', 'SegDISTLoss', 'MaskedGenerationLoss', 'ICSDLoss', 'IFVDLoss', 'PixelWiseKDLoss',
           'PairWiseAffinityLoss', 'FRKDInterClassLoss', 'FRKDIntraClassLoss', 'FRKDSimilarityLoss',
           'RefinedPixelWiseKDLoss', 'PseudoLabelCELoss', 'SemanticSensitiveLoss', 'ContentAwareLoss',
           'HolisticAdversarialLoss', 'CIRKDMiniBatchLoss', 'CIRKDMemoryLoss']
