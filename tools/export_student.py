"""Export the student of a distillation checkpoint as a plain mmseg model.

    python tools/export_student.py CONFIG CHECKPOINT OUT_DIR [--name student]

Writes OUT_DIR/student.py (an mmseg config whose ``model`` is the student) and OUT_DIR/student.pth
(student weights only, with ``meta.dataset_meta``). Both work with ``mmseg.apis.init_model`` and with
mmseg's and mmkdseg's ``tools/test.py``.
"""
import argparse

import mmkdseg  # noqa: F401
from mmkdseg.apis import export_student


def main():
    parser = argparse.ArgumentParser(description='Export the student of a distillation checkpoint')
    parser.add_argument('config', help='the distillation config the checkpoint was trained with')
    parser.add_argument('checkpoint', help='distillation checkpoint (e.g. work_dirs/.../iter_2000.pth)')
    parser.add_argument('out_dir', help='output directory')
    parser.add_argument('--name', default='student', help='base name of the output files')
    args = parser.parse_args()
    cfg_path, ckpt_path = export_student(args.config, args.checkpoint, args.out_dir, args.name)
    print(f'student config: {cfg_path}\nstudent checkpoint: {ckpt_path}')


if __name__ == '__main__':
    main()
