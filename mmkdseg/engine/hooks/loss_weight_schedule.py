"""``LossWeightScheduleHook``: schedule loss weights over training progress (AICSD's Adaptive Loss Weighting)."""
import math
from typing import Dict, List, Optional, Tuple

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS
from mmengine.runner import IterBasedTrainLoop
from torch import nn

from ...utils.checks import closest

#: Shapes of the schedule between ``start_value`` (progress 0) and ``end_value`` (progress 1).
POLICIES = {
    'linear': lambda p: p,
    'cosine': lambda p: (1.0 - math.cos(math.pi * p)) / 2.0,
}
_ENTRY_KEYS = {'path', 'start_value', 'end_value', 'policy', 'min_value', 'max_value', 'begin', 'end'}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _attributes(obj) -> List[str]:
    """What an attribute path can continue with at ``obj``: submodules and numeric attributes."""
    names = [n for n, _ in obj.named_children()] if isinstance(obj, nn.Module) else []
    names += [k for k, v in vars(obj).items() if not k.startswith('_') and _is_number(v)]
    return sorted(set(names))


def resolve_attribute(model: nn.Module, path: str) -> Tuple[object, str]:
    """``(owner, name)`` of the numeric attribute at dotted ``path`` of ``model`` (wrappers removed).

    Raises ``AttributeError`` naming the first step that does not exist, with what exists there (and
    the closest names), or ``TypeError`` if the attribute is not a number.
    """
    while is_model_wrapper(model):
        model = model.module
    parts = path.split('.')
    obj = model
    for i, part in enumerate(parts):
        where = '.'.join(parts[:i]) or '<model>'
        if not hasattr(obj, part):
            choices = _attributes(obj)
            close = closest(part, choices, n=3)
            raise AttributeError(
                f'loss-weight path {path!r}: {where} ({type(obj).__name__}) has no attribute {part!r}. '
                f'It has: {choices}' + (f'; closest: {close}' if close else ''))
        if i == len(parts) - 1:
            value = getattr(obj, part)
            if not _is_number(value):
                raise TypeError(f'loss-weight path {path!r}: {where}.{part} is a {type(value).__name__}, '
                                f'not a number; numeric attributes of {where}: {_attributes(obj)}')
            return obj, part
        obj = getattr(obj, part)
    raise ValueError(f'empty loss-weight path {path!r}')


@HOOKS.register_module()
class LossWeightScheduleHook(Hook):
    """Set loss weights from the training progress, every iteration; log them; keep them in bounds.

    Each entry of ``schedules`` names a numeric attribute of the (unwrapped) model by its dotted path
    — a loss module's ``loss_weight``: the student's decode loss
    ``architecture.decode_head.loss_decode.loss_weight``, a distill loss
    ``distiller.distill_losses.<name>.loss_weight`` — and how it changes::

        value(p) = clip(start_value + (end_value - start_value) * f(p), min_value, max_value)

    with ``f`` the policy (``linear``: ``f(p) = p``; ``cosine``: ``f(p) = (1 - cos πp) / 2``) and the
    progress ``p = clip((t - begin) / (end - begin), 0, 1)``, where ``t`` is the number of finished
    iterations (``by_epoch=False``) or epochs (``by_epoch=True``) before the current step, and ``end``
    defaults to the run's ``max_iters`` / ``max_epochs``. ``min_value``/``max_value`` default to the
    range spanned by ``start_value`` and ``end_value``.

    **AICSD's Adaptive Loss Weighting** ``α·(L_CE + L_ICSD) + (1 − α)·L_KD`` with ``α = iter / max_iters``
    is the configuration ``ce: 0 → 1``, ``icsd: 0 → λ_ICSD``, ``kd: λ_KD → 0`` (linear, by iteration);
    see ``configs/aicsd/``.

    The weights are a function of the progress only, and mmengine restores the iteration/epoch counters
    on ``--resume``, so a resumed run continues the schedule exactly where it stopped (there is no
    other state). Each weight is logged as ``weight/<name>`` (use names without ``loss`` in them:
    mmengine's log processor averages keys containing ``loss`` over a window instead of showing the
    current value).

    Args:
        schedules (dict): ``name -> dict(path, start_value, end_value, policy=None, min_value=None,
            max_value=None, begin=0, end=None)``.
        by_epoch (bool): Progress by epochs instead of iterations (needs an epoch-based loop).
        policy (str): Default policy of the entries: ``'linear'`` or ``'cosine'``.
    """

    def __init__(self, schedules: Dict[str, dict], by_epoch: bool = False, policy: str = 'linear') -> None:
        if not schedules:
            raise ValueError(f'{type(self).__name__}: schedules is empty')
        self.by_epoch = by_epoch
        self.schedules = {}
        for name, entry in schedules.items():
            entry = dict(entry)
            unknown = set(entry) - _ENTRY_KEYS
            missing = {'path', 'start_value', 'end_value'} - set(entry)
            if unknown or missing:
                raise ValueError(f'{type(self).__name__}: schedule {name!r} has unknown keys '
                                 f'{sorted(unknown)} / misses {sorted(missing)}; keys: {sorted(_ENTRY_KEYS)}')
            entry.setdefault('policy', policy)
            if entry['policy'] not in POLICIES:
                raise ValueError(f'{type(self).__name__}: schedule {name!r}: policy={entry["policy"]!r} is '
                                 f'not one of {sorted(POLICIES)}')
            lo, hi = sorted((entry['start_value'], entry['end_value']))
            entry['min_value'] = lo if entry.get('min_value') is None else entry['min_value']
            entry['max_value'] = hi if entry.get('max_value') is None else entry['max_value']
            if entry['min_value'] > entry['max_value']:
                raise ValueError(f'{type(self).__name__}: schedule {name!r}: min_value '
                                 f'{entry["min_value"]} > max_value {entry["max_value"]}')
            entry.setdefault('begin', 0)
            entry.setdefault('end', None)
            if entry['end'] is not None and entry['end'] <= entry['begin']:
                raise ValueError(f'{type(self).__name__}: schedule {name!r}: end {entry["end"]} must be '
                                 f'after begin {entry["begin"]}')
            self.schedules[name] = entry

    # ------------------------------------------------------------------ values
    def value(self, name: str, t: int, total: int) -> float:
        """Weight of schedule ``name`` after ``t`` of ``total`` iterations (or epochs)."""
        s = self.schedules[name]
        end = total if s['end'] is None else s['end']
        progress = min(max((t - s['begin']) / max(end - s['begin'], 1), 0.0), 1.0)
        v = s['start_value'] + (s['end_value'] - s['start_value']) * POLICIES[s['policy']](progress)
        return float(min(max(v, s['min_value']), s['max_value']))

    def _progress(self, runner) -> Tuple[int, int]:
        if self.by_epoch:
            return runner.epoch, runner.max_epochs
        return runner.iter, runner.max_iters

    def set_weights(self, model: nn.Module, t: int, total: int) -> Dict[str, float]:
        """Set every scheduled weight of ``model`` to its value after ``t`` of ``total`` iterations (or epochs);
        returns ``{name: value}``."""
        values = {}
        for name, s in self.schedules.items():
            owner, attr = resolve_attribute(model, s['path'])
            values[name] = self.value(name, t, total)
            setattr(owner, attr, values[name])
        return values

    def apply(self, runner) -> Dict[str, float]:
        """Set every scheduled weight for the coming step and log it; returns ``{name: value}``."""
        values = self.set_weights(runner.model, *self._progress(runner))
        for name, value in values.items():
            runner.message_hub.update_scalar(f'train/weight/{name}', value)
        return values

    # ------------------------------------------------------------------- hooks
    def before_train(self, runner) -> None:
        if self.by_epoch and isinstance(runner.train_loop, IterBasedTrainLoop):
            raise ValueError(f'{type(self).__name__}: by_epoch=True needs an epoch-based train loop, but '
                             f'the run is iteration-based; use by_epoch=False')
        values = self.apply(runner)  # fails early on a wrong path
        unit = 'epoch' if self.by_epoch else 'iter'
        runner.logger.info(f'{type(self).__name__}: loss weights at {unit} {self._progress(runner)[0]}: '
                           + ', '.join(f'{k}={v:.4g} ({self.schedules[k]["path"]})' for k, v in values.items()))

    def before_train_iter(self, runner, batch_idx: int, data_batch: Optional[dict] = None) -> None:
        self.apply(runner)
