"""Shrink any mmkdseg/mmseg config so that building it and running an iteration takes seconds on a CPU."""
import glob
import os.path as osp
from typing import Dict, Iterator, Optional, Tuple

import torch
from mmengine.config import Config

from mmkdseg.utils.config_utils import leaf_datasets
from mmkdseg.utils.constants import SEGMENTOR_ROLES

_SIZE_KEYS_TRANSFORMS = {
    'RandomResize': 'scale', 'Resize': 'scale', 'RandomCrop': 'crop_size',
    'RandomChoiceResize': 'scales', 'ResizeShortestEdge': 'scale', 'ResizeToMultiple': None,
}


def iter_config_files(root: str = 'configs') -> Iterator[str]:
    """Every runnable config under ``root`` (``_base_`` fragments excluded), sorted."""
    for path in sorted(glob.glob(osp.join(root, '**', '*.py'), recursive=True)):
        if '_base_' not in path.split(osp.sep):
            yield path


def _walk(obj, fn):
    """Apply ``fn(dict)`` to every dict nested in ``obj`` (lists and dicts)."""
    if isinstance(obj, dict):
        fn(obj)
        for v in list(obj.values()):
            _walk(v, fn)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _walk(v, fn)


def _shrink(crop: Tuple[int, int]):
    h, w = crop

    def fn(d: dict) -> None:
        t = str(d.get('type', '')).split('.')[-1]
        if t == 'RandomCrop':
            d['crop_size'] = (h, w)
        elif t in ('RandomResize', 'Resize') and 'scale' in d:
            d['scale'] = (2 * w, 2 * h)  # (w, h) as in mmcv
        elif t == 'RandomChoiceResize':
            d['scales'] = [(2 * w, 2 * h)]
        elif t == 'SegDataPreProcessor' and d.get('size') is not None:
            d['size'] = (h, w)
        if t == 'SegDataPreProcessor' and d.get('size_divisor') is not None:
            d['size_divisor'] = 8
        if 'crop_size' in d and t == '':
            d['crop_size'] = (h, w)
        # no downloads: drop pretrained weights
        if isinstance(d.get('pretrained'), str):
            d['pretrained'] = None
        init_cfg = d.get('init_cfg')
        if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
            d['init_cfg'] = None
        if d.get('mode') == 'slide' and 'crop_size' in d:
            d['crop_size'] = (h, w)
            d['stride'] = (h // 2, w // 2)
        if t == 'CIRKDMemoryLoss':  # tiny memories (the paper's pixel memory is 0.78 GB); same code path
            k = d.get('num_classes', 1)
            d.update(pixel_memory_size=min(d.get('pixel_memory_size', 64), 64),
                     region_memory_size=min(d.get('region_memory_size', 32), 32),
                     pixel_contrast_size=min(d.get('pixel_contrast_size', 2 * k), 2 * k),
                     region_contrast_size=min(d.get('region_contrast_size', 2 * k), 2 * k),
                     pixel_update_freq=min(d.get('pixel_update_freq', 4), 4))
    return fn


def _create_missing_splits(d: dict) -> None:
    if str(d.get('type', '')).endswith('SplitDataset'):  # partition files (mmkdseg.datasets.splits)
        d['create_missing'] = True


def _shrink_cfg_path_models(model, crop: Tuple[int, int]) -> None:
    """Stock models given by ``cfg_path`` (opaque to the walk): their preprocessor pads to ``crop``."""
    from mmkdseg.models.algorithms.segmentor_cfg import segmentor_cfg
    for key in SEGMENTOR_ROLES:
        d = model.get(key)
        if isinstance(d, dict) and 'cfg_path' in d:
            resolved = segmentor_cfg(d, key)
            if (resolved.get('data_preprocessor') or {}).get('size') is not None:
                d.setdefault('data_preprocessor', {})['size'] = tuple(crop)


def make_tiny_config(path: str,
                     work_dir: str,
                     data_root: Optional[str] = None,
                     teacher_ckpts: Optional[Dict[str, Optional[str]]] = None,
                     max_iters: int = 1,
                     crop: Tuple[int, int] = (64, 64),
                     batch_size: int = 2,
                     cfg_options: Optional[dict] = None) -> Config:
    """Load ``path`` and shrink it for a test.

    Args:
        data_root: replaces ``data_root`` of every dataset (wrapped or not) in the three dataloaders.
        teacher_ckpts: ``{'model.teacher_ckpt': path_or_None, ...}`` overrides (dotted keys).
        max_iters: training iterations; validation runs once at the end.
        crop: crop size of training pipelines and data preprocessors; resize scales become 2× crop.

    Pretrained weights are never loaded: ``pretrained=``/``Pretrained`` ``init_cfg`` entries are dropped and
    distillation algorithms get ``model.load_pretrained=False`` (which also covers ``cfg_path`` models).
    CIRKD's memories shrink to 64 pixels / 32 regions per class (the code path is the same).
    """
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    _walk(cfg._cfg_dict, _shrink(crop))
    if isinstance(cfg.get('model'), dict) and 'architecture' in cfg.model:
        cfg.model.load_pretrained = False
        _shrink_cfg_path_models(cfg.model, crop)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if not loader:
            continue
        loader.batch_size = batch_size if key == 'train_dataloader' else 1
        loader.num_workers = 0
        loader.persistent_workers = False
        if data_root is not None:
            for ds in leaf_datasets(loader.dataset):
                ds.data_root = data_root
                if str(ds.get('type', '')).endswith('SynTexDataset'):
                    ds.auto_generate = False  # the tiny copy is already there
            _walk(loader.dataset, _create_missing_splits)  # the tiny copy has no split files yet
        if isinstance(loader.get('batch_sampler'), dict) and 'unlabeled_batch_size' in loader.batch_sampler:
            loader.batch_sampler.unlabeled_batch_size = batch_size  # semi-supervised batches
    # the unlabeled loader of semi-supervised configs
    for key in cfg.keys():
        if key.endswith('_dataloader') and key not in ('train_dataloader', 'val_dataloader',
                                                       'test_dataloader'):
            cfg[key].batch_size = batch_size
            cfg[key].num_workers = 0
            cfg[key].persistent_workers = False
            if data_root is not None:
                for ds in leaf_datasets(cfg[key].dataset):
                    ds.data_root = data_root
    if teacher_ckpts:
        cfg.merge_from_dict(teacher_ckpts)
    cfg.train_cfg.max_iters = max_iters
    cfg.train_cfg.val_interval = max_iters
    schedulers = cfg.get('param_scheduler', None) or []
    if isinstance(schedulers, dict):  # one list per optimizer wrapper (e.g. student + discriminator)
        schedulers = ([schedulers] if 'type' in schedulers else
                      [s for v in schedulers.values() for s in (v if isinstance(v, (list, tuple)) else [v])])
    for sched in schedulers:
        if isinstance(sched, dict) and sched.get('end', 0) > max_iters:
            sched['end'] = max_iters
            sched['begin'] = min(sched.get('begin', 0), max_iters - 1)
    hooks = cfg.default_hooks
    hooks.logger.interval = 1
    hooks.checkpoint.interval = max_iters
    hooks.pop('visualization', None)
    cfg.load_from = None
    cfg.resume = False
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=0)
    cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    return cfg


def random_checkpoint(model_cfg: dict, path: str, seed: int = 0) -> str:
    """Build ``model_cfg`` (a model dict or a ``cfg_path`` dict) with random weights (no pretrained ones)
    and save ``{'state_dict': ...}`` to ``path``."""
    from mmseg.registry import MODELS
    from mmengine.registry import DefaultScope
    from mmkdseg.models.algorithms.segmentor_cfg import segmentor_cfg, without_pretrained
    torch.manual_seed(seed)
    cfg, _ = without_pretrained(dict(segmentor_cfg(dict(model_cfg))))
    cfg.pop('_scope_', None)
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(cfg)
    model.init_weights()
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path
