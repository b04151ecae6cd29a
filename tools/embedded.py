"""The trained artifacts of the embedded benchmark: pretext-pretrained backbones and the embedded teachers.

Each is built once from its config and kept under ``checkpoints/syntex/`` with a ``.json`` record of its
fingerprint: the config's full text (bases resolved), the SynTex generator version and the fingerprints of
the artifacts it loads itself (the teacher loads its pretrained backbone). An artifact whose fingerprint
changed is rebuilt, so a changed config or generator never reuses stale weights.

* ``kind='backbone'``: trained with ``tools/train.py`` on the pretext task (``ClassFractionClassifier``),
  then written as a **backbone-only** checkpoint (the ``backbone.`` keys without the prefix, the layout of
  ``open-mmlab://resnet18_v1c``), which a segmentor config loads with mmseg's ordinary
  ``pretrained='checkpoints/syntex/...'`` (its backbone's ``init_cfg=dict(type='Pretrained', ...)``).
* ``kind='model'``: a segmentor trained with ``tools/train.py``; its last checkpoint is kept.

    python tools/embedded.py [ARTIFACT ... | all] [--retrain]   # build what is missing or stale
                                                                # (default: the main pair's three)
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import shutil
import sys
import time

TOOLS = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(TOOLS)
if TOOLS not in sys.path:
    sys.path.append(TOOLS)

from run_utils import last_checkpoint, run_logged, train_cmd, train_stats  # noqa: E402

#: checkpoint path (relative to the repository) -> how it is built
ARTIFACTS = {
    'checkpoints/syntex/resnetv1c18-w8_pretext.pth':
    dict(kind='backbone', config='configs/syntex/classfraction_r18-w8_1xb16-2k_syntex-pretext-96x96.py'),
    'checkpoints/syntex/resnetv1c101-w8_pretext.pth':
    dict(kind='backbone', config='configs/syntex/classfraction_r101-w8_1xb16-2k_syntex-pretext-96x96.py'),
    'checkpoints/syntex/mit-w8_pretext.pth':
    dict(kind='backbone', config='configs/syntex/classfraction_mit-w8_1xb16-2k_syntex-pretext-96x96.py'),
    'checkpoints/syntex/teacher_pspnet_r101-w8.pth':
    dict(kind='model', config='configs/syntex/pspnet_r101-w8-d8_1xb8-4k_syntex-96x96.py'),
    'checkpoints/syntex/resnetv1c18-w32_pretext.pth':
    dict(kind='backbone', config='configs/syntex/classfraction_r18-w32_1xb16-2k_syntex-pretext-96x96.py'),
    'checkpoints/syntex/mgd-ssss_teacher-wide_pspnet_r18-w32_1-8.pth':
    dict(kind='model', config='configs/mgd_ssss/pspnet_r18-w32-d8_1xb8-4k_syntex-1-8-96x96.py'),
    'checkpoints/syntex/mgd-ssss_teacher-deep_pspnet_r101-w8_1-8.pth':
    dict(kind='model', config='configs/mgd_ssss/pspnet_r101-w8-d8_1xb8-4k_syntex-1-8-96x96.py'),
}
#: what ``python tools/embedded.py`` builds by default: the main pair (its two backbones and the teacher)
MAIN = ['checkpoints/syntex/resnetv1c18-w8_pretext.pth', 'checkpoints/syntex/resnetv1c101-w8_pretext.pth',
        'checkpoints/syntex/teacher_pspnet_r101-w8.pth']
WORK_ROOT = 'work_dirs/embedded'


_CONFIGS = {}


def _config(config: str):
    if config not in _CONFIGS:
        from mmengine.config import Config
        _CONFIGS[config] = Config.fromfile(osp.join(REPO, config))
    return _CONFIGS[config]


def config_text(config: str) -> str:
    return _config(config).pretty_text


def model_dependencies(model) -> list:
    """The artifacts a ``model`` config dict loads (named anywhere in it), in ``ARTIFACTS`` order.

    A teacher with a checkpoint loaded strictly (``teacher_ckpt``; MGD-SSSS: ``teacher_wide_ckpt``,
    ``teacher_deep_ckpt``) needs that checkpoint only: its own ``pretrained=`` is never read
    (``SegmentationDistill``, ``MultiGranularityDistill``).
    """
    model = dict(model or {})
    if model.get('teacher_ckpt_strict', True):
        for key in [k for k in model if k.endswith('_ckpt')]:
            if isinstance(model[key], str):
                model.pop(key[:-len('_ckpt')], None)
    text = str(model)
    return [path for path in ARTIFACTS if path in text]


def dependencies(config: str) -> list:
    """The artifacts the ``model`` of the config file ``config`` loads."""
    return model_dependencies(_config(config).get('model'))


_stack = []


def fingerprint(path: str) -> str:
    """Hash of what the artifact ``path`` depends on (see the module docstring)."""
    from mmkdseg.datasets.syntex_generator import GENERATOR_VERSION
    spec = ARTIFACTS[path]
    if path in _stack:
        raise RuntimeError(f'embedded artifacts depend on each other in a cycle: {" -> ".join(_stack + [path])}')
    _stack.append(path)
    try:
        deps = [fingerprint(dep) for dep in dependencies(spec['config'])]
    finally:
        _stack.pop()
    text = '\n'.join([config_text(spec['config']), str(GENERATOR_VERSION), spec['kind']] + deps)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_info(path: str):
    info_file = osp.join(REPO, osp.splitext(path)[0] + '.json')
    if osp.isfile(osp.join(REPO, path)) and osp.isfile(info_file):
        with open(info_file) as f:
            return json.load(f)
    return None


def extract_backbone(checkpoint: str, out: str, meta: dict) -> int:
    """Write the ``backbone.`` weights of a runner checkpoint as a backbone-only checkpoint; returns their count."""
    import torch
    from mmkdseg.engine.checkpoint import load_from_local
    state = load_from_local(checkpoint, map_location='cpu')['state_dict']
    backbone = {k[len('backbone.'):]: v for k, v in state.items() if k.startswith('backbone.')}
    if not backbone:
        raise RuntimeError(f'{checkpoint}: no backbone.* weights (keys: {sorted(state)[:5]} ...)')
    torch.save(dict(state_dict=backbone, meta=meta), out)
    return len(backbone)


def ensure(path: str, retrain: bool = False, quiet: bool = False) -> dict:
    """Build the artifact ``path`` unless an identical one is kept (its dependencies first); returns its record."""
    if path not in ARTIFACTS:
        raise KeyError(f'{path} is not an embedded artifact ({sorted(ARTIFACTS)})')
    spec = ARTIFACTS[path]
    for dep in dependencies(spec['config']):
        ensure(dep, retrain=False, quiet=quiet)
    fp = fingerprint(path)
    info = read_info(path)
    if not retrain and info is not None and info.get('fingerprint') == fp:
        if not quiet:
            print(f'  reusing {path} (built {info["trained"]}, {info["seconds"] / 60:.1f} min)', flush=True)
        return info
    if info is not None and not quiet:
        print(f'  {path} was built from another config, dataset or dependency: rebuilding', flush=True)
    work_dir = osp.join(REPO, WORK_ROOT, osp.splitext(osp.basename(path))[0])
    shutil.rmtree(work_dir, ignore_errors=True)
    print(f'  building {path} from {spec["config"]} (kept for later runs)', flush=True)
    run = run_logged(train_cmd(spec['config'], work_dir), osp.join(work_dir, 'train.log'), osp.basename(path))
    stats = train_stats(work_dir)
    out = osp.join(REPO, path)
    os.makedirs(osp.dirname(out), exist_ok=True)
    info = dict(fingerprint=fp, trained=time.strftime('%Y-%m-%d %H:%M'), config=spec['config'], kind=spec['kind'],
                s_per_iter=stats['s_per_iter'], seconds=run['seconds'])
    if spec['kind'] == 'backbone':
        from run_utils import read_scalars
        losses = [r['loss_pretext'] for r in read_scalars(work_dir) if 'loss_pretext' in r]
        info['final_loss'] = losses[-1] if losses else None
        info['num_tensors'] = extract_backbone(last_checkpoint(work_dir), out,
                                               dict(fingerprint=fp, config=spec['config']))
    else:
        shutil.copy(last_checkpoint(work_dir), out)
        info['val'] = {k: v for k, v in stats['val'].items() if k in ('mIoU', 'mAcc', 'aAcc')}
    with open(osp.splitext(out)[0] + '.json', 'w') as f:
        json.dump(info, f, indent=1)
    print(f'  built {path} in {run["seconds"] / 60:.1f} min', flush=True)
    return info


def ensure_for_cfg(cfg, build: bool = True):
    """Make the embedded artifacts that a loaded config's ``model`` names available (``tools/train.py``).

    With ``build=False`` (a distributed launch: every rank would build at once) a missing or stale artifact
    raises ``SystemExit`` saying how to build it, instead of being built.
    """
    for dep in model_dependencies(cfg.get('model')):
        info = read_info(dep)
        if info is not None and info.get('fingerprint') == fingerprint(dep):
            continue
        if not build:
            raise SystemExit(f'{dep} (loaded by the model of this config) is missing or was built from another '
                             f'config; build it first: python tools/embedded.py {dep}')
        print(f'[embedded] {dep} is missing or stale: building it (once)', flush=True)
        ensure(dep)


def main():
    p = argparse.ArgumentParser(description='Build the embedded benchmark\'s pretrained backbones and teacher')
    p.add_argument('artifacts', nargs='*', help=f'"all" or some of {", ".join(ARTIFACTS)}; default: the main '
                   f'pair\'s ({", ".join(MAIN)}; the others are built when a config first needs them)')
    p.add_argument('--retrain', action='store_true', help='rebuild even if an identical one is kept')
    args = p.parse_args()
    os.chdir(REPO)
    sys.path.insert(0, REPO)
    import mmkdseg  # noqa: F401
    paths = list(ARTIFACTS) if args.artifacts == ['all'] else args.artifacts or MAIN
    for path in paths:
        ensure(path, retrain=args.retrain)


if __name__ == '__main__':
    main()
