"""Every config in configs/ builds, and runs one training iteration (+ a validation) on a tiny dataset.

Paper-protocol configs (Cityscapes, Pascal VOC, ADE20K, CamVid) run on tiny directories in their
dataset's layout; their crops are shrunk to 64×64 and downloads (teacher checkpoints given as URLs,
ImageNet-pretrained backbones) are switched off. SynTex configs run on a tiny SynTex with random-weight
teacher checkpoints of the right architecture.
"""
import copy
import os.path as osp
import re

import pytest
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from mmkdseg import testing

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
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


#: One spelling per model: ``{arch}-{backbone}[-w{width}]-d8`` in distillation names (``pspnet-r101-d8``,
#: ``deeplabv3plus-mv2-d8``; SegFormer: ``segformer-mit-b0``, the embedded one at width 8 ``segformer-mit-w8``),
#: ``{arch}_{backbone}[-w{width}]-d8`` / ``segformer_mit-b0`` in plain mmseg names (mmseg's convention).
ARCHS = ('pspnet', 'deeplabv3', 'deeplabv3plus')
BACKBONE = r'(?:r18|r34|r50|r101|mv2|wr34x2)(?:-w\d+)?'
MIT = r'mit-(?:b\d|w\d+)'
MODEL = rf'(?:(?:{"|".join(ARCHS)})-{BACKBONE}(?:-{BACKBONE})*-d8|segformer-{MIT})'
TAIL = (r'_(?P<gpus>\d+)xb(?P<batch>\d+)-(?P<schedule>\d+k|\d+e)'
        r'_(?P<dataset>[a-z0-9]+(?:-pretext)?(?:-\d+-\d+)?)-(?P<crop>\d+x\d+)\.py')
DISTILL_NAME = re.compile(rf'(?P<method>[a-z0-9]+(?:-[a-z0-9]+)*)_(?P<teacher>{MODEL})_(?P<student>{MODEL}){TAIL}')
PLAIN_NAME = re.compile(rf'(?:(?:{"|".join(ARCHS)})_{BACKBONE}-d8|segformer_{MIT}'
                        rf'|classfraction_(?:{BACKBONE}|{MIT})){TAIL}')


def _is_distillation(cfg) -> bool:
    return 'architecture' in cfg.get('model', {})


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.relpath(p, osp.join(REPO, 'configs')) for p in CONFIGS])
def test_config_name_follows_the_convention(path):
    """``{method}_{teacher}_{student}_{N}xb{B}-{schedule}_{dataset}-{crop}.py`` (plain: mmseg's pattern); the
    batch in the name is the config's per-GPU batch, the crop its training crop."""
    name = osp.basename(path)
    cfg = Config.fromfile(path)
    pattern = DISTILL_NAME if _is_distillation(cfg) else PLAIN_NAME
    match = pattern.fullmatch(name)
    head = '{method}_{teacher}_{student}' if pattern is DISTILL_NAME else '{model}_{backbone}'
    assert match, f'{name} does not follow {head}_{{N}}xb{{B}}-{{schedule}}_{{dataset}}-{{crop}}.py'
    loader = cfg.train_dataloader
    batch = loader.get('batch_size')  # semi-supervised: B labeled (+ B unlabeled) images per GPU
    assert int(match['batch']) == batch, f'{name}: the name says b{match["batch"]}, train_dataloader.batch_size={batch}'
    crops = [t['crop_size'] for t in _walk_dicts(loader.dataset) if str(t.get('type', '')).endswith('RandomCrop')]
    assert crops, f'{name}: no RandomCrop in the training pipeline'
    h, w = crops[0]
    assert match['crop'] == f'{h}x{w}', f'{name}: the name says {match["crop"]}, the training crop is {h}x{w}'
    iters = cfg.train_cfg.get('max_iters')
    if iters is not None and match['schedule'].endswith('k'):
        assert int(match['schedule'][:-1]) == round(iters / 1000), \
            f'{name}: the name says {match["schedule"]}, train_cfg.max_iters={iters}'


def _walk_dicts(obj):
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from _walk_dicts(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _walk_dicts(v)


def test_every_method_folder_has_a_readme_and_configs():
    folders = sorted({osp.dirname(p) for p in CONFIGS})
    assert osp.join(REPO, 'configs', 'skd') in folders  # the walk finds the configs at all
    for folder in folders:
        assert osp.isfile(osp.join(folder, 'README.md')), f'{folder} has no README.md'


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.relpath(p, osp.join(REPO, 'configs')) for p in CONFIGS])
def test_config_builds_and_trains_one_iteration(path, tmp_path, syntex_root):
    from mmengine.runner import Runner
    raw = Config.fromfile(path)
    assert raw.get('custom_imports', {}).get('imports') == ['mmkdseg'], 'configs must import mmkdseg'
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
