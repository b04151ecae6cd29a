"""Export the student of a distillation run as a plain mmseg model (config + checkpoint)."""
import copy
import os
import os.path as osp
from typing import Tuple

import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import _load_checkpoint

#: Top-level config keys that belong to the distillation run, not to the exported student.
DISTILL_ONLY_KEYS = ('teacher_ckpt', 'teacher_model', 'student_model', 'find_unused_parameters')


def _strip_scope(model_cfg: dict) -> dict:
    model_cfg = copy.deepcopy(model_cfg)
    model_cfg.pop('_scope_', None)
    return model_cfg


def student_model_config(cfg: Config) -> dict:
    """The student's model dict of a distillation config (``model.architecture``)."""
    arch = cfg.model.get('architecture')
    if arch is None:
        raise KeyError('the config has no model.architecture: it is not a distillation config')
    if 'cfg_path' in arch and 'type' not in arch:  # mmrazor style: architecture=dict(cfg_path='mmseg::...')
        from mmengine.hub import get_config
        sub = get_config(arch['cfg_path'])
        model = sub.model
        if 'data_preprocessor' in sub:
            model.data_preprocessor = sub.data_preprocessor
        return _strip_scope(model)
    return _strip_scope(arch)


def student_config(cfg: Config) -> Config:
    """A plain mmseg config for the student: the distillation config with ``model`` replaced.

    Data pipelines, evaluators, runtime and the training schedule are kept (so the student can be
    tested, fine-tuned or deployed with mmseg's tools); distillation-only keys and a discriminator
    entry of an optimizer-wrapper dict are dropped.
    """
    text = copy.deepcopy(cfg._cfg_dict.to_dict())
    text['model'] = student_model_config(cfg)
    for key in DISTILL_ONLY_KEYS:
        text.pop(key, None)
    optim = text.get('optim_wrapper', {})
    if isinstance(optim, dict) and 'architecture' in optim:  # one optimizer per submodule (e.g. SKD)
        text['optim_wrapper'] = optim['architecture']
    text.pop('val_cfg', None)
    text['val_cfg'] = dict(type='ValLoop')
    text['test_cfg'] = dict(type='TestLoop')
    text.pop('custom_hooks', None)
    return Config(text)


def student_state_dict(checkpoint: dict, prefix: str = 'architecture.') -> dict:
    """The student's weights: the ``architecture.*`` entries of the algorithm's state dict."""
    state = checkpoint.get('state_dict', checkpoint)
    out = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    if not out:
        prefixes = sorted({k.split('.')[0] for k in state})
        raise KeyError(f'no {prefix!r} weights in the checkpoint (top-level prefixes: {prefixes}); '
                       f'is it a distillation checkpoint?')
    return out


def export_student(config: str, checkpoint: str, out_dir: str,
                   name: str = 'student') -> Tuple[str, str]:
    """Write ``<out_dir>/<name>.py`` and ``<out_dir>/<name>.pth``; return their paths.

    The checkpoint holds ``state_dict`` (student weights only: no teacher, connector or discriminator)
    and ``meta`` (``dataset_meta`` with classes and palette, so ``mmseg.apis.init_model`` names the
    classes).
    """
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    ckpt = _load_checkpoint(checkpoint, map_location='cpu')
    state = student_state_dict(ckpt)
    meta = {k: v for k, v in ckpt.get('meta', {}).items() if k in ('dataset_meta', 'seed', 'mmengine_version')}
    meta['exported_from'] = osp.abspath(checkpoint)
    os.makedirs(out_dir, exist_ok=True)
    cfg_path = osp.join(out_dir, f'{name}.py')
    ckpt_path = osp.join(out_dir, f'{name}.pth')
    student_config(cfg).dump(cfg_path)
    torch.save({'meta': meta, 'state_dict': state}, ckpt_path)
    return cfg_path, ckpt_path


__all__ = ['export_student', 'student_config', 'student_model_config', 'student_state_dict']
