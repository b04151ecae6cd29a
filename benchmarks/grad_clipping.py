"""How much gradient clipping shrinks the student's steps in benchmark runs, read from the norms mmengine logged.

    python benchmarks/grad_clipping.py work_dirs/benchmark/<run dir> [<run dir> ...] [--max-norm 2]
        [--seeds 0 1 2 3 4]

An ``OptimWrapper`` with ``clip_grad=dict(max_norm=m)`` logs ``grad_norm``: the total norm g of the student's
gradients *before* clipping (the value ``torch.nn.utils.clip_grad_norm_`` returns), averaged by the logger over
the iterations of each log point. Every step with g > m is scaled by m / g, so a distiller whose loss makes g
larger than m takes steps of norm m however large the loss is, and the share of each loss term in the step shrinks
by the same factor. In an ``OptimWrapperDict`` (SKD's critic) only the wrapper that clips logs a norm.

Prints one row per run directory, over its ``seed*`` folders (resumed sessions merged, later entries win): the
median logged norm in three phases of training (iterations 1-200, 201-1000, after 1000), the share of log points
above ``--max-norm``, the median scale min(1, m / g) over all log points (a scale computed from a 50-iteration mean
norm: an approximation of the mean per-step scale), and the mean mIoU of the runs' ``benchmark_run.json``. A
diagnostic of runs already made: it trains nothing.
"""
import argparse
import glob
import json
import os.path as osp
import statistics

PHASES = ((0, 200), (200, 1000), (1000, None))


def read_grad_norms(seed_dir):
    """``{iter: grad_norm}`` of one run, merged over its (resumed) sessions in time order."""
    norms = {}
    for path in sorted(glob.glob(osp.join(seed_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                if 'iter' in entry and 'grad_norm' in entry:
                    norms[entry['iter']] = entry['grad_norm']
    return dict(sorted(norms.items()))


def summarise(norms_per_seed, max_norm):
    """Median norm per phase, share of log points above ``max_norm`` and the median step scale, over seeds."""
    values = [(it, g) for norms in norms_per_seed for it, g in norms.items()]
    if not values:
        return None
    phases = []
    for lo, hi in PHASES:
        phase = [g for it, g in values if it > lo and (hi is None or it <= hi)]
        phases.append(statistics.median(phase) if phase else None)
    clipped = sum(g > max_norm for _, g in values) / len(values)
    scale = statistics.median(min(1.0, max_norm / g) if g > 0 else 1.0 for _, g in values)
    return dict(phases=phases, clipped=clipped, scale=scale)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('runs', nargs='+', help='run directories holding seed* folders')
    parser.add_argument('--max-norm', type=float, default=2.0, help="the runs' clip_grad max_norm (protocol: 2)")
    parser.add_argument('--seeds', type=int, nargs='+', help='only these seeds (default: every seed folder)')
    args = parser.parse_args(argv)
    print(f'| run | seeds | grad norm, it. 1-200 | 201-1000 | after 1000 | log points > {args.max_norm:g} | '
          'median step scale | mIoU (mean) |')
    print('|---|---|---|---|---|---|---|---|')
    for run in args.runs:
        seed_dirs = sorted(glob.glob(osp.join(run, 'seed*')), key=lambda d: int(osp.basename(d)[4:]))
        if args.seeds:
            seed_dirs = [d for d in seed_dirs if int(osp.basename(d)[4:]) in args.seeds]
        norms, mious = [], []
        for seed_dir in seed_dirs:
            seed_norms = read_grad_norms(seed_dir)
            if not seed_norms:
                continue
            norms.append(seed_norms)
            record = osp.join(seed_dir, 'benchmark_run.json')
            if osp.isfile(record):
                with open(record) as f:
                    mious.append(json.load(f)['mIoU'])
        summary = summarise(norms, args.max_norm)
        if summary is None:
            continue
        phases = ' | '.join('' if p is None else f'{p:.2f}' for p in summary['phases'])
        miou = f'{sum(mious) / len(mious):.2f}' if mious else ''
        print(f'| {osp.basename(osp.normpath(run))} | {len(norms)} | {phases} | {summary["clipped"]:.0%} | '
              f'{summary["scale"]:.2f} | {miou} |')


if __name__ == '__main__':
    main()
