"""A hook that simulates a crash, for resume tests (imported by test configs only)."""
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class SimulatedCrashHook(Hook):
    """Raise ``RuntimeError`` right after iteration ``after_iter`` (1-based) has finished.

    Priority is lower than the checkpoint hook, so a checkpoint due at that iteration is written first.
    """
    priority = 'LOWEST'

    def __init__(self, after_iter: int) -> None:
        self.after_iter = after_iter

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        if runner.iter + 1 == self.after_iter:
            raise RuntimeError(f'simulated crash after iteration {self.after_iter}')


@HOOKS.register_module()
class RecordBatchHook(Hook):
    """Append ``<iter> <semi_part or -> <img_path>`` for every training sample to
    ``<work_dir>/batches_rank<rank>.txt`` (tests check which images each process saw)."""

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        import os.path as osp
        from mmengine.dist import get_rank
        with open(osp.join(runner.work_dir, f'batches_rank{get_rank()}.txt'), 'a') as f:
            for sample in data_batch['data_samples']:
                f.write(f'{runner.iter} {sample.metainfo.get("semi_part", "-")} {sample.img_path}\n')


def state_digest(state_dict) -> dict:
    """``{key: [sum, sum of |x|]}`` of a state dict's tensors (float64), to compare weights across processes."""
    import torch
    return {k: [float(v.double().sum()), float(v.double().abs().sum())] for k, v in state_dict.items()
            if isinstance(v, torch.Tensor)}


@HOOKS.register_module()
class StateDigestHook(Hook):
    """Write :func:`state_digest` of the model, as training starts (after ``load_from`` / ``--resume``), to
    ``<work_dir>/state_rank<rank>.json`` (tests check that every process trains from the loaded weights)."""

    priority = 'LOWEST'

    def before_train(self, runner) -> None:
        import json
        import os.path as osp
        from mmengine.dist import get_rank
        from mmengine.runner.checkpoint import get_state_dict
        from mmkdseg.utils.checks import unwrap
        model = unwrap(runner.model)
        with open(osp.join(runner.work_dir, f'state_rank{get_rank()}.json'), 'w') as f:
            json.dump(state_digest(get_state_dict(model)), f)
