"""CIRKD's memory-based pixel-to-pixel and pixel-to-region relation loss (Yang et al., CVPR 2022).

docs/methods/cirkd.md gives the formulas; configs/cirkd/README.md the authors' values.
"""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmrazor.registry import MODELS
from torch import nn

from ..task_modules.rng import new_rng_state, resumable_generator
from .utils import align_spatial, at_least_float32, check_labels, check_policy, resize_labels


def _random_unit_rows(*shape: int) -> torch.Tensor:
    """Random unit vectors along the last dimension (the authors' initial memory)."""
    return F.normalize(torch.randn(*shape), p=2, dim=-1)


@MODELS.register_module()
class CIRKDMemoryLoss(nn.Module):
    """Relations of every pixel to a memory of teacher pixel and region embeddings, student vs teacher (CIRKD).

    The loss keeps, per class k, two first-in-first-out queues of **teacher** embeddings, filled from past
    (and the current) batches with the ground truth:

    * a **pixel queue** ``pixel_queue[k]`` (``pixel_memory_size`` entries): per image and present class, up
      to ``pixel_update_freq`` randomly chosen pixel embeddings of that class;
    * a **region queue** ``region_queue[k]`` (``region_memory_size`` entries): per image and present class,
      the L2-normalised mean of the class's pixel embeddings in that image.

    Labels are nearest-resized to the feature size; pixels labelled ``ignore_index`` never enter a queue.
    Each step, after enqueuing the batch, a contrast set is drawn from each memory: one random set of
    ``n_pix = pixel_contrast_size // num_classes + 1`` slot indices (and ``n_reg = region_contrast_size //
    num_classes + 1``), the same for every class — the authors' sampling, with the sizes of their command
    line. With ``s_n = normalise(proj(f_S)[n])`` (the student embedding through the projection head, see
    below), ``t_n = normalise(f_T[n])``, a contrast set ``X`` (K·n rows), τ_c = ``contrast_temperature`` and
    τ = ``contrast_kd_temperature``, over the M valid pixels n of the batch::

        L(X) = τ² / M · Σ_n KL( softmax(t_n Xᵀ / (τ_c τ)) ‖ softmax(s_n Xᵀ / (τ_c τ)) )
        loss = pixel_loss_weight · L(X_pix) + region_loss_weight · L(X_reg)

    The terms of the last call are kept, detached, in ``last_terms`` (``{'pixel': ..., 'region': ...}``).
    A batch without valid pixels enqueues nothing and gives 0 (with a graph).

    **Projection head.** The student's features go through ``projector`` (1×1 conv ``student_channels →
    teacher_channels`` without bias, norm, ReLU, 1×1 conv without bias), as the authors'. Its parameters
    belong to this loss module, i.e. to the distiller, so the student's optimizer trains them; it is not
    part of the exported student.

    **State.** ``pixel_queue`` (K, pixel_memory_size, C_T), ``pixel_queue_ptr`` (K,), ``region_queue``
    (K, region_memory_size, C_T), ``region_queue_ptr`` (K,) and ``rng_state`` (2,) are registered buffers:
    they are in ``state_dict()`` and checkpoints, and ``load_state_dict`` (``--resume``) restores the memory
    and write positions exactly. The queues start as random unit vectors (the authors'), overwritten in
    FIFO order (a ring buffer per class; a block of entries that reaches the end wraps to the start).
    Every random draw (which pixels are enqueued, which slots are sampled) comes from a CPU
    ``torch.Generator`` seeded by ``rng_state`` = [seed, step]
    (:func:`~mmkdseg.models.task_modules.rng.resumable_generator`, ``per_rank=False``), not from torch's
    global RNG: a resumed run draws what the uninterrupted run would have, and all ranks draw alike.

    **Several processes.** Before they enter the queues, the teacher embeddings and labels of all ranks are
    gathered (``mmengine.dist.all_gather``; maps of different sizes are padded and cropped back) and
    enqueued in rank order on every rank; at the first call the buffers are broadcast from rank 0. So all
    ranks hold identical memories (the authors gather too). The anchors (the loss) are each rank's own
    pixels. The queues are updated only in training mode. The projection head runs in the input's precision
    (autocast applies); the similarities are computed in at least float32 with autocast off.

    Memory: the pixel queue holds K·pixel_memory_size·C_T floats (Cityscapes with a 512-wide teacher:
    19·20000·512 = 195M, 0.78 GB in float32), and it is saved in every checkpoint.

    Shapes: ``preds_S`` (B, student_channels, h, w), ``preds_T`` (B, teacher_channels, h', w') decoder
    feature maps (the teacher's resized bilinearly to the student's size by ``resize``), ``gt_sem_seg``
    (B, H, W) labels (required). Returns a scalar.

    Args:
        num_classes (int): K, the number of classes (one queue pair per class).
        student_channels (int): C_S of the student feature.
        teacher_channels (int): C_T of the teacher feature (the width of the memory and projection).
        pixel_memory_size (int): Entries per class of the pixel queue. Defaults to 20000 (the authors').
        region_memory_size (int): Entries per class of the region queue. Defaults to 2000 (the authors').
        pixel_contrast_size (int): Pixel contrast set size over all classes; per class
            ``pixel_contrast_size // num_classes + 1`` are drawn. Defaults to 4096 (the authors').
        region_contrast_size (int): The same for the region memory. Defaults to 1024 (the authors').
        pixel_update_freq (int): Pixels enqueued per class and image at most. Defaults to 16 (the authors').
        contrast_temperature (float): τ_c of the similarities. Defaults to 0.1 (the authors').
        contrast_kd_temperature (float): τ of the distillation softmax. Defaults to 1 (the authors').
        pixel_loss_weight (float): Weight of the pixel-to-pixel term. Defaults to 0.1 (the authors'
            ``--lambda-memory-pixel``).
        region_loss_weight (float): Weight of the pixel-to-region term. Defaults to 0.1 (the authors'
            ``--lambda-memory-region``).
        ignore_index (int): Label that never enters the memory nor the loss. Defaults to 255.
        norm_cfg (dict): Norm layer of the projection head. Defaults to ``dict(type='BN')`` (the authors use
            SyncBN: ``dict(type='SyncBN')``).
        resize (str): Shape policy when the spatial sizes differ
            (:func:`~mmkdseg.models.losses.utils.align_spatial`). Defaults to ``'teacher_to_student'``.
    """

    def __init__(self,
                 num_classes: int,
                 student_channels: int,
                 teacher_channels: int,
                 pixel_memory_size: int = 20000,
                 region_memory_size: int = 2000,
                 pixel_contrast_size: int = 4096,
                 region_contrast_size: int = 1024,
                 pixel_update_freq: int = 16,
                 contrast_temperature: float = 0.1,
                 contrast_kd_temperature: float = 1.0,
                 pixel_loss_weight: float = 0.1,
                 region_loss_weight: float = 0.1,
                 ignore_index: int = 255,
                 norm_cfg: Optional[Dict] = None,
                 resize: str = 'teacher_to_student') -> None:
        super().__init__()
        name = type(self).__name__
        for arg, value in (('num_classes', num_classes), ('student_channels', student_channels),
                           ('teacher_channels', teacher_channels), ('pixel_memory_size', pixel_memory_size),
                           ('region_memory_size', region_memory_size),
                           ('pixel_contrast_size', pixel_contrast_size),
                           ('region_contrast_size', region_contrast_size),
                           ('pixel_update_freq', pixel_update_freq)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f'{name}: {arg} must be a positive int, got {value!r}')
        for arg, value in (('contrast_temperature', contrast_temperature),
                           ('contrast_kd_temperature', contrast_kd_temperature)):
            if value <= 0:
                raise ValueError(f'{name}: {arg} must be positive, got {value}')
        self.num_classes = num_classes
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.pixel_per_class = pixel_contrast_size // num_classes + 1
        self.region_per_class = region_contrast_size // num_classes + 1
        for arg, per_class, memory in (('pixel', self.pixel_per_class, pixel_memory_size),
                                       ('region', self.region_per_class, region_memory_size)):
            if per_class > memory:
                raise ValueError(f'{name}: {arg}_contrast_size // num_classes + 1 = {per_class} entries per class '
                                 f'exceed {arg}_memory_size={memory}')
        if pixel_update_freq > pixel_memory_size:
            raise ValueError(f'{name}: pixel_update_freq={pixel_update_freq} exceeds '
                             f'pixel_memory_size={pixel_memory_size}')
        self.pixel_update_freq = pixel_update_freq
        self.contrast_temperature = float(contrast_temperature)
        self.contrast_kd_temperature = float(contrast_kd_temperature)
        self.pixel_loss_weight = pixel_loss_weight
        self.region_loss_weight = region_loss_weight
        self.ignore_index = ignore_index
        self.resize = check_policy(resize)

        self.projector = nn.Sequential(
            nn.Conv2d(student_channels, teacher_channels, 1, bias=False),
            build_norm_layer(norm_cfg or dict(type='BN'), teacher_channels)[1],
            nn.ReLU(inplace=True),
            nn.Conv2d(teacher_channels, teacher_channels, 1, bias=False))

        self.register_buffer('pixel_queue', _random_unit_rows(num_classes, pixel_memory_size, teacher_channels))
        self.register_buffer('pixel_queue_ptr', torch.zeros(num_classes, dtype=torch.long))
        self.register_buffer('region_queue', _random_unit_rows(num_classes, region_memory_size, teacher_channels))
        self.register_buffer('region_queue_ptr', torch.zeros(num_classes, dtype=torch.long))
        self.register_buffer('rng_state', new_rng_state())
        self.last_terms: Dict[str, torch.Tensor] = {}
        self._synced = False

    # ------------------------------------------------------------------ memory
    @torch.no_grad()
    def _sync_from_rank0(self) -> None:
        """Broadcast the memory and the RNG state from rank 0, once (all ranks then stay identical)."""
        from mmengine.dist import broadcast, get_world_size
        if self._synced:
            return
        self._synced = True
        if get_world_size() == 1:
            return
        for buf in (self.pixel_queue, self.pixel_queue_ptr, self.region_queue, self.region_queue_ptr,
                    self.rng_state):
            broadcast(buf, src=0)

    @torch.no_grad()
    def _gather(self, feats: torch.Tensor, labels: torch.Tensor) -> List[Tuple[torch.Tensor, torch.Tensor]]:
        """(D, h, w) embeddings and (h, w) labels of every image of every rank, in rank order."""
        from mmengine.dist import all_gather, get_world_size
        if get_world_size() == 1:
            return list(zip(feats.unbind(0), labels.unbind(0)))
        shape = torch.tensor([feats.shape[0], feats.shape[2], feats.shape[3]], device=feats.device)
        shapes = [s.tolist() for s in all_gather(shape)]
        b, h, w = (max(s[k] for s in shapes) for k in range(3))
        padded_f = feats.new_zeros((b, feats.shape[1], h, w))
        padded_f[:feats.shape[0], :, :feats.shape[2], :feats.shape[3]] = feats
        padded_l = labels.new_full((b, h, w), self.ignore_index)
        padded_l[:labels.shape[0], :labels.shape[1], :labels.shape[2]] = labels
        out = []
        for (nb, nh, nw), fs, ls in zip(shapes, all_gather(padded_f), all_gather(padded_l)):
            out += list(zip(fs[:nb, :, :nh, :nw].unbind(0), ls[:nb, :nh, :nw].unbind(0)))
        return out

    @staticmethod
    def _write(queue: torch.Tensor, ptrs: torch.Tensor, cls: int, entries: torch.Tensor) -> None:
        """Write ``entries`` (n, D) into the ring buffer ``queue[cls]`` at its pointer, FIFO, and advance it."""
        size = queue.shape[1]
        start = int(ptrs[cls])
        slots = (start + torch.arange(entries.shape[0], device=queue.device)) % size
        queue[cls, slots] = entries.to(queue.dtype)
        ptrs[cls] = (start + entries.shape[0]) % size

    @torch.no_grad()
    def enqueue(self, feats_T: torch.Tensor, labels: torch.Tensor, generator: torch.Generator) -> None:
        """Enqueue teacher embeddings (B, C_T, h, w) with their labels (B, h, w) (gathered over ranks).

        Images in rank order, classes in increasing order; per image and class: the normalised mean into the
        region queue, then up to ``pixel_update_freq`` pixels (a random subset, ``generator``) into the
        pixel queue.
        """
        for feat, lab in self._gather(feats_T, labels):
            rows, lab = feat.flatten(1).t(), lab.flatten()
            for cls in torch.unique(lab).tolist():
                if cls == self.ignore_index:
                    continue
                idx = (lab == cls).nonzero().squeeze(1)
                self._write(self.region_queue, self.region_queue_ptr, cls,
                            F.normalize(rows[idx].mean(0, keepdim=True), p=2, dim=1))
                pick = torch.randperm(idx.numel(), generator=generator)[:self.pixel_update_freq]
                self._write(self.pixel_queue, self.pixel_queue_ptr, cls,
                            F.normalize(rows[idx[pick.to(idx.device)]], p=2, dim=1))

    @staticmethod
    def sample(queue: torch.Tensor, per_class: int, generator: torch.Generator) -> torch.Tensor:
        """(K·per_class, D) contrast set: the same random ``per_class`` slots of every class, class-major."""
        index = torch.randperm(queue.shape[1], generator=generator)[:per_class].to(queue.device)
        return queue[:, index].reshape(-1, queue.shape[2])

    # -------------------------------------------------------------------- loss
    def _relation_kd(self, anchors_S: torch.Tensor, anchors_T: torch.Tensor, contrast: torch.Tensor) -> torch.Tensor:
        contrast = contrast.to(anchors_S.dtype)
        tau = self.contrast_kd_temperature
        log_p_S = F.log_softmax(anchors_S @ contrast.t() / (self.contrast_temperature * tau), dim=1)
        log_p_T = F.log_softmax(anchors_T @ contrast.t() / (self.contrast_temperature * tau), dim=1)
        return tau**2 * (log_p_T.exp() * (log_p_T - log_p_S)).sum() / anchors_S.shape[0]

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor,
                gt_sem_seg: Optional[torch.Tensor] = None) -> torch.Tensor:
        name = type(self).__name__
        if gt_sem_seg is None:
            raise ValueError(f'{name}: needs gt_sem_seg (the memory is filled by class); map it with '
                             f"gt_sem_seg=dict(from_data='gt_sem_seg') in loss_forward_mappings")
        if preds_S.dim() != 4 or preds_S.shape[1] != self.student_channels:
            raise ValueError(f'{name}: expects a (B, {self.student_channels}, h, w) student feature '
                             f'(student_channels={self.student_channels}), got {tuple(preds_S.shape)}')
        if preds_T.dim() != 4 or preds_T.shape[1] != self.teacher_channels:
            raise ValueError(f'{name}: expects a (B, {self.teacher_channels}, h, w) teacher feature '
                             f'(teacher_channels={self.teacher_channels}), got {tuple(preds_T.shape)}')
        preds_S, preds_T = align_spatial(preds_S, preds_T.detach(), self.resize, name, same_channels=False)
        projected = self.projector(preds_S)
        with torch.autocast(device_type=projected.device.type, enabled=False):  # similarities in float32
            return self._forward(projected, preds_T, gt_sem_seg)

    def _forward(self, projected: torch.Tensor, preds_T: torch.Tensor, gt_sem_seg: torch.Tensor) -> torch.Tensor:
        name = type(self).__name__
        emb_S = F.normalize(at_least_float32(projected), p=2, dim=1)
        emb_T = F.normalize(at_least_float32(preds_T).to(emb_S.dtype), p=2, dim=1)
        labels = resize_labels(gt_sem_seg.to(emb_S.device), emb_S.shape[-2:])
        if labels.shape[0] != emb_S.shape[0]:
            raise ValueError(f'{name}: gt_sem_seg has batch size {labels.shape[0]} but the features '
                             f'{tuple(projected.shape)} have {emb_S.shape[0]}')
        valid = labels != self.ignore_index
        check_labels(labels, valid, self.num_classes, self.ignore_index, name)

        self._sync_from_rank0()
        generator = resumable_generator(self.rng_state, per_rank=False)
        if self.training:
            self.enqueue(emb_T.detach(), labels, generator)
        if not bool(valid.any()):
            zero = emb_S.sum() * 0
            self.last_terms = dict(pixel=zero.detach(), region=zero.detach())
            return zero
        anchors_S = emb_S.permute(0, 2, 3, 1)[valid]
        anchors_T = emb_T.permute(0, 2, 3, 1)[valid]
        pixel = self._relation_kd(anchors_S, anchors_T, self.sample(self.pixel_queue, self.pixel_per_class,
                                                                    generator))
        region = self._relation_kd(anchors_S, anchors_T, self.sample(self.region_queue, self.region_per_class,
                                                                     generator))
        self.last_terms = dict(pixel=pixel.detach(), region=region.detach())
        return self.pixel_loss_weight * pixel + self.region_loss_weight * region
