"""The main job on the embedded SynTex dataset (``make demo``).

1. generates SynTex into data/syntex (once);
2. pretrains the backbones on the pretext task and trains the embedded teacher from its pretrained backbone,
   once: all three are kept in checkpoints/syntex/ and reused while their configs and the dataset are
   unchanged (``tools/embedded.py``);
3. trains the baseline student and the distilled student (pixel-wise KD);
4. exports the distilled student as a plain mmseg model (tools/export_student.py);
5. evaluates teacher, student and distilled student with tools/test.py;
6. prints a table (mIoU, mAcc, per-class IoU, s/iter, parameters), writes it to
   work_dirs/demo/results.md, and saves a picture grid of validation predictions to
   work_dirs/demo/predictions.png.

    python tools/demo.py [--work-dir work_dirs/demo] [--seed 0] [--retrain-teacher] [--num-images 6]
"""
import argparse
import contextlib
import io
import json
import os
import os.path as osp
import shutil
import sys
import time
import warnings

# Deprecation notices of the pinned libraries (pkg_resources, build_loss, ...) are noise for a newcomer;
# the child processes' full output, warnings included, is in the log files.
warnings.filterwarnings('ignore', category=UserWarning)
warnings.filterwarnings('ignore', category=DeprecationWarning)

TOOLS = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(TOOLS)
sys.path.insert(0, REPO)
if TOOLS not in sys.path:  # run_utils: tools/ is not a package (as a script, its directory is on the path already)
    sys.path.append(TOOLS)

import embedded  # noqa: E402
from run_utils import count_parameters, last_checkpoint, run_logged, test_cmd, train_cmd, train_stats  # noqa: E402

TEACHER_CFG = 'configs/syntex/pspnet_r101-w8-d8_1xb8-4k_syntex-96x96.py'
STUDENT_CFG = 'configs/syntex/pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py'
DISTILL_CFG = 'configs/kd/kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'
TEACHER_CKPT = 'checkpoints/syntex/teacher_pspnet_r101-w8.pth'


def step(i, n, text):
    print(f'\n[{i}/{n}] {text}', flush=True)


def ensure_teacher(retrain):
    """The embedded teacher and the pretrained backbones it and the students start from (``tools/embedded.py``)."""
    for path in embedded.dependencies(STUDENT_CFG):
        embedded.ensure(path)
    return embedded.ensure(TEACHER_CKPT, retrain=retrain)


def train_student(label, config, work_dir, seed):
    wd = osp.join(work_dir, label)
    shutil.rmtree(wd, ignore_errors=True)
    run = run_logged(train_cmd(config, wd, [f'randomness.seed={seed}']), osp.join(wd, 'train.log'), label)
    stats = train_stats(wd)
    print(f'  {label}: {run["seconds"] / 60:.1f} min, {stats["s_per_iter"]:.3f} s/iter')
    return last_checkpoint(wd), stats


def evaluate(label, config, checkpoint, work_dir):
    wd = osp.join(work_dir, 'test', label)
    out = osp.join(wd, 'metrics.json')
    # the same metric for every row: mmkdseg's ClassIoUMetric reports the per-class IoU that mmseg's IoUMetric (the
    # metric of the exported, plain-mmseg student config) only prints
    run_logged(test_cmd(config, checkpoint, wd, out, ['test_evaluator.type=ClassIoUMetric']),
               osp.join(wd, 'test.log'), f'test {label}', quiet=True)
    with open(out) as f:
        return json.load(f)


def params_of(config, part=None):
    return count_parameters(osp.join(REPO, config), part)


def results_table(rows, classes):
    head = ['model', 'params', 's/iter', 'mIoU', 'mAcc'] + [f'IoU {c}' for c in classes]
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in rows:
        m = r['metrics']
        cells = [r['label'], f'{r["params"] / 1e6:.3f}M', f'{r["s_per_iter"]:.3f}', f'{m["mIoU"]:.2f}',
                 f'{m["mAcc"]:.2f}'] + [f'{m.get("IoU." + c, float("nan")):.1f}' for c in classes]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def picture_grid(models, data_root, out_file, num_images, classes):
    """image | ground truth | one column per model, for the first ``num_images`` val images; a colour legend of
    ``classes`` below."""
    import numpy as np
    from mmseg.apis import inference_model, init_model
    from PIL import Image, ImageDraw

    from mmkdseg.datasets.syntex_generator import PALETTE
    palette = np.array(PALETTE, np.uint8)
    names = sorted(os.listdir(osp.join(data_root, 'img_dir', 'val')))[:num_images]
    with contextlib.redirect_stdout(io.StringIO()):  # mmengine prints 'Loads checkpoint by ...'
        built = [(label, init_model(cfg, ckpt, device='cpu')) for label, cfg, ckpt in models]
    scale, header = 2, 16
    cols = ['image', 'ground truth'] + [label for label, _ in built]
    tiles = []
    for name in names:
        img = np.array(Image.open(osp.join(data_root, 'img_dir', 'val', name)).convert('RGB'))
        gt = np.array(Image.open(osp.join(data_root, 'ann_dir', 'val', name)))
        row = [img, palette[gt]]
        for _, model in built:
            pred = inference_model(model, osp.join(data_root, 'img_dir', 'val', name))
            row.append(palette[pred.pred_sem_seg.data[0].cpu().numpy()])
        tiles.append(np.concatenate(row, 1))
    grid = np.concatenate(tiles, 0)
    h, w = grid.shape[:2]
    canvas = Image.new('RGB', (w * scale, h * scale + header), 'white')
    canvas.paste(Image.fromarray(grid).resize((w * scale, h * scale), Image.NEAREST), (0, header))
    draw = ImageDraw.Draw(canvas)
    tile_w = w * scale // len(cols)
    for i, c in enumerate(cols):
        draw.text((i * tile_w + 4, 2), c, fill='black')
    canvas = with_legend(canvas, classes, palette)
    os.makedirs(osp.dirname(out_file), exist_ok=True)
    canvas.save(out_file)


def with_legend(canvas, classes, palette, row_h: int = 16):
    """``canvas`` with a colour legend below it: one swatch and the class name per class."""
    from PIL import Image, ImageDraw
    per_row = max(1, canvas.width // 110)
    rows = -(-len(classes) // per_row)
    out = Image.new('RGB', (canvas.width, canvas.height + rows * row_h + 4), 'white')
    out.paste(canvas, (0, 0))
    draw = ImageDraw.Draw(out)
    for k, name in enumerate(classes):
        x, y = (k % per_row) * 110 + 4, canvas.height + 2 + (k // per_row) * row_h
        draw.rectangle([x, y + 2, x + 12, y + 12], fill=tuple(int(v) for v in palette[k]), outline='black')
        draw.text((x + 16, y + 1), name, fill='black')
    return out


def benchmark_summary(suite: str = 'kd_syntex', label: str = 'KD') -> str:
    """The paired benchmark figure for ``label`` from the committed records (``benchmarks/results/<suite>``)."""
    path = osp.join(REPO, 'benchmarks', 'results', suite, 'results.json')
    if not osp.isfile(path):
        return ''
    with open(path) as f:
        results = json.load(f)
    rows = {r['label']: r for r in results['rows']}
    paired = rows.get(label, {}).get('paired')
    if not paired:
        return ''
    protocol = 'protocol v2' if results.get('protocol') == 'v2' else 'protocol v1, superseded'
    text = (f'benchmark {suite} ({protocol}; seeds {", ".join(map(str, paired["seeds"]))}, paired): {label} - student '
            f'{paired["mean"]:+.2f} mIoU, 95% CI [{paired["low"]:+.2f}, {paired["high"]:+.2f}], '
            f'{paired["verdict"]}')
    matched = rows[label].get('paired_matched')
    if matched and matched['n'] >= 2:
        text += (f'; against the student trained as long as {label} costs: {matched["mean"]:+.2f} '
                 f'[{matched["low"]:+.2f}, {matched["high"]:+.2f}], {matched["verdict"]}')
    return text


def main():
    parser = argparse.ArgumentParser(description='mmkdseg demo on the embedded SynTex dataset')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--seed', type=int, default=0, help='training seed of the two students')
    parser.add_argument('--retrain-teacher', action='store_true')
    parser.add_argument('--num-images', type=int, default=6, help='rows of the picture grid')
    args = parser.parse_args()
    os.chdir(REPO)
    work_dir = args.work_dir
    start = time.time()
    n = 6
    import mmkdseg  # noqa: F401
    from mmkdseg.apis import export_student
    from mmkdseg.datasets import prepare_syntex
    from mmkdseg.datasets.syntex_generator import CLASSES

    step(1, n, 'SynTex dataset -> data/syntex')
    t = time.time()
    prepare_syntex('data/syntex')
    print(f'  ready ({time.time() - t:.0f} s)')

    step(2, n, f'teacher {TEACHER_CFG}')
    teacher_info = ensure_teacher(args.retrain_teacher)

    step(3, n, f'baseline student {STUDENT_CFG}')
    student_ckpt, student_stats = train_student('student', STUDENT_CFG, work_dir, args.seed)

    step(4, n, f'distilled student {DISTILL_CFG}')
    distill_ckpt, distill_stats = train_student('distilled', DISTILL_CFG, work_dir, args.seed)
    # from the run's work dir: the config mmengine dumped there, with the run's --cfg-options
    exported_cfg, exported_ckpt = export_student(osp.dirname(distill_ckpt), distill_ckpt,
                                                 osp.join(work_dir, 'exported'))
    print(f'  exported the distilled student: {exported_cfg}, {exported_ckpt}')

    step(5, n, 'evaluation with tools/test.py on the 300 validation images')
    models = [('teacher', TEACHER_CFG, TEACHER_CKPT, params_of(TEACHER_CFG), teacher_info['s_per_iter']),
              ('student', STUDENT_CFG, student_ckpt, params_of(STUDENT_CFG), student_stats['s_per_iter']),
              ('distilled student (KD)', exported_cfg, exported_ckpt, params_of(exported_cfg),
               distill_stats['s_per_iter'])]
    rows = []
    for label, cfg, ckpt, params, spi in models:
        metrics = evaluate(label.split()[0] if label.startswith('distilled') else label, cfg, ckpt, work_dir)
        rows.append(dict(label=label, params=params, s_per_iter=spi, metrics=metrics))
        print(f'  {label}: mIoU {metrics["mIoU"]:.2f}')

    step(6, n, 'results')
    table = results_table(rows, CLASSES)
    print(table)
    gap = rows[1]['metrics']['mIoU']
    print(f'\n  this run (seed {args.seed}): distilled - student: {rows[2]["metrics"]["mIoU"] - gap:+.2f} mIoU;'
          f'  teacher - student: {rows[0]["metrics"]["mIoU"] - gap:+.2f} mIoU'
          f'  (s/iter: training step time, the distilled student includes the teacher forward)')
    summary = benchmark_summary()
    if summary:
        print(f'  one seed is an anecdote, not evidence; {summary}')
    with open(osp.join(work_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump(rows, f, indent=1)
    grid = osp.join(work_dir, 'predictions.png')
    picture_grid([(r[0], r[1], r[2]) for r in models], 'data/syntex', grid, args.num_images, CLASSES)
    print(f'\n  picture grid: {grid}\n  table: {osp.join(work_dir, "results.md")}')
    print(f'  total {(time.time() - start) / 60:.1f} min')


if __name__ == '__main__':
    main()
