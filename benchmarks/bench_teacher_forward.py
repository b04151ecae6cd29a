"""Training-step time: mmkdseg's SegmentationDistill vs mmrazor's SingleTeacherDistill, same config.

    python benchmarks/bench_teacher_forward.py [--config CONFIG] [--steps 30] [--batch 8]

Both algorithms are built from the same distillation config (same teacher, student, recorders and
losses; only ``type`` differs) with identical weights, and a full training step (forward, backward,
SGD update) is timed alternately on identical batches, so machine noise affects both alike. Printed:
median milliseconds per step of each and their ratio. The difference comes from what the teacher
computes: SingleTeacherDistill runs the teacher in ``loss`` mode (decode head + auxiliary head + losses,
BN in eval but dropout active); SegmentationDistill runs only what the recorders need.
"""
import argparse
import copy
import os.path as osp
import statistics
import sys
import time

import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

import mmkdseg  # noqa: E402,F401
from mmengine.config import Config  # noqa: E402
from mmengine.registry import MODELS, DefaultScope  # noqa: E402
from mmkdseg.testing.batches import fake_seg_batch  # noqa: E402

DEFAULT = 'configs/kd/kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'


batch = fake_seg_batch


def build(model_cfg, algo_type):
    cfg = copy.deepcopy(model_cfg)
    cfg.type = algo_type
    cfg.teacher_ckpt = None
    if algo_type == 'SingleTeacherDistill':
        # mmrazor's distiller cannot take ground truth from the batch: drop those inputs
        cfg.distiller.type = 'ConfigurableDistiller'
        for mapping in cfg.distiller.loss_forward_mappings.values():
            for key in [k for k, v in mapping.items() if 'from_data' in v]:
                mapping.pop(key)
        cfg.pop('teacher_ckpt_strict', None)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(cfg)
    model.train()
    return model


def step(model, opt, inputs, samples):
    t = time.perf_counter()
    losses = model.loss(inputs, samples)
    loss = sum(v for k, v in losses.items() if 'loss' in k)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return time.perf_counter() - t


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--config', default=DEFAULT)
    p.add_argument('--steps', type=int, default=30)
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--size', type=int, default=96)
    args = p.parse_args()
    cfg = Config.fromfile(osp.join(REPO, args.config))
    ours = build(cfg.model, 'SegmentationDistill')
    razor = build(cfg.model, 'SingleTeacherDistill')
    razor.load_state_dict(ours.state_dict())
    num_classes = ours.student.decode_head.num_classes
    inputs, samples = batch(args.batch, args.size, num_classes)
    opts = {n: torch.optim.SGD([p for p in m.parameters() if p.requires_grad], lr=1e-3)
            for n, m in (('ours', ours), ('razor', razor))}
    times = {'ours': [], 'razor': []}
    for i in range(args.steps + 3):
        order = (('ours', ours), ('razor', razor)) if i % 2 == 0 else (('razor', razor), ('ours', ours))
        for name, model in order:
            dt = step(model, opts[name], inputs, samples)
            if i >= 3:  # warm-up
                times[name].append(dt)
    mo, mr = statistics.median(times['ours']), statistics.median(times['razor'])
    print(f'config: {args.config}  batch {args.batch}x{args.size}x{args.size}, {args.steps} steps each, '
          f'{torch.get_num_threads()} threads')
    print(f'SingleTeacherDistill (mmrazor): {mr * 1000:7.1f} ms/step (median)')
    print(f'SegmentationDistill (mmkdseg):  {mo * 1000:7.1f} ms/step (median)')
    print(f'ratio SegmentationDistill / SingleTeacherDistill = {mo / mr:.3f}  '
          f'(speed-up {mr / mo:.2f}x)')


if __name__ == '__main__':
    main()
