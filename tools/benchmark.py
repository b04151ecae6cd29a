"""Benchmark configs × seeds: train each (sequentially), collect validation metrics, write a table.

    python tools/benchmark.py SUITE.py [--seeds 0 1 2] [--work-dir work_dirs/benchmark/NAME]
                              [--out benchmarks/results/NAME] [--cfg-options k=v ...] [--rerun]

A suite file (see ``benchmarks/suites/``) is a Python file that defines::

    name = 'kd_syntex'                      # used for default work/out dirs
    baseline = 'student'                    # the label the Δ column is measured against
    runs = [                                # (label, config[, extra cfg-options])
        ('student', 'configs/syntex/pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py'),
        ('KD', 'configs/kd/kd_pspnet-r18w32_pspnet-r18w8_2k_syntex-96x96.py'),
    ]
    teacher = ('teacher', 'configs/...', 'checkpoints/...pth')   # optional: evaluated once, shown as a row

Instead of a suite, ``--configs A.py B.py [--labels a b] [--baseline a]`` works too.

For every (config, seed) it runs ``tools/train.py CONFIG --cfg-options randomness.seed=SEED`` in
``WORK_DIR/<config name>[+<options hash>]/seedSEED`` and reads the final validation of that run. Runs are
keyed by config, not by suite, so suites that share a config (the baseline student, say) share its runs.
A finished run is reused while the config's full text and options are unchanged (a fingerprint is
stored with it); otherwise, or with ``--rerun``, it is trained again. An interrupted run resumes. Runs are strictly sequential: two trainings on a small CPU
would slow each other down and distort the timings.

Outputs in ``--out``: ``results.md`` (mIoU mean ± std over seeds, Δ vs baseline, mAcc, s/iter = median
training-step time, training minutes, peak memory, per-seed mIoU), ``results.json`` (everything,
per seed and per class) and ``results.png`` (mIoU against training cost).
Peak memory is the peak resident set size of the training process on CPU, or the peak CUDA memory
mmengine logs when training on a GPU.
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import runpy
import statistics
import sys
import time
import warnings

warnings.filterwarnings('ignore', category=UserWarning)  # library deprecation notices; runs log in full

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

from mmkdseg.utils.run_utils import (RunError, last_checkpoint, run_logged, test_cmd,  # noqa: E402
                                     train_cmd, train_stats)


def parse_args():
    p = argparse.ArgumentParser(description='Benchmark distillation configs over seeds')
    p.add_argument('suite', nargs='?', help='suite file (see module docstring)')
    p.add_argument('--configs', nargs='+', help='configs (instead of a suite)')
    p.add_argument('--labels', nargs='+', help='labels of --configs (default: file names)')
    p.add_argument('--baseline', help='label of the baseline row (default: the first run)')
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    p.add_argument('--work-dir', default='work_dirs/benchmark', help='root of the run directories')
    p.add_argument('--out', help='default: benchmarks/results/<suite name>')
    p.add_argument('--cfg-options', nargs='+', default=[], help='extra key=value for every run')
    p.add_argument('--rerun', action='store_true', help='retrain even if a finished run exists')
    p.add_argument('--only', nargs='+', help='run only these labels (the table still lists every '
                   'finished run)')
    return p.parse_args()


def load_suite(args):
    if args.suite:
        suite = runpy.run_path(args.suite)
        runs = [tuple(r) for r in suite['runs']]
        name = suite.get('name', osp.splitext(osp.basename(args.suite))[0])
        baseline = suite.get('baseline', runs[0][0])
        teacher = suite.get('teacher')
        notes = suite.get('notes', '')
    elif args.configs:
        labels = args.labels or [osp.splitext(osp.basename(c))[0] for c in args.configs]
        if len(labels) != len(args.configs):
            raise SystemExit('--labels must name every config')
        runs = list(zip(labels, args.configs))
        name, baseline, teacher, notes = 'custom', labels[0], None, ''
    else:
        raise SystemExit('give a suite file or --configs')
    if args.baseline:
        baseline = args.baseline
    if baseline not in [r[0] for r in runs]:
        raise SystemExit(f'baseline {baseline!r} is not a run label ({[r[0] for r in runs]})')
    for run in runs:
        if not osp.isfile(osp.join(REPO, run[1])):
            raise SystemExit(f'config of {run[0]!r} not found: {run[1]}')
    return name, runs, baseline, teacher, notes


def fingerprint(config, options):
    """Hash of the config's full text (bases resolved) and the extra options of a run."""
    from mmengine.config import Config
    text = Config.fromfile(osp.join(REPO, config)).pretty_text + '\n'.join(options)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_dir(root, config, options):
    name = osp.splitext(osp.basename(config))[0]
    if options:
        name += '+' + hashlib.sha256(' '.join(options).encode()).hexdigest()[:8]
    return osp.join(root, name)


def finished(work_dir, fp=None):
    stats_file = osp.join(work_dir, 'benchmark_run.json')
    if osp.isfile(stats_file):
        with open(stats_file) as f:
            record = json.load(f)
        if fp is None or record.get('fingerprint') == fp:
            return record
    return None


def run_one(label, config, extra, seed, work_dir, cfg_options, rerun):
    options = list(extra) + list(cfg_options)
    fp = fingerprint(config, options)
    done = None if rerun else finished(work_dir, fp)
    if done is not None:
        print(f'  {label} seed {seed}: reusing finished run ({done["mIoU"]:.2f} mIoU)', flush=True)
        return dict(done, label=label)
    # a run is resumed only if it was started with this very config and options (fingerprint written
    # at its start); a finished or partial run of another config is started over
    started_fp = osp.join(work_dir, 'benchmark_started.txt')
    same = osp.isfile(started_fp) and open(started_fp).read().strip() == fp
    resume = last_checkpoint(work_dir) is not None and not rerun and same
    if not resume and osp.isdir(work_dir):
        import shutil
        shutil.rmtree(work_dir)
    os.makedirs(work_dir, exist_ok=True)
    with open(started_fp, 'w') as f:
        f.write(fp + '\n')
    proc = run_logged(train_cmd(config, work_dir, [f'randomness.seed={seed}'] + options, resume=resume), osp.join(work_dir, 'train.log'),
                      f'{label} seed {seed}')
    stats = train_stats(work_dir)
    val = stats['val']
    if 'mIoU' not in val:
        raise RunError(f'{label} seed {seed}: no validation result in {work_dir}')
    record = dict(label=label, config=config, seed=seed, mIoU=val['mIoU'], mAcc=val.get('mAcc'),
                  aAcc=val.get('aAcc'), per_class={k: v for k, v in val.items() if k.startswith('IoU.')},
                  s_per_iter=stats['s_per_iter'], train_minutes=proc['seconds'] / 60,
                  iters=stats['max_iter'],
                  peak_memory_mb=stats['cuda_memory_mb'] or proc['max_rss_mb'],
                  memory_kind='cuda' if stats['cuda_memory_mb'] else 'rss',
                  checkpoint=last_checkpoint(work_dir), resumed=resume, fingerprint=fp)
    with open(osp.join(work_dir, 'benchmark_run.json'), 'w') as f:
        json.dump(record, f, indent=1)
    print(f'  {label} seed {seed}: mIoU {record["mIoU"]:.2f}, {record["s_per_iter"]:.3f} s/iter, '
          f'{record["train_minutes"]:.1f} min', flush=True)
    return record


def eval_teacher(teacher, work_dir):
    label, config, ckpt = teacher
    wd = osp.join(run_dir(work_dir, config, []), 'test')
    out = osp.join(wd, 'metrics.json')
    if not osp.isfile(out):
        run_logged(test_cmd(config, ckpt, wd, out), osp.join(wd, 'test.log'), f'test {label}', quiet=True)
    with open(out) as f:
        m = json.load(f)
    return dict(label=label, config=config, mIoU=m['mIoU'], mAcc=m.get('mAcc'),
                per_class={k: v for k, v in m.items() if k.startswith('IoU.')})


def mean_std(values):
    if not values:
        return float('nan'), float('nan')
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def summarise(runs, records, baseline):
    rows = []
    base = {r['seed']: r['mIoU'] for r in records if r['label'] == baseline}
    for run in runs:
        label = run[0]
        recs = sorted((r for r in records if r['label'] == label), key=lambda r: r['seed'])
        if not recs:
            continue
        miou = [r['mIoU'] for r in recs]
        m, s = mean_std(miou)
        # Δ against the baseline on the same seeds (a row run on fewer seeds, e.g. an ablation on seed 0
        # only, is not compared with the baseline's mean over other seeds)
        same = [base[r['seed']] for r in recs if r['seed'] in base]
        base_mean = statistics.mean(same if len(same) == len(recs) else list(base.values()) or [float('nan')])
        rows.append(dict(
            label=label, config=run[1], seeds=[r['seed'] for r in recs], mIoU=miou, mIoU_mean=m,
            mIoU_std=s, delta=m - base_mean, mAcc_mean=mean_std([r['mAcc'] for r in recs])[0],
            s_per_iter=statistics.median([r['s_per_iter'] for r in recs]),
            train_minutes=statistics.median([r['train_minutes'] for r in recs]),
            peak_memory_mb=max(r['peak_memory_mb'] for r in recs), memory_kind=recs[0]['memory_kind'],
            per_class={k: statistics.mean([r['per_class'].get(k, float('nan')) for r in recs])
                       for k in recs[0]['per_class']}))
    return rows


def markdown(rows, teacher_row, baseline, seeds):
    lines = [f'| method | mIoU (mean ± std, {len(seeds)} seeds) | Δ vs {baseline} | mAcc | s/iter | '
             f'train min | peak mem (MB) | per-seed mIoU |', '|---|---|---|---|---|---|---|---|']
    if teacher_row:
        lines.append(f'| {teacher_row["label"]} | {teacher_row["mIoU"]:.2f} | | {teacher_row["mAcc"]:.2f} '
                     f'| | | | |')
    for r in rows:
        delta = '' if r['label'] == baseline else f'{r["delta"]:+.2f}'
        miou = f'{r["mIoU_mean"]:.2f} ± {r["mIoU_std"]:.2f}'
        per_seed = ', '.join(f'{v:.2f}' for v in r['mIoU'])
        if sorted(r['seeds']) != sorted(seeds):  # a row measured on other/fewer seeds says which
            seeds_txt = ', '.join(map(str, r['seeds']))
            miou = (f'{r["mIoU_mean"]:.2f} (seed {seeds_txt} only)' if len(r['mIoU']) == 1 else
                    f'{miou} (seeds {seeds_txt})')
            per_seed = ', '.join(f'seed {k}: {v:.2f}' for k, v in zip(r['seeds'], r['mIoU']))
        lines.append(f'| {r["label"]} | {miou} | {delta} | '
                     f'{r["mAcc_mean"]:.2f} | {r["s_per_iter"]:.3f} | {r["train_minutes"]:.1f} | '
                     f'{r["peak_memory_mb"]:.0f} | {per_seed} |')
    return '\n'.join(lines)


def plot(rows, out_file, title):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    for r in rows:
        ax.errorbar(r['train_minutes'], r['mIoU_mean'], yerr=r['mIoU_std'], fmt='o', capsize=3)
        ax.annotate(r['label'], (r['train_minutes'], r['mIoU_mean']), textcoords='offset points',
                    xytext=(5, 3), fontsize=8)
    ax.set_xlabel('training time per run (minutes, median)')
    ax.set_ylabel('val mIoU (mean ± std over seeds)')
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out_file, dpi=120)
    plt.close(fig)


def main():
    args = parse_args()
    name, runs, baseline, teacher, notes = load_suite(args)
    work_dir = args.work_dir
    out = args.out or osp.join('benchmarks', 'results', name)
    os.chdir(REPO)
    os.makedirs(out, exist_ok=True)
    start = time.time()
    records = []
    todo = [r for r in runs if not args.only or r[0] in args.only]
    total = len(todo) * len(args.seeds)
    k = 0
    for run in runs:
        label, config = run[0], run[1]
        extra = run[2] if len(run) > 2 else []
        options = list(extra) + list(args.cfg_options)
        for seed in args.seeds:
            wd = osp.join(run_dir(work_dir, config, options), f'seed{seed}')
            if run in todo:
                k += 1
                print(f'[{k}/{total}] {label} ({config}), seed {seed}', flush=True)
                records.append(run_one(label, config, extra, seed, wd, args.cfg_options, args.rerun))
            elif finished(wd, fingerprint(config, options)):
                records.append(dict(finished(wd), label=label))
    teacher_row = eval_teacher(teacher, work_dir) if teacher else None
    rows = summarise(runs, records, baseline)
    table = markdown(rows, teacher_row, baseline, args.seeds)
    with open(osp.join(out, 'results.md'), 'w') as f:
        f.write(f'# {name}\n\n{notes}\n\n{table}\n\nReproduce: `python tools/benchmark.py '
                f'{args.suite or "--configs ..."} --seeds {" ".join(map(str, args.seeds))}`\n')
    with open(osp.join(out, 'results.json'), 'w') as f:
        json.dump(dict(name=name, baseline=baseline, seeds=args.seeds, rows=rows, runs=records,
                       teacher=teacher_row), f, indent=1)
    plot(rows, osp.join(out, 'results.png'), name)
    print('\n' + table)
    print(f'\nwritten: {out}/results.md, results.json, results.png  ({(time.time() - start) / 60:.1f} min)')


if __name__ == '__main__':
    main()
