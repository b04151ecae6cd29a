"""How much each loss term of a distillation config pulls on the student: per-term gradient norms at a checkpoint.

    python benchmarks/loss_gradients.py CONFIG [CHECKPOINT] [--batches 8] [--max-norm 2] [--cfg-options k=v ...]

The optimizer steps along the gradient of the sum of the loss terms (every key of the loss dict containing
``'loss'``, mmengine's rule). This builds the config's model, loads CHECKPOINT's weights (a run's ``iter_*.pth``;
without one, the model as training starts: pretrained backbone, random head; loaded strictly: a checkpoint
that does not match the config's model is an error), draws ``--batches`` batches from the
config's train dataloader and computes, per batch and per term, the gradient of that term alone w.r.t. the
student's parameters (``architecture``). Printed per term, as the median over batches: the L2 norm of its
gradient, its norm relative to the sum's, and its cosine with the sum's gradient. For
``AdversarialSegmentationDistill`` the student's adversarial term is added with the checkpoint's critic, as in
its ``train_step``. The last line gives the scale ``min(1, max_norm / norm)`` that clipping at ``--max-norm``
applies to the sum's gradient (``norm`` per batch, not the logged 50-iteration mean).

Loss weights scheduled by ``LossWeightScheduleHook`` (AICSD's Adaptive Loss Weighting) are set to their values at
the checkpoint's iteration (at iteration 0 without a checkpoint), as the hook sets them before that step, and
printed; a term whose weight is 0 there has a zero gradient.

The model is in train mode (BatchNorm uses batch statistics); nothing is stepped or saved. A diagnostic of a run
already made: it trains nothing.
"""
import argparse
import os.path as osp
import statistics
import tempfile

import torch
from mmengine.config import DictAction


def _as_tensor(value):
    """A loss dict value: a tensor, or a list of tensors that mmengine sums."""
    return sum(value) if isinstance(value, (list, tuple)) else value


def term_gradients(losses, params):
    """Per-term ``(norm, norm / total norm, cosine with the total)`` and the total's norm for one batch.

    Args:
        losses (dict): the model's loss dict; the terms are the keys containing ``'loss'``.
        params (list[Tensor]): the parameters the optimizer steps (the student's).
    """
    terms = {k: _as_tensor(v) for k, v in losses.items() if 'loss' in k}
    total = sum(terms.values())

    def flat_grad(loss):
        grads = torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)
        return torch.cat([(torch.zeros_like(p) if g is None else g).flatten() for g, p in zip(grads, params)])

    g_total = flat_grad(total)
    n_total = g_total.norm().item()
    rows = {}
    for key, loss in terms.items():
        g = flat_grad(loss) if loss.requires_grad else torch.zeros_like(g_total)
        n = g.norm().item()
        cos = (g @ g_total).item() / (n * n_total) if n > 0 and n_total > 0 else 0.0
        rows[key] = (n, n / n_total if n_total > 0 else 0.0, cos)
    return rows, n_total


def apply_loss_weight_schedules(runner, iteration) -> dict:
    """Set the weights of every ``LossWeightScheduleHook`` of ``runner`` to their values after ``iteration``
    iterations of ``train_cfg.max_iters``; returns ``{name: value}`` (empty without such a hook). ``iteration``
    None (a checkpoint without ``meta['iter']``) is an error where a schedule exists."""
    from mmkdseg.engine.hooks import LossWeightScheduleHook
    values = {}
    for hook in runner.hooks:
        if not isinstance(hook, LossWeightScheduleHook):
            continue
        if iteration is None:
            raise ValueError('loss_gradients: the config schedules loss weights (LossWeightScheduleHook), but the '
                             "checkpoint has no meta['iter'] to take them at; pass a checkpoint that training saved")
        if hook.by_epoch:
            raise ValueError('loss_gradients: an epoch-based LossWeightScheduleHook is not supported (the '
                             'checkpoint gives the iteration, not the progress in epochs)')
        values.update(hook.set_weights(runner.model, iteration, runner.cfg.train_cfg['max_iters']))
    return values


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', help="a run's checkpoint (default: the model as training starts)")
    parser.add_argument('--batches', type=int, default=8)
    parser.add_argument('--max-norm', type=float, default=2.0, help="the config's clip_grad max_norm (protocol: 2)")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='key=value overrides of the config')
    args = parser.parse_args(argv)

    import mmkdseg  # noqa: F401  (registration, torch-2.x compatibility)

    from mmkdseg.engine.runner import build_runner
    from mmkdseg.utils.config_utils import load_config
    with tempfile.TemporaryDirectory() as work_dir:
        cfg = load_config(args.config, args.cfg_options, work_dir, 'none')
        cfg.load_from, cfg.resume = None, False
        # a visualizer of its own: mmengine keeps one instance per name (mmseg's configs name it 'visualizer'), so
        # a second call in one process would otherwise write into the first call's deleted work dir
        if cfg.get('visualizer'):
            cfg.visualizer.name = f'loss_gradients_{osp.basename(work_dir)}'
        cfg.train_dataloader.update(num_workers=0, persistent_workers=False)  # a few batches: no worker processes
        runner = build_runner(cfg)
        model = runner.model
        iteration = 0
        if args.checkpoint:
            ckpt = runner.load_checkpoint(args.checkpoint, map_location='cpu', strict=True)  # every key, or an error
            iteration = ckpt.get('meta', {}).get('iter')  # None: not a training checkpoint
        else:
            runner._init_model_weights()  # what runner.train() does first: the pretrained backbone
        scheduled = apply_loss_weight_schedules(runner, iteration)
        model.train()
        params = [p for p in model.architecture.parameters() if p.requires_grad]
        per_term, totals = {}, []
        for _, batch in zip(range(args.batches), runner.train_dataloader):
            data = model.data_preprocessor(batch, True)
            losses = model(**data, mode='loss')
            if hasattr(model, 'student_adversarial_loss') and not model.distillation_stopped:
                _, fake, image = model.adversarial_inputs(data['inputs'])
                losses['distill.loss_adv'] = model.student_adversarial_loss(fake, image)
            rows, n_total = term_gradients(losses, params)
            totals.append(n_total)
            for key, row in rows.items():
                per_term.setdefault(key, []).append(row)
            model.zero_grad(set_to_none=True)
    print(f'{osp.basename(args.config)} at {osp.basename(args.checkpoint) if args.checkpoint else "the start"}, '
          f'{len(totals)} batches (medians):\n')
    print('| term | gradient norm | × the sum\'s | cosine with the sum |')
    print('|---|---|---|---|')
    for key, rows in per_term.items():
        med = [statistics.median(r[i] for r in rows) for i in range(3)]
        print(f'| {key} | {med[0]:.3f} | {med[1]:.2f} | {med[2]:+.2f} |')
    scale = statistics.median(min(1.0, args.max_norm / n) if n > 0 else 1.0 for n in totals)
    print(f'| sum | {statistics.median(totals):.3f} | 1.00 | +1.00 |')
    if scheduled:
        print('\nscheduled loss weights at iteration ' + f'{iteration}: '
              + ', '.join(f'{name} {value:.4g}' for name, value in scheduled.items()))
    print(f'\nclipping at {args.max_norm:g} scales the step by {scale:.2f} (median over batches)')


if __name__ == '__main__':
    main()
