"""``MultiGranularityDistill``: MGD-SSSS (Qin et al., ECCV 2022; docs/methods/mgd_ssss.md) on mmseg segmentors.

Semi-supervised distillation from two structurally complementary, frozen teachers — a *wide* one (T_W)
and a *deep* one (T_D), both trained on the labeled split — into a light student, using labeled and
unlabeled images in every step.

Design
------
* **Data.** A training batch holds labeled and unlabeled samples, each tagged in its metainfo with
  ``semi_part`` by :class:`mmkdseg.datasets.SemiSegDataset` and composed by
  :class:`mmkdseg.datasets.SemiBatchSampler`; the standard ``SegDataPreProcessor`` stacks and pads it.
  So the ordinary path works unchanged: ``Runner`` + ``IterBasedTrainLoop`` and, distributed,
  ``MMDistributedDataParallel.train_step`` → ``data_preprocessor`` → ``forward(mode='loss')`` →
  :meth:`loss`. The batch is split by tag, never by position.
* **CutMix.** The ``B_u`` unlabeled images are paired with their successor in the batch (image ``i``
  with ``i+1 mod B_u``), so ``B_u`` mixed images come from ``B_u`` originals and every original is
  used twice (as base and as pasted source). A :class:`~mmkdseg.models.task_modules.BoxMaskGenerator`
  draws one box mask per pair at input resolution (from a generator seeded per step and kept in the
  ``cutmix_rng_state`` buffer, so a resumed run draws the same boxes; the same on every process);
  :func:`~mmkdseg.models.task_modules.cutmix` applies
  it to the normalised images and — identically — to each teacher's logits of the two originals
  (bilinearly upsampled to input resolution), and to the pairs' padding masks.
* **Forward passes.** Each teacher runs once per step, in eval mode under ``no_grad``, on the
  concatenation of the segments it is needed for: labeled images (pseudo labels), unlabeled originals
  (mixed pseudo labels) and mixed images (T_D's logits for the image-level term, T_W's decoder features
  for the region-level term). Eval-mode teachers treat every image independently, so concatenating is
  exactly equivalent to separate passes. The student runs once on ``[labeled; mixed]`` (its batch norm
  sees both; the reference code used separate passes). Segments no active loss needs are skipped.
* **Losses** (each a registered module with a ``loss_weight``; ``None`` switches a term off — e.g. for
  the per-granularity ablation — and also skips the forward passes only it needs):

  - student's own decode/auxiliary CE with the ground truth on labeled images (``student.*``);
  - ``loss_labeled``: CE(S, argmax T_W) + CE(S, argmax T_D) on labeled images;
  - ``loss_cutmix`` (pixel level): CE(S(mix), argmax mix(T_W)) + CE(S(mix), argmax mix(T_D));
  - ``loss_semantic`` (image level): L1 of global-average-pooled logits, S(mix) vs T_D(mix);
  - ``loss_content`` (region level): MSE of 7×7-region cosine self-similarities of decoder features,
    S(mix) vs T_W(mix).

  Pixel terms compare logits upsampled to the input size (as the reference code does) and count
  only pixels that are not padding. No loss is all-reduced or rescaled by the number of processes;
  DDP's gradient averaging is the only cross-process reduction, so the weights mean the same on any
  number of GPUs (the reference code all-reduced losses inside the graph, which scaled gradients by
  1/world_size).
* **Teachers** are handled like :class:`SegmentationDistill`'s (shared helpers): strict checkpoint
  loading, a missing file named with the config key to fix, class-count and normalisation checks,
  ``requires_grad=False`` and **eval mode for every teacher module whatever ``train()`` is called with**
  (the reference code left its teachers in train mode, so their batch-norm statistics drifted).
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmrazor.models.algorithms import BaseAlgorithm
from mmrazor.models.task_modules.recorder import ModuleOutputsRecorder
from mmrazor.models.utils import add_prefix
from mmrazor.registry import MODELS, TASK_UTILS
from torch import nn

from ...utils.checks import closest
from ..task_modules.cutmix import cutmix
from ..task_modules.rng import new_rng_state, resumable_generator
from .seg_distill import check_data_preprocessor
from .segmentor_cfg import prepare_segmentor_cfg, prepare_teacher_cfg
from .silent_check import SilentDistillationCheck
from .teacher import check_teacher_ckpt, check_teacher_compatible, freeze_teacher, load_teacher_checkpoint

#: Metainfo key set by ``SemiSegDataset``.
PART_KEY = 'semi_part'
TEACHERS = ('teacher_wide', 'teacher_deep')


def _check_segmentor(model: nn.Module, role: str) -> None:
    if not hasattr(model, 'extract_feat') or not isinstance(getattr(model, 'decode_head', None), nn.Module) \
            or isinstance(model.decode_head, nn.ModuleList):
        raise TypeError(f'MultiGranularityDistill: the {role} must be an mmseg EncoderDecoder with one '
                        f'decode head, got {type(model).__name__}')


def _feature_recorder(model: nn.Module, source: str, role: str) -> ModuleOutputsRecorder:
    names = [n for n, _ in model.named_modules() if n]
    if source not in names:
        close = closest(source, names)
        raise ValueError(f'MultiGranularityDistill: {role} feature source {source!r} is not a module of the '
                         f'{role}. Closest names: {close or "none"}')
    recorder = ModuleOutputsRecorder(source)
    recorder.initialize(model)
    return recorder


def valid_region(data_samples: Sequence, size: Tuple[int, int], device) -> torch.Tensor:
    """(B, 1, H, W) float mask, 1 inside each sample's image and 0 in the padding the data
    preprocessor added (read from ``padding_size`` = (left, right, top, bottom), else ``img_shape``)."""
    h, w = size
    mask = torch.zeros(len(data_samples), 1, h, w, device=device)
    for i, sample in enumerate(data_samples):
        pad = sample.metainfo.get('padding_size')
        if pad is not None:
            left, right, top, bottom = (int(v) for v in pad)
            mask[i, :, top:h - bottom, left:w - right] = 1
        else:
            ih, iw = sample.metainfo.get('img_shape', (h, w))[:2]
            mask[i, :, :ih, :iw] = 1
    return mask


@MODELS.register_module()
class MultiGranularityDistill(BaseAlgorithm):
    """Multi-granularity distillation for semi-supervised segmentation (see the module docstring).

    Args:
        architecture (dict | BaseModel): The student, an mmseg ``EncoderDecoder`` (``_scope_='mmseg'``, or a
            ``cfg_path`` dict as in ``SegmentationDistill``).
        teacher_wide (dict | BaseModel): The wide teacher (T_W).
        teacher_deep (dict | BaseModel): The deep teacher (T_D).
        teacher_wide_ckpt (str, optional): T_W's checkpoint (local path or URL).
        teacher_deep_ckpt (str, optional): T_D's checkpoint.
        teacher_ckpt_strict (bool): Load the teacher checkpoints strictly. Defaults to True.
        cutmix (dict): Box-mask generator (``TASK_UTILS``). Defaults to 3 boxes, area 0.25–0.5.
        student_feature (str): Student module whose output is the decoder feature map of the
            region-level term (PSPHead: ``decode_head.bottleneck``; DeepLabV3+:
            ``decode_head.sep_bottleneck``).
        teacher_wide_feature (str): The same for T_W.
        loss_labeled (dict, optional): Pseudo-label loss on labeled images (``PseudoLabelCELoss``).
        loss_cutmix (dict, optional): Pseudo-label loss on CutMix images (``PseudoLabelCELoss``).
        loss_semantic (dict, optional): Image-level loss (``SemanticSensitiveLoss``).
        loss_content (dict, optional): Region-level loss (``ContentAwareLoss``).
        data_preprocessor (dict, optional): Defaults to the student's.
        init_cfg (dict, optional): Initialisation config.
        silent_check_iters (int): Warn if a distill loss is exactly 0 throughout the first this many
            training iterations (``SilentDistillationCheck``); 0 disables. Defaults to 50.
        load_pretrained (bool): Initialise student and teachers with the pretrained weights their configs
            name; False removes them (see ``SegmentationDistill``). Defaults to True.
    """

    def __init__(self,
                 architecture: Union[BaseModel, Dict],
                 teacher_wide: Union[BaseModel, Dict],
                 teacher_deep: Union[BaseModel, Dict],
                 teacher_wide_ckpt: Optional[str] = None,
                 teacher_deep_ckpt: Optional[str] = None,
                 teacher_ckpt_strict: bool = True,
                 cutmix: Dict = dict(type='BoxMaskGenerator', num_boxes=3, area_range=(0.25, 0.5)),
                 student_feature: str = 'decode_head.bottleneck',
                 teacher_wide_feature: str = 'decode_head.bottleneck',
                 loss_labeled: Optional[Dict] = dict(type='PseudoLabelCELoss', loss_weight=1.0),
                 loss_cutmix: Optional[Dict] = dict(type='PseudoLabelCELoss', loss_weight=1.0),
                 loss_semantic: Optional[Dict] = dict(type='SemanticSensitiveLoss', loss_weight=1.0),
                 loss_content: Optional[Dict] = dict(type='ContentAwareLoss', loss_weight=1.0),
                 data_preprocessor: Optional[Union[Dict, nn.Module]] = None,
                 init_cfg: Optional[Dict] = None,
                 silent_check_iters: int = 50,
                 load_pretrained: bool = True) -> None:
        check_teacher_ckpt(teacher_wide_ckpt, 'teacher_wide_ckpt')
        check_teacher_ckpt(teacher_deep_ckpt, 'teacher_deep_ckpt')
        if isinstance(data_preprocessor, dict) and '_scope_' not in data_preprocessor:
            # a top-level `data_preprocessor` that mmengine's Runner injects is an mmseg component
            data_preprocessor = dict(data_preprocessor, _scope_='mmseg')
        name = type(self).__name__
        architecture = prepare_segmentor_cfg(architecture, 'architecture', load_pretrained, name)
        super().__init__(architecture, data_preprocessor, init_cfg)
        _check_segmentor(self.student, 'student')
        check_data_preprocessor(self, self.student)
        for role, cfg, ckpt in (('teacher_wide', teacher_wide, teacher_wide_ckpt),
                                ('teacher_deep', teacher_deep, teacher_deep_ckpt)):
            cfg = prepare_teacher_cfg(cfg, role, ckpt, teacher_ckpt_strict, load_pretrained, name)
            teacher = MODELS.build(cfg) if isinstance(cfg, dict) else cfg
            _check_segmentor(teacher, role)
            check_teacher_compatible(self.student, teacher, role)
            load_teacher_checkpoint(teacher, ckpt, teacher_ckpt_strict)
            freeze_teacher(teacher)
            setattr(self, role, teacher)
        self.mask_generator = TASK_UTILS.build(cutmix) if isinstance(cutmix, dict) else cutmix
        self.loss_labeled = self._build_loss(loss_labeled)
        self.loss_cutmix = self._build_loss(loss_cutmix)
        self.loss_semantic = self._build_loss(loss_semantic)
        self.loss_content = self._build_loss(loss_content)
        self._student_feat = self._wide_feat = None
        self._silent_check = SilentDistillationCheck(type(self).__name__, silent_check_iters)
        # [seed, steps so far] of the CutMix boxes: a resumed run draws the boxes of an uninterrupted one
        self.register_buffer('cutmix_rng_state', new_rng_state())
        if self.loss_content is not None:
            self._student_feat = _feature_recorder(self.student, student_feature, 'student')
            self._wide_feat = _feature_recorder(self.teacher_wide, teacher_wide_feature, 'teacher_wide')

    @staticmethod
    def _build_loss(cfg):
        if cfg is None or isinstance(cfg, nn.Module):
            return cfg
        return MODELS.build(cfg)

    @property
    def student(self) -> nn.Module:
        return self.architecture

    @property
    def teachers(self) -> Dict[str, nn.Module]:
        return {role: getattr(self, role) for role in TEACHERS}

    def train(self, mode: bool = True):
        """Set train/eval mode; both teachers stay in eval mode (batch norm and dropout) always."""
        super().train(mode)
        self.teacher_wide.eval()
        self.teacher_deep.eval()
        return self

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def _upsample(logits: torch.Tensor, model: nn.Module, size) -> torch.Tensor:
        if tuple(logits.shape[-2:]) == tuple(size):
            return logits
        return F.interpolate(logits, size=size, mode='bilinear',
                             align_corners=getattr(model.decode_head, 'align_corners', False))

    def _split_batch(self, inputs: torch.Tensor, data_samples: Optional[List]):
        if not data_samples:
            raise ValueError('MultiGranularityDistill.loss needs data samples tagged by SemiSegDataset')
        parts = [s.metainfo.get(PART_KEY) for s in data_samples]
        if None in parts:
            raise ValueError(f'MultiGranularityDistill: {parts.count(None)} sample(s) have no {PART_KEY!r} '
                             f'tag — train with train_dataloader.dataset=dict(type="SemiSegDataset", ...) '
                             f'and batch_sampler=dict(type="SemiBatchSampler", ...)')
        lab = [i for i, p in enumerate(parts) if p == 'labeled']
        unl = [i for i, p in enumerate(parts) if p == 'unlabeled']
        if not lab:
            raise ValueError('MultiGranularityDistill: the batch has no labeled sample (train_dataloader.'
                             'batch_size is the number of labeled images per batch)')
        if self._uses_unlabeled() and len(unl) < 2:
            raise ValueError(f'MultiGranularityDistill: CutMix pairs unlabeled images within the batch, so it '
                             f'needs at least 2 per batch, got {len(unl)} (set train_dataloader.batch_sampler.'
                             f'unlabeled_batch_size)')
        return (inputs[lab], [data_samples[i] for i in lab], inputs[unl], [data_samples[i] for i in unl])

    def _uses_unlabeled(self) -> bool:
        return any(loss is not None for loss in (self.loss_cutmix, self.loss_semantic, self.loss_content))

    @torch.no_grad()
    def _teacher_forward(self, role: str, segments: Dict[str, torch.Tensor], size,
                         record: bool = False) -> Tuple[Dict[str, torch.Tensor], Optional[torch.Tensor]]:
        """One eval-mode pass over the concatenated segments → upsampled logits per segment (and the
        recorded decoder features of the last segment's images when ``record``)."""
        teacher = getattr(self, role)
        names = list(segments)
        x = torch.cat([segments[n] for n in names])
        if record:
            with self._wide_feat:
                logits = teacher.decode_head(teacher.extract_feat(x))
            feats = self._wide_feat.get_record_data()
        else:
            logits, feats = teacher.decode_head(teacher.extract_feat(x)), None
        logits = self._upsample(logits, teacher, size)
        out, start = {}, 0
        for n in names:
            b = segments[n].shape[0]
            out[n] = logits[start:start + b]
            start += b
        if feats is not None:
            feats = feats[-segments[names[-1]].shape[0]:]
        return out, feats

    def _student_gt_losses(self, feats, logits_l: torch.Tensor, samples_l: List, b_l: int) -> Dict:
        student = self.student
        losses = add_prefix(student.decode_head.loss_by_feat(logits_l, samples_l), 'decode')
        if getattr(student, 'with_auxiliary_head', False):
            feats_l = [f[:b_l] for f in feats]
            heads = student.auxiliary_head
            if isinstance(heads, nn.ModuleList):
                for idx, head in enumerate(heads):
                    losses.update(add_prefix(head.loss_by_feat(head(feats_l), samples_l), f'aux_{idx}'))
            else:
                losses.update(add_prefix(heads.loss_by_feat(heads(feats_l), samples_l), 'aux'))
        return add_prefix(losses, 'student')

    # ------------------------------------------------------------------- loss
    def loss(self, inputs: torch.Tensor, data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        x_l, samples_l, x_u, samples_u = self._split_batch(inputs, data_samples)
        size = tuple(inputs.shape[-2:])
        b_l, b_u = x_l.shape[0], x_u.shape[0]
        use_unlabeled = self._uses_unlabeled()
        if use_unlabeled:
            partner = torch.roll(torch.arange(b_u, device=inputs.device), shifts=-1)
            mask = self.mask_generator(b_u, size, device=inputs.device,
                                       generator=resumable_generator(self.cutmix_rng_state, per_rank=False))
            x_mix = cutmix(x_u, x_u[partner], mask)
            valid_u = valid_region(samples_u, size, inputs.device)
            valid_mix = cutmix(valid_u, valid_u[partner], mask)

        # teachers: one eval-mode pass each over the segments their losses need
        need = {
            'teacher_wide': [self.loss_labeled is not None, self.loss_cutmix is not None,
                             self.loss_content is not None],
            'teacher_deep': [self.loss_labeled is not None, self.loss_cutmix is not None,
                             self.loss_semantic is not None],
        }
        t_logits, wide_feats = {}, None
        for role, (lab, orig, mixed) in need.items():
            segments = {}
            if lab:
                segments['labeled'] = x_l
            if orig:
                segments['unlabeled'] = x_u
            if mixed:
                segments['mixed'] = x_mix
            if segments:
                record = role == 'teacher_wide' and mixed
                t_logits[role], feats = self._teacher_forward(role, segments, size, record=record)
                if record:
                    wide_feats = feats

        # student: one pass over [labeled; mixed]
        x_s = torch.cat([x_l, x_mix]) if use_unlabeled else x_l
        if self._student_feat is not None:
            with self._student_feat:
                feats = self.student.extract_feat(x_s)
                logits = self.student.decode_head(feats)
            student_feats = self._student_feat.get_record_data()
        else:
            feats = self.student.extract_feat(x_s)
            logits = self.student.decode_head(feats)
        losses = self._student_gt_losses(feats, logits[:b_l], samples_l, b_l)
        s_up = self._upsample(logits, self.student, size)

        distill = {}
        if self.loss_labeled is not None:
            valid_l = valid_region(samples_l, size, inputs.device)
            for role, tag in (('teacher_wide', 'wide'), ('teacher_deep', 'deep')):
                distill[f'loss_labeled_{tag}'] = self.loss_labeled(
                    s_up[:b_l], t_logits[role]['labeled'], valid_l)
        if self.loss_cutmix is not None:
            for role, tag in (('teacher_wide', 'wide'), ('teacher_deep', 'deep')):
                t_orig = t_logits[role]['unlabeled']
                t_mix = cutmix(t_orig, t_orig[partner], mask)
                distill[f'loss_cutmix_{tag}'] = self.loss_cutmix(s_up[b_l:], t_mix, valid_mix)
        if self.loss_semantic is not None:
            distill['loss_semantic'] = self.loss_semantic(s_up[b_l:], t_logits['teacher_deep']['mixed'])
        if self.loss_content is not None:
            distill['loss_content'] = self.loss_content(student_feats[b_l:], wide_feats)
        if not self._silent_check.done:
            modules = {k: getattr(self, 'loss_' + k.split('_')[1]) for k in distill}
            self._silent_check.update(distill, modules)
        losses.update(add_prefix(distill, 'distill'))
        return losses
