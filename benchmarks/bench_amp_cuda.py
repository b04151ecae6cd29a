"""Mixed precision on CUDA: every method's SynTex config trained a few iterations in float32 and with ``--amp``.

    python benchmarks/bench_amp_cuda.py [--iters 60] [--only KD CIRKD ...]

For each method (its embedded SynTex config, the CNN pair and the CNN -> SegFormer pair), two runs of
``tools/train.py`` one after the other on the same GPU: float32, then ``--amp`` (mmengine's ``AmpOptimWrapper``:
float16 autocast with dynamic loss scaling, on every optimiser wrapper of the config, the critic's included).
Printed per method: the median s/iter of each (mmengine's logged iteration times, the first window dropped), their
ratio, the peak CUDA memory mmengine logs, and whether every logged loss was finite. Weights: the pretrained
backbones are switched off (``pretrained=None``) and the teacher is a random checkpoint of its architecture, so
the script needs no embedded artifact; it measures speed, memory and numerical health, not accuracy.
Refuses to run without CUDA (``--amp`` is CUDA-only, see tools/train.py).
"""
import argparse
import json
import math
import os
import os.path as osp
import shutil
import sys
import tempfile

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)
sys.path.insert(0, osp.join(REPO, 'tools'))

METHODS = {
    'student': 'configs/syntex/pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py',
    'KD': 'configs/kd/kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py',
    'SKD (pixel + pair + holistic)': 'configs/skd/skd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py',
    'CWD': 'configs/cwd/cwd-logits_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py',
    'MGD + CWD': 'configs/mgd/mgd-cwd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py',
    'AICSD': 'configs/aicsd/aicsd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py',
    'IFVD': 'configs/ifvd/ifvd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py',
    'FRKD': 'configs/frkd/frkd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py',
    'DIST': 'configs/dist/dist_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py',
    'CIRKD': 'configs/cirkd/cirkd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py',
    'MGD-SSSS': 'configs/mgd_ssss/mgd-ssss_pspnet-r18-w32-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-1-8-96x96.py',
    'SegFormer student': 'configs/syntex/segformer_mit-w8_1xb8-2k_syntex-96x96.py',
    'KD -> SegFormer': 'configs/kd/kd_pspnet-r101-w8-d8_segformer-mit-w8_1xb8-2k_syntex-96x96.py',
    'CIRKD -> SegFormer': 'configs/cirkd/cirkd_pspnet-r101-w8-d8_segformer-mit-w8_1xb8-2k_syntex-96x96.py',
}


def offline_options(config: str, tmp: str) -> list:
    """cfg-options: no pretrained backbone, random teacher checkpoint(s) of the right architecture."""
    from mmengine.config import Config

    from mmkdseg import testing
    model = Config.fromfile(osp.join(REPO, config)).model
    options = []
    if 'architecture' not in model:
        return ['model.pretrained=None']
    options.append('model.architecture.pretrained=None')
    for key, value in model.items():
        if key.endswith('_ckpt') and isinstance(value, str):
            path = osp.join(tmp, f'{osp.basename(config)}_{key}.pth')
            teacher = dict(model[key[:-len('_ckpt')]])
            teacher.pop('pretrained', None)  # random weights: the pretext backbone is not needed
            testing.random_checkpoint(teacher, path)
            options.append(f'model.{key}={path}')
    return options


def run(config: str, amp: bool, iters: int, options: list, work_dir: str) -> dict:
    from run_utils import read_scalars, run_logged, train_cmd, train_stats
    opts = options + [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters + 1}',
                      'default_hooks.logger.interval=10', 'default_hooks.checkpoint.interval=100000',
                      'randomness.seed=0']
    cmd = train_cmd(osp.join(REPO, config), work_dir, opts) + (['--amp'] if amp else [])
    run_logged(cmd, osp.join(work_dir, 'train.log'), f'{osp.basename(config)} {"amp" if amp else "fp32"}',
               quiet=True)
    stats = train_stats(work_dir)
    losses = [v for r in read_scalars(work_dir) for k, v in r.items() if k.startswith('loss') or '.loss' in k]
    return dict(s_per_iter=stats['s_per_iter'], memory_mb=stats['cuda_memory_mb'],
                finite=bool(losses) and all(math.isfinite(v) for v in losses))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--iters', type=int, default=60)
    p.add_argument('--only', nargs='+', help='method labels (default: all)')
    p.add_argument('--out', help='also write the results as JSON here')
    args = p.parse_args()
    import torch
    if not torch.cuda.is_available():
        raise SystemExit('bench_amp_cuda.py needs a CUDA device (--amp is CUDA-only)')
    os.chdir(REPO)
    tmp = tempfile.mkdtemp(prefix='amp_bench_')
    results = {}
    print(f'{torch.cuda.get_device_name(0)}, {args.iters} iterations per run, median s/iter of the logged '
          'windows (first dropped)')
    print('| method | fp32 s/iter | amp s/iter | fp32/amp | fp32 peak MB | amp peak MB | losses finite (fp32/amp) |')
    print('|---|---|---|---|---|---|---|')
    for label, config in METHODS.items():
        if args.only and label not in args.only:
            continue
        options = offline_options(config, tmp)
        r = {mode: run(config, mode == 'amp', args.iters, options, osp.join(tmp, label.replace(' ', '_'), mode))
             for mode in ('fp32', 'amp')}
        results[label] = r
        f, a = r['fp32'], r['amp']
        print(f'| {label} | {f["s_per_iter"]:.4f} | {a["s_per_iter"]:.4f} | {f["s_per_iter"] / a["s_per_iter"]:.2f} '
              f'| {f["memory_mb"]} | {a["memory_mb"]} | {f["finite"]}/{a["finite"]} |', flush=True)
    if args.out:
        with open(args.out, 'w') as fh:
            json.dump(results, fh, indent=1)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
