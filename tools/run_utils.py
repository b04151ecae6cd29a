"""Running ``tools/train.py`` / ``tools/test.py`` as child processes and reading what they leave behind.

Used by ``tools/demo.py`` and ``tools/benchmark.py`` (not part of the ``mmkdseg`` package: ``tools/`` is not
a package, so they put their own directory on ``sys.path`` and ``import run_utils``). Each run writes its full
log to a file and shows a one-line progress display; on failure the tail of the log is printed and
:class:`RunError` raised.
"""
import glob
import json
import os
import os.path as osp
import re
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
_ITER_RE = re.compile(r'Iter\(train\)\s*\[\s*(\d+)/(\d+)\].*?eta: (\S+).*?time: ([\d.]+)')
_LOSS_RE = re.compile(r'\sloss: ([\d.]+)')
_VAL_RE = re.compile(r'Iter\(val\).*?mIoU: ([\d.]+)')


class RunError(RuntimeError):
    pass


def run_logged(cmd: Sequence[str], log_file: str, label: str, env: Optional[dict] = None,
               quiet: bool = False) -> Dict:
    """Run ``cmd``, tee its output to ``log_file``, print a progress line; return process statistics.

    Returns ``{'seconds': wall time, 'max_rss_mb': peak resident memory of the child}``.
    """
    os.makedirs(osp.dirname(osp.abspath(log_file)), exist_ok=True)
    full_env = dict(os.environ, PYTHONUNBUFFERED='1')
    full_env['PYTHONPATH'] = REPO + os.pathsep + full_env.get('PYTHONPATH', '')
    full_env.update(env or {})
    start = time.time()
    tty = sys.stdout.isatty()
    last_print = 0.0
    with open(log_file, 'w') as log:
        proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                cwd=REPO, env=full_env, bufsize=1)
        for line in proc.stdout:
            log.write(line)
            m = _ITER_RE.search(line)
            msg = None
            if m:
                it, total, eta, _ = m.groups()
                loss = _LOSS_RE.search(line)
                msg = (f'  {label}: iter {it}/{total}  eta {eta}'
                       + (f'  loss {float(loss.group(1)):.3f}' if loss else ''))
            v = _VAL_RE.search(line)
            if v:
                msg = f'  {label}: validation mIoU {float(v.group(1)):.2f}'
            if msg and not quiet and (tty or time.time() - last_print > 20 or v):
                if tty:
                    print('\r' + msg.ljust(78), end='', flush=True)
                else:
                    print(msg, flush=True)
                last_print = time.time()
        _, status, rusage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if tty and not quiet:
        print('\r' + ' ' * 78 + '\r', end='')
    if proc.returncode != 0:
        with open(log_file) as f:
            tail = ''.join(f.readlines()[-30:])
        raise RunError(f'{label} failed (exit code {proc.returncode}); last lines of {log_file}:\n{tail}')
    return dict(seconds=time.time() - start, max_rss_mb=rusage.ru_maxrss / 1024)


def train_cmd(config: str, work_dir: str, cfg_options: Optional[List[str]] = None,
              resume: bool = False) -> List[str]:
    cmd = [sys.executable, osp.join(REPO, 'tools', 'train.py'), config, '--work-dir', work_dir]
    if resume:
        cmd.append('--resume')
    if cfg_options:
        cmd += ['--cfg-options'] + list(cfg_options)
    return cmd


def test_cmd(config: str, checkpoint: str, work_dir: str, metrics_out: str,
             cfg_options: Optional[List[str]] = None) -> List[str]:
    cmd = [sys.executable, osp.join(REPO, 'tools', 'test.py'), config, checkpoint, '--work-dir', work_dir,
           '--metrics-out', metrics_out]
    if cfg_options:
        cmd += ['--cfg-options'] + list(cfg_options)
    return cmd


def last_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint that ``CheckpointHook`` recorded last in ``work_dir`` (or None)."""
    marker = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(marker):
        with open(marker) as f:
            path = f.read().strip()
        if osp.isfile(path):
            return path
    return None


def read_scalars(work_dir: str) -> List[Dict]:
    """All records of the newest ``vis_data/scalars.json`` of a run."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    records = []
    for path in files:  # a resumed run has two timestamp dirs; read them in order
        with open(path) as f:
            records += [json.loads(line) for line in f if line.strip()]
    return records


def train_stats(work_dir: str) -> Dict:
    """Median seconds per training iteration, peak CUDA memory (if logged), last validation metrics."""
    records = read_scalars(work_dir)
    times = [r['time'] for r in records if 'time' in r and 'loss' in r]
    if len(times) > 2:
        times = times[1:]  # the first logged window includes start-up
    mem = [r['memory'] for r in records if 'memory' in r]
    val = [r for r in records if 'mIoU' in r]
    return dict(
        s_per_iter=statistics.median(times) if times else float('nan'),
        cuda_memory_mb=max(mem) if mem else None,
        val=val[-1] if val else {},
        max_iter=max((r.get('iter', r.get('step', 0)) for r in records if 'loss' in r), default=0))


def count_parameters(config: str, part: Optional[str] = None) -> int:
    """Number of parameters of the model of ``config`` (or of its submodule ``part``)."""
    import mmkdseg  # noqa: F401
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope
    cfg = Config.fromfile(config)
    model_cfg = cfg.model
    if part is not None:
        model_cfg = model_cfg[part]
    if 'teacher_ckpt' in model_cfg:
        model_cfg.teacher_ckpt = None
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmseg')):
        model = MODELS.build(model_cfg)
    return sum(p.numel() for p in model.parameters())


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float('nan')
