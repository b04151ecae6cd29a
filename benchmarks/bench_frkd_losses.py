"""Cost of FRKD's parts at paper-size logits: the refine mask, each loss, and the mask computed once vs per loss.

    python benchmarks/bench_frkd_losses.py [--batch 2] [--classes 19] [--size 128 256] [--repeats 15]

Random logits of the size DeepLabV3+ produces on a 512×1024 Cityscapes crop (1/4 resolution: 128×256,
19 classes). Everything is timed alternately in one run (forward + backward of the student logits), so
machine noise affects all alike; printed are median milliseconds and ratios to plain pixel KD:

* the refine mask alone (FeatureRefineConnector, threshold and keep-ratio rules);
* each FRKD loss, and the four losses of the full method with one shared mask (what the configs do:
  the connector memoises the mask for the step) vs a mask recomputed for each loss.
"""
import argparse
import os.path as osp
import statistics
import sys
import time

import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

import mmkdseg  # noqa: E402,F401
from mmkdseg.models.connectors import FeatureRefineConnector  # noqa: E402
from mmkdseg.models.losses import (FRKDInterClassLoss, FRKDIntraClassLoss, FRKDSimilarityLoss,  # noqa: E402
                                   PixelWiseKDLoss, RefinedPixelWiseKDLoss)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--batch', type=int, default=2)
    p.add_argument('--classes', type=int, default=19)
    p.add_argument('--size', type=int, nargs=2, default=(128, 256))
    p.add_argument('--repeats', type=int, default=15)
    args = p.parse_args()
    torch.manual_seed(0)
    b, c, (h, w) = args.batch, args.classes, args.size
    s = torch.randn(b, c, h, w, requires_grad=True)
    t = torch.randn(b, c, h, w) * 3
    gt = torch.randint(0, c, (b, h * 4, w * 4))
    gt[:, :16] = 255
    conn_t = FeatureRefineConnector(threshold=0.8)
    conn_k = FeatureRefineConnector(keep_ratio=0.8)
    kd, rkd = PixelWiseKDLoss(loss_weight=10.0), RefinedPixelWiseKDLoss(loss_weight=10.0)
    inter, intra = FRKDInterClassLoss(loss_weight=0.4), FRKDIntraClassLoss(loss_weight=0.4)
    sim, sim_pix = FRKDSimilarityLoss(), FRKDSimilarityLoss(level='pixel')
    full = (rkd, inter, intra, sim)

    def fresh_t():
        return t.clone()  # a new tensor each step, as the recorder gives

    def step(fn):
        tt = fresh_t()
        start = time.perf_counter()
        loss = fn(tt)
        if loss is not None and loss.requires_grad:
            loss.backward()
        s.grad = None
        return time.perf_counter() - start

    cases = {
        'pixel KD (reference)': lambda tt: kd(s, tt, gt),
        'refine mask (threshold)': lambda tt: conn_t(tt),
        'refine mask (keep_ratio)': lambda tt: conn_k(tt),
        'refined pixel KD': lambda tt: rkd(s, tt, gt, conn_t(tt)),
        'inter-class': lambda tt: inter(s, tt, gt, conn_t(tt)),
        'intra-class': lambda tt: intra(s, tt, gt, conn_t(tt)),
        'similarity (class)': lambda tt: sim(s, tt, gt, conn_t(tt)),
        'similarity (pixel, Gram)': lambda tt: sim_pix(s, tt, gt, conn_t(tt)),
        'full, mask once (memo)': lambda tt: sum(loss(s, tt, gt, conn_t(tt)) for loss in full),
        'full, mask per loss': lambda tt: sum(
            loss(s, tt, gt, FeatureRefineConnector(threshold=0.8)(tt)) for loss in full),
    }
    times = {k: [] for k in cases}
    for name, fn in cases.items():  # warm-up
        step(fn)
    for _ in range(args.repeats):
        for name, fn in cases.items():
            times[name].append(step(fn))
    ref = statistics.median(times['pixel KD (reference)'])
    print(f'logits ({b}, {c}, {h}, {w}), {args.repeats} repeats, torch threads {torch.get_num_threads()}')
    print('| part | median ms (forward + backward) | × pixel KD |\n|---|---|---|')
    for name in cases:
        m = statistics.median(times[name])
        print(f'| {name} | {1000 * m:.1f} | {m / ref:.2f} |')


if __name__ == '__main__':
    main()
