"""Cost of MGD's generation block: parameters and training-step time, paper widths vs embedded widths.

    python benchmarks/bench_mgd_generation.py [--steps 10] [--paper-size 128] [--paper-batch 2]
                                              [--syntex-batch 8] [--settings paper syntex]

Two settings, each built from its own config (teacher without checkpoint, SyncBN reverted to BN):

* ``paper``   configs/mgd/mgd-cwd_pspnet-r101-d8_pspnet-r18-d8_8xb2-40k_cityscapes-512x512.py: PSPNet-R18 student,
  connector 512 → 2048 channels, PSPNet-R101 teacher. The paper trains on 512×512 crops (64×64 features);
  on a CPU the step is timed on ``--paper-size`` crops (default 128 → 16×16 features). Conv costs scale
  linearly with the number of positions, so the *ratios* carry over; the absolute times do not.
* ``syntex``  configs/mgd/mgd-cwd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py: the embedded student,
  connector 64 → 256 channels, 96×96 crops (12×12 features), batch 8 (the training setting).

For each setting three training steps (forward, backward, SGD update with momentum and weight decay) are
timed alternately on identical data, so machine noise affects them alike; medians of the whole step and
of its two parts (forward + backward, SGD update) are printed:

* ``student``    the student alone (its own decode + auxiliary losses) — the baseline cost;
* ``connector``  MGD alone: align → mask → generation block → MGD loss, on recorded features;
* ``distill``    a full MGD + CWD step of SegmentationDistill (teacher forward included).

Printed side by side: parameters (generation block, whole connector, student) and their ratio, median
milliseconds per step and the ratios connector / student and distill / student, plus the analytic
multiply-accumulates of the generation block per image at the paper's full 64×64 feature size.
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
from mmengine.model import revert_sync_batchnorm  # noqa: E402
from mmengine.registry import MODELS, DefaultScope  # noqa: E402
from mmkdseg.testing.batches import fake_seg_batch  # noqa: E402

SETTINGS = {
    'paper': 'configs/mgd/mgd-cwd_pspnet-r101-d8_pspnet-r18-d8_8xb2-40k_cityscapes-512x512.py',
    'syntex': 'configs/mgd/mgd-cwd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py',
}


make_batch = fake_seg_batch


def build(config):
    cfg = Config.fromfile(osp.join(REPO, config))
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.teacher_ckpt = None
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(model_cfg)
    return revert_sync_batchnorm(model).train()


def n_params(module):
    return sum(p.numel() for p in module.parameters())


def sgd(params):
    return torch.optim.SGD([p for p in params if p.requires_grad], lr=1e-4, momentum=0.9, weight_decay=5e-4)


def run_setting(name, config, batch, size, steps):
    model = build(config)
    connector = model.distiller.connectors['mgd']
    mgd_loss = model.distiller.distill_losses['loss_mgd']
    inputs, samples = make_batch(batch, size, model.student.decode_head.num_classes)
    # recorded features for the connector-only step
    model.loss(inputs, samples)
    f_s = model.distiller.student_recorders.get_recorder('feat').get_record_data().detach()
    f_t = model.distiller.teacher_recorders.get_recorder('feat').get_record_data().detach()
    f_s.requires_grad_(True)

    opt_student = sgd(model.student.parameters())
    opt_connector = sgd(connector.parameters())
    opt_distill = sgd(model.parameters())

    def step(loss_fn, opt):
        """(seconds for forward + backward, seconds for the SGD update)."""
        t0 = time.perf_counter()
        loss = loss_fn()
        opt.zero_grad()
        loss.backward()
        t1 = time.perf_counter()
        opt.step()
        return t1 - t0, time.perf_counter() - t1

    def total(losses):
        return sum(v for k, v in losses.items() if 'loss' in k)

    fns = dict(
        student=lambda: step(lambda: total(model.student.loss(inputs, samples)), opt_student),
        connector=lambda: step(lambda: mgd_loss(connector(f_s), f_t), opt_connector),
        distill=lambda: step(lambda: total(model.loss(inputs, samples)), opt_distill))
    times = {k: [] for k in fns}
    order = list(fns)
    for i in range(steps + 2):
        for k in (order if i % 2 == 0 else order[::-1]):
            dt = fns[k]()
            if i >= 2:  # warm-up
                times[k].append(dt)
    med = {k: statistics.median(a + b for a, b in v) for k, v in times.items()}
    fwd_bwd = {k: statistics.median(a for a, _ in v) for k, v in times.items()}
    update = {k: statistics.median(b for _, b in v) for k, v in times.items()}
    h, w = f_t.shape[-2:]
    k_t = connector.teacher_channels
    return dict(
        name=name, config=config, batch=batch, size=size,
        widths=f'{connector.student_channels}->{k_t}', feature=f'{h}x{w}',
        gen_params=n_params(connector.generation), conn_params=n_params(connector),
        student_params=n_params(model.student), teacher_params=n_params(model.teacher),
        gen_macs_per_image=2 * k_t * k_t * 9 * h * w, ms=med, fwd_bwd=fwd_bwd, update=update, steps=steps)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--settings', nargs='+', default=['paper', 'syntex'], choices=sorted(SETTINGS))
    p.add_argument('--steps', type=int, default=10)
    p.add_argument('--paper-size', type=int, default=128, help='crop size for the paper-width setting')
    p.add_argument('--paper-batch', type=int, default=2, help='images per step (the paper: 2 per GPU)')
    p.add_argument('--syntex-batch', type=int, default=8)
    args = p.parse_args()
    rows = []
    for name in args.settings:
        batch, size = (args.paper_batch, args.paper_size) if name == 'paper' else (args.syntex_batch, 96)
        rows.append(run_setting(name, SETTINGS[name], batch, size, args.steps))

    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, {args.steps} timed steps each '
          f'(median), steps alternate student / connector / distill\n')
    print('| setting | widths | features | generation params | connector params | student params | '
          'generation / student |')
    print('|---|---|---|---|---|---|---|')
    for r in rows:
        print(f'| {r["name"]} | {r["widths"]} | {r["batch"]}x{r["feature"]} | {r["gen_params"] / 1e6:.2f}M | '
              f'{r["conn_params"] / 1e6:.2f}M | {r["student_params"] / 1e6:.2f}M | '
              f'{r["gen_params"] / r["student_params"]:.1f}x |')
    print('\nmedian ms per training step (median forward+backward + median SGD update)')
    print('\n| setting | crop | student step | connector step (MGD alone) | connector / student | '
          'MGD+CWD distill step | distill / student |')
    print('|---|---|---|---|---|---|---|')
    for r in rows:
        ms, fb, up = r['ms'], r['fwd_bwd'], r['update']

        def cell(k):
            return f'{ms[k] * 1e3:.1f} ({fb[k] * 1e3:.1f} + {up[k] * 1e3:.1f})'
        print(f'| {r["name"]} | {r["batch"]}x{r["size"]}x{r["size"]} | {cell("student")} | {cell("connector")} | '
              f'{ms["connector"] / ms["student"]:.2f} | {cell("distill")} | {ms["distill"] / ms["student"]:.2f} |')
    for r in rows:
        if r['name'] == 'paper':
            k = int(r['widths'].split('->')[1])
            full = 2 * k * k * 9 * 64 * 64
            print(f'\npaper widths at the paper\'s 512x512 crop (64x64 features): the generation block costs '
                  f'{full / 1e9:.0f} GMAC per image forward (x3 with backward), '
                  f'vs {r["gen_macs_per_image"] / 1e9:.1f} GMAC at the timed {r["feature"]} features; its '
                  f'weights + gradients + SGD momentum take {3 * 4 * r["conn_params"] / 2**20:.0f} MiB (float32).')


if __name__ == '__main__':
    main()
