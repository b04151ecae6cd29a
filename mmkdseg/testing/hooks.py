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
