"""SynTex: mmkdseg's embedded, procedurally generated segmentation dataset (see ``syntex_generator``)."""
import os.path as osp

from mmengine.dist import barrier, get_dist_info
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from .syntex_generator import CLASSES, DEFAULT_SPLITS, PALETTE, prepare_syntex


@DATASETS.register_module()
class SynTexDataset(BaseSegDataset):
    """The embedded SynTex dataset (7 classes, 96×96 images, 1500 train / 300 val by default).

    The data are generated on first use when ``auto_generate=True`` (the default): rank 0 writes them
    into ``data_root`` while the other ranks wait, so distributed runs are safe. Generation takes about
    15 seconds on one core and is skipped when ``data_root/meta.json`` shows identical data.

    Args:
        auto_generate (bool): Generate the data into ``data_root`` if they are missing or stale. With
            ``False`` a missing directory raises ``FileNotFoundError``.
        generator_seed (int): Seed of the generator (the dataset's identity, not the training seed).
        image_size (int): Side of the square images.
        splits (tuple): ``((split_name, num_images), ...)`` to generate.
        **kwargs: Passed to :class:`mmseg.datasets.BaseSegDataset` (``data_root``, ``data_prefix``,
            ``pipeline``, ``ann_file`` for split files, ...).
    """
    METAINFO = dict(classes=CLASSES, palette=PALETTE)

    def __init__(self,
                 auto_generate: bool = True,
                 generator_seed: int = 0,
                 image_size: int = 96,
                 splits=DEFAULT_SPLITS,
                 img_suffix='.png',
                 seg_map_suffix='.png',
                 **kwargs) -> None:
        data_root = kwargs.get('data_root')
        if data_root is None:
            raise ValueError('SynTexDataset needs data_root (where the data are or will be generated)')
        if auto_generate:
            splits = tuple((str(name), int(n)) for name, n in splits)
            rank, world_size = get_dist_info()
            if rank == 0:
                prepare_syntex(data_root, seed=generator_seed, size=image_size, splits=splits)
            if world_size > 1:
                barrier()
        elif not osp.isdir(data_root):
            raise FileNotFoundError(
                f'SynTexDataset: data_root {data_root!r} does not exist and auto_generate=False')
        super().__init__(
            img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, reduce_zero_label=False, **kwargs)
