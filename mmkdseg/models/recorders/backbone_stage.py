"""``BackboneStage`` recorder: one stage of an mmseg backbone's tuple output, chosen by name or index."""
from typing import Any, List, Optional, Tuple, Union

import torch
from mmrazor.models.task_modules.recorder import ModuleOutputsRecorder
from mmrazor.registry import TASK_UTILS
from torch import nn


def _module(model: nn.Module, source: str, recorder: str) -> nn.Module:
    modules = dict(model.named_modules())
    if source not in modules:
        top = sorted(n for n, _ in model.named_children())
        raise ValueError(f'{recorder}: {source!r} is not a module of {type(model).__name__}; top-level '
                         f'modules: {top}')
    return modules[source]


def stage_names(backbone: nn.Module) -> Optional[List[str]]:
    """Names of the stages a backbone returns, in output order (``None`` if they cannot be told).

    Works for backbones that keep their stage names in ``res_layers`` (mmseg's ResNet family:
    ResNet, ResNetV1c/d, ResNeSt, ...) or ``layers`` (MobileNetV2) and select outputs with
    ``out_indices`` — output ``k`` is the ``k``-th stage ``i`` (in stage order) with ``i in out_indices``.
    """
    out_indices = getattr(backbone, 'out_indices', None)
    if out_indices is None:
        return None
    if isinstance(out_indices, int):
        out_indices = (out_indices, )
    children = dict(backbone.named_children())
    for attr in ('res_layers', 'layers'):
        names = getattr(backbone, attr, None)
        if isinstance(names, (list, tuple)) and names and all(isinstance(n, str) and n in children
                                                              for n in names):
            return [n for i, n in enumerate(names) if i in out_indices]
    return None


@TASK_UTILS.register_module()
class BackboneStageRecorder(ModuleOutputsRecorder):
    """Record one stage of a backbone's (tuple) output; config ``type='BackboneStage'``.

    mmseg backbones return a tuple of stage outputs (``out_indices``); this recorder hooks the backbone
    (``source``, default ``'backbone'``) and keeps the selected element — exactly the tensor the
    backbone passes on to the neck and heads (after any per-output norm of transformer backbones).

    ``stage`` selects it:

    * an ``int`` indexes the tuple (``-1``, the default, is the last stage — MGD's distilled layer);
    * a ``str`` names the stage module (``'layer4'`` for ResNets), resolved through the backbone's
      ``res_layers``/``layers`` and ``out_indices`` (see :func:`stage_names`).

    A name that is not an output stage, or an index out of range, raises an error listing the valid
    names and indices when the distiller is set up (or, for backbones whose number of outputs is not
    known in advance, at the first forward). Because it is a ``ModuleOutputsRecorder`` whose ``source``
    lies under ``backbone``, ``SegmentationDistill`` runs only the teacher's backbone for it.

    Args:
        stage (int | str): Tuple index or stage name. Defaults to -1.
        source (str): The backbone module. Defaults to ``'backbone'``.
    """

    def __init__(self, stage: Union[int, str] = -1, source: str = 'backbone') -> None:
        super().__init__(source)
        if isinstance(stage, bool) or not isinstance(stage, (int, str)):
            raise TypeError(f'BackboneStage recorder: stage must be an int (tuple index) or a str (stage '
                            f'name), got {stage!r}')
        self.stage = stage
        self._index: Optional[int] = stage if isinstance(stage, int) else None
        self._names: Optional[List[str]] = None

    def _choices(self, n: Optional[int]) -> str:
        parts = []
        if self._names:
            parts.append(f'stage names {self._names}')
        if n is not None:
            parts.append(f'indices 0..{n - 1} (or -{n}..-1)')
        return ' or '.join(parts) if parts else 'integer indices'

    def prepare_from_model(self, model: Optional[nn.Module] = None) -> None:
        assert model is not None, 'model can not be None.'
        backbone = _module(model, self.source, 'BackboneStage recorder')
        self._names = stage_names(backbone)
        n = len(self._names) if self._names is not None else None
        where = f'{self.source} ({type(backbone).__name__})'
        if isinstance(self.stage, str):
            if self._names is None:
                raise ValueError(f'BackboneStage recorder: cannot resolve stage names of {where}; give '
                                 f'stage as an integer index into its output tuple')
            if self.stage not in self._names:
                raise ValueError(f'BackboneStage recorder: {self.stage!r} is not an output stage of '
                                 f'{where}; valid choices: {self._choices(n)}')
            self._index = self._names.index(self.stage)
        elif n is not None and not -n <= self.stage < n:
            raise IndexError(f'BackboneStage recorder: stage={self.stage} is out of range for {where}, '
                             f'which returns {n} stage(s); valid choices: {self._choices(n)}')
        super().prepare_from_model(model)

    def forward_hook(self, module: nn.Module, inputs: Tuple, outputs: Any) -> None:
        if not self._recording:
            return
        if isinstance(outputs, torch.Tensor):  # e.g. MobileNetV2 with one out index
            outputs = (outputs, )
        if not isinstance(outputs, (list, tuple)):
            raise TypeError(f'BackboneStage recorder: {self.source} returned a {type(outputs).__name__}, '
                            f'not a tuple of stage outputs')
        n = len(outputs)
        if not -n <= self._index < n:
            raise IndexError(f'BackboneStage recorder: stage={self.stage!r} is out of range: '
                             f'{self.source} returned {n} stage(s); valid choices: {self._choices(n)}')
        self.data_buffer.append(outputs[self._index])
