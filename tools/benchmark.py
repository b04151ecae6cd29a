"""Benchmark configs × seeds: train each (sequentially), collect validation metrics, write a table.

    python tools/benchmark.py SUITE.py [--seeds 0 1 2] [--work-dir work_dirs/benchmark/NAME]
                              [--out benchmarks/results/NAME] [--cfg-options k=v ...] [--rerun]
    python tools/benchmark.py --all [--from-records]     # every protocol-v2 suite, then the leaderboard

A suite file (see ``benchmarks/suites/``) is a Python file that defines::

    name = 'kd_syntex'                      # used for default work/out dirs
    baseline = 'student'                    # the label the Δ column is measured against
    runs = [                                # (label, config[, extra cfg-options])
        ('student', 'configs/syntex/pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py'),
        ('KD', 'configs/kd/kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'),
    ]
    teacher = ('teacher', 'configs/...', 'checkpoints/...pth')   # optional: evaluated once, shown as a row

Instead of a suite, ``--configs A.py B.py [--labels a b] [--baseline a]`` works too.

For every (config, seed) it runs ``tools/train.py CONFIG --cfg-options randomness.seed=SEED`` in
``WORK_DIR/<config name>[+<options hash>]/seedSEED`` and reads the final validation of that run. Runs are
keyed by config, not by suite, so suites that share a config (the baseline student, say) share its runs.
A finished run is reused while the config's full text and options are unchanged (a fingerprint is
stored with it), also from its committed record on a machine without the run directory (the fingerprint hashes
the artifacts' recipes, not their bytes); otherwise, or with ``--rerun``, it is trained again. An interrupted
run resumes. By default runs are sequential, each with every core. ``--jobs N`` trains N runs at once, each with
``cores // N`` threads (``OMP_NUM_THREADS``, unless set already): on a 2-core machine two single-thread runs
finish about 1.3x more training per hour than one two-thread run (docs/benchmark_protocol.md). Every record
keeps the ``jobs`` and ``threads`` it was trained with, because s/iter depends on them: a suite's s/iter ratios
(and the compute-matched row's iterations) compare its runs only if they share one setting, and the tool warns
when they do not. The embedded artifacts are built first, one at a time.

Outputs in ``--out``: ``results.md``, ``results.json`` (everything, per seed and per class), ``results.png``
(mIoU against training cost) and ``runs/<label>_seed<k>.json``, one record per finished run, written as it
finishes (commit them: a suite can be completed in several sittings and ``--from-records`` rebuilds every
table from the records alone, without training). Every table that a method README holds between the lines
``<!-- benchmark:<suite name> start -->`` and ``<!-- benchmark:<suite name> end -->`` (``configs/*/README.md``)
is rewritten with the suite's table; ``--leaderboard`` writes ``benchmarks/results/leaderboard.md`` from every
suite's records.

The table (per row): mIoU mean ± std over seeds; the **paired** Δ against the baseline on the seeds both have,
with its 95% confidence interval (Student's t over the per-seed differences, n − 1 degrees of freedom) and the
number of seeds on which the row is ahead; the verdict — "gain" / "loss" only when the interval excludes 0,
"no measurable effect" when it includes 0, "not tested" with fewer than 2 paired seeds; the fraction of the
teacher–student gap closed (Δ / (teacher − baseline)); s/iter (median training-step time) and its ratio to the
baseline's; peak memory; per-seed mIoU. Peak memory is the peak resident set size of the training process on
CPU, or the peak CUDA memory mmengine logs when training on a GPU. Step times come from the training logs of
runs that may have shared the machine; quote their medians, and measure ratios side by side with the
benchmark scripts in ``benchmarks/`` when they matter.
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import runpy
import statistics
import sys
import threading
import time
import warnings

warnings.filterwarnings('ignore', category=UserWarning)  # library deprecation notices; runs log in full

TOOLS = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(TOOLS)
sys.path.insert(0, REPO)
if TOOLS not in sys.path:  # run_utils: tools/ is not a package (as a script, its directory is on the path already)
    sys.path.append(TOOLS)

import embedded  # noqa: E402
from run_utils import RunError, last_checkpoint, run_logged, test_cmd, train_cmd, train_stats  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description='Benchmark distillation configs over seeds')
    p.add_argument('suite', nargs='?', help='suite file (see module docstring)')
    p.add_argument('--configs', nargs='+', help='configs (instead of a suite)')
    p.add_argument('--labels', nargs='+', help='labels of --configs (default: file names)')
    p.add_argument('--baseline', help='label of the baseline row (default: the first run)')
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2, 3, 4], help='training seeds (protocol v2: 0-4)')
    p.add_argument('--work-dir', default='work_dirs/benchmark', help='root of the run directories')
    p.add_argument('--out', help='default: benchmarks/results/<suite name>')
    p.add_argument('--cfg-options', nargs='+', default=[], help='extra key=value for every run')
    p.add_argument('--rerun', action='store_true', help='retrain even if a finished run exists')
    p.add_argument('--only', nargs='+', help='run only these labels (the table still lists every '
                   'finished run)')
    p.add_argument('--from-records', action='store_true',
                   help='train nothing: rebuild the tables from the records in --out (runs/*.json, or the runs '
                   'of results.json)')
    p.add_argument('--leaderboard', action='store_true',
                   help='write benchmarks/results/leaderboard.md from every suite\'s results.json and exit')
    p.add_argument('--jobs', type=int, default=1,
                   help='trainings at once, each with cores // jobs threads (default 1: sequential, every core)')
    p.add_argument('--all', action='store_true',
                   help='every protocol-v2 suite of benchmarks/suites/ (screens excluded), one after the other, '
                   'then the leaderboard; with --from-records: tables only')
    return p.parse_args()


def v2_suites():
    """The reported protocol-v2 suite files (screens excluded), in name order."""
    import glob
    paths = []
    for path in sorted(glob.glob(osp.join(REPO, 'benchmarks', 'suites', '*.py'))):
        suite = runpy.run_path(path)
        if suite.get('protocol') == PROTOCOL and not suite.get('screen'):
            paths.append(osp.relpath(path, REPO))
    return paths


def run_all(args):
    """``--all``: every v2 suite in a subprocess of this script (same flags), then the leaderboard; prints the
    training time the records took (each run once, however many suites share it)."""
    import subprocess
    flags = ['--from-records'] if args.from_records else []
    flags += ['--seeds', *map(str, args.seeds), '--work-dir', args.work_dir, '--jobs', str(args.jobs)]
    if args.rerun:
        flags.append('--rerun')
    records = {}
    for path in v2_suites():
        print(f'=== {path}', flush=True)
        subprocess.run([sys.executable, osp.abspath(__file__), path, *flags], check=True)
        name = runpy.run_path(path).get('name')
        for r in load_records(osp.join('benchmarks', 'results', name)):
            if r.get('protocol') == PROTOCOL:
                records[(r.get('fingerprint'), r['seed'])] = r
    subprocess.run([sys.executable, osp.abspath(__file__), '--leaderboard'], check=True, stdout=subprocess.DEVNULL)
    minutes = sum(r.get('train_minutes', 0) for r in records.values())
    print(f'\n{len(records)} distinct runs; their training took {minutes:.0f} min ({minutes / 60:.1f} h) on the '
          f'machines that made the records (benchmarks/results/leaderboard.md written)')


def load_suite(args):
    if args.suite:
        suite = runpy.run_path(args.suite)
        runs = [tuple(r) for r in suite['runs']]
        name = suite.get('name', osp.splitext(osp.basename(args.suite))[0])
        baseline = suite.get('baseline', runs[0][0])
        teacher = suite.get('teacher')
        notes = suite.get('notes', '')
        compute_matched = suite.get('compute_matched', False)
        protocol = suite.get('protocol')
        screen = suite.get('screen', False)
    elif args.configs:
        labels = args.labels or [osp.splitext(osp.basename(c))[0] for c in args.configs]
        if len(labels) != len(args.configs):
            raise SystemExit('--labels must name every config')
        runs = list(zip(labels, args.configs))
        name, baseline, teacher, notes = 'custom', labels[0], None, ''
        compute_matched, protocol, screen = False, None, False
    else:
        raise SystemExit('give a suite file or --configs')
    if args.baseline:
        baseline = args.baseline
    if baseline not in [r[0] for r in runs]:
        raise SystemExit(f'baseline {baseline!r} is not a run label ({[r[0] for r in runs]})')
    for run in runs:
        if not osp.isfile(osp.join(REPO, run[1])):
            raise SystemExit(f'config of {run[0]!r} not found: {run[1]}')
    return dict(name=name, runs=runs, baseline=baseline, teacher=teacher, notes=notes,
                compute_matched=compute_matched, protocol=protocol, screen=screen)


#: The benchmark protocol the tables are measured under (docs/benchmark_protocol.md). A suite file says which
#: protocol its records follow (``protocol = 'v2'``); a suite without it holds records of protocol v1 (students from
#: scratch, PSPNet-R18-w32 teacher, 3 seeds), which every table of it marks as superseded and the leaderboard omits.
PROTOCOL = 'v2'
SUPERSEDED = ('**Protocol v1, superseded**: measured before benchmark protocol v2 (`docs/benchmark_protocol.md`), '
              'with students from scratch, the PSPNet-R18-w32 teacher and 3 seeds; not rerun under v2 yet, so no '
              'claim rests on this table.')


def matched_label(baseline):
    return f'{baseline} (compute-matched)'


def compute_matched_options(records, baseline, base_iters):
    """cfg-options that train the baseline for the training compute of the suite's most expensive row.

    The ratio is the largest median s/iter ratio of a non-baseline row to the baseline over the records at hand,
    rounded up to 0.1 (so that a few more records rarely change it) and never below 1 (a distillation row does the
    student's work and more; a ratio measured below 1 is timing noise, e.g. of very short runs side by side under
    ``--jobs``); iterations = ``base_iters × ratio`` rounded
    up (to a multiple of 100 from 1000 iterations on), set as ``max_iters``, validation interval and the end of
    the poly schedule. Returns ``(options, ratio)``, or ``(None, nan)`` without records of both.
    """
    import math
    base = [r['s_per_iter'] for r in records if r['label'] == baseline]
    others = {}
    for r in records:
        if r['label'] != baseline and r['label'] != matched_label(baseline):
            others.setdefault(r['label'], []).append(r['s_per_iter'])
    if not base or not others:
        return None, float('nan')
    settings = {(r.get('jobs', 1), r.get('threads')) for r in records if r['label'] != matched_label(baseline)}
    if len(settings) > 1:  # s/iter of a single-thread run beside another is not that of a run with every core
        print(f'warning: the records of this suite were trained with different --jobs / thread settings '
              f'({sorted(settings, key=str)}; None: not recorded, an older record with every core); their s/iter '
              f'ratios, and so the compute-matched iterations, mix them', flush=True)
    base_spi = statistics.median(base)
    ratio = max(statistics.median(v) for v in others.values()) / base_spi
    ratio = max(1.0, math.ceil(round(ratio * 10, 6)) / 10)
    step = 100 if base_iters >= 1000 else 1
    iters = int(math.ceil(round(base_iters * ratio / step, 6)) * step)
    options = [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}', f'param_scheduler.0.end={iters}']
    return options, ratio


def merged_config(config, options):
    """The config with a run's ``key=value`` options applied the way ``tools/train.py`` applies them."""
    from mmengine.config import Config, DictAction
    cfg = Config.fromfile(osp.join(REPO, config))
    if options:
        parser = argparse.ArgumentParser()
        parser.add_argument('--options', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(['--options', *options]).options)
    return cfg


def fingerprint(config, options):
    """Hash of the config's full text (bases resolved), the extra options of a run and the fingerprints of the
    embedded artifacts the run loads (pretrained backbones, teacher: see ``tools/embedded.py``)."""
    from mmengine.config import Config
    deps = embedded.model_dependencies(merged_config(config, options).get('model'))
    text = (Config.fromfile(osp.join(REPO, config)).pretty_text + '\n'.join(options)
            + ' '.join(f'{dep}={embedded.fingerprint(dep)}' for dep in deps))
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


def committed(out, label, seed, fp):
    """A committed record of seed ``seed`` made with fingerprint ``fp``: ``out/runs/<label>_seed<seed>.json``
    first, then any other suite's next to ``out`` (suites share runs: the student, KD), relabelled ``label``.

    This is what lets a suite be completed in several sittings, on machines whose ``work_dirs`` are gone: a run
    whose config, options and artifact recipes are unchanged is not trained again.
    """
    import glob
    own = osp.join(out, 'runs', f'{_slug(label)}_seed{seed}.json')
    for path in [own] + sorted(glob.glob(osp.join(osp.dirname(osp.abspath(out)), '*', 'runs', f'*_seed{seed}.json'))):
        if not osp.isfile(path):
            continue
        with open(path) as f:
            record = json.load(f)
        if record.get('fingerprint') == fp and record.get('seed') == seed:
            return dict(record, label=label)
    return None


_PREPARE = threading.Lock()


def threads_env(jobs):
    """Environment of a training child when ``jobs`` run at once: ``cores // jobs`` threads each (an
    ``OMP_NUM_THREADS`` set by the caller wins). Returns ``(env, threads)``."""
    if os.environ.get('OMP_NUM_THREADS'):
        return {}, int(os.environ['OMP_NUM_THREADS'])
    if jobs <= 1:
        return {}, os.cpu_count() or 1
    threads = max(1, (os.cpu_count() or 1) // jobs)
    return dict(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads)), threads


def reusable(label, seed, work_dir, fp, rerun=False, out=None):
    """The record of a finished run in ``work_dir`` or a committed one (see :func:`committed`) made with
    fingerprint ``fp``, relabelled ``label`` (its ``_from`` says which); None with ``rerun`` or if there is none."""
    if rerun:
        return None
    done = finished(work_dir, fp)
    if done is not None:
        return dict(done, label=label, _from='finished run')
    done = None if out is None else committed(out, label, seed, fp)
    return None if done is None else dict(done, _from='the committed record')


def run_one(label, config, extra, seed, work_dir, cfg_options, rerun, out=None, jobs=1):
    options = list(extra) + list(cfg_options)
    with _PREPARE:  # fingerprints and artifact checks share state (embedded.py): one run prepares at a time
        fp = fingerprint(config, options)
        done = reusable(label, seed, work_dir, fp, rerun, out)
        if done is not None:
            print(f'  {label} seed {seed}: reusing {done.pop("_from")} ({done["mIoU"]:.2f} mIoU)', flush=True)
            return done
        # a run is resumed only if it was started with this very config and options (fingerprint written
        # at its start); a finished or partial run of another config is started over
        started_fp = osp.join(work_dir, 'benchmark_started.txt')
        same = osp.isfile(started_fp) and open(started_fp).read().strip() == fp
        resume = last_checkpoint(work_dir) is not None and not rerun and same
        if not resume and osp.isdir(work_dir):
            import shutil
            shutil.rmtree(work_dir)
        merged = merged_config(config, options)
        embedded.ensure_for_cfg(merged)
        digests = {dep: file_digest(osp.join(REPO, dep)) for dep in embedded.model_dependencies(merged.get('model'))}
        os.makedirs(work_dir, exist_ok=True)
        with open(started_fp, 'w') as f:
            f.write(fp + '\n')
    env, threads = threads_env(jobs)
    proc = run_logged(train_cmd(config, work_dir, [f'randomness.seed={seed}'] + options, resume=resume),
                      osp.join(work_dir, 'train.log'),
                      f'{label} seed {seed}', env=env, quiet=jobs > 1)
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
                  checkpoint=last_checkpoint(work_dir), resumed=resume, fingerprint=fp, jobs=jobs, threads=threads,
                  artifact_digests=digests)
    with open(osp.join(work_dir, 'benchmark_run.json'), 'w') as f:
        json.dump(record, f, indent=1)
    print(f'  {label} seed {seed}: mIoU {record["mIoU"]:.2f}, {record["s_per_iter"]:.3f} s/iter, '
          f'{record["train_minutes"]:.1f} min', flush=True)
    return record


def run_tasks(tasks, args, out, protocol):
    """Train ``tasks`` (``(label, config, extra options, seed, work dir, record extras)``), ``args.jobs`` at a time;
    each record is saved in ``out`` as it finishes. Returns the records in task order."""
    from concurrent.futures import ThreadPoolExecutor
    to_train = dict.fromkeys((t[1], tuple(t[2]) + tuple(args.cfg_options)) for t in tasks if reusable(
        t[0], t[3], t[4], fingerprint(t[1], list(t[2]) + list(args.cfg_options)), args.rerun, out) is None)
    for config, options in to_train:  # the embedded artifacts they load first, one at a time
        embedded.ensure_for_cfg(merged_config(config, list(options)))

    def one(k, task):
        label, config, extra, seed, wd, more = task
        print(f'[{k}/{len(tasks)}] {label} ({config}), seed {seed}', flush=True)
        record = dict(run_one(label, config, extra, seed, wd, args.cfg_options, args.rerun, out, args.jobs),
                      **more, protocol=protocol)
        save_record(out, record)
        return record

    if args.jobs <= 1:
        return [one(k, task) for k, task in enumerate(tasks, 1)]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(one, k, task) for k, task in enumerate(tasks, 1)]
        return [f.result() for f in futures]


def file_digest(path):
    """sha256 of a file's bytes (16 hex digits)."""
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()[:16]


def incomplete_note(labels, rows, seeds):
    """The warning of a table that lacks runs, or None: the suite's rows without a finished run (e.g. a suite
    stopped part-way, or the compute-matched row before the rows it is matched to), and rows on fewer of the
    requested seeds. Such a table is progress, not a result, and says so."""
    have = {r['label']: set(r['seeds']) for r in rows}
    absent = [label for label in labels if label not in have]
    partial = [f'{label} ({len(have[label] & set(seeds))} of {len(seeds)} seeds)' for label in labels
               if label in have and not set(seeds) <= have[label]]
    if not absent and not partial:
        return None
    parts = (['no finished run yet: ' + ', '.join(absent)] if absent else []) + (
        ['fewer seeds than requested: ' + ', '.join(partial)] if partial else [])
    return ('incomplete suite (' + '; '.join(parts) + '); the command below trains the rest and reuses the '
            'finished runs')


def build_notes(records, teacher_row=None):
    """Warnings for a table whose rows were trained against different builds of one embedded artifact, or whose
    teacher row evaluates another build than its rows distilled from.

    An artifact rebuilt from the same recipe (same fingerprint) on another machine or with another thread count is
    not bit-identical (float reductions in another order): a record reused from another machine may have trained
    against another teacher than the one this machine evaluates. Records keep the ``artifact_digests`` they used.
    """
    builds = {}
    for r in records:
        for path, digest in (r.get('artifact_digests') or {}).items():
            builds.setdefault(path, {}).setdefault(digest, set()).add(r['label'])
    notes = []
    for path, by_digest in sorted(builds.items()):
        if len(by_digest) > 1:
            parts = '; '.join(f'{", ".join(sorted(labels))} (build {d[:8]})' for d, labels in sorted(by_digest.items()))
            notes.append(f'the rows were trained against {len(by_digest)} builds of `{path}`: {parts}')
    if teacher_row and teacher_row.get('digest') and teacher_row.get('checkpoint') in builds:
        used = builds[teacher_row['checkpoint']]
        if teacher_row['digest'] not in used:
            notes.append(f'the teacher row evaluates build {teacher_row["digest"][:8]} of '
                         f'`{teacher_row["checkpoint"]}`; the rows distilled from build '
                         f'{", ".join(sorted(d[:8] for d in used))}')
    return notes


def eval_teacher(teacher, work_dir, out=None):
    label, config, ckpt = teacher
    if ckpt not in embedded.ARTIFACTS and not osp.isfile(ckpt) and out:
        # a fixed, non-embedded teacher (a screen's) that this machine no longer has: its committed evaluation
        prev = osp.join(out, 'results.json')
        row = None
        if osp.isfile(prev):
            with open(prev) as f:
                row = json.load(f).get('teacher')
        if row and row.get('config') == config:
            print(f'{label}: {ckpt} is not here; its committed evaluation ({row["mIoU"]:.2f} mIoU) is shown',
                  flush=True)
            return row
        raise RunError(f'{label}: checkpoint {ckpt} not found, and {prev} holds no evaluation of it')
    if ckpt in embedded.ARTIFACTS:
        embedded.ensure(ckpt, quiet=True)
        # the evaluation is keyed by the checkpoint's bytes: a rebuilt teacher is evaluated again
        wd = osp.join(run_dir(work_dir, config, [file_digest(osp.join(REPO, ckpt))]), 'test')
    else:
        wd = osp.join(run_dir(work_dir, config, []), 'test')
    out = osp.join(wd, 'metrics.json')
    if not osp.isfile(out):
        run_logged(test_cmd(config, ckpt, wd, out), osp.join(wd, 'test.log'), f'test {label}', quiet=True)
    with open(out) as f:
        m = json.load(f)
    return dict(label=label, config=config, mIoU=m['mIoU'], mAcc=m.get('mAcc'),
                per_class={k: v for k, v in m.items() if k.startswith('IoU.')}, checkpoint=ckpt,
                digest=file_digest(osp.join(REPO, ckpt)))


def mean_std(values):
    if not values:
        return float('nan'), float('nan')
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def paired_difference(values, base, confidence=0.95):
    """Paired comparison of ``values`` ({seed: mIoU}) with ``base`` ({seed: mIoU}) on their common seeds.

    Returns ``dict(n, seeds, diffs, mean, low, high, ahead, verdict)``: the mean per-seed difference with its
    ``confidence`` interval (Student's t, n − 1 degrees of freedom; undefined for n < 2), the number of seeds
    on which ``values`` is ahead, and the verdict ("gain"/"loss" only if the interval excludes 0).
    """
    seeds = sorted(set(values) & set(base))
    diffs = [values[k] - base[k] for k in seeds]
    n = len(diffs)
    out = dict(n=n, seeds=seeds, diffs=diffs, mean=statistics.mean(diffs) if diffs else float('nan'),
               low=float('nan'), high=float('nan'), ahead=sum(d > 0 for d in diffs), verdict='not tested')
    if n >= 2:
        from scipy import stats
        half = stats.t.ppf(0.5 + confidence / 2, n - 1) * statistics.stdev(diffs) / n ** 0.5
        out.update(low=out['mean'] - half, high=out['mean'] + half)
        out['verdict'] = ('gain' if out['low'] > 0 else 'loss' if out['high'] < 0 else 'no measurable effect')
    return out


def summarise(runs, records, baseline, teacher_row=None):
    """One row per run label: mean ± std, the paired comparison with ``baseline``, gap closed, cost ratios."""
    rows = []
    base = {r['seed']: r['mIoU'] for r in records if r['label'] == baseline}
    base_recs = [r for r in records if r['label'] == baseline]
    base_spi = statistics.median([r['s_per_iter'] for r in base_recs]) if base_recs else float('nan')
    base_mean = statistics.mean(base.values()) if base else float('nan')
    gap = teacher_row['mIoU'] - base_mean if teacher_row else float('nan')
    for run in runs:
        label = run[0]
        recs = sorted((r for r in records if r['label'] == label), key=lambda r: r['seed'])
        if not recs:
            continue
        miou = [r['mIoU'] for r in recs]
        m, s = mean_std(miou)
        pair = paired_difference({r['seed']: r['mIoU'] for r in recs}, base)
        spi = statistics.median([r['s_per_iter'] for r in recs])
        rows.append(dict(
            # the config the records were trained with (a v1 record keeps the name it had then)
            label=label, config=recs[0].get('config', run[1]), seeds=[r['seed'] for r in recs], mIoU=miou, mIoU_mean=m,
            mIoU_std=s, delta=pair['mean'], paired=pair,
            gap_closed=pair['mean'] / gap if gap and gap == gap and gap > 0 else float('nan'),
            mAcc_mean=mean_std([r['mAcc'] for r in recs if r.get('mAcc') is not None])[0],
            s_per_iter=spi, s_per_iter_ratio=spi / base_spi if base_spi else float('nan'),
            train_minutes=statistics.median([r['train_minutes'] for r in recs]),
            iters=statistics.median([r.get('iters', 0) for r in recs]),
            peak_memory_mb=max(r['peak_memory_mb'] for r in recs), memory_kind=recs[0]['memory_kind'],
            per_class={k: statistics.mean([r['per_class'].get(k, float('nan')) for r in recs])
                       for k in recs[0]['per_class']}))
    matched = next((r for r in rows if r['label'] == matched_label(baseline)), None)
    if matched is not None:  # does the row beat training the student longer?
        per_seed = dict(zip(matched['seeds'], matched['mIoU']))
        for r in rows:
            if r['label'] not in (baseline, matched['label']):
                r['paired_matched'] = paired_difference(dict(zip(r['seeds'], r['mIoU'])), per_seed)
    return rows


def _num(v, fmt):
    return '' if v != v else format(v, fmt)  # nan -> empty cell


def markdown(rows, teacher_row, baseline, seeds):
    matched = any('paired_matched' in r for r in rows)
    extra_head = ' Δ vs compute-matched [95% CI] |' if matched else ''
    lines = [f'| method | mIoU (mean ± std) | Δ vs {baseline} [95% CI] | seeds ahead | verdict | gap closed | '
             f's/iter (× {baseline}) | peak mem (MB) | per-seed mIoU |{extra_head}',
             '|---|---|---|---|---|---|---|---|---|' + ('---|' if matched else '')]
    if teacher_row:
        lines.append(f'| {teacher_row["label"]} | {teacher_row["mIoU"]:.2f} | | | | | | | |'
                     + (' |' if matched else ''))
    base_iters = next((r['iters'] for r in rows if r['label'] == baseline), None)
    for r in rows:
        p = r['paired']
        name = r['label']
        if base_iters and r.get('iters') and r['iters'] != base_iters:  # e.g. the compute-matched student
            name += f' ({r["iters"] / 1000:g}k iterations)'
        miou = f'{r["mIoU_mean"]:.2f} ± {r["mIoU_std"]:.2f}'
        per_seed = ', '.join(f'{v:.2f}' for v in r['mIoU'])
        if sorted(r['seeds']) != sorted(seeds):  # a row measured on other/fewer seeds says which
            seeds_txt = ', '.join(map(str, r['seeds']))
            miou = (f'{r["mIoU_mean"]:.2f} (seed {seeds_txt} only)' if len(r['mIoU']) == 1 else
                    f'{miou} (seeds {seeds_txt})')
            per_seed = ', '.join(f'seed {k}: {v:.2f}' for k, v in zip(r['seeds'], r['mIoU']))
        if r['label'] == baseline:
            delta = ahead = verdict = gap = ''
            cost = f'{r["s_per_iter"]:.3f}'
        else:
            delta = f'{p["mean"]:+.2f}' + (f' [{p["low"]:+.2f}, {p["high"]:+.2f}]' if p['n'] >= 2 else '')
            ahead = f'{p["ahead"]}/{p["n"]}'
            verdict = p['verdict']
            gap = _num(100 * r['gap_closed'], '.0f') + ('%' if r['gap_closed'] == r['gap_closed'] else '')
            cost = f'{r["s_per_iter"]:.3f} (×{r["s_per_iter_ratio"]:.2f})'
        extra = ''
        if matched:
            q = r.get('paired_matched')
            extra = (f' {q["mean"]:+.2f}' + (f' [{q["low"]:+.2f}, {q["high"]:+.2f}], {q["verdict"]}' if q['n'] >= 2
                                             else '') + ' |') if q else ' |'
        lines.append(f'| {name} | {miou} | {delta} | {ahead} | {verdict} | {gap} | {cost} | '
                     f'{r["peak_memory_mb"]:.0f} | {per_seed} |{extra}')
    return '\n'.join(lines)


def replace_readme_blocks(name, block, root=None):
    """Rewrite the ``<!-- benchmark:NAME start/end -->`` block of every ``configs/*/README.md``; returns the files."""
    import glob
    import re
    key = re.escape(name)
    pattern = re.compile(rf'(<!-- benchmark:{key} start -->\n).*?(<!-- benchmark:{key} end -->)', re.S)
    changed = []
    for path in sorted(glob.glob(osp.join(root or REPO, 'configs', '*', 'README.md'))):
        with open(path) as f:
            text = f.read()
        new = pattern.sub(lambda m: m.group(1) + block.rstrip('\n') + '\n' + m.group(2), text)
        if new != text:
            with open(path, 'w') as f:
                f.write(new)
            changed.append(path)
    return changed


def load_records(out):
    """The per-run records of a suite's output dir: ``runs/*.json`` if any, else the runs of results.json."""
    import glob
    files = sorted(glob.glob(osp.join(out, 'runs', '*.json')))
    if files:
        records = []
        for path in files:
            with open(path) as f:
                records.append(json.load(f))
        return records
    if not osp.isfile(osp.join(out, 'results.json')):
        return []  # a suite that has not run yet
    with open(osp.join(out, 'results.json')) as f:
        return json.load(f)['runs']


def _slug(label):
    import re
    return re.sub(r'[^A-Za-z0-9]+', '-', label).strip('-').lower() or 'run'


def save_record(out, record):
    os.makedirs(osp.join(out, 'runs'), exist_ok=True)
    path = osp.join(out, 'runs', f'{_slug(record["label"])}_seed{record["seed"]}.json')
    with open(path, 'w') as f:
        json.dump(record, f, indent=1)
    return path


def leaderboard(results_root):
    """Markdown: every non-baseline row of every suite, one table per baseline student (Δs against different
    students do not compare), each sorted by its paired Δ."""
    import glob
    entries, superseded = [], []
    for path in sorted(glob.glob(osp.join(results_root, '*', 'results.json'))):
        with open(path) as f:
            res = json.load(f)
        if res.get('screen'):  # hyperparameter screens run on unreported seeds: never a result
            continue
        if res.get('protocol') != PROTOCOL:
            superseded.append(res['name'])
            continue
        base_row = next((r for r in res['rows'] if r['label'] == res['baseline']), {})
        student = (base_row.get('config', res['baseline']), base_row.get('mIoU_mean'))
        for r in res['rows']:
            if r['label'] == res['baseline'] or 'paired' not in r:
                continue
            entries.append((res['name'], student, r))
    # a run shared by several suites (same config, options, seeds and compute-matched comparison) is listed once,
    # with every suite
    merged = {}
    for suite, base, r in entries:
        matched = r.get('paired_matched') or {}  # suites with another compute-matched row list it apart
        key = (r['config'], tuple(r['seeds']), tuple(r['mIoU']), matched.get('mean'), base)
        if key in merged:
            merged[key] = (merged[key][0] + ', ' + suite, base, merged[key][2])
        else:
            merged[key] = (suite, base, r)
    header = ['| suite | method | mIoU | Δ vs baseline [95% CI] | seeds ahead | verdict | gap closed | s/iter ratio | '
              'Δ vs compute-matched [95% CI] |',
              '|---|---|---|---|---|---|---|---|---|']
    students = sorted({e[1] for e in merged.values()}, key=lambda b: (-(b[1] or 0), b[0]))
    lines = []
    for config, miou in students:
        if lines:
            lines.append('')
        lines += [f'Student `{osp.basename(config)}`' + (f' ({miou:.2f} mIoU)' if miou is not None else '') + ':',
                  ''] + header
        group = sorted((e for e in merged.values() if e[1] == (config, miou)), key=lambda e: -e[2]['paired']['mean'])
        lines += [_leaderboard_line(suite, r) for suite, _, r in group]
    if not students:
        lines += header + ['| (no suite has been rerun under protocol v2 yet) | | | | | | | | |']
    if superseded:
        lines.append(f'\nNot listed, measured under protocol v1 and not rerun yet: {", ".join(superseded)}.')
    measured = {osp.basename(osp.dirname(p)) for p in glob.glob(osp.join(results_root, '*', 'results.json'))}
    never = []
    for path in sorted(glob.glob(osp.join(REPO, 'benchmarks', 'suites', '*.py'))):
        suite = runpy.run_path(path)
        if suite.get('name') not in measured and not suite.get('screen'):
            never.append(suite['name'])
    if never:
        lines.append(f'\nNot listed, no results yet: {", ".join(never)}.')
    return '\n'.join(lines)


def _leaderboard_line(suite, r):
    """One leaderboard row."""
    p = r['paired']
    ci = f' [{p["low"]:+.2f}, {p["high"]:+.2f}]' if p['n'] >= 2 else ''
    gap = _num(100 * r['gap_closed'], '.0f')
    q = r.get('paired_matched')
    matched = (f'{q["mean"]:+.2f}' + (f' [{q["low"]:+.2f}, {q["high"]:+.2f}], {q["verdict"]}' if q['n'] >= 2
                                      else '')) if q else ''
    return (f'| {suite} | {r["label"]} | {r["mIoU_mean"]:.2f} | {p["mean"]:+.2f}{ci} | '
            f'{p["ahead"]}/{p["n"]} | {p["verdict"]} | {gap + "%" if gap else ""} | '
            f'{r["s_per_iter_ratio"]:.2f} | {matched} |')


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
    os.chdir(REPO)
    if args.all:
        run_all(args)
        return
    if args.leaderboard:
        root = osp.join('benchmarks', 'results')
        text = ('# Leaderboard of the embedded benchmark\n\nEvery distillation row of every suite measured under '
                'benchmark protocol v2 (docs/benchmark_protocol.md), by its paired Δ against the suite\'s baseline '
                'student (same seeds), one table per student. Generated by `python tools/benchmark.py '
                '--leaderboard` from the committed records.\n\n'
                + leaderboard(root) + '\n')
        with open(osp.join(root, 'leaderboard.md'), 'w') as f:
            f.write(text)
        print(text)
        return
    suite = load_suite(args)
    name, runs, baseline, teacher, notes = (suite[k] for k in ('name', 'runs', 'baseline', 'teacher', 'notes'))
    work_dir = args.work_dir
    out = args.out or osp.join('benchmarks', 'results', name)
    os.makedirs(out, exist_ok=True)
    start = time.time()
    if args.from_records:
        if suite['compute_matched']:
            runs = runs + [(matched_label(baseline), next(r[1] for r in runs if r[0] == baseline))]
        # only records of the suite's protocol (a v1 record has none): a v2 table never shows v1 numbers
        records = [r for r in load_records(out) if r['label'] in {run[0] for run in runs}
                   and r.get('protocol') == suite['protocol']]
        if not osp.isdir(osp.join(out, 'runs')):  # records kept only inside results.json: one file per run
            for record in records:
                save_record(out, record)
        teacher_row = None
        if teacher and osp.isfile(osp.join(out, 'results.json')):
            with open(osp.join(out, 'results.json')) as f:
                teacher_row = json.load(f).get('teacher')
    else:
        records = []
        todo = [r for r in runs if not args.only or r[0] in args.only]
        tasks = []
        for run in runs:
            label, config = run[0], run[1]
            extra = run[2] if len(run) > 2 else []
            options = list(extra) + list(args.cfg_options)
            for seed in args.seeds:
                wd = osp.join(run_dir(work_dir, config, options), f'seed{seed}')
                if run in todo:
                    tasks.append((label, config, extra, seed, wd, {}))
                else:
                    fp = fingerprint(config, options)
                    done = finished(wd, fp) or committed(out, label, seed, fp)
                    if done:
                        records.append(dict(done, label=label))
        records += run_tasks(tasks, args, out, suite['protocol'])
        if suite['compute_matched']:
            base_cfg = next(r[1] for r in runs if r[0] == baseline)
            base_iters = next((r['iters'] for r in records if r['label'] == baseline), None)
            options, ratio = compute_matched_options(records, baseline, base_iters or 0)
            label = matched_label(baseline)
            if options is None:
                print(f'{label}: needs finished runs of {baseline} and of another row first', flush=True)
            else:
                run = (label, base_cfg, options)
                runs = runs + [run]
                print(f'{label}: {baseline} for {ratio:.1f}x its iterations ({options[0]})', flush=True)
                tasks = []
                for seed in args.seeds:
                    wd = osp.join(run_dir(work_dir, base_cfg, options + list(args.cfg_options)), f'seed{seed}')
                    if not args.only or label in args.only:
                        tasks.append((label, base_cfg, options, seed, wd, dict(compute_ratio=ratio)))
                    else:
                        fp = fingerprint(base_cfg, options + list(args.cfg_options))
                        done = finished(wd, fp) or committed(out, label, seed, fp)
                        if done:
                            records.append(dict(done, label=label, compute_ratio=ratio))
                records += run_tasks(tasks, args, out, suite['protocol'])
        teacher_row = eval_teacher(teacher, work_dir, out) if teacher else None
    rows = summarise(runs, records, baseline, teacher_row)
    table = markdown(rows, teacher_row, baseline, args.seeds)
    labels = [r[0] for r in runs]
    if suite['compute_matched'] and matched_label(baseline) not in labels:
        labels.append(matched_label(baseline))
    table_notes = build_notes(records, teacher_row) + [n for n in [incomplete_note(labels, rows, args.seeds)] if n]
    for note in table_notes:
        print(f'warning: {note}', flush=True)
        table += f'\n\n**Warning**: {note}.'
    if suite['protocol'] != PROTOCOL:
        table = f'{SUPERSEDED}\n\n{table}'
    reproduce = (f'Reproduce: `python tools/benchmark.py {args.suite or "--configs ..."} --seeds '
                 f'{" ".join(map(str, args.seeds))}` (tables only, from the committed records: add '
                 f'`--from-records`).')
    with open(osp.join(out, 'results.md'), 'w') as f:
        f.write(f'# {name}\n\n{notes}\n\n{table}\n\n{reproduce}\n')
    with open(osp.join(out, 'results.json'), 'w') as f:
        json.dump(dict(name=name, baseline=baseline, seeds=args.seeds, rows=rows, runs=records,
                       teacher=teacher_row, protocol=suite['protocol'], screen=suite['screen']), f, indent=1)
    plot(rows, osp.join(out, 'results.png'), name)
    readmes = replace_readme_blocks(name, f'{table}\n\n{reproduce}\n') if args.suite else []
    print('\n' + table)
    print(f'\nwritten: {out}/results.md, results.json, results.png' + (f'; tables in {", ".join(readmes)}'
                                                                       if readmes else '')
          + f'  ({(time.time() - start) / 60:.1f} min)')


if __name__ == '__main__':
    main()
