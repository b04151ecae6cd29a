"""Export the student of a distillation checkpoint as a plain mmseg model.

    python tools/export_student.py CONFIG CHECKPOINT OUT_DIR [--name student] [--allow-partial-checkpoint]

CONFIG is the distillation config, or the run's work dir (then the config mmengine dumped there, which holds
the run's ``--cfg-options``). Writes OUT_DIR/student.py (an mmseg config whose ``model`` is the student, see
``mmkdseg.apis.export``) and OUT_DIR/student.pth (student weights only, with ``meta.dataset_meta``). Both work
with ``mmseg.apis.init_model`` and with mmseg's and mmkdseg's ``tools/test.py`` / ``tools/train.py``. The
student weights must cover the student model; otherwise the export is refused unless
``--allow-partial-checkpoint``.
"""
import argparse

import mmkdseg  # noqa: F401
from mmkdseg.apis import export_student
from mmkdseg.engine.checkpoint import CheckpointLoadError, CheckpointMismatchError


def main():
    parser = argparse.ArgumentParser(description='Export the student of a distillation checkpoint')
    parser.add_argument('config', help='the distillation config the checkpoint was trained with, or the '
                        'run\'s work dir (its dumped config)')
    parser.add_argument('checkpoint', help='distillation checkpoint (e.g. work_dirs/.../iter_2000.pth)')
    parser.add_argument('out_dir', help='output directory')
    parser.add_argument('--name', default='student', help='base name of the output files')
    parser.add_argument('--allow-partial-checkpoint', action='store_true',
                        help='export even if the student weights do not cover the student model')
    args = parser.parse_args()
    try:
        cfg_path, ckpt_path = export_student(args.config, args.checkpoint, args.out_dir, args.name,
                                             allow_partial=args.allow_partial_checkpoint)
    except (CheckpointLoadError, CheckpointMismatchError, KeyError, FileNotFoundError) as e:
        raise SystemExit(f'{type(e).__name__}: {e}')
    print(f'student config: {cfg_path}\nstudent checkpoint: {ckpt_path}')


if __name__ == '__main__':
    main()
