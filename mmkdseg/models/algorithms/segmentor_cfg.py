"""The segmentor configs of a distillation algorithm: stock mmseg configs by ``cfg_path``, with overrides, and
switching their pretrained initialisation off.

A student or teacher is given as a model config dict (``_scope_='mmseg'``), a built model, or, as in mmrazor,
``dict(cfg_path='mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py')``: the ``model`` of that
stock config (with the config's top-level ``data_preprocessor``). Unlike mmrazor's, mmkdseg's ``cfg_path``
dicts may carry overrides, merged into the stock model like a config's ``model = dict(...)`` (``_delete_``
works), e.g. ``data_preprocessor=dict(size=(512, 512))`` or ``decode_head=dict(num_classes=21)``. A ``cfg_path``
without ``package::`` is a config file of your own (``cfg_path='my_project/configs/student.py'``).
"""
import copy
import logging
from typing import Dict, List, Tuple, Union

from mmengine.config import Config, ConfigDict

#: Keys of a ``cfg_path`` dict that are not overrides of the stock model.
CFG_PATH_KEYS = ('cfg_path', 'pretrained')


def segmentor_cfg(cfg: Union[Dict, object], role: str = 'model') -> Union[Dict, object]:
    """The model config dict of ``cfg``: a ``cfg_path`` dict is resolved; anything else is returned as is.

    Args:
        cfg: ``dict(cfg_path='<package>::<config>', **overrides)``, a model config or a built model.
        role: Named in error messages (``architecture``, ``teacher``, ...).

    Raises:
        ValueError: ``pretrained=True`` (mmrazor's "load the model-zoo weights of the metafile"; mmkdseg
            loads teachers from ``teacher_ckpt`` and never downloads at build time), or a config without
            ``model``.
    """
    if not isinstance(cfg, dict) or 'cfg_path' not in cfg:
        return cfg
    if cfg.get('type') is not None:
        raise ValueError(f'{role}: give either cfg_path or type, not both (cfg_path={cfg["cfg_path"]!r}, '
                         f'type={cfg["type"]!r})')
    if cfg.get('pretrained', False):
        raise ValueError(f'{role}: cfg_path dicts with pretrained=True are not supported; load weights with '
                         'the algorithm\'s teacher_ckpt (teachers) or load_from (the whole algorithm)')
    path = cfg['cfg_path']
    if '::' in path:  # a config shipped in an installed package, e.g. mmseg::pspnet/...
        from mmengine.hub import get_config
        stock = get_config(path)
    else:  # a config file of your own project
        stock = Config.fromfile(path)
    if 'model' not in stock:
        raise ValueError(f'{role}: {path} has no `model`')
    model = copy.deepcopy(stock.model)
    if 'data_preprocessor' in stock:  # what mmengine's Runner (and mmrazor's get_model) would use
        model.data_preprocessor = copy.deepcopy(stock.data_preprocessor)
    overrides = ConfigDict({k: v for k, v in cfg.items() if k not in CFG_PATH_KEYS})
    model = Config._merge_a_into_b(overrides, model)
    model.setdefault('_scope_', path.split('::')[0] if '::' in path else stock.get('default_scope', 'mmseg'))
    return model  # a ConfigDict: mmseg's segmentors set attributes on their sub-configs


def _strip(node, path: str, dropped: List[str]):
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            where = f'{path}.{key}' if path else key
            if key == 'pretrained' and isinstance(value, str):
                dropped.append(f'{where}={value!r}')
                continue
            if key == 'init_cfg':
                value, gone = _without_pretrained_init(value)
                dropped.extend(f'{where}={g!r}' for g in gone)
                if value is None:
                    continue
            out[key] = _strip(value, where, dropped)
        return type(node)(out)
    if isinstance(node, (list, tuple)):
        return type(node)(_strip(v, f'{path}[{i}]', dropped) for i, v in enumerate(node))
    return node


def _is_pretrained(init) -> bool:
    return isinstance(init, dict) and init.get('type') == 'Pretrained'


def _without_pretrained_init(init):
    """``init_cfg`` without its ``Pretrained`` entries (``None`` if nothing is left) and the entries removed."""
    if _is_pretrained(init):
        return None, [init.get('checkpoint')]
    if isinstance(init, (list, tuple)):
        kept = [i for i in init if not _is_pretrained(i)]
        gone = [i.get('checkpoint') for i in init if _is_pretrained(i)]
        return (kept or None), gone
    return init, []


def without_pretrained(cfg: Dict) -> Tuple[Dict, List[str]]:
    """``cfg`` without pretrained initialisation, and what was removed (``'backbone.init_cfg=...'``).

    Removes every string ``pretrained=`` (mmseg's ``EncoderDecoder(pretrained=...)``, backbones') and
    every ``init_cfg`` entry of type ``Pretrained`` at any depth, so that each module gets the
    initialisation it has without pretrained weights (e.g. ResNet's Kaiming / constant init) and
    nothing is downloaded when the model is initialised.
    """
    dropped: List[str] = []
    return _strip(cfg, '', dropped), dropped


def prepare_segmentor_cfg(cfg, role: str, load_pretrained: bool = True, owner: str = 'algorithm',
                          reason: str = 'load_pretrained=False'):
    """:func:`segmentor_cfg`, then, with ``load_pretrained=False``, :func:`without_pretrained` (logged with
    ``reason``).

    A built model cannot be changed any more: with ``load_pretrained=False`` it is returned with a
    warning naming the ``role``.
    """
    from mmengine.logging import print_log
    cfg = segmentor_cfg(cfg, role)
    if load_pretrained:
        return cfg
    if not isinstance(cfg, dict):
        if reason != 'load_pretrained=False':  # an optimisation only (e.g. a teacher checkpoint follows): no warning
            return cfg
        print_log(f'{owner}: {reason}: cannot change the {role}, which is given as a built '
                  f'{type(cfg).__name__}', logger='current', level=logging.WARNING)
        return cfg
    cfg, dropped = without_pretrained(cfg)
    if dropped:
        print_log(f'{owner}: {reason}: {role} initialised without ' + ', '.join(dropped),
                  logger='current')
    return cfg


def prepare_teacher_cfg(cfg, role: str, ckpt, ckpt_strict: bool, load_pretrained: bool = True,
                        owner: str = 'algorithm'):
    """:func:`prepare_segmentor_cfg` for a teacher: a checkpoint ``ckpt`` loaded strictly replaces every weight, so
    the teacher's own pretrained init would be read for nothing (and need not exist); it is dropped then."""
    replaced = bool(ckpt) and ckpt_strict
    return prepare_segmentor_cfg(cfg, role, load_pretrained and not replaced, owner,
                                 reason='load_pretrained=False' if not load_pretrained
                                 else f'the {role} checkpoint replaces every weight')
