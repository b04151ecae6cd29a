"""``SplitDataset``: one part (labeled or unlabeled) of a partition protocol of any mmseg dataset."""
import copy
import inspect
import os.path as osp
from typing import Optional, Sequence, Union

from mmengine.dist import barrier, get_dist_info
from mmengine.logging import print_log
from mmseg.registry import DATASETS

from .splits import PARTS, FractionLike, fraction_tag, parse_fraction, split_file, write_split_files


def _default_arg(dataset_type, name: str):
    cls = DATASETS.get(dataset_type) if isinstance(dataset_type, str) else dataset_type
    if cls is None:
        raise KeyError(f'SplitDataset: dataset type {dataset_type!r} is not registered in mmseg')
    for klass in inspect.getmro(cls):
        params = inspect.signature(klass.__init__).parameters
        if name in params and params[name].default is not inspect.Parameter.empty:
            return params[name].default
    return None


@DATASETS.register_module()
class SplitDataset:
    """The ``part`` ('labeled' or 'unlabeled') of a seeded partition of ``dataset`` (see
    :mod:`mmkdseg.datasets.splits`).

    It sets the wrapped dataset's ``ann_file`` to the split file
    ``<data_root>/<split_dir>/seed<seed>/<part>_<p>-<q>.txt`` and builds it; everything else (pipeline,
    suffixes, metainfo) is the wrapped dataset's. Use it alone for a supervised run on the labeled
    part (teachers, the supervised-only baseline), and twice inside :class:`SemiSegDataset`.

    Switch the partition with ``--cfg-options``, e.g.
    ``train_dataloader.dataset.fraction=1/4 train_dataloader.dataset.seed=1``.

    Args:
        dataset (dict): Config of an mmseg dataset with ``data_root`` and ``data_prefix.img_path``,
            and **without** ``ann_file`` (the split file replaces it).
        part (str): ``'labeled'`` or ``'unlabeled'``.
        fraction (str | float): Labeled fraction, e.g. ``'1/8'`` (also ``'1-8'`` or ``0.125``).
        seed (int): Seed of the partition (not of training). Defaults to 0.
        universe (str | list[str], optional): List file(s) relative to ``data_root`` whose union is the
            set of images to partition (VOC: ``ImageSets/Segmentation/{train,aug}.txt``). By default
            every image under ``data_prefix.img_path`` with the dataset's ``img_suffix``.
        split_dir (str): Folder of the split files, relative to ``data_root``. Defaults to 'splits'.
        create_missing (bool): Write the split files if they do not exist (rank 0 writes, the other
            ranks wait), exactly as ``tools/make_splits.py`` would. Defaults to False: a missing file
            raises ``FileNotFoundError`` with the command that creates it (so a mistyped path never
            silently produces a different partition than the one you meant to use).
    """

    def __init__(self,
                 dataset: dict,
                 part: str,
                 fraction: FractionLike,
                 seed: int = 0,
                 universe: Optional[Union[str, Sequence[str]]] = None,
                 split_dir: str = 'splits',
                 create_missing: bool = False) -> None:
        if not isinstance(dataset, dict):
            raise TypeError(f'SplitDataset: dataset must be a config dict, got {type(dataset).__name__}')
        if part not in PARTS:
            raise ValueError(f'SplitDataset: part must be one of {PARTS}, got {part!r}')
        if dataset.get('ann_file'):
            raise ValueError(f'SplitDataset: the wrapped dataset already has ann_file='
                             f'{dataset["ann_file"]!r}; SplitDataset sets it to the split file, remove it')
        data_root = dataset.get('data_root')
        if not data_root:
            raise ValueError('SplitDataset: the wrapped dataset needs data_root (the split files live there)')
        self.part = part
        self.fraction = parse_fraction(fraction)
        self.seed = int(seed)
        self.universe = universe
        self.split_dir = split_dir
        self.ann_file = split_file(part, self.fraction, self.seed, split_dir)
        path = osp.join(data_root, self.ann_file)
        img_dir = (dataset.get('data_prefix') or {}).get('img_path', '')
        img_suffix = dataset.get('img_suffix', _default_arg(dataset.get('type'), 'img_suffix'))
        cfg = copy.deepcopy(dataset)
        cfg['ann_file'] = self.ann_file
        lazy = False
        if create_missing:
            # A self-generating dataset (SynTex) writes its images in its constructor, so without
            # images yet it is built lazily first (no annotation loading), the split files are written
            # after that, and then it is fully initialised. Every rank takes the same branch: images
            # only appear inside dataset constructors, which end with a barrier.
            lazy = not universe and not osp.isdir(osp.join(data_root, img_dir))
            if lazy:
                self.dataset = DATASETS.build(dict(cfg, lazy_init=True))
            rank, world_size = get_dist_info()
            if rank == 0 and not osp.isfile(path):
                paths = write_split_files(data_root, self.fraction, self.seed, img_dir=img_dir,
                                          img_suffix=img_suffix, universe=universe, split_dir=split_dir)
                print_log(f'SplitDataset: wrote the {fraction_tag(self.fraction)} partition (seed '
                          f'{self.seed}) of {data_root}: {paths[0]}, {paths[1]}', logger='current')
            if world_size > 1:
                barrier()
        if not osp.isfile(path):
            universe_arg = (' --universe ' + ' '.join([universe] if isinstance(universe, str) else universe)
                            if universe else f' --img-dir {img_dir} --img-suffix {img_suffix}')
            raise FileNotFoundError(
                f'SplitDataset: split file {path!r} does not exist. Create it with\n'
                f'  python tools/make_splits.py {data_root}{universe_arg} --fractions '
                f'{self.fraction.numerator}/{self.fraction.denominator} --seeds {self.seed}'
                f'{"" if split_dir == "splits" else " --split-dir " + split_dir}\n'
                f'or put your own list there (one image name per line, relative to data_prefix.img_path, '
                f'without {img_suffix!r}), or set create_missing=True.')
        if not lazy:
            self.dataset = DATASETS.build(cfg)
        self.dataset.full_init()

    @property
    def metainfo(self) -> dict:
        return copy.deepcopy(self.dataset.metainfo)

    def full_init(self) -> None:
        self.dataset.full_init()

    def get_data_info(self, idx: int) -> dict:
        return self.dataset.get_data_info(idx)

    def __getitem__(self, idx: int):
        return self.dataset[idx]

    def __len__(self) -> int:
        return len(self.dataset)

    def __repr__(self) -> str:
        return (f'SplitDataset({self.part}, fraction={self.fraction}, seed={self.seed}, '
                f'{len(self)} images of {type(self.dataset).__name__})')
