from .syntex import SynTexDataset
from .syntex_generator import generate_syntex, prepare_syntex

__all__ = ['SynTexDataset', 'generate_syntex', 'prepare_syntex']
