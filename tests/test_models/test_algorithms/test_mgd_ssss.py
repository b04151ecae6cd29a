"""MultiGranularityDistill (MGD-SSSS): frozen eval-mode teachers, CutMix applied identically to images and
teacher logits, the granularities and their ablation, clear errors, and no dependence on the number of
processes (2-process gloo DDP through MMDistributedDataParallel.train_step)."""
import copy
import os
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmkdseg.models.algorithms.multi_granularity_distill import valid_region
from mmkdseg.models.task_modules import cutmix

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CFG = osp.join(REPO, 'configs', 'mgd_ssss',
               'mgd-ssss_pspnet-r18-w32-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-1-8-96x96.py')
SIZE = 32


@pytest.fixture(scope='module')
def model_cfg():
    cfg = Config.fromfile(CFG).model
    cfg.teacher_wide_ckpt = None
    cfg.teacher_deep_ckpt = None
    for m in (cfg.architecture, cfg.teacher_wide, cfg.teacher_deep):
        m.data_preprocessor.size = (SIZE, SIZE)
    return cfg


def build(cfg):
    with DefaultScope.overwrite_default_scope('mmseg'):
        return MODELS.build(copy.deepcopy(cfg))


@pytest.fixture(scope='module')
def model(model_cfg):
    torch.manual_seed(0)
    return build(model_cfg)


def sample(part, size=SIZE, padding=(0, 0, 0, 0), num_classes=7):
    s = SegDataSample()
    if part == 'labeled':
        s.gt_sem_seg = PixelData(data=torch.randint(0, num_classes, (1, size, size)))
    s.set_metainfo(dict(semi_part=part, img_shape=(size, size), pad_shape=(size, size), padding_size=padding))
    return s


def batch(b_l=2, b_u=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randn(b_l + b_u, 3, SIZE, SIZE, generator=g)
    return inputs, [sample('labeled') for _ in range(b_l)] + [sample('unlabeled') for _ in range(b_u)]


def half_mask(n, size, device=None, generator=None):
    mask = torch.zeros(n, 1, *size)
    mask[..., size[1] // 2:] = 1  # right half from the partner
    return mask


def spy(module, store, key):
    original = module.forward

    def wrapped(*args, **kwargs):
        store[key] = [a.detach().clone() if torch.is_tensor(a) else a for a in args]
        return original(*args, **kwargs)
    module.forward = wrapped


def test_teachers_frozen_and_in_eval_mode(model):
    model.train()
    assert model.student.training
    for teacher in model.teachers.values():
        assert all(not m.training for m in teacher.modules())  # batch norm *and* dropout
        assert all(not p.requires_grad for p in teacher.parameters())


def test_checkpoints_loaded_strictly_and_missing_file_named(model_cfg, tmp_path):
    from mmkdseg.testing import random_checkpoint
    wide = random_checkpoint(model_cfg.teacher_wide, str(tmp_path / 'wide.pth'), seed=1)
    deep = random_checkpoint(model_cfg.teacher_deep, str(tmp_path / 'deep.pth'), seed=2)
    cfg = copy.deepcopy(model_cfg)
    cfg.teacher_wide_ckpt, cfg.teacher_deep_ckpt = wide, deep
    m = build(cfg)
    for role, path in (('teacher_wide', wide), ('teacher_deep', deep)):
        ref = torch.load(path)['state_dict']
        for k, v in getattr(m, role).state_dict().items():
            assert torch.equal(v, ref[k]), (role, k)
    cfg.teacher_deep_ckpt = wide  # another architecture: strict loading fails
    with pytest.raises(RuntimeError, match='size mismatch|Missing key|unexpected key'):
        build(cfg)
    cfg.teacher_deep_ckpt = str(tmp_path / 'deep_not_trained.pth')
    with pytest.raises(FileNotFoundError, match=r"teacher_deep_ckpt '.*deep_not_trained.pth'.*Train the teacher.*"
                                                r"model.teacher_deep_ckpt=PATH"):
        build(cfg)


def test_incompatible_teacher_and_bad_feature_source(model_cfg):
    cfg = copy.deepcopy(model_cfg)
    cfg.teacher_deep.decode_head.num_classes = 19
    with pytest.raises(ValueError, match='teacher_deep and student predict different numbers of classes: '
                                         'teacher_deep decode_head.num_classes=19'):
        build(cfg)
    cfg = copy.deepcopy(model_cfg)
    cfg.teacher_wide_feature = 'decode_head.botleneck'
    with pytest.raises(ValueError, match="teacher_wide feature source 'decode_head.botleneck'.*decode_head.bottleneck"):
        build(cfg)


def test_loss_step_all_granularities(model):
    model.train()
    inputs, samples = batch()
    losses = model.loss(inputs, samples)
    expected = {'student.decode.loss_ce', 'student.aux.loss_ce', 'distill.loss_labeled_wide',
                'distill.loss_labeled_deep', 'distill.loss_cutmix_wide', 'distill.loss_cutmix_deep',
                'distill.loss_semantic', 'distill.loss_content'}
    assert expected <= set(losses)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    model.zero_grad()
    total.backward()
    assert all(p.grad is None for t in model.teachers.values() for p in t.parameters())
    assert all(p.grad is not None for p in model.student.parameters() if p.requires_grad)


def test_cutmix_mixes_images_and_teacher_logits_identically(model):
    model.train()
    inputs, samples = batch(b_l=2, b_u=3, seed=1)
    x_u = inputs[2:]
    partner = torch.tensor([1, 2, 0])  # each unlabeled image is paired with its successor
    mask = half_mask(3, (SIZE, SIZE))
    calls = {}
    model.mask_generator = half_mask
    spy(model.loss_cutmix, calls, 'cutmix')
    spy(model.loss_semantic, calls, 'semantic')
    spy(model.loss_content, calls, 'content')
    spy(model.student.backbone, calls, 'student_in')
    try:
        model.loss(inputs, samples)
    finally:
        for m in (model.loss_cutmix, model.loss_semantic, model.loss_content, model.student.backbone):
            del m.forward
    x_mix = cutmix(x_u, x_u[partner], mask)
    assert torch.equal(calls['student_in'][0], torch.cat([inputs[:2], x_mix]))
    # pseudo labels: the deep teacher's logits of the two originals, mixed with the same mask
    deep = model.teacher_deep
    with torch.no_grad():
        t = F.interpolate(deep.decode_head(deep.extract_feat(x_u)), size=(SIZE, SIZE), mode='bilinear')
        t_mix_direct = F.interpolate(deep.decode_head(deep.extract_feat(x_mix)), size=(SIZE, SIZE),
                                     mode='bilinear')
    expected = torch.cat([t[:, :, :, :SIZE // 2], t[partner][:, :, :, SIZE // 2:]], dim=3)
    assert torch.allclose(calls['cutmix'][1], expected, atol=1e-5)
    assert calls['cutmix'][2].shape == (3, 1, SIZE, SIZE)
    # image level: the deep teacher run on the mixed images themselves
    assert torch.allclose(calls['semantic'][1], t_mix_direct, atol=1e-5)
    # region level: the wide teacher's decoder features of the mixed images
    wide = model.teacher_wide
    with torch.no_grad():
        feats = wide.decode_head._forward_feature(wide.extract_feat(x_mix))
    assert torch.allclose(calls['content'][1], feats, atol=1e-5)
    assert calls['content'][0].shape[0] == 3


def test_teacher_pass_over_concatenated_segments_equals_separate_passes(model):
    inputs, _ = batch(seed=2)
    segments = {'labeled': inputs[:2], 'unlabeled': inputs[2:]}
    out, _ = model._teacher_forward('teacher_wide', segments, (SIZE, SIZE))
    wide = model.teacher_wide
    with torch.no_grad():
        alone = wide.decode_head(wide.extract_feat(inputs[2:]))
    assert torch.allclose(out['unlabeled'], F.interpolate(alone, size=(SIZE, SIZE), mode='bilinear'), atol=1e-5)


def test_ablation_switches_terms_and_forward_passes_off(model_cfg):
    cfg = copy.deepcopy(model_cfg)
    cfg.loss_semantic = None
    cfg.loss_content = None
    m = build(cfg)
    m.train()
    seen = {}
    for role in ('teacher_wide', 'teacher_deep'):
        teacher = getattr(m, role)
        teacher.extract_feat = (lambda f, r: lambda x: seen.setdefault(r, x.shape[0]) and f(x))(
            teacher.extract_feat, role)
    losses = m.loss(*batch(b_l=2, b_u=3))
    assert 'distill.loss_semantic' not in losses and 'distill.loss_content' not in losses
    assert 'distill.loss_cutmix_wide' in losses
    assert seen == {'teacher_wide': 5, 'teacher_deep': 5}  # labeled + unlabeled originals, no mixed images
    cfg.loss_cutmix = None
    labeled_only = build(cfg)
    losses = labeled_only.loss(*batch(b_l=2, b_u=1))  # unlabeled images are not needed at all
    assert {k for k in losses if k.startswith('distill')} == {'distill.loss_labeled_wide',
                                                              'distill.loss_labeled_deep'}


def test_valid_region_from_padding():
    s = [sample('unlabeled', padding=(0, 3, 0, 2)), SegDataSample(metainfo=dict(img_shape=(4, 5)))]
    mask = valid_region(s, (6, 8), 'cpu')
    assert mask[0, 0, :4, :5].all() and mask[0, 0].sum() == 4 * 5
    assert mask[1, 0, :4, :5].all() and mask[1, 0].sum() == 4 * 5


def test_padding_is_excluded_from_mixed_pseudo_labels(model):
    inputs, samples = batch(b_l=1, b_u=2)
    samples[1].set_metainfo(dict(padding_size=(0, SIZE // 2, 0, 0)))  # right half of u0 is padding
    calls = {}
    model.mask_generator = lambda n, size, device=None, generator=None: torch.zeros(n, 1, *size)  # no pasting
    spy(model.loss_cutmix, calls, 'cutmix')
    try:
        model.loss(inputs, samples)
    finally:
        del model.loss_cutmix.forward
    valid = calls['cutmix'][2]
    assert valid[0, 0, :, :SIZE // 2].all() and not valid[0, 0, :, SIZE // 2:].any() and valid[1].all()


def test_batch_errors(model):
    inputs, samples = batch()
    untagged = [SegDataSample(metainfo=dict(img_shape=(SIZE, SIZE))) for _ in samples]
    with pytest.raises(ValueError, match="have no 'semi_part' tag.*SemiSegDataset"):
        model.loss(inputs, untagged)
    with pytest.raises(ValueError, match='needs at least 2 per batch, got 1.*unlabeled_batch_size'):
        model.loss(*batch(b_l=2, b_u=1))
    inputs, samples = batch(b_l=0, b_u=3)
    with pytest.raises(ValueError, match='no labeled sample'):
        model.loss(inputs, samples)


# ------------------------------------------------------------ number of processes
DDP_SCRIPT = r"""
import copy, os, sys
import torch
import mmkdseg  # noqa: F401
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.registry import MODELS, DefaultScope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

cfg_path, size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
torch.set_num_threads(1)
distributed = 'WORLD_SIZE' in os.environ
if distributed:
    import torch.distributed as dist
    dist.init_process_group('gloo')
cfg = Config.fromfile(cfg_path).model
cfg.teacher_wide_ckpt = cfg.teacher_deep_ckpt = None
cfg.load_pretrained = False  # no pretext backbones needed (a fresh clone has none)
for m in (cfg.architecture, cfg.teacher_wide, cfg.teacher_deep):
    m.data_preprocessor.size = (size, size)
for head in ('decode_head', 'auxiliary_head'):
    cfg.architecture[head].dropout_ratio = 0.0
torch.manual_seed(0)
with DefaultScope.overwrite_default_scope('mmseg'):
    model = MODELS.build(cfg)
model.init_weights()
model.train()
params = [p for p in model.parameters() if p.requires_grad]
if distributed:
    from mmengine.model import MMDistributedDataParallel
    model = MMDistributedDataParallel(module=model, device_ids=None, broadcast_buffers=False)
g = torch.Generator().manual_seed(3)  # every process gets this same batch
imgs, samples = [], []
for i in range(4):
    imgs.append(torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8))
    s = SegDataSample()
    if i < 2:
        s.gt_sem_seg = PixelData(data=torch.randint(0, 7, (1, size, size), generator=g))
    s.set_metainfo(dict(semi_part='labeled' if i < 2 else 'unlabeled', img_shape=(size, size),
                        ori_shape=(size, size)))
    samples.append(s)
before = [p.detach().clone() for p in params]
torch.manual_seed(1)  # (the CutMix boxes come from cutmix_rng_state, drawn alike in every process above)
model.train_step(dict(inputs=imgs, data_samples=samples), OptimWrapper(torch.optim.SGD(params, lr=1.0)))
if not distributed or dist.get_rank() == 0:
    torch.save([b - p.detach() for b, p in zip(before, params)], out)  # = lr x (averaged) gradient
if distributed:
    from mmkdseg.engine.dist import teardown_distributed
    teardown_distributed()  # barrier, destroy, os._exit: no gloo abort at interpreter shutdown
"""


def test_two_process_ddp_step_equals_single_process_step(tmp_path):
    """Both ranks get the same batch, so DDP's averaged gradient must equal the single-process one, through
    MMDistributedDataParallel.train_step (data preprocessor + forward in 'loss' mode). A loss all-reduced
    inside the graph (the reference code's fault) would scale it by 1/number of processes."""
    import subprocess
    import sys
    script = tmp_path / 'step.py'
    script.write_text(DDP_SCRIPT)
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO)
    single, ddp = str(tmp_path / 'single.pth'), str(tmp_path / 'ddp.pth')
    for cmd, out in (([sys.executable, str(script)], single),
                     ([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2', '--master_port=29631',
                       str(script)], ddp)):
        proc = subprocess.run(cmd + [CFG, str(SIZE), out], cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    a, b = torch.load(single), torch.load(ddp)
    assert len(a) == len(b) and any(u.abs().sum() > 0 for u in a)
    for x, y in zip(a, b):
        assert torch.allclose(x, y, atol=1e-5, rtol=1e-4)


def test_teacher_pretrained_init_is_not_read_when_checkpoints_replace_it(model_cfg, tmp_path):
    """Like SegmentationDistill: a strictly loaded teacher checkpoint makes its ``pretrained=`` pointless, so it is
    dropped (a fresh machine need not have the teachers' pretext backbones); without one it stays."""
    from mmkdseg import testing
    cfg = copy.deepcopy(model_cfg)
    assert cfg.teacher_wide.pretrained and cfg.teacher_deep.pretrained  # the configs name the pretext backbones
    for role in ('teacher_wide', 'teacher_deep'):
        path = str(tmp_path / f'{role}.pth')
        testing.random_checkpoint({k: v for k, v in cfg[role].items() if k != 'pretrained'}, path)
        cfg[f'{role}_ckpt'] = path
        cfg[role].pretrained = str(tmp_path / f'{role}_backbone_never_read.pth')
    cfg.architecture.pretrained = None
    model = build(cfg)
    for role in ('teacher_wide', 'teacher_deep'):
        assert 'Pretrained' not in str(getattr(model, role).backbone.init_cfg), role
    model.init_weights()  # reads no missing file
    cfg.teacher_wide_ckpt = cfg.teacher_deep_ckpt = None
    assert build(cfg).teacher_wide.backbone.init_cfg == dict(type='Pretrained', checkpoint=cfg.teacher_wide.pretrained)
