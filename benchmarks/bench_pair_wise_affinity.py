"""Pair-wise affinity loss: exact Gram form vs the naive N×N form — time and peak memory, side by side.

    python benchmarks/bench_pair_wise_affinity.py [--reps 5]

Setting (SKD's pair-wise term without pooling, every feature position a node): batch 2, 128 student and
512 teacher channels, float32 features, the student's requiring grad.

1. **64×128 nodes** (1/8 of a 512×1024 Cityscapes crop, N = 8192): forward + backward of
   ``PairWiseAffinityLoss(method='gram')`` and ``method='naive'``; printed: median time of each (the two
   forms alternate in one process, after one warm-up each), peak extra memory of each, and the ratios
   naive / gram.
2. **128×256 nodes** (1/8 of a full 1024×2048 frame, N = 32768): the Gram form's time and peak extra
   memory. The naive form is *not* run: its three B×N×N float32 matrices (student and teacher affinities
   and their difference, before any backward buffer) are computed from the shape and compared with the
   machine's total memory.

Peak memory: every measurement runs in a **fresh subprocess**, which builds the inputs, then resets the
kernel's peak-RSS counter (writing ``5`` to ``/proc/self/clear_refs`` sets ``VmHWM`` to the current RSS),
reads ``VmRSS``, runs one forward + backward and reads ``VmHWM`` again (after one tiny warm-up call, so
that one-off library initialisation is not counted): extra = ``VmHWM`` − ``VmRSS``
before the computation, i.e. everything the computation itself allocated at its peak (affinity or Gram
matrices, float64 copies, saved tensors, gradients), excluding the inputs, the interpreter and torch.
A fresh process keeps the allocator's cached pages of earlier runs out of the figure. (Where
``clear_refs`` is not writable, the script falls back to ``ru_maxrss`` minus the RSS before, which is
valid because the inputs are allocated last and the computation's peak is far above the import peak.)
Threads: torch's default (the machine's cores); run it alone (``flock /tmp/mmkdseg_cpu.lock ...``).
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
BATCH, K_S, K_T = 2, 128, 512


def _inputs(h: int, w: int):
    import torch
    torch.manual_seed(0)
    s = torch.randn(BATCH, K_S, h, w).relu_().requires_grad_(True)  # post-ReLU features, like a network's
    t = torch.randn(BATCH, K_T, h, w).relu_()
    return s, t


def _step(loss_fn, s, t):
    loss = loss_fn(s, t)
    loss.backward()
    s.grad = None
    return loss.item()


def worker(method: str, h: int, w: int) -> None:
    """Measure one forward + backward in this (fresh) process; print a JSON line."""
    sys.path.insert(0, REPO)
    import resource

    from mmkdseg.models.losses import PairWiseAffinityLoss
    loss_fn = PairWiseAffinityLoss(scale=None, patch_size=1, method=method)
    _step(loss_fn, *_inputs(4, 4))  # one-off library initialisation (BLAS, autograd) is not the method's
    s, t = _inputs(h, w)
    how = 'VmHWM' if reset_peak() else 'ru_maxrss'
    before = status('VmRSS')
    start = time.perf_counter()
    value = _step(loss_fn, s, t)
    seconds = time.perf_counter() - start
    peak = status('VmHWM') if how == 'VmHWM' else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(dict(method=method, extra_bytes=peak - before, seconds=seconds, loss=value, how=how)))


def measure_memory(method: str, h: int, w: int) -> dict:
    out = subprocess.run([sys.executable, __file__, '--worker', method, str(h), str(w)], capture_output=True,
                         text=True, check=True, env=dict(os.environ, PYTHONPATH=REPO))
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_time(h: int, w: int, reps: int) -> dict:
    """Median forward+backward seconds of both forms, alternating in this process."""
    sys.path.insert(0, REPO)
    from mmkdseg.models.losses import PairWiseAffinityLoss
    s, t = _inputs(h, w)
    fns = {m: PairWiseAffinityLoss(scale=None, patch_size=1, method=m) for m in ('gram', 'naive')}
    values = {m: _step(fn, s, t) for m, fn in fns.items()}  # warm-up
    times = {m: [] for m in fns}
    for i in range(reps):
        for m in (('gram', 'naive') if i % 2 == 0 else ('naive', 'gram')):
            start = time.perf_counter()
            _step(fns[m], s, t)
            times[m].append(time.perf_counter() - start)
    return dict(median={m: statistics.median(v) for m, v in times.items()}, values=values)


def gib(n: float) -> str:
    return f'{n / 2**30:.3f} GiB'


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--worker', nargs=3, metavar=('METHOD', 'H', 'W'))
    args = p.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), int(args.worker[2]))
        return
    import torch
    print(f'PairWiseAffinityLoss, batch {BATCH}, {K_S} student / {K_T} teacher channels, unpooled, '
          f'forward + backward, {torch.get_num_threads()} threads')
    h, w = 64, 128
    tm = measure_time(h, w, args.reps)
    mem = {m: measure_memory(m, h, w) for m in ('gram', 'naive')}
    rel = abs(tm['values']['gram'] - tm['values']['naive']) / abs(tm['values']['naive'])
    print(f'\n[1] {h}x{w} nodes (N = {h * w}), median of {args.reps} (alternating), memory method '
          f'{mem["gram"]["how"]} in fresh subprocesses')
    for m in ('naive', 'gram'):
        print(f'  {m:5s}: {tm["median"][m] * 1000:9.1f} ms   peak extra memory '
              f'{gib(mem[m]["extra_bytes"])}   loss {tm["values"][m]:.8f}')
    print(f'  speed-up naive/gram = {tm["median"]["naive"] / tm["median"]["gram"]:.1f}x   '
          f'memory ratio naive/gram = {mem["naive"]["extra_bytes"] / mem["gram"]["extra_bytes"]:.1f}x   '
          f'relative difference of the values {rel:.1e}')
    h, w = 128, 256
    big = measure_memory('gram', h, w)
    n = h * w
    naive_need = 3 * BATCH * n * n * 4
    total = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES')
    print(f'\n[2] {h}x{w} nodes (N = {n}, 1/8 of a 1024x2048 frame)')
    print(f'  gram : {big["seconds"] * 1000:9.1f} ms   peak extra memory {gib(big["extra_bytes"])} '
          f'(limit 1 GiB: {"met" if big["extra_bytes"] <= 2**30 else "NOT met"})')
    print(f'  naive: not run - its affinity matrices alone need 3 x {BATCH} x {n}^2 x 4 B = '
          f'{gib(naive_need)} > this machine\'s {gib(total)} of memory')


if __name__ == '__main__':
    main()
