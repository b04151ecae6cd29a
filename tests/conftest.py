"""Shared fixtures. Tests import helpers from ``mmkdseg.testing`` (not from a ``tests`` package: the
mmseg wheel installs a top-level ``tests`` package into site-packages)."""
import copy
import os
import os.path as osp
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
os.environ.setdefault('OMP_NUM_THREADS', '1')

import mmkdseg  # noqa: E402,F401  (compatibility shim + registration)
import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(scope='session')
def repo_root():
    return REPO


@pytest.fixture(scope='session')
def python():
    return sys.executable


@pytest.fixture(scope='session')
def syntex_root(tmp_path_factory):
    from mmkdseg.testing import make_tiny_syntex
    return make_tiny_syntex(str(tmp_path_factory.mktemp('syntex')), num_train=8, num_val=4)


@pytest.fixture(scope='session')
def syntex_teacher_ckpt(tmp_path_factory):
    """Random weights for the SynTex teacher architecture (configs/_base_/models/syntex_pspnet.py)."""
    from mmengine.config import Config
    from mmkdseg.testing import random_checkpoint
    cfg = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'models', 'syntex_pspnet.py'))
    return random_checkpoint(cfg.teacher_model, str(tmp_path_factory.mktemp('ckpt') / 'teacher.pth'))


@pytest.fixture(autouse=True)
def _restore_default_scope():
    """Undo the default scope a test leaves behind.

    ``Runner.from_cfg`` registers a global ``DefaultScope('mmseg')`` that stays current after the test. A later
    test in the same worker that builds from an mmrazor registry without a scope (``TASK_UTILS.build``,
    ``RecorderManager``) would then search mmseg's registries and fail, depending on test order.
    """
    from mmengine.registry import DefaultScope
    saved = copy.copy(DefaultScope._instance_dict)
    yield
    DefaultScope._instance_dict = saved
