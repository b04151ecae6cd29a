"""Argument checks shared by mmkdseg's components: one wording for every "not one of" error and suggestion."""
import difflib
from typing import Iterable, List, Optional, Sequence

from torch import nn

__all__ = ['check_choice', 'check_exactly_one', 'closest', 'unwrap']


def closest(name: str, choices: Iterable[str], n: int = 5, cutoff: float = 0.4) -> List[str]:
    """The (at most ``n``) entries of ``choices`` that look most like ``name`` (``difflib``), best first."""
    return difflib.get_close_matches(name, list(choices), n=n, cutoff=cutoff)


def check_choice(value, choices: Sequence, arg: str, owner: Optional[str] = None):
    """Return ``value`` if it is one of ``choices``, else raise ``ValueError`` naming ``owner``, ``arg`` and the
    choices (``"<owner>: <arg>='x' is not one of (...)"``, with the closest choices for a string)."""
    if value in choices:
        return value
    close = closest(value, [str(c) for c in choices], n=3) if isinstance(value, str) else []
    raise ValueError(f'{owner + ": " if owner else ""}{arg}={value!r} is not one of {tuple(choices)}'
                     + (f' (closest: {", ".join(close)})' if close else ''))


def check_exactly_one(owner: str, **options) -> None:
    """Raise ``ValueError`` unless exactly one of the keyword ``options`` (``name=(value, meaning)``) is not
    ``None``; the message names each option with its meaning and the values given."""
    given = [name for name, (value, _) in options.items() if value is not None]
    if len(given) != 1:
        names = ' and '.join(f'{name} ({meaning})' for name, (_, meaning) in options.items())
        values = ', '.join(f'{name}={value}' for name, (value, _) in options.items())
        raise ValueError(f'{owner}: give exactly one of {names}, got {values}')


def unwrap(module: nn.Module) -> nn.Module:
    """The module inside a (distributed) model wrapper, or the module itself."""
    from mmengine.model import is_model_wrapper
    return module.module if is_model_wrapper(module) else module
