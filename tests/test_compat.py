"""mmkdseg.compat: mmrazor imports on torch 2.x; the checkpoint loader it registers (mmkdseg.engine.checkpoint)
stays safe but reads mmengine's files."""
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

from mmkdseg import compat
from mmkdseg.engine import checkpoint


def test_mmrazor_needs_the_shim_and_gets_it():
    # Without the shim, mmrazor 1.0.0 fails to import on torch 2.x. If this starts passing, upstream
    # fixed it and compat.import_mmrazor can go.
    bare = subprocess.run([sys.executable, '-c', 'import mmrazor.models'], capture_output=True, text=True)
    assert bare.returncode != 0 and 'torch>=1.13' in bare.stderr
    shimmed = subprocess.run(
        [sys.executable, '-c', 'from mmkdseg.compat import import_mmrazor; import torch; '
         'import_mmrazor(); import mmrazor.models; print(torch.__version__)'],
        capture_output=True, text=True)
    assert shimmed.returncode == 0, shimmed.stderr
    assert shimmed.stdout.strip() == torch.__version__  # the real version is restored


def test_torch_version_is_restored_in_this_process():
    import mmrazor.models  # noqa: F401
    assert torch.__version__.startswith('2.')
    assert str(torch.__version__) != compat.GATE_VERSION


class NotAllowed:
    pass


def _runner_like_checkpoint(path):
    buf = HistoryBuffer()
    buf.update(0.5)
    ckpt = {
        'meta': {'epoch': 0, 'iter': 3, 'seed': np.int64(3), 'dataset_meta': {'classes': ('a', 'b')}},
        'state_dict': {'w': torch.ones(2)},
        'message_hub': {'log_scalars': {'train/loss': buf}, 'runtime_info': {'iter': 3,
                        'acc': np.float64(0.25)}, 'resumed_keys': {}},
    }
    torch.save(ckpt, path)


def test_mmengine_checkpoint_loads_through_registered_loader(tmp_path):
    path = str(tmp_path / 'iter_3.pth')
    _runner_like_checkpoint(path)
    # the plain torch default (weights_only=True) refuses it: that's the problem being solved
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)
    assert CheckpointLoader._get_checkpoint_loader(path) is checkpoint.load_from_local
    ckpt = _load_checkpoint(path, map_location='cpu')
    assert ckpt['meta']['seed'] == 3
    assert ckpt['message_hub']['log_scalars']['train/loss'].current() == 0.5
    # still no global unsafe unpickling: torch's own default is untouched afterwards
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)


def test_unknown_object_is_refused_with_a_clear_error(tmp_path, monkeypatch):
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {}, 'payload': NotAllowed()}, path)
    monkeypatch.delenv(checkpoint.TRUST_ENV, raising=False)
    with pytest.raises(RuntimeError, match='MMKDSEG_TRUSTED_CHECKPOINTS') as e:
        _load_checkpoint(path, map_location='cpu')
    assert 'NotAllowed' in str(e.value)
    monkeypatch.setenv(checkpoint.TRUST_ENV, '1')
    with pytest.warns(UserWarning, match='full unpickling'):
        ckpt = _load_checkpoint(path, map_location='cpu')
    assert isinstance(ckpt['payload'], NotAllowed)


def test_missing_checkpoint_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        _load_checkpoint(str(tmp_path / 'nope.pth'))
