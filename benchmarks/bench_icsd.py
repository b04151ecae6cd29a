"""ICSD loss, forward + backward: mmkdseg's ICSDLoss (one batched matrix product) vs a per-pair loop.

    python benchmarks/bench_icsd.py [--classes 19] [--height 64] [--width 128] [--batch 8] [--steps 30]

The per-pair loop computes the same matrix ``M_ij = KL(P_i ‖ P_j)`` one class pair at a time (the
log-softmax is computed once and shared, the loop only covers the pairs — the way the method is
usually written down). Both get identical random student/teacher logits; forward + backward is timed
alternately, so machine noise affects both alike. Printed: median milliseconds of each, their ratio,
and the largest difference of the two losses and gradients (they must agree).
"""
import argparse
import os.path as osp
import statistics
import sys
import time

import torch
import torch.nn.functional as F

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

from mmkdseg.models.losses import ICSDLoss  # noqa: E402


def kl_matrix_per_pair(logits: torch.Tensor, tau: float) -> torch.Tensor:
    """(B, C, h, w) -> (B, C, C), one KL(P_i || P_j) at a time."""
    log_p = F.log_softmax(logits.flatten(2) / tau, dim=2)
    c = logits.shape[1]
    rows = []
    for i in range(c):
        p_i = log_p[:, i].exp()
        rows.append(torch.stack([(p_i * (log_p[:, i] - log_p[:, j])).sum(-1) for j in range(c)], dim=-1))
    return torch.stack(rows, dim=1)


def icsd_per_pair(preds_S: torch.Tensor, preds_T: torch.Tensor, tau: float = 1.0) -> torch.Tensor:
    m_S = F.normalize(kl_matrix_per_pair(preds_S, tau), dim=2)
    m_T = F.normalize(kl_matrix_per_pair(preds_T.detach(), tau), dim=2)
    return F.mse_loss(m_S, m_T)


def timed(fn, s, t):
    s = s.detach().requires_grad_(True)
    start = time.perf_counter()
    loss = fn(s, t)
    loss.backward()
    return time.perf_counter() - start, loss.detach(), s.grad


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--classes', type=int, default=19)
    p.add_argument('--height', type=int, default=64)
    p.add_argument('--width', type=int, default=128)
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--steps', type=int, default=30)
    args = p.parse_args()
    torch.manual_seed(0)
    shape = (args.batch, args.classes, args.height, args.width)
    s, t = torch.randn(shape) * 3, torch.randn(shape) * 3
    ours = ICSDLoss()
    fns = {'ICSDLoss (batched)': ours, 'per-pair loop': icsd_per_pair}
    times = {name: [] for name in fns}
    results = {}
    for i in range(args.steps + 2):
        names = list(fns) if i % 2 == 0 else list(reversed(fns))
        for name in names:
            dt, loss, grad = timed(fns[name], s, t)
            results[name] = (loss, grad)
            if i >= 2:  # warm-up
                times[name].append(dt)
    (l1, g1), (l2, g2) = results.values()
    med = {name: statistics.median(v) for name, v in times.items()}
    a, b = med['ICSDLoss (batched)'], med['per-pair loop']
    print(f'logits {shape} (B, C, h, w), forward + backward, {args.steps} runs each, '
          f'{torch.get_num_threads()} threads')
    print(f'per-pair loop:      {b * 1000:8.2f} ms (median)')
    print(f'ICSDLoss (batched): {a * 1000:8.2f} ms (median)')
    print(f'speed-up per-pair / batched = {b / a:.1f}x')
    print(f'max |loss difference| = {abs(l1 - l2).item():.2e}, max |gradient difference| = '
          f'{(g1 - g2).abs().max().item():.2e}')


if __name__ == '__main__':
    main()
