"""A whole-image classifier on a segmentation backbone: mmkdseg's pretext task for the embedded benchmark.

The embedded benchmark cannot download ImageNet weights, so its backbones are pretrained on a stand-in
task: predict, for each image, the fraction of its pixels that belong to each class (soft-label
classification). The images come from the SynTex generator with another seed than the segmentation data
(``configs/syntex/classfraction_*``), so the segmentation train/val images are never seen. The model wraps any
mmseg backbone, so its ``backbone.*`` weights are those of the segmentor's backbone by construction;
``tools/embedded.py`` writes them as a backbone-only checkpoint, the layout of
``open-mmlab://resnet18_v1c``, which a segmentor config loads with ``pretrained=...``.
"""
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmseg.registry import MODELS


@MODELS.register_module()
class ClassFractionClassifier(BaseModel):
    """Backbone → global average pooling of one stage → linear layer → class-fraction prediction.

    Target of image ``b``: ``q_b[c] = |{p valid : y_bp = c}| / |{p valid}|`` from its label map
    (``gt_sem_seg`` of the data sample, pixels equal to ``ignore_index`` excluded). Loss: soft-label cross
    entropy ``-(1/B) Σ_b Σ_c q_b[c] log softmax(z_b)[c]``, mean over the images of the batch that have a
    valid pixel. Logged besides the loss: ``acc_dominant``, how often the arg-max of the prediction is the
    image's most frequent class (a reading, no gradient).

    Args:
        backbone (dict): An mmseg backbone config (e.g. ``ResNetV1c``); its output is a tuple of stages.
        num_classes (int): Number of classes of the label maps.
        in_channels (int): Channels of the stage ``in_index`` of the backbone.
        in_index (int): Which backbone output is pooled. Default: the last.
        ignore_index (int): Label ignored in the targets. Default: 255.
        data_preprocessor (dict, optional): mmseg's ``SegDataPreProcessor`` config (the segmentor's).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self, backbone: Dict, num_classes: int, in_channels: int, in_index: int = -1,
                 ignore_index: int = 255, data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.fc = nn.Linear(in_channels, num_classes)
        self.num_classes = num_classes
        self.in_index = in_index
        self.ignore_index = ignore_index

    def logits(self, inputs: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) images → (B, num_classes) logits."""
        feats = self.backbone(inputs)
        feat = feats[self.in_index] if isinstance(feats, (list, tuple)) else feats
        return self.fc(feat.mean(dim=(2, 3)))

    def class_fractions(self, data_samples) -> torch.Tensor:
        """(B, num_classes) fraction of each image's valid pixels per class (rows of all-ignored images are 0)."""
        rows = []
        for sample in data_samples:
            seg = sample.gt_sem_seg.data.reshape(-1).long()
            seg = seg[seg != self.ignore_index]
            if seg.numel() and (seg.min() < 0 or seg.max() >= self.num_classes):
                raise ValueError(f'ClassFractionClassifier: labels must lie in [0, {self.num_classes}) or equal '
                                 f'ignore_index={self.ignore_index}; got values {seg.min().item()}..{seg.max().item()}')
            counts = torch.bincount(seg, minlength=self.num_classes).float()
            rows.append(counts / counts.sum().clamp(min=1))
        return torch.stack(rows)

    def forward(self, inputs: torch.Tensor, data_samples: Optional[List] = None,
                mode: str = 'tensor') -> Union[Dict[str, torch.Tensor], List, torch.Tensor]:
        logits = self.logits(inputs)
        if mode == 'tensor':
            return logits
        if mode == 'predict':
            probs = logits.softmax(dim=1)
            for sample, p in zip(data_samples, probs):
                sample.set_field(p, 'pred_fractions', field_type='metainfo')
            return data_samples
        if mode != 'loss':
            raise ValueError(f'ClassFractionClassifier: mode must be "loss", "predict" or "tensor", got {mode!r}')
        target = self.class_fractions(data_samples).to(logits.device)
        valid = target.sum(dim=1) > 0
        if not valid.any():  # every pixel ignored: no target, a zero loss that keeps the graph
            return dict(loss_pretext=logits.sum() * 0, acc_dominant=logits.new_zeros(()))
        log_p = F.log_softmax(logits.float(), dim=1)
        loss = -(target[valid] * log_p[valid]).sum(dim=1).mean()
        acc = (logits[valid].argmax(1) == target[valid].argmax(1)).float().mean().detach()
        return dict(loss_pretext=loss, acc_dominant=acc)
