"""``SilentDistillationCheck``: warn when distillation silently does nothing at the start of training."""
import logging
from typing import Dict, List, Mapping, Optional, Sequence

import torch
from mmengine.logging import print_log

__all__ = ['SilentDistillationCheck']


class SilentDistillationCheck:
    """Watches the distill losses (and refine masks) of the first ``num_iters`` training iterations.

    A run whose distill loss is exactly 0 at every step is a plain student run that reports itself as
    distillation (e.g. FRKD with a weak teacher: its refine mask keeps no pixel and all four FRKD losses
    are 0). After ``num_iters`` calls of :meth:`update` the check logs one warning per

    * distill loss that was exactly 0 in every iteration where its ``loss_weight`` was not 0 (a weight of
      0, e.g. from a loss-weight schedule, is deliberate and not counted);
    * mask (a connector output such as ``FeatureRefineConnector``'s) that kept fewer than
      ``min_kept_fraction`` of the pixels on average, naming the losses that use it.

    The values are accumulated as tensors and read once, at the end, so the check adds no device
    synchronisation to the training steps. ``num_iters=0`` disables it.

    Args:
        owner (str): Name of the algorithm, for the messages.
        num_iters (int): Iterations to watch. Defaults to 50.
        min_kept_fraction (float): Smallest average kept fraction of a mask that is not reported.
            Defaults to 0.01.
    """

    def __init__(self, owner: str, num_iters: int = 50, min_kept_fraction: float = 0.01) -> None:
        if num_iters < 0:
            raise ValueError(f'{owner}: silent_check_iters must be >= 0, got {num_iters}')
        self.owner = owner
        self.num_iters = num_iters
        self.min_kept_fraction = min_kept_fraction
        self.seen = 0
        self.done = num_iters == 0
        self._max_abs: Dict[str, torch.Tensor] = {}
        self._types: Dict[str, str] = {}
        self._kept: Dict[str, List[torch.Tensor]] = {}
        self._mask_users: Dict[str, List[str]] = {}

    def update(self, losses: Mapping[str, torch.Tensor], modules: Mapping[str, object],
               masks: Optional[Mapping[str, torch.Tensor]] = None,
               mask_users: Optional[Mapping[str, Sequence[str]]] = None) -> List[str]:
        """Record one training iteration; returns the warnings logged (only at the last watched call).

        Args:
            losses: ``{name: loss}`` of this iteration (tensors, or lists of tensors).
            modules: ``{name: loss module}``; a module whose ``loss_weight`` is 0 is skipped this step.
            masks: ``{mask name: fraction of pixels kept this step}`` (0-dim tensors).
            mask_users: ``{mask name: [loss names that use it]}``.
        """
        if self.done:
            return []
        for name, value in losses.items():
            module = modules[name] if name in modules else None
            weight = getattr(module, 'loss_weight', None)
            if isinstance(weight, (int, float)) and weight == 0:
                continue
            values = value if isinstance(value, (list, tuple)) else [value]
            current = torch.stack([v.detach().abs().max().float() for v in values]).max()
            self._max_abs[name] = current if name not in self._max_abs else torch.maximum(
                self._max_abs[name], current)
            self._types[name] = type(module).__name__ if module is not None else 'loss'
        for name, kept in (masks or {}).items():
            self._kept.setdefault(name, []).append(kept.detach().float())
        for name, users in (mask_users or {}).items():
            self._mask_users[name] = list(users)
        self.seen += 1
        if self.seen < self.num_iters:
            return []
        self.done = True
        return self._report()

    def _report(self) -> List[str]:
        messages = []
        low_masks = {}
        for name, values in self._kept.items():
            mean = float(torch.stack(values).mean())
            if mean < self.min_kept_fraction:
                low_masks[name] = mean
                users = self._mask_users.get(name, [])
                messages.append(
                    f'{self.owner}: mask {name!r} kept {100 * mean:.2f}% of the pixels on average in the first '
                    f'{self.seen} training iterations (< {100 * self.min_kept_fraction:g}%), so the losses '
                    f'that use it ({", ".join(users) or "none"}) distil (almost) nothing. For a refine mask: '
                    f'is the teacher checkpoint the trained one? Lower its threshold or use keep_ratio.')
        for name, value in self._max_abs.items():
            if float(value) != 0.0:
                continue
            masks = [m for m, users in self._mask_users.items() if name in users]
            cause = ''
            for m in masks:
                if m in self._kept:
                    cause = (f' Its mask {m!r} kept {100 * float(torch.stack(self._kept[m]).mean()):.2f}% of '
                             f'the pixels on average.')
            messages.append(
                f'{self.owner}: distill loss {name!r} ({self._types[name]}) was exactly 0 in every one of the '
                f'first {self.seen} training iterations: it distils nothing.' + (cause or
                ' Check its inputs (recorders, connectors, loss_forward_mappings) and the teacher checkpoint.'))
        for message in messages:
            print_log(message, logger='current', level=logging.WARNING)
        return messages
