"""Test (and evaluate) a segmentor or the student of a distillation checkpoint (mmseg's command line).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out DIR] [--show-dir DIR]
                         [--metrics-out FILE.json] [--cfg-options k=v ...] [--launcher ...] [--tta]
                         [--allow-partial-checkpoint]

The checkpoint must hold every weight of the model (mmkdseg's ``CheckedRunner``); a checkpoint of another
model is refused with the missing / unexpected key prefixes, unless ``--allow-partial-checkpoint``.

The metrics are printed, and written as JSON to ``--metrics-out`` (default: ``<work_dir>/test_metrics.json``).
"""
import argparse
import json
import os
import os.path as osp

import mmkdseg  # noqa: F401  (torch-2.x compatibility + registration of all components)
from mmengine.config import DictAction
from mmengine.dist import is_main_process

from mmkdseg.engine.checkpoint import CheckpointLoadError, CheckpointMismatchError
from mmkdseg.engine.dist import teardown_distributed
from mmkdseg.engine.runner import PARTIAL_KEY, build_runner
from mmkdseg.utils.config_utils import check_data_dirs, load_config


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and evaluate) a segmentor')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='directory for logs and the metrics JSON')
    parser.add_argument('--out', type=str, help='directory to save predictions for offline evaluation')
    parser.add_argument('--show', action='store_true', help='show prediction results')
    parser.add_argument('--show-dir', help='directory where painted images are saved '
                        '(inside work_dir/timestamp)')
    parser.add_argument('--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument('--metrics-out', help='JSON file for the metrics '
                        '(default: <work_dir>/test_metrics.json)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings in the config, key=value pairs')
    parser.add_argument('--allow-partial-checkpoint', action='store_true',
                        help='load a checkpoint that does not hold every weight of the model (the rest keeps '
                        'its initialisation); by default such a checkpoint is refused')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
                        help='job launcher')
    parser.add_argument('--tta', action='store_true', help='test time augmentation')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options, args.work_dir, args.launcher)
    if not osp.isfile(args.checkpoint) and '://' not in args.checkpoint:
        raise FileNotFoundError(f'checkpoint {args.checkpoint!r} does not exist')
    cfg.load_from = args.checkpoint
    if args.show or args.show_dir:
        hook = cfg.default_hooks.get('visualization')
        if hook is None:
            raise RuntimeError('--show/--show-dir need default_hooks.visualization '
                               "(dict(type='SegVisualizationHook'))")
        hook['draw'] = True
        if args.show:
            hook['show'] = True
            hook['wait_time'] = args.wait_time
        if args.show_dir:
            cfg.visualizer['save_dir'] = args.show_dir
    if args.tta:
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
        cfg.tta_model.module = cfg.model
        cfg.model = cfg.tta_model
    if args.out is not None:
        cfg.test_evaluator['output_dir'] = args.out
        cfg.test_evaluator['keep_results'] = True
    check_data_dirs(cfg, keys=('test_dataloader', ))
    if args.allow_partial_checkpoint:
        cfg[PARTIAL_KEY] = True
    runner = build_runner(cfg)
    try:
        metrics = runner.test()
    except (CheckpointLoadError, CheckpointMismatchError) as e:
        raise SystemExit(f'{type(e).__name__}: {e}')
    if is_main_process():
        out = args.metrics_out or osp.join(cfg.work_dir, 'test_metrics.json')
        os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
        with open(out, 'w') as f:
            json.dump({k: float(v) for k, v in metrics.items()}, f, indent=1)
    teardown_distributed()


if __name__ == '__main__':
    main()
