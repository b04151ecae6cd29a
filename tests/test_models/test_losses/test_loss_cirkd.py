"""CIRKD's losses (docs/methods/cirkd.md): values against plain-loop references, gradients, the memory's FIFO,
checkpointing and the cross-rank gather."""
import importlib
import math
import sys
import textwrap

import pytest
import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS

from mmkdseg.models.losses import CIRKDMemoryLoss, CIRKDMiniBatchLoss
from mmkdseg.models.task_modules.rng import resumable_generator


# ----------------------------------------------------------------- references
def _normalise(v):
    n = math.sqrt(sum(float(x) ** 2 for x in v))
    return [float(x) / n for x in v]


def _pixels(feat, b):
    """Row-major list of the (C,) vectors of image b of a (B, C, h, w) map."""
    return [feat[b, :, y, x] for y in range(feat.shape[2]) for x in range(feat.shape[3])]


def _kl_rows(logits_T, logits_S):
    """Σ over rows of KL(softmax(t) ‖ softmax(s)), plain loops."""
    total = 0.0
    for t, s in zip(logits_T, logits_S):
        zt = sum(math.exp(v) for v in t)
        zs = sum(math.exp(v) for v in s)
        total += sum(math.exp(a) / zt * ((a - math.log(zt)) - (b - math.log(zs))) for a, b in zip(t, s))
    return total


def ref_mini_batch(feat_S, feat_T, tau, valid=None):
    B = feat_S.shape[0]
    rows = []
    for f in (feat_S, feat_T):
        per_image = []
        for b in range(B):
            pix = [_normalise(p.tolist()) for p in _pixels(f, b)]
            if valid is not None:
                pix = [p for p, v in zip(pix, valid[b].flatten().tolist()) if v]
            per_image.append(pix)
        rows.append(per_image)
    total, pairs = 0.0, 0
    for i in range(B):
        for j in range(B):
            si, sj, ti, tj = rows[0][i], rows[0][j], rows[1][i], rows[1][j]
            if not si or not sj:
                continue
            dot = lambda a, b: sum(x * y for x, y in zip(a, b))  # noqa: E731
            ls = [[dot(a, b) / tau for b in sj] for a in si]
            lt = [[dot(a, b) / tau for b in tj] for a in ti]
            total += _kl_rows(lt, ls) / len(si)
            pairs += 1
    return total / max(pairs, 1)


def _nearest(gt, h, w):
    H, W = gt.shape[-2:]
    return [[[int(gt[b, (y * H) // h, (x * W) // w]) for x in range(w)] for y in range(h)]
            for b in range(gt.shape[0])]


def _project(loss, feat_S):
    """The projection head by hand (1×1 conv, batch norm with batch statistics, ReLU, 1×1 conv)."""
    w1 = loss.projector[0].weight[:, :, 0, 0]
    bn = loss.projector[1]
    w2 = loss.projector[3].weight[:, :, 0, 0]
    x = torch.einsum('oc,bchw->bohw', w1, feat_S)
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = ((x - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
    x = (x - mean) / torch.sqrt(var + bn.eps) * bn.weight[None, :, None, None] + bn.bias[None, :, None, None]
    return torch.einsum('oc,bchw->bohw', w2, x.clamp(min=0))


def ref_memory(loss, feat_S, feat_T, gt, ignore=255):
    """One training step of CIRKDMemoryLoss by plain loops: enqueue, sample, KL. Returns (loss, queues)."""
    g = resumable_generator(loss.rng_state.clone(), per_rank=False)
    pq, pp = loss.pixel_queue.clone(), loss.pixel_queue_ptr.clone().tolist()
    rq, rp = loss.region_queue.clone(), loss.region_queue_ptr.clone().tolist()
    B, _, h, w = feat_S.shape
    emb_S = _project(loss, feat_S)
    labels = _nearest(gt, h, w)
    s_rows, t_rows = [], []
    for b in range(B):
        lab = [v for row in labels[b] for v in row]
        t_pix = [_normalise(p.tolist()) for p in _pixels(feat_T, b)]
        s_pix = [_normalise(p.tolist()) for p in _pixels(emb_S, b)]
        for c in sorted(set(lab) - {ignore}):
            idx = [n for n, v in enumerate(lab) if v == c]
            mean = _normalise([sum(t_pix[n][d] for n in idx) / len(idx) for d in range(feat_T.shape[1])])
            rq[c, rp[c]] = torch.tensor(mean, dtype=rq.dtype)
            rp[c] = (rp[c] + 1) % rq.shape[1]
            for p in torch.randperm(len(idx), generator=g)[:loss.pixel_update_freq].tolist():
                pq[c, pp[c]] = torch.tensor(t_pix[idx[p]], dtype=pq.dtype)
                pp[c] = (pp[c] + 1) % pq.shape[1]
        s_rows += [s for s, v in zip(s_pix, lab) if v != ignore]
        t_rows += [t for t, v in zip(t_pix, lab) if v != ignore]
    terms = []
    for queue, per_class in ((pq, loss.pixel_per_class), (rq, loss.region_per_class)):
        index = torch.randperm(queue.shape[1], generator=g)[:per_class].tolist()
        contrast = [queue[c, i].tolist() for c in range(queue.shape[0]) for i in index]
        if not s_rows:
            terms.append(0.0)
            continue
        tau, tc = loss.contrast_kd_temperature, loss.contrast_temperature
        dot = lambda a, b: sum(x * y for x, y in zip(a, b))  # noqa: E731
        ls = [[dot(s, x) / (tc * tau) for x in contrast] for s in s_rows]
        lt = [[dot(t, x) / (tc * tau) for x in contrast] for t in t_rows]
        terms.append(tau ** 2 * _kl_rows(lt, ls) / len(s_rows))
    value = loss.pixel_loss_weight * terms[0] + loss.region_loss_weight * terms[1]
    return value, dict(pixel_queue=pq, pixel_queue_ptr=torch.tensor(pp), region_queue=rq,
                       region_queue_ptr=torch.tensor(rp))


def memory_loss(seed=0, **kwargs):
    torch.manual_seed(seed)
    cfg = dict(num_classes=4, student_channels=3, teacher_channels=5, pixel_memory_size=7, region_memory_size=5,
               pixel_contrast_size=8, region_contrast_size=4, pixel_update_freq=2)
    cfg.update(kwargs)
    return CIRKDMemoryLoss(**cfg).double()


def labels_with_ignored(B=2, H=8, W=8, seed=1):
    g = torch.Generator().manual_seed(seed)
    gt = torch.randint(0, 4, (B, H, W), generator=g)
    gt[gt == 1] = 2  # class 1 absent
    gt[:, :2] = 255  # ignored rows
    return gt


# ----------------------------------------------------------------- mini-batch
def test_mini_batch_is_registered_and_matches_the_reference():
    torch.manual_seed(0)
    s, t = torch.randn(2, 3, 2, 3, dtype=torch.float64), torch.randn(2, 5, 2, 3, dtype=torch.float64)
    loss = MODELS.build(dict(type='CIRKDMiniBatchLoss', temperature=0.5, loss_weight=2.0))
    assert loss(s, t).item() == pytest.approx(2.0 * ref_mini_batch(s, t, 0.5), rel=1e-10)


def test_mini_batch_ignored_pixels_are_left_out():
    torch.manual_seed(1)
    s, t = torch.randn(3, 3, 2, 2, dtype=torch.float64), torch.randn(3, 4, 2, 2, dtype=torch.float64)
    gt = torch.tensor([[[0, 255], [1, 0]], [[255, 255], [255, 255]], [[2, 2], [255, 1]]])
    valid = gt != 255
    got = CIRKDMiniBatchLoss(temperature=0.1)(s, t, gt)
    assert got.item() == pytest.approx(ref_mini_batch(s, t, 0.1, valid), rel=1e-10)
    # ignored pixels do not matter at all
    s2, t2 = s.clone(), t.clone()
    s2[0, :, 0, 1] += 3.0
    s2[2, :, 1, 0] -= 1.0
    t2[1] -= 2.0
    assert CIRKDMiniBatchLoss(temperature=0.1)(s2, t2, gt).item() == pytest.approx(got.item(), rel=1e-12)
    # nothing valid: 0 with a graph
    s.requires_grad_(True)
    zero = CIRKDMiniBatchLoss()(s, t, torch.full((3, 2, 2), 255))
    zero.backward()
    assert zero.item() == 0 and s.grad is not None


def test_mini_batch_single_image_resize_and_pooling():
    torch.manual_seed(2)
    s, t = torch.randn(1, 4, 3, 3, dtype=torch.float64), torch.randn(1, 6, 6, 6, dtype=torch.float64)
    resized = F.interpolate(t, size=(3, 3), mode='bilinear', align_corners=False)
    got = CIRKDMiniBatchLoss(temperature=0.2)(s, t)
    assert got.item() == pytest.approx(ref_mini_batch(s, resized, 0.2), rel=1e-10)
    pooled = CIRKDMiniBatchLoss(temperature=0.2, pooling=True)(s, resized)
    ps, pt = (F.avg_pool2d(x, 2, 2, ceil_mode=True) for x in (s, resized))
    assert pooled.item() == pytest.approx(ref_mini_batch(ps, pt, 0.2), rel=1e-10)
    with pytest.raises(ValueError, match='CIRKDMiniBatchLoss.*differ in spatial size'):
        CIRKDMiniBatchLoss(resize='none')(s, t)
    with pytest.raises(ValueError, match='CIRKDMiniBatchLoss.*batch sizes differ'):
        CIRKDMiniBatchLoss()(s, torch.randn(2, 6, 3, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match='temperature must be positive'):
        CIRKDMiniBatchLoss(temperature=0)


def test_mini_batch_gradcheck_and_identical_relations_give_zero():
    torch.manual_seed(3)
    s = torch.randn(2, 3, 2, 2, dtype=torch.float64, requires_grad=True)
    t = torch.randn(2, 4, 2, 2, dtype=torch.float64)
    loss = CIRKDMiniBatchLoss(temperature=0.5)
    assert torch.autograd.gradcheck(lambda x: loss(x, t), (s,))
    gt = torch.tensor([[[0, 255], [1, 0]], [[1, 1], [255, 0]]])
    assert torch.autograd.gradcheck(lambda x: loss(x, t, gt), (s,))
    same = loss(t.clone().requires_grad_(True), t)
    assert abs(same.item()) < 1e-12


def test_mini_batch_half_precision_is_computed_in_float32():
    torch.manual_seed(4)
    s, t = torch.randn(2, 3, 2, 2), torch.randn(2, 3, 2, 2)
    got = CIRKDMiniBatchLoss()(s.half(), t.half())
    assert got.dtype == torch.float32
    assert got.item() == pytest.approx(CIRKDMiniBatchLoss()(s.half().float(), t.half().float()).item(), rel=1e-5)


def test_both_losses_compute_in_float32_under_autocast():
    torch.manual_seed(9)
    s, t = torch.randn(2, 3, 3, 3), torch.randn(2, 5, 3, 3)
    gt = torch.randint(0, 4, (2, 3, 3))
    plain = CIRKDMiniBatchLoss()(s, t)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        auto = CIRKDMiniBatchLoss()(s, t)
    assert auto.dtype == torch.float32 and auto.item() == pytest.approx(plain.item(), rel=1e-6)
    a, b = memory_loss().float(), memory_loss().float()
    expected = a(s, t, gt)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        got = b(s, t, gt)  # the projection runs in bfloat16, the similarities in float32
    assert got.dtype == torch.float32 and got.item() == pytest.approx(expected.item(), rel=0.05)
    assert b.pixel_queue.dtype == torch.float32


# --------------------------------------------------------------------- memory
def test_memory_matches_the_reference_with_ignored_pixels_and_absent_classes():
    loss = memory_loss()
    torch.manual_seed(5)
    s = torch.randn(2, 3, 4, 4, dtype=torch.float64)
    t = torch.randn(2, 5, 4, 4, dtype=torch.float64)
    gt = labels_with_ignored()
    for _ in range(3):  # several steps: the memory wraps around (7 pixel slots, up to 2 per class and image)
        expected, queues = ref_memory(loss, s, t, gt)
        got = loss(s, t, gt)
        assert got.item() == pytest.approx(expected, rel=1e-9)
        for key, value in queues.items():
            assert torch.allclose(getattr(loss, key), value.to(getattr(loss, key).dtype)), key
        t = t + 0.1
    # the absent class (1) was never written: its memory is still the initial one, its pointers 0
    assert loss.pixel_queue_ptr[1] == 0 and loss.region_queue_ptr[1] == 0
    assert loss.region_queue_ptr.tolist() == [6 % 5, 0, 6 % 5, 6 % 5]
    terms = loss.last_terms
    assert got.item() == pytest.approx(0.1 * terms['pixel'].item() + 0.1 * terms['region'].item(), rel=1e-9)


def test_memory_single_image_resize_and_widths():
    loss = memory_loss(pixel_loss_weight=1.0, region_loss_weight=0.5)
    twin = memory_loss(pixel_loss_weight=1.0, region_loss_weight=0.5)
    torch.manual_seed(6)
    s = torch.randn(1, 3, 3, 3, dtype=torch.float64)
    t = torch.randn(1, 5, 6, 6, dtype=torch.float64)
    gt = torch.randint(0, 4, (1, 12, 12))
    got = loss(s, t, gt)
    resized = F.interpolate(t, size=(3, 3), mode='bilinear', align_corners=False)
    expected, _ = ref_memory(twin, s, resized, gt)
    assert got.item() == pytest.approx(expected, rel=1e-9)
    assert twin(s, resized, gt).item() == pytest.approx(got.item(), rel=1e-12)
    with pytest.raises(ValueError, match=r'CIRKDMemoryLoss: expects a \(B, 3, h, w\) student feature.*\(1, 4, 3, 3\)'):
        loss(torch.randn(1, 4, 3, 3, dtype=torch.float64), t, gt)
    with pytest.raises(ValueError, match=r'CIRKDMemoryLoss: expects a \(B, 5, h, w\) teacher feature.*\(1, 3, 6, 6\)'):
        loss(s, torch.randn(1, 3, 6, 6, dtype=torch.float64), gt)
    with pytest.raises(ValueError, match='CIRKDMemoryLoss: needs gt_sem_seg'):
        loss(s, t)
    with pytest.raises(ValueError, match='CIRKDMemoryLoss: gt_sem_seg has labels \\[4\\]'):
        loss(s, t, torch.full((1, 12, 12), 4))
    with pytest.raises(ValueError, match='CIRKDMemoryLoss: pixel_contrast_size // num_classes'):
        memory_loss(pixel_contrast_size=100)


def test_memory_gradcheck():
    loss = memory_loss()
    torch.manual_seed(7)
    s = torch.randn(2, 3, 2, 2, dtype=torch.float64, requires_grad=True)
    t = torch.randn(2, 5, 2, 2, dtype=torch.float64)
    gt = torch.tensor([[[0, 255], [2, 3]], [[3, 3], [0, 255]]])
    saved = {k: v.clone() for k, v in loss.named_buffers() if not k.startswith('projector')}

    def fn(x):
        with torch.no_grad():  # the same memory and draws at every evaluation
            for k, v in saved.items():
                getattr(loss, k).copy_(v)
        return loss(x, t, gt)
    assert torch.autograd.gradcheck(fn, (s,))
    # the projection head is trained through the loss; the teacher gets no gradient
    t_grad = t.clone().requires_grad_(True)
    fn(s)
    loss(s, t_grad, gt).backward()
    assert t_grad.grad is None
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in loss.projector.parameters())


def test_memory_all_ignored_gives_zero_with_a_graph_and_enqueues_nothing():
    loss = memory_loss()
    before = {k: v.clone() for k, v in loss.state_dict().items() if 'queue' in k}
    s = torch.randn(2, 3, 2, 2, dtype=torch.float64, requires_grad=True)
    out = loss(s, torch.randn(2, 5, 2, 2, dtype=torch.float64), torch.full((2, 2, 2), 255))
    out.backward()
    assert out.item() == 0 and s.grad is not None
    for k, v in before.items():
        assert torch.equal(loss.state_dict()[k], v), k


def _same_rows(a, b):
    """Equal up to the order of the rows (a block is written in a random order)."""
    key = lambda m: m[torch.argsort(m[:, 1])]  # noqa: E731
    return torch.allclose(key(a), key(b))


def test_memory_queues_are_fifo_ring_buffers():
    loss = memory_loss(num_classes=2, teacher_channels=2, pixel_memory_size=5, region_memory_size=5,
                       pixel_contrast_size=2, region_contrast_size=2, pixel_update_freq=3)
    g = torch.Generator().manual_seed(0)
    entries = [F.normalize(torch.tensor([[1.0, float(k)]], dtype=torch.float64), dim=1) for k in range(7)]
    for e in entries:  # one 1×1 image per step, class 0
        loss.enqueue(e[:, :, None, None], torch.zeros(1, 1, 1, dtype=torch.long), g)
    expected = torch.cat([entries[5], entries[6], entries[2], entries[3], entries[4]])
    assert torch.allclose(loss.region_queue[0], expected) and torch.allclose(loss.pixel_queue[0], expected)
    assert loss.region_queue_ptr.tolist() == [2, 0] and loss.pixel_queue_ptr.tolist() == [2, 0]
    # a block of 3 pixels at slot 2 → slots 2, 3, 4; the next block of 3 wraps: 0, 1 and 2 again
    block = F.normalize(torch.tensor([[1.0, 10.0], [1.0, 20.0], [1.0, 30.0]], dtype=torch.float64), dim=1)
    loss.enqueue(block.t()[None, :, None, :], torch.zeros(1, 1, 3, dtype=torch.long), g)
    assert loss.pixel_queue_ptr[0] == 0
    assert _same_rows(loss.pixel_queue[0, 2:], block)
    assert torch.allclose(loss.pixel_queue[0, :2], expected[:2])  # the newest two are kept
    loss.enqueue(block.t()[None, :, None, :], torch.zeros(1, 1, 3, dtype=torch.long), g)
    assert loss.pixel_queue_ptr[0] == 3
    assert _same_rows(loss.pixel_queue[0, :3], block)
    # class 1 untouched
    assert loss.pixel_queue_ptr[1] == 0 and loss.region_queue_ptr[1] == 0


def test_memory_state_is_saved_and_restored_exactly():
    loss = memory_loss(seed=0)
    torch.manual_seed(8)
    s, t = torch.randn(2, 3, 4, 4, dtype=torch.float64), torch.randn(2, 5, 4, 4, dtype=torch.float64)
    gt = labels_with_ignored()
    loss(s, t, gt)
    state = loss.state_dict()
    for key in ('pixel_queue', 'pixel_queue_ptr', 'region_queue', 'region_queue_ptr', 'rng_state'):
        assert key in state, key
    resumed = memory_loss(seed=123)  # other initial memory and RNG seed
    assert not torch.equal(resumed.pixel_queue, loss.pixel_queue)
    resumed.load_state_dict(state)
    for _ in range(2):  # the resumed copy continues exactly: same draws, same memory, same values
        a, b = loss(s, t, gt), resumed(s, t, gt)
        assert a.item() == b.item()
        for key, value in loss.state_dict().items():
            assert torch.equal(value, resumed.state_dict()[key]), key
    # a checkpoint round trip through torch.save keeps it too
    import io
    buf = io.BytesIO()
    torch.save(loss.state_dict(), buf)
    buf.seek(0)
    again = memory_loss(seed=5)
    again.load_state_dict(torch.load(buf))
    assert loss(s, t, gt).item() == again(s, t, gt).item()


def test_memory_eval_mode_does_not_update_the_memory():
    loss = memory_loss()
    loss.eval()
    before = loss.pixel_queue.clone()
    loss(torch.randn(2, 3, 2, 2, dtype=torch.float64), torch.randn(2, 5, 2, 2, dtype=torch.float64),
         torch.zeros(2, 2, 2, dtype=torch.long))
    assert torch.equal(loss.pixel_queue, before) and loss.pixel_queue_ptr.sum() == 0


# --------------------------------------------------------------- several ranks
WORKER = '''
import os
import torch
import torch.distributed as dist


def run(rank, world_size, init_file, out_dir):
    import mmkdseg  # noqa: F401
    from mmkdseg.models.losses import CIRKDMemoryLoss
    dist.init_process_group('gloo', init_method='file://' + init_file, rank=rank, world_size=world_size)
    try:
        torch.manual_seed(100 + rank)  # different initial memory and RNG seed on each rank
        loss = CIRKDMemoryLoss(num_classes=3, student_channels=2, teacher_channels=4, pixel_memory_size=8,
                               region_memory_size=4, pixel_contrast_size=3, region_contrast_size=3,
                               pixel_update_freq=2)
        # rank r: its teacher embeddings are e_r everywhere, its labels are class r (one image of 2x2);
        # rank 1 has a 2x3 map (the gather pads and crops)
        w = 2 + rank
        t = torch.zeros(1, 4, 2, w)
        t[:, rank] = 1.0
        s = torch.randn(1, 2, 2, w)
        gt = torch.full((1, 2, w), rank, dtype=torch.long)
        value = loss(s, t, gt)
        torch.save(dict(state=loss.state_dict(), value=float(value)), os.path.join(out_dir, f'rank{rank}.pt'))
    finally:
        dist.destroy_process_group()
'''


@pytest.mark.distributed
def test_memory_gather_gives_identical_banks_on_every_rank(tmp_path):
    import torch.multiprocessing as mp
    (tmp_path / 'cirkd_gather_worker.py').write_text(textwrap.dedent(WORKER))
    sys.path.insert(0, str(tmp_path))
    try:
        worker = importlib.import_module('cirkd_gather_worker')
        mp.spawn(worker.run, args=(2, str(tmp_path / 'pg'), str(tmp_path)), nprocs=2, join=True)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop('cirkd_gather_worker', None)
    r0, r1 = (torch.load(tmp_path / f'rank{r}.pt') for r in range(2))
    for key, value in r0['state'].items():
        if key.startswith('projector'):
            continue  # trained parameters: the gradient all-reduce (DDP) keeps those equal, not the loss
        assert torch.equal(value, r1['state'][key]), key
    state = r0['state']
    e = torch.eye(4)
    # both ranks' regions (class 0 from rank 0, class 1 from rank 1) and pixels are in both banks
    assert state['region_queue_ptr'].tolist() == [1, 1, 0]
    assert torch.allclose(state['region_queue'][0, 0], e[0]) and torch.allclose(state['region_queue'][1, 0], e[1])
    assert state['pixel_queue_ptr'].tolist() == [2, 2, 0]
    assert torch.allclose(state['pixel_queue'][0, :2], e[0].expand(2, 4))
    assert torch.allclose(state['pixel_queue'][1, :2], e[1].expand(2, 4))


# ------------------------------------------------------------- in the algorithm
def test_syntex_config_wires_the_losses_and_checkpoints_the_memory(repo_root):
    import os.path as osp

    from mmengine.config import Config
    from mmengine.registry import MODELS as ENGINE_MODELS
    from mmengine.registry import DefaultScope
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample

    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'cirkd',
                                   'cirkd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'))
    cfg.model.teacher_ckpt = None
    cfg.model.load_pretrained = False
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = ENGINE_MODELS.build(cfg.model)
    memory = model.distiller.distill_losses['loss_memory']
    assert isinstance(memory, CIRKDMemoryLoss) and memory.pixel_queue.shape == (7, 2500, 64)
    prefix = 'distiller.distill_losses.loss_memory.'
    keys = set(model.state_dict().keys())
    for name in ('pixel_queue', 'pixel_queue_ptr', 'region_queue', 'region_queue_ptr', 'rng_state',
                 'projector.0.weight'):
        assert prefix + name in keys, name
    # the projection head is trained with the student (it is among the parameters that require grad)
    assert memory.projector[0].weight.requires_grad
    model.train()
    samples = []
    for _ in range(2):
        sample = SegDataSample()
        sample.gt_sem_seg = PixelData(data=torch.randint(0, 7, (1, 96, 96)))
        sample.set_metainfo(dict(img_shape=(96, 96), pad_shape=(96, 96), ori_shape=(96, 96)))
        samples.append(sample)
    losses = model.loss(torch.randn(2, 3, 96, 96), samples)
    for name in ('distill.loss_kd', 'distill.loss_minibatch', 'distill.loss_memory'):
        assert torch.isfinite(losses[name]) and losses[name].item() > 0, name
    # 12x12 features, 2 images, every class present in each: one region per class and image
    assert memory.region_queue_ptr.tolist() == [2] * 7
    assert memory.pixel_queue_ptr.tolist() == [8] * 7
