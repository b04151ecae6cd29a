"""``SegDistiller``: mmrazor's ``ConfigurableDistiller`` with segmentation inputs and clear errors."""
from typing import Dict, Optional

import torch
from mmrazor.models.distillers import ConfigurableDistiller
from mmrazor.models.task_modules.recorder import ModuleInputsRecorder, ModuleOutputsRecorder
from mmrazor.registry import MODELS
from torch import nn

from ...utils.checks import check_choice, closest

#: Recorder classes whose ``source`` names a submodule of the model (subclasses included).
MODULE_RECORDERS = (ModuleOutputsRecorder, ModuleInputsRecorder)
#: Values that ``loss_forward_mappings`` may take from the batch with ``from_data=...``.
DATA_SOURCES = ('gt_sem_seg', 'inputs')


@MODELS.register_module()
class SegDistiller(ConfigurableDistiller):
    """Configurable distiller for segmentation.

    It is :class:`mmrazor.models.ConfigurableDistiller` (recorders, connectors, distill losses and
    ``loss_forward_mappings``) plus:

    * **batch data as loss inputs** — a mapping entry ``dict(from_data='gt_sem_seg')`` passes the ground
      truth labels as a ``(B, H, W)`` long tensor (ignore index kept), ``dict(from_data='inputs')`` the
      normalised input images ``(B, 3, H, W)``. The algorithm sets them with :meth:`set_batch` before
      the losses are computed.
    * **errors that name the problem** — an unknown recorder source lists the closest module names of
      the model; a ``data_idx`` out of range names the recorder and the number of outputs it recorded; a
      recorder that recorded nothing says so (e.g. a teacher head that was not run).
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._batch: Dict[str, torch.Tensor] = {}

    # ----------------------------------------------------------------- set-up
    def _check_sources(self, model: nn.Module, manager, role: str) -> None:
        names = [n for n, _ in model.named_modules() if n]
        name_set = set(names)
        for rec_name, recorder in manager.recorders.items():
            if not isinstance(recorder, MODULE_RECORDERS):
                continue
            if recorder.source not in name_set:
                close = closest(recorder.source, names)
                top = sorted({n.split('.')[0] for n in names})
                raise ValueError(
                    f'{role} recorder {rec_name!r} ({type(recorder).__name__}): '
                    f'{recorder.source!r} is not a module of the {role} ({type(model).__name__}). '
                    f'Closest names: {close or "none"}; top-level modules: {top}.')

    def prepare_from_student(self, model: nn.Module) -> None:
        self._check_sources(model, self.student_recorders, 'student')
        super().prepare_from_student(model)

    def prepare_from_teacher(self, model: nn.Module) -> None:
        self._check_sources(model, self.teacher_recorders, 'teacher')
        super().prepare_from_teacher(model)

    def _check_loss_forward_mappings(self, losses, loss_forward_mappings, student_recorders,
                                     teacher_recorders) -> None:
        """mmrazor's check, with batch-data entries allowed and messages that name the loss."""
        plain = {}
        for loss_name, mapping in loss_forward_mappings.items():
            if loss_name not in losses:
                raise KeyError(f'loss_forward_mappings has {loss_name!r}, which is not in distill_losses '
                               f'({list(losses.keys())})')
            plain[loss_name] = {}
            for key, rec in mapping.items():
                if 'from_data' in rec:
                    check_choice(rec['from_data'], DATA_SOURCES, 'from_data', f'{loss_name}.{key}')
                    continue
                if 'recorder' in rec:
                    recorders = student_recorders if rec.get('from_student') else teacher_recorders
                    role = 'student' if rec.get('from_student') else 'teacher'
                    if rec['recorder'] not in recorders.recorders:
                        raise KeyError(f'{loss_name}.{key}: recorder {rec["recorder"]!r} is not among the '
                                       f'{role}_recorders ({list(recorders.recorders.keys())})')
                plain[loss_name][key] = rec
        super()._check_loss_forward_mappings(losses, plain, student_recorders, teacher_recorders)

    # --------------------------------------------------------------- training
    def set_batch(self, inputs: Optional[torch.Tensor], data_samples: Optional[list]) -> None:
        """Make the batch available to ``from_data`` mapping entries (called once per step)."""
        self._batch = {'inputs': inputs, 'data_samples': data_samples}

    def _from_data(self, source: str):
        if source == 'inputs':
            return self._batch.get('inputs')
        samples = self._batch.get('data_samples')
        if not samples:
            raise RuntimeError('a distill loss asks for gt_sem_seg but the batch has no data samples')
        return torch.stack([s.gt_sem_seg.data.squeeze(0) for s in samples]).long()

    def get_record(self, recorder: str, from_student: bool, record_idx: int = 0,
                   data_idx: Optional[int] = None, connector: Optional[str] = None,
                   connector_idx: Optional[int] = None):
        manager = self.student_recorders if from_student else self.teacher_recorders
        role = 'student' if from_student else 'teacher'
        rec = manager.get_recorder(recorder)
        buffer = rec.data_buffer
        if record_idx >= len(buffer):
            raise RuntimeError(
                f'{role} recorder {recorder!r} ({rec.source}) recorded {len(buffer)} call(s) in this '
                f'step but record_idx={record_idx} was asked for' +
                (' — is that module run by the forward pass?' if not buffer else ''))
        if data_idx is not None:
            record = buffer[record_idx]
            if not isinstance(record, (list, tuple)):
                raise TypeError(f'{role} recorder {recorder!r} ({rec.source}) recorded a '
                                f'{type(record).__name__}, so data_idx={data_idx} cannot index it')
            if not -len(record) <= data_idx < len(record):
                raise IndexError(
                    f'{role} recorder {recorder!r} ({rec.source}) recorded {len(record)} outputs '
                    f'(valid data_idx: 0..{len(record) - 1}, or negative), got data_idx={data_idx}')
        return super().get_record(recorder, from_student, record_idx, data_idx, connector, connector_idx)

    def compute_distill_losses(self) -> Dict[str, torch.Tensor]:
        losses = dict()
        for loss_name, forward_mappings in self.loss_forward_mappings.items():
            kwargs = dict()
            for key, rec in forward_mappings.items():
                if 'from_data' in rec:
                    kwargs[key] = self._from_data(rec['from_data'])
                else:
                    kwargs[key] = self.get_record(**rec)
            losses[loss_name] = self.distill_losses[loss_name](**kwargs)
        return losses
