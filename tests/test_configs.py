"""Every config in configs/ builds, and runs one training iteration (+ a validation) on a tiny dataset.

Paper-protocol configs (Cityscapes, Pascal VOC, ADE20K, CamVid) run on tiny directories in their
dataset's layout; their crops are shrunk to 64×64 and downloads (teacher checkpoints given as URLs,
ImageNet-pretrained backbones) are switched off. SynTex configs run on a tiny SynTex with random-weight
teacher checkpoints of the right architecture.
"""
import copy
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from mmkdseg import testing

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = list(testing.iter_config_files(osp.join(REPO, 'configs')))

TINY_DATA = {
    'SynTexDataset': None,  # the session fixture
    'CityscapesDataset': testing.make_tiny_cityscapes,
    'PascalVOCDataset': testing.make_tiny_voc,
    'ADE20KDataset': testing.make_tiny_ade20k,
    'CamVidDataset': testing.make_tiny_camvid,
}


def _dataset_type(cfg):
    ds = cfg.train_dataloader.dataset
    while 'dataset' in ds or 'datasets' in ds:
        ds = ds['dataset'] if 'dataset' in ds else ds['datasets'][0]
    return str(ds.type).split('.')[-1]


def _teacher_overrides(cfg, tmp_dir):
    """Replace teacher checkpoints: URLs -> None (no downloads); local paths -> random weights."""
    overrides = {}
    for key, value in cfg.model.items():
        if not key.endswith('_ckpt') or not isinstance(value, str):
            continue
        if '://' in value:
            overrides[f'model.{key}'] = None
            continue
        teacher_key = key[:-len('_ckpt')]
        path = osp.join(tmp_dir, f'{teacher_key}.pth')
        testing.random_checkpoint(cfg.model[teacher_key], path)
        overrides[f'model.{key}'] = path
    return overrides


def test_there_are_configs():
    assert len(CONFIGS) >= 3


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.relpath(p, osp.join(REPO, 'configs')) for p in CONFIGS])
def test_config_builds_and_trains_one_iteration(path, tmp_path, syntex_root):
    from mmengine.runner import Runner
    raw = Config.fromfile(path)
    assert raw.get('custom_imports', {}).get('imports') == ['mmkdseg'], 'configs must import mmkdseg'
    name = osp.basename(path)
    assert name.endswith('.py') and name.count('_') >= 3, f'{name}: not {{method}}_{{...}}_{{dataset}}-{{crop}}'
    kind = _dataset_type(raw)
    assert kind in TINY_DATA, f'no tiny dataset maker for {kind}'
    root = syntex_root if kind == 'SynTexDataset' else TINY_DATA[kind](str(tmp_path / 'data'))
    overrides = _teacher_overrides(raw, str(tmp_path))
    cfg = testing.make_tiny_config(path, str(tmp_path / 'work'), data_root=root, teacher_ckpts=overrides)
    # the model builds on its own ...
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmseg')):
        model = MODELS.build(copy.deepcopy(cfg.model))
    assert sum(p.numel() for p in model.parameters()) > 0
    del model
    # ... and trains one iteration, then validates, through mmengine's Runner
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1
    assert osp.isfile(osp.join(str(tmp_path / 'work'), 'iter_1.pth'))
