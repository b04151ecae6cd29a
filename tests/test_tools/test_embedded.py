"""tools/embedded.py: the pretext-pretrained backbone is built once, written in the backbone-only layout that
mmseg's ``pretrained=`` loads (every weight verified loaded), reused while nothing changed, rebuilt when its config
changes; a distributed launch refuses a missing artifact instead of building it on every rank."""
import os.path as osp
import runpy

import pytest
import torch
from mmengine.config import Config
from mmseg.registry import MODELS

import mmkdseg  # noqa: F401

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PRETEXT = osp.join(REPO, 'configs', 'syntex', 'classfraction_r18-w8_1xb16-2k_syntex-pretext-96x96.py')
STUDENT = osp.join(REPO, 'configs', 'syntex', 'pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py')


@pytest.fixture
def tool(tmp_path, monkeypatch):
    mod = runpy.run_path(osp.join(REPO, 'tools', 'embedded.py'), run_name='embedded_tool')
    cfg_file = tmp_path / 'pretext.py'
    cfg_file.write_text(
        f"_base_ = [{PRETEXT!r}]\n"
        f"train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,\n"
        f"    dataset=dict(data_root={str(tmp_path / 'pretext_data')!r}, splits=(('train', 6), )))\n"
        "train_cfg = dict(max_iters=3, val_interval=4)\n"
        "param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False)]\n"
        "default_hooks = dict(checkpoint=dict(interval=3), logger=dict(interval=1))\n")
    ckpt = str(tmp_path / 'ckpt' / 'backbone_pretext.pth')
    artifacts = {ckpt: dict(kind='backbone', config=str(cfg_file))}
    g = mod['ensure'].__globals__  # the functions' module namespace
    monkeypatch.setitem(g, 'ARTIFACTS', artifacts)
    monkeypatch.setitem(g, 'WORK_ROOT', str(tmp_path / 'work'))
    g['_CONFIGS'].clear()
    return mod, ckpt, cfg_file


def test_backbone_is_built_loaded_by_pretrained_and_reused(tool):
    mod, ckpt, cfg_file = tool
    info = mod['ensure'](ckpt)
    assert info['kind'] == 'backbone' and info['fingerprint'] == mod['fingerprint'](ckpt)
    state = torch.load(ckpt, map_location='cpu', weights_only=True)['state_dict']
    assert state and not any(k.startswith('backbone.') for k in state)  # open-mmlab://resnet18_v1c's layout

    cfg = Config.fromfile(STUDENT)
    cfg.model.pretrained = ckpt  # mmseg's ordinary path: backbone.init_cfg = Pretrained(checkpoint=ckpt)
    model = MODELS.build(cfg.model)
    model.init_weights()
    loaded = model.backbone.state_dict()
    assert set(state) == set(loaded)  # same architecture: every backbone tensor is in the file
    assert all(torch.equal(loaded[k], v) for k, v in state.items())  # ... and is what the model holds

    # unchanged: reused without training (a second build would fail here)
    mod['ensure'].__globals__['run_logged'] = lambda *a, **k: pytest.fail('rebuilt an unchanged artifact')
    assert mod['ensure'](ckpt)['trained'] == info['trained']


def test_a_changed_config_changes_the_fingerprint_and_distributed_runs_refuse(tool):
    mod, ckpt, cfg_file = tool
    before = mod['fingerprint'](ckpt)
    cfg_file.write_text(cfg_file.read_text() + "optimizer = dict(lr=0.05)\noptim_wrapper = dict(optimizer=optimizer)\n")
    mod['ensure'].__globals__['_CONFIGS'].clear()
    assert mod['fingerprint'](ckpt) != before
    cfg = Config(dict(model=dict(type='EncoderDecoder', pretrained=ckpt)))
    with pytest.raises(SystemExit, match='python tools/embedded.py'):
        mod['ensure_for_cfg'](cfg, build=False)
    assert mod['model_dependencies'](dict(pretrained=None)) == []


def test_each_config_depends_on_the_artifacts_it_reads():
    """A strictly loaded teacher checkpoint stands for its teacher: the teacher's pretext backbone is the
    checkpoint's dependency, not the distillation config's (also for MGD-SSSS's two teachers)."""
    mod = runpy.run_path(osp.join(REPO, 'tools', 'embedded.py'), run_name='embedded_tool')
    deps = mod['dependencies']
    S = 'checkpoints/syntex/'
    assert deps(STUDENT) == [S + 'resnetv1c18-w8_pretext.pth']
    assert deps(osp.join(REPO, 'configs', 'kd', 'kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py')) == \
        [S + 'resnetv1c18-w8_pretext.pth', S + 'teacher_pspnet_r101-w8.pth']
    assert deps(osp.join(REPO, 'configs', 'syntex', 'pspnet_r101-w8-d8_1xb8-4k_syntex-96x96.py')) == \
        [S + 'resnetv1c101-w8_pretext.pth']
    mgd = osp.join(REPO, 'configs', 'mgd_ssss',
                   'mgd-ssss_pspnet-r18-w32-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-1-8-96x96.py')
    assert deps(mgd) == [S + 'resnetv1c18-w8_pretext.pth', S + 'mgd-ssss_teacher-wide_pspnet_r18-w32_1-8.pth',
                         S + 'mgd-ssss_teacher-deep_pspnet_r101-w8_1-8.pth']
    assert deps(osp.join(REPO, 'configs', 'mgd_ssss', 'pspnet_r18-w32-d8_1xb8-4k_syntex-1-8-96x96.py')) == \
        [S + 'resnetv1c18-w32_pretext.pth']
    assert deps(osp.join(REPO, 'configs', 'syntex', 'segformer_mit-w8_1xb8-2k_syntex-96x96.py')) == \
        [S + 'mit-w8_pretext.pth']
    # every artifact's own config exists and depends only on artifacts listed before it (build order)
    order = list(mod['ARTIFACTS'])
    for i, (path, spec) in enumerate(mod['ARTIFACTS'].items()):
        assert osp.isfile(osp.join(REPO, spec['config'])), spec['config']
        assert all(order.index(d) < i for d in deps(osp.join(REPO, spec['config']))), path
