"""Config preparation shared by ``tools/train.py`` and ``tools/test.py``."""
import os.path as osp
from typing import Iterable, Optional

from mmengine.config import Config

from mmkdseg.engine.dist import setup_cpu_distributed

#: Dataset types that create their data on first use (no directory needs to exist beforehand).
SELF_GENERATING_DATASETS = ('SynTexDataset', )
DATALOADER_KEYS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def load_config(path: str, cfg_options: Optional[dict] = None, work_dir: Optional[str] = None,
                launcher: str = 'none') -> Config:
    """Read a config, apply ``--cfg-options`` and ``--work-dir`` (CLI > file > ``work_dirs/<name>``)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'config file {path!r} does not exist')
    cfg = Config.fromfile(path)
    cfg.launcher = launcher
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(path))[0])
    setup_cpu_distributed(cfg)
    return cfg


def enable_amp(cfg: Config) -> bool:
    """Switch the config's optimizer wrapper(s) to ``AmpOptimWrapper`` with dynamic loss scaling.

    Handles a single wrapper (``optim_wrapper.type``) and one wrapper per submodule (an
    ``optim_wrapper`` with a ``constructor`` and a wrapper dict per key, e.g. student + discriminator
    with mmrazor's ``SeparateOptimWrapperConstructor``). Returns False if AMP was already on everywhere.

    Raises:
        ValueError: a wrapper type other than ``OptimWrapper``/``AmpOptimWrapper`` (named in the message).
    """
    ow = cfg.optim_wrapper
    if 'constructor' in ow and 'optimizer' not in ow and 'type' not in ow:
        wrappers = {k: v for k, v in ow.items() if isinstance(v, dict) and k != 'paramwise_cfg'}
        where = {k: f'optim_wrapper.{k}' for k in wrappers}
    else:
        wrappers, where = {'': ow}, {'': 'optim_wrapper'}
    changed = False
    for key, wrapper in wrappers.items():
        kind = wrapper.get('type', 'OptimWrapper')
        if kind == 'AmpOptimWrapper':
            continue
        if kind != 'OptimWrapper':
            raise ValueError(f'--amp needs {where[key]}.type OptimWrapper, got {kind}; enable AMP in '
                             f'the config of {kind} instead')
        wrapper['type'] = 'AmpOptimWrapper'
        wrapper['loss_scale'] = 'dynamic'
        changed = True
    return changed


def leaf_datasets(dataset_cfg) -> Iterable:
    """Leaf dataset configs of a (possibly wrapped / concatenated) dataset config."""
    if dataset_cfg is None:
        return
    if isinstance(dataset_cfg, (list, tuple)):
        for d in dataset_cfg:
            yield from leaf_datasets(d)
        return
    if 'datasets' in dataset_cfg:
        yield from leaf_datasets(dataset_cfg['datasets'])
    elif 'dataset' in dataset_cfg:
        yield from leaf_datasets(dataset_cfg['dataset'])
    else:
        yield dataset_cfg


def check_data_dirs(cfg: Config, keys=DATALOADER_KEYS) -> None:
    """Fail early, naming the config key, when a dataset directory or split file is missing."""
    for key in keys:
        loader = cfg.get(key)
        if not loader:
            continue
        for i, ds in enumerate(leaf_datasets(loader.get('dataset'))):
            if str(ds.get('type', '')).split('.')[-1] in SELF_GENERATING_DATASETS \
                    and ds.get('auto_generate', True):
                continue
            root = ds.get('data_root') or ''
            where = f'{key}.dataset' + (f' (leaf {i})' if i else '')
            if root and not osp.isdir(root):
                raise FileNotFoundError(
                    f'{where}.data_root={root!r} does not exist (dataset {ds.get("type")}). Prepare the '
                    f'dataset as described in docs/datasets.md or override it with '
                    f'--cfg-options {key}.dataset.data_root=PATH')
            for name, sub in (ds.get('data_prefix') or {}).items():
                path = osp.join(root, sub)
                if sub and not osp.isdir(path):
                    raise FileNotFoundError(
                        f'{where}.data_prefix.{name}: directory {path!r} does not exist '
                        f'(dataset {ds.get("type")}, data_root={root!r})')
            ann = ds.get('ann_file')
            if ann and not osp.isfile(osp.join(root, ann)) and not osp.isfile(ann):
                raise FileNotFoundError(f'{where}.ann_file: split file {osp.join(root, ann)!r} does not '
                                        f'exist (dataset {ds.get("type")})')
