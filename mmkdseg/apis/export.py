"""Export the student of a distillation run as a plain mmseg model (config + checkpoint).

The exported config is an mmseg config: ``model`` is the student with its data preprocessor, the data
pipelines, evaluators and runtime are kept, and the schedule is the student's single optimizer wrapper and
scheduler list. What belongs to the distillation run is dropped: teachers, distiller, discriminator and
their optimizers, ``model_wrapper_cfg``, ``runner_type``, mmkdseg's hooks. mmkdseg types that have an mmseg
equivalent are replaced by it (``SynTexDataset`` -> ``BaseSegDataset`` with the SynTex class names and
palette, reading the generated files; ``ClassIoUMetric`` -> ``IoUMetric``), so the export works where
mmkdseg is not installed. Types without an equivalent (the semi-supervised datasets and samplers of
MGD-SSSS, CamVid) stay; the exported file then lists them in its header and keeps
``custom_imports=dict(imports=['mmkdseg'], allow_failed_imports=True)``, so inference still works without
mmkdseg and training with those datasets needs it.
"""
import copy
import logging
import os
import os.path as osp
from typing import List, Set, Tuple, Union

import torch
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.runner.checkpoint import _load_checkpoint

#: Top-level config keys that belong to the distillation run, not to the exported student.
DISTILL_ONLY_KEYS = ('teacher_ckpt', 'teacher_model', 'student_model', 'find_unused_parameters',
                     'model_wrapper_cfg', 'runner_type', 'allow_partial_checkpoint', 'load_from', 'resume',
                     'work_dir', 'launcher', 'custom_hooks')
#: mmkdseg types replaced by their mmseg equivalent in an export: ``{type: function(dict) -> dict}``.
_SYNTEX_ONLY_ARGS = ('auto_generate', 'generator_seed', 'image_size', 'splits')


def _syntex_to_base(d: dict) -> dict:
    from mmkdseg.datasets.syntex_generator import CLASSES, PALETTE
    out = {k: v for k, v in d.items() if k not in _SYNTEX_ONLY_ARGS}
    out.update(type='BaseSegDataset', metainfo=dict(classes=tuple(CLASSES), palette=[list(p) for p in PALETTE]),
               img_suffix=d.get('img_suffix', '.png'), seg_map_suffix=d.get('seg_map_suffix', '.png'),
               reduce_zero_label=False)
    return out


REPLACEMENTS = {
    'SynTexDataset': _syntex_to_base,
    'ClassIoUMetric': lambda d: dict(d, type='IoUMetric'),
}


def _strip_scope(model_cfg: dict) -> dict:
    model_cfg = copy.deepcopy(model_cfg)
    model_cfg.pop('_scope_', None)
    return model_cfg


def student_model_config(cfg: Config) -> dict:
    """The student's model dict of a distillation config (``model.architecture``), with its preprocessor.

    The data preprocessor is the student's own; a student without one gets the algorithm's
    (``model.data_preprocessor``) or the config's top-level ``data_preprocessor``.
    """
    arch = cfg.model.get('architecture')
    if arch is None:
        raise KeyError('the config has no model.architecture: it is not a distillation config')
    from mmkdseg.models.algorithms.segmentor_cfg import segmentor_cfg, without_pretrained
    model = _strip_scope(segmentor_cfg(arch, 'model.architecture'))  # cfg_path dicts, with their overrides
    if cfg.model.get('load_pretrained', True) is False:  # as trained: no pretrained initialisation
        model, _ = without_pretrained(model)
    if model.get('data_preprocessor') is None:
        dp = cfg.model.get('data_preprocessor') or cfg.get('data_preprocessor')
        if dp is not None:
            model['data_preprocessor'] = _strip_scope(dp)
    return model


def _walk(obj, fn):
    """Replace every dict nested in ``obj`` by ``fn(dict)`` (children first)."""
    if isinstance(obj, dict):
        return fn({k: _walk(v, fn) for k, v in obj.items()})
    if isinstance(obj, (list, tuple)):
        return type(obj)(_walk(v, fn) for v in obj)
    return obj


def mmkdseg_type_names() -> Set[str]:
    """Names of the types mmkdseg registers (datasets, samplers, metrics, hooks, runners, wrappers, models)."""
    from mmengine import registry as engine
    from mmrazor.registry import MODELS as RAZOR_MODELS
    from mmseg import registry as seg
    names = set()
    for reg in (seg.DATASETS, seg.TRANSFORMS, seg.METRICS, seg.DATA_SAMPLERS, seg.MODELS, engine.HOOKS,
                engine.RUNNERS, engine.MODEL_WRAPPERS, engine.DATA_SAMPLERS, RAZOR_MODELS):
        for name, cls in reg.module_dict.items():
            if getattr(cls, '__module__', '').startswith('mmkdseg'):
                names.add(name)
    return names


def _type_name(value) -> str:
    return value.split('.')[-1] if isinstance(value, str) else getattr(value, '__name__', '')


def student_config(cfg: Config) -> Tuple[Config, List[str]]:
    """A plain mmseg config for the student of ``cfg``; also returns the mmkdseg types that remain in it.

    See the module docstring for what is kept, dropped and replaced.
    """
    text = copy.deepcopy(cfg._cfg_dict.to_dict())
    model = student_model_config(cfg)
    text['model'] = model
    if model.get('data_preprocessor') is not None:
        text['data_preprocessor'] = copy.deepcopy(model['data_preprocessor'])
    for key in DISTILL_ONLY_KEYS:
        text.pop(key, None)
    optim = text.get('optim_wrapper', {})
    if isinstance(optim, dict) and 'architecture' in optim:  # one optimizer per submodule (e.g. SKD)
        text['optim_wrapper'] = optim['architecture']
    sched = text.get('param_scheduler')
    if isinstance(sched, dict) and 'architecture' in sched:
        text['param_scheduler'] = sched['architecture']
    text['val_cfg'] = dict(type='ValLoop')
    text['test_cfg'] = dict(type='TestLoop')
    text['default_scope'] = 'mmseg'

    def replace(d):
        fn = REPLACEMENTS.get(_type_name(d.get('type')))
        return fn(d) if fn else d
    text = _walk(text, replace)
    for key, value in list(text.items()):  # helper variables such as dataset_type = 'SynTexDataset'
        if isinstance(value, str) and value in REPLACEMENTS:
            text[key] = REPLACEMENTS[value](dict(type=value))['type']

    ours = mmkdseg_type_names()
    remaining: Set[str] = set()

    def collect(d):
        if _type_name(d.get('type')) in ours:
            remaining.add(_type_name(d.get('type')))
        return d
    _walk(text, collect)
    imports = text.pop('custom_imports', None)
    others = [m for m in (imports or {}).get('imports', []) if m != 'mmkdseg' and not m.startswith('mmkdseg.')]
    if remaining:
        others = ['mmkdseg'] + others
    if others:
        text['custom_imports'] = dict(imports=others, allow_failed_imports=True)
    return Config(text), sorted(remaining)


def student_state_dict(checkpoint: dict, prefix: str = 'architecture.') -> dict:
    """The student's weights: the ``architecture.*`` entries of the algorithm's state dict."""
    state = checkpoint.get('state_dict', checkpoint)
    out = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    if not out:
        from mmkdseg.engine.checkpoint import guess_checkpoint_kind
        raise KeyError(f'no {prefix!r} weights in the checkpoint: it looks like {guess_checkpoint_kind(state)}, '
                       f'not a distillation checkpoint')
    return out


def resolve_config(config: Union[str, Config]) -> Config:
    """A config object from a config file, a run's work dir (the config mmengine dumped there) or a Config."""
    if isinstance(config, Config):
        return config
    if osp.isdir(config):
        dumped = sorted(f for f in os.listdir(config) if f.endswith('.py'))
        if len(dumped) != 1:
            raise FileNotFoundError(f'work dir {config!r} should hold exactly one dumped config (*.py), '
                                    f'found {dumped}; pass the config file instead')
        config = osp.join(config, dumped[0])
    if not osp.isfile(config):
        raise FileNotFoundError(f'config {config!r} does not exist')
    return Config.fromfile(config)


def _trained_model_differs(cfg: Config, ckpt: dict) -> List[str]:
    """Keys of ``model.architecture`` where ``cfg`` differs from the config stored in the checkpoint."""
    text = ckpt.get('meta', {}).get('cfg')
    if not isinstance(text, str):
        return []
    try:
        trained = Config.fromstring(text, file_format='.py')
    except Exception:  # a config text that does not parse on its own: nothing to compare
        return []
    a = _strip_scope(student_model_config(cfg))
    b = _strip_scope(student_model_config(trained))
    diff: List[str] = []

    def compare(x, y, path):
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y)):
                compare(x.get(k), y.get(k), f'{path}.{k}')
        elif x != y and not (isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)) and list(x) == list(y)):
            diff.append(f'{path}: config {x!r}, trained {y!r}')
    compare(a, b, 'model.architecture')
    return diff


def export_student(config: Union[str, Config], checkpoint: str, out_dir: str, name: str = 'student',
                   allow_partial: bool = False) -> Tuple[str, str]:
    """Write ``<out_dir>/<name>.py`` and ``<out_dir>/<name>.pth``; return their paths.

    Args:
        config: the distillation config of the run — a file, the run's work dir (the config mmengine dumped
            there, with the run's ``--cfg-options``), or a ``Config``. When it differs from the config stored
            in the checkpoint in the student's model, a warning names the keys.
        checkpoint: the distillation checkpoint.
        out_dir: output directory.
        allow_partial: export even if the student weights do not cover the student model (otherwise
            :class:`~mmkdseg.engine.checkpoint.CheckpointMismatchError`).

    The checkpoint holds ``state_dict`` (student weights only: no teacher, connector or discriminator) and
    ``meta`` (``dataset_meta`` with classes and palette, so ``mmseg.apis.init_model`` names the classes).
    """
    from mmengine.registry import DefaultScope
    from mmseg.registry import MODELS

    from mmkdseg.engine.checkpoint import check_state_dict_covers
    cfg = resolve_config(config)
    ckpt = _load_checkpoint(checkpoint, map_location='cpu')
    state = student_state_dict(ckpt)
    differs = _trained_model_differs(cfg, ckpt)
    if differs:
        print_log(f'export_student: the config differs from the one {checkpoint} was trained with in '
                  f'{len(differs)} student setting(s): ' + '; '.join(differs[:5]) + '. Export from the run\'s '
                  'work dir (its dumped config) to use the trained settings.', logger='current',
                  level=logging.WARNING)
    exported, remaining = student_config(cfg)
    # the weights are in the exported checkpoint: no pretrained download when the export is fine-tuned
    if exported.model.get('pretrained') is not None:
        exported.model.pretrained = None
    backbone = exported.model.get('backbone')
    if isinstance(backbone, dict) and isinstance(backbone.get('init_cfg'), dict) \
            and backbone.init_cfg.get('type') == 'Pretrained':
        backbone.init_cfg = None
    model_cfg = _strip_scope(exported.model)
    with DefaultScope.overwrite_default_scope('mmseg'):
        student = MODELS.build(model_cfg)
    try:
        check_state_dict_covers(student, state, f'the student weights of {checkpoint!r}')
    except Exception as e:
        if not allow_partial:
            raise
        print_log(f'{e}\nallow_partial: exporting the matching part only.', logger='current',
                  level=logging.WARNING)
    meta = {k: v for k, v in ckpt.get('meta', {}).items() if k in ('dataset_meta', 'seed', 'mmengine_version')}
    meta['exported_from'] = osp.abspath(checkpoint)
    os.makedirs(out_dir, exist_ok=True)
    cfg_path = osp.join(out_dir, f'{name}.py')
    ckpt_path = osp.join(out_dir, f'{name}.pth')
    exported.dump(cfg_path)
    header = ['# The student of a distillation run, exported by mmkdseg (tools/export_student.py):',
              f'#   config {getattr(cfg, "filename", None)}', f'#   checkpoint {osp.abspath(checkpoint)}',
              '# A plain mmseg config: mmseg.apis.init_model, mmseg\'s tools/test.py and tools/train.py.']
    if remaining:
        header.append('# mmkdseg types that remain (no mmseg equivalent; training with them needs mmkdseg): '
                      + ', '.join(remaining))
    with open(cfg_path) as f:
        body = f.read()
    with open(cfg_path, 'w') as f:
        f.write('\n'.join(header) + '\n' + body)
    torch.save({'meta': meta, 'state_dict': state}, ckpt_path)
    return cfg_path, ckpt_path


__all__ = ['export_student', 'student_config', 'student_model_config', 'student_state_dict', 'resolve_config',
           'mmkdseg_type_names']
