"""When each benchmark run's student leaves the initial plateau of its cross-entropy loss.

    python benchmarks/loss_plateau.py work_dirs/benchmark/<run dir> [<run dir> ...] [--below 1.1] [--points 3]
        [--seeds 0 1 2 3 4]

A student that starts from a pretext-pretrained backbone and a random head first predicts the class priors:
its logged cross-entropy sits on a plateau (about 1.3 on SynTex, 7 classes) until it starts to separate the
textures. This reads the scalars mmengine logged for every ``seed*`` folder of each run directory (every
``<timestamp>/vis_data/scalars.json``; a resumed run has several, later entries win) and prints, per seed, the
first logged iteration from which the student's cross-entropy (the key ending in ``decode.loss_ce``) stays below
``--below`` for ``--points`` consecutive log points ("never" if it does not), the mean of its last 4 logged
values, and the run's mIoU from ``benchmark_run.json`` where the benchmark wrote one. It is a diagnostic of
training dynamics from the logs of runs already made: it trains nothing.
"""
import argparse
import glob
import json
import os.path as osp


def read_scalars(seed_dir):
    """``{iter: scalars}`` of one run, merged over its (resumed) sessions in time order."""
    by_iter = {}
    for path in sorted(glob.glob(osp.join(seed_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                if 'iter' in entry and any(k.endswith('decode.loss_ce') for k in entry):
                    by_iter[entry['iter']] = entry
    return dict(sorted(by_iter.items()))


def escape_iteration(scalars, below, points):
    """First logged iteration from which the CE loss stays below ``below`` for ``points`` log points, or None."""
    iters = list(scalars)
    ce = [next(v for k, v in scalars[i].items() if k.endswith('decode.loss_ce')) for i in iters]
    for k in range(len(ce) - points + 1):
        if all(c < below for c in ce[k:k + points]):
            return iters[k]
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('runs', nargs='+', help='run directories holding seed* folders')
    parser.add_argument('--below', type=float, default=1.1, help='CE loss level that counts as left the plateau')
    parser.add_argument('--points', type=int, default=3, help='consecutive log points below that level')
    parser.add_argument('--seeds', type=int, nargs='+', help='only these seeds (default: every seed folder)')
    args = parser.parse_args(argv)
    print(f'| run | seed | left the plateau (CE < {args.below} for {args.points} log points) | final CE | mIoU |')
    print('|---|---|---|---|---|')
    for run in args.runs:
        seed_dirs = sorted(glob.glob(osp.join(run, 'seed*')), key=lambda d: int(osp.basename(d)[4:]))
        for seed_dir in seed_dirs:
            if args.seeds and int(osp.basename(seed_dir)[4:]) not in args.seeds:
                continue
            scalars = read_scalars(seed_dir)
            if not scalars:
                continue
            it = escape_iteration(scalars, args.below, args.points)
            ce = [next(v for k, v in s.items() if k.endswith('decode.loss_ce')) for s in scalars.values()][-4:]
            miou = ''
            record = osp.join(seed_dir, 'benchmark_run.json')
            if osp.isfile(record):
                with open(record) as f:
                    miou = f"{json.load(f)['mIoU']:.2f}"
            print(f'| {osp.basename(osp.normpath(run))} | {osp.basename(seed_dir)[4:]} | '
                  f'{"never" if it is None else it} | {sum(ce) / len(ce):.3f} | {miou} |')


if __name__ == '__main__':
    main()
