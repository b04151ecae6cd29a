"""Train a segmentor or a distillation algorithm (mmseg's command line, plus ``--resume [CKPT]``).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp] [--cfg-options k=v ...]
                                 [--allow-partial-checkpoint]
                                 [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse
import logging
import os

import mmkdseg  # noqa: F401  (torch-2.x compatibility + registration of all components)
import embedded  # tools/embedded.py (this script's directory is on the path)
from mmengine.config import DictAction
from mmengine.logging import print_log

from mmkdseg.engine.checkpoint import CheckpointLoadError, CheckpointMismatchError
from mmkdseg.engine.dist import teardown_distributed
from mmkdseg.engine.runner import PARTIAL_KEY, build_runner
from mmkdseg.utils.config_utils import check_data_dirs, enable_amp, load_config


def parse_args():
    parser = argparse.ArgumentParser(description='Train a segmentor or distill a student')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto', default=None,
        help='resume training: without a value from the latest checkpoint in the work dir, '
        'with a value from that checkpoint (optimizer, scheduler, iteration and message hub restored)')
    parser.add_argument('--amp', action='store_true', help='enable automatic mixed precision')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings in the config, key=value pairs (e.g. randomness.seed=1)')
    parser.add_argument('--allow-partial-checkpoint', action='store_true',
                        help='load a checkpoint that does not hold every weight of the model (the rest keeps '
                        'its initialisation); by default such a checkpoint is refused')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
                        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options, args.work_dir, args.launcher)
    if args.amp:
        import torch
        if not torch.cuda.is_available():
            raise SystemExit('--amp needs a CUDA device: mmengine\'s AmpOptimWrapper (float16 autocast + '
                             'loss scaling) does not run on CPU; train without --amp here')
        if not enable_amp(cfg):  # one wrapper, or one per submodule (e.g. student + discriminator)
            print_log('AMP training is already enabled in your config.', logger='current',
                      level=logging.WARNING)
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    check_data_dirs(cfg, keys=('train_dataloader', 'val_dataloader'))
    # the embedded benchmark's pretrained backbones and teacher (checkpoints/syntex/): built once if missing,
    # like the SynTex data; a distributed launch only checks them
    embedded.ensure_for_cfg(cfg, build=args.launcher == 'none')
    if args.allow_partial_checkpoint:
        cfg[PARTIAL_KEY] = True
    runner = build_runner(cfg)
    try:
        runner.train()
    except (CheckpointLoadError, CheckpointMismatchError) as e:
        raise SystemExit(f'{type(e).__name__}: {e}')
    teardown_distributed()


if __name__ == '__main__':
    main()
