"""``DecodeHead`` recorder: logits, classified features or a named part of an mmseg decode head."""
from typing import Any, List, Optional, Tuple

from mmrazor.models.task_modules.recorder import ModuleOutputsRecorder
from mmrazor.registry import TASK_UTILS
from torch import nn

from .backbone_stage import _module

from ...utils.checks import closest

#: Layers every mmseg ``BaseDecodeHead`` has, by name.
NAMED_LAYERS = ('logits', 'features')


@TASK_UTILS.register_module()
class DecodeHeadRecorder(ModuleOutputsRecorder):
    """Record a layer of an mmseg decode head, chosen by name; config ``type='DecodeHead'``.

    ``layer`` is one of

    * ``'logits'`` (default): the output of the head's classifier ``conv_seg`` — (B, num_classes, h, w),
      before upsampling;
    * ``'features'``: the feature map the classifier sees, taken **before** the head's dropout (the input
      of ``dropout`` when the head has one, else the input of ``conv_seg``) — (B, channels, h, w);
    * the dotted name of any submodule of the head (e.g. ``'bottleneck'`` of PSPHead/ASPPHead): its output.

    ``source`` is the head (``'decode_head'`` by default; ``'auxiliary_head'`` or ``'decode_head.1'`` of a
    cascade work too). When the distiller is set up, ``source`` becomes the hooked module (e.g.
    ``'decode_head.conv_seg'``), so error messages name it. An unknown layer raises an error listing the
    valid choices. As a ``ModuleOutputsRecorder`` under ``decode_head``, it makes ``SegmentationDistill``
    run the teacher's backbone and decode head only.

    Args:
        layer (str): See above. Defaults to ``'logits'``.
        source (str): The head module. Defaults to ``'decode_head'``.
    """

    def __init__(self, layer: str = 'logits', source: str = 'decode_head') -> None:
        super().__init__(source)
        if not isinstance(layer, str) or not layer:
            raise TypeError(f'DecodeHead recorder: layer must be a non-empty str, got {layer!r}')
        self.layer = layer
        self.head = source
        self._record_input = False

    @staticmethod
    def choices(head: nn.Module) -> List[str]:
        """The ``layer`` values to suggest for ``head``: the named layers, then its direct submodules
        (loss modules left out). Dotted paths below those are valid too."""
        return list(NAMED_LAYERS) + [n for n, m in head.named_children() if not n.startswith('loss')]

    def prepare_from_model(self, model: Optional[nn.Module] = None) -> None:
        assert model is not None, 'model can not be None.'
        head = _module(model, self.head, 'DecodeHead recorder')
        children = dict(head.named_modules())
        where = f'{self.head} ({type(head).__name__})'
        if self.layer in NAMED_LAYERS:
            if not isinstance(children.get('conv_seg'), nn.Module):
                raise ValueError(f'DecodeHead recorder: layer={self.layer!r} needs a conv_seg classifier, '
                                 f'which {where} does not have; valid choices: {self.choices(head)[2:]}')
            dropout = children.get('dropout')
            if self.layer == 'logits':
                target, self._record_input = 'conv_seg', False
            else:
                target = 'dropout' if isinstance(dropout, nn.Module) else 'conv_seg'
                self._record_input = True
        elif self.layer in children:
            target, self._record_input = self.layer, False
        else:
            close = closest(self.layer, [n for n in children if n], n=3, cutoff=0.6)
            raise ValueError(f'DecodeHead recorder: layer={self.layer!r} is not a layer of {where}; valid '
                             f'choices: {self.choices(head)} or a dotted path below one of its submodules'
                             + (f' (closest: {close})' if close else ''))
        self._source = f'{self.head}.{target}'
        super().prepare_from_model(model)

    def forward_hook(self, module: nn.Module, inputs: Tuple, outputs: Any) -> None:
        if self._recording:
            self.data_buffer.append(inputs[0] if self._record_input else outputs)
