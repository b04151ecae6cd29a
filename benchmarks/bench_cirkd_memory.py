"""CIRKD's relation losses at the paper's crop: peak memory and time, side by side with the naive forms.

    python benchmarks/bench_cirkd_memory.py [--reps 3]

Setting: the CIRKD Cityscapes protocol per process — batch 2, 512×1024 crops, decoder features at 1/8
(64×128 = 8192 pixels per image), 128 student and 512 teacher channels, 19 classes, float32, the student's
features requiring grad; labels at 512×1024 with 5 % ignored pixels. Measured, forward + backward:

1. ``CIRKDMiniBatchLoss`` (every pixel of every image against every pixel of every image):
   * ``pairs`` — ours: the B² image pairs one at a time (the authors' loop), no pooling (their default);
   * ``naive`` — the same loss as one (B·N) × (B·N) similarity matrix, written in this script;
   * ``pooled`` — ours with ``pooling=True`` (2×2 average pooling first, the authors' memory option).
2. ``CIRKDMemoryLoss`` with the authors' sizes (memories of 20000 pixels / 2000 regions per class, contrast
   sets of 4096 / 1024): the sampled form (ours, the authors'); its memories' size as training state; the
   naive form (every anchor against the whole memory) is not run: its sizes are computed from the shape.

Peak memory: every measurement runs in a **fresh subprocess**, which builds the loss and the inputs, runs one
tiny warm-up, resets the kernel's peak-RSS counter (``5`` into ``/proc/self/clear_refs``), reads ``VmRSS``,
runs one forward + backward and reads ``VmHWM``: extra = ``VmHWM`` − ``VmRSS`` before, i.e. what the
computation itself allocated at its peak, excluding the inputs and the memories (which exist before the step).
Times: median of ``--reps`` alternating runs in one process. Run it alone (``flock /tmp/mmkdseg_cpu.lock ...``).
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from peak_memory import reset_peak, status  # noqa: E402
BATCH, C_S, C_T, CLASSES, H, W, STRIDE = 2, 128, 512, 19, 512, 1024, 8
TAU = 0.1
MEMORY = dict(num_classes=CLASSES, student_channels=C_S, teacher_channels=C_T, pixel_memory_size=20000,
              region_memory_size=2000, pixel_contrast_size=4096, region_contrast_size=1024, pixel_update_freq=16)


def _inputs(h: int, w: int):
    """Student (B, 128, h, w) with grad, teacher (B, 512, h, w), labels (B, 8h, 8w)."""
    import torch
    g = torch.Generator().manual_seed(0)
    s = torch.randn(BATCH, C_S, h, w, generator=g).relu_().requires_grad_(True)
    t = torch.randn(BATCH, C_T, h, w, generator=g).relu_()
    labels = torch.randint(0, CLASSES, (BATCH, h * STRIDE, w * STRIDE), generator=g)
    labels[torch.rand(labels.shape, generator=g) < 0.05] = 255
    return s, t, labels


def naive_minibatch(s, t):
    """The mini-batch relation loss as one (B·N) × (B·N) matrix: rows (i, n), softmax over j's N columns."""
    import torch
    import torch.nn.functional as F
    b, n = s.shape[0], s.shape[2] * s.shape[3]
    fs = F.normalize(s, p=2, dim=1).flatten(2).transpose(1, 2).reshape(b * n, -1)
    ft = F.normalize(t, p=2, dim=1).flatten(2).transpose(1, 2).reshape(b * n, -1)
    log_p_S = F.log_softmax((fs @ fs.t() / TAU).view(b * n, b, n), dim=2)
    with torch.no_grad():
        log_p_T = F.log_softmax((ft @ ft.t() / TAU).view(b * n, b, n), dim=2)
    return (log_p_T.exp() * (log_p_T - log_p_S)).sum() / (n * b * b)


def _loss_fn(form: str):
    sys.path.insert(0, REPO)
    from mmkdseg.models.losses import CIRKDMemoryLoss, CIRKDMiniBatchLoss
    if form == 'naive':
        return lambda s, t, labels: naive_minibatch(s, t)
    if form in ('pairs', 'pooled'):
        loss = CIRKDMiniBatchLoss(temperature=TAU, pooling=form == 'pooled')
        return lambda s, t, labels: loss(s, t)
    return CIRKDMemoryLoss(**MEMORY).train()


def _step(fn, s, t, labels) -> float:
    value = fn(s, t, labels)
    value.backward()
    s.grad = None
    return value.item()


def worker(form: str) -> None:
    """Measure one forward + backward of ``form`` in this (fresh) process; print a JSON line."""
    fn = _loss_fn(form)
    _step(fn, *_inputs(4, 8))  # one-off library initialisation is not the method's
    s, t, labels = _inputs(H // STRIDE, W // STRIDE)
    if not reset_peak():
        raise SystemExit('bench_cirkd_memory.py needs a writable /proc/self/clear_refs (Linux)')
    before = status('VmRSS')
    start = time.perf_counter()
    value = _step(fn, s, t, labels)
    seconds = time.perf_counter() - start
    state = sum(b.numel() * b.element_size() for b in fn.buffers()) if form == 'memory' else 0
    print(json.dumps(dict(form=form, extra_bytes=status('VmHWM') - before, seconds=seconds, loss=value,
                          state_bytes=state)))


def measure_memory(form: str) -> dict:
    out = subprocess.run([sys.executable, __file__, '--worker', form], capture_output=True, text=True,
                         check=True, env=dict(os.environ, PYTHONPATH=REPO))
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_time(forms, reps: int) -> dict:
    """Median forward + backward seconds of ``forms`` (same channels), alternating in this process."""
    fns = {f: _loss_fn(f) for f in forms}
    inputs = _inputs(H // STRIDE, W // STRIDE)
    values = {f: _step(fn, *inputs) for f, fn in fns.items()}  # warm-up
    times = {f: [] for f in forms}
    for i in range(reps):
        for f in (forms if i % 2 == 0 else forms[::-1]):
            start = time.perf_counter()
            _step(fns[f], *inputs)
            times[f].append(time.perf_counter() - start)
    return dict(median={f: statistics.median(v) for f, v in times.items()}, values=values)


def gib(n: float) -> str:
    return f'{n / 2**30:.3f} GiB'


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--worker', metavar='FORM')
    args = p.parse_args()
    if args.worker:
        worker(args.worker)
        return
    import torch
    n = (H // STRIDE) * (W // STRIDE)
    print(f'CIRKD relation losses, {H}x{W} crops, batch {BATCH} per process, features at 1/{STRIDE} '
          f'(N = {n} pixels per image), {C_S} student / {C_T} teacher channels, {CLASSES} classes, float32, '
          f'forward + backward, {torch.get_num_threads()} threads; memory: VmHWM in fresh subprocesses')

    forms = ('pairs', 'naive', 'pooled')
    tm = measure_time(forms, args.reps)
    mem = {f: measure_memory(f) for f in forms}
    rel = abs(tm['values']['pairs'] - tm['values']['naive']) / abs(tm['values']['naive'])
    print(f'\n[1] CIRKDMiniBatchLoss (mini-batch pixel-to-pixel), median of {args.reps} (alternating)')
    for f in forms:
        print(f'  {f:6s}: {tm["median"][f] * 1000:9.1f} ms   peak extra memory {gib(mem[f]["extra_bytes"])}   '
              f'loss {tm["values"][f]:.8f}')
    print(f'  memory ratio naive/pairs = {mem["naive"]["extra_bytes"] / mem["pairs"]["extra_bytes"]:.2f}x   '
          f'pairs/pooled = {mem["pairs"]["extra_bytes"] / mem["pooled"]["extra_bytes"]:.1f}x   '
          f'time naive/pairs = {tm["median"]["naive"] / tm["median"]["pairs"]:.2f}x   '
          f'relative difference pairs vs naive {rel:.1e}')
    sim = BATCH**2 * n * n * 4
    print(f'  (one float32 similarity matrix over the batch: B^2 N^2 x 4 B = {gib(sim)}; pooled: {gib(sim / 16)})')

    tm = measure_time(('memory',), args.reps)
    mem = measure_memory('memory')
    anchors = BATCH * n
    print(f'\n[2] CIRKDMemoryLoss (memory pixel-to-pixel + pixel-to-region, authors\' sizes), median of '
          f'{args.reps}')
    print(f'  sampled: {tm["median"]["memory"] * 1000:9.1f} ms   peak extra memory {gib(mem["extra_bytes"])}   '
          f'loss {tm["values"]["memory"]:.8f}')
    print(f'  training state (queues + pointers + RNG, in every checkpoint and on every rank): '
          f'{gib(mem["state_bytes"])}')
    full = anchors * CLASSES * (MEMORY['pixel_memory_size'] + MEMORY['region_memory_size']) * 4
    sampled = anchors * (CLASSES * (MEMORY['pixel_contrast_size'] // CLASSES + 1
                                    + MEMORY['region_contrast_size'] // CLASSES + 1)) * 4
    total = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES')
    print(f'  naive (every anchor against the whole memory): not run - one anchors x entries similarity '
          f'matrix is {anchors} x {CLASSES * (MEMORY["pixel_memory_size"] + MEMORY["region_memory_size"])} x 4 B '
          f'= {gib(full)} (the sampled one: {gib(sampled)}, {full / sampled:.0f}x less); this machine has '
          f'{gib(total)}')


if __name__ == '__main__':
    main()
