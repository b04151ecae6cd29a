"""The tools never end with exit code 0 and a wrong model: a checkpoint of another model is refused,
checkpoint errors are one line, the exported student is a plain mmseg model (loaded, run and fine-tuned
without mmkdseg), and the package works from a non-editable install."""
import os
import os.path as osp
import subprocess
import sys
import textwrap

import pytest
from mmengine.config import Config

from mmkdseg import testing

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SKD = osp.join(REPO, 'configs', 'skd', 'skd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py')
STUDENT = osp.join(REPO, 'configs', 'syntex', 'pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py')
MMSEG_TOOLS = osp.join(osp.dirname(__import__('mmseg').__file__), '.mim', 'tools')

pytestmark = pytest.mark.subprocess


def run(args, check=True, env=None, cwd=REPO):
    full_env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    full_env.update(env or {})
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


@pytest.fixture(scope='module')
def skd_run(tmp_path_factory, syntex_root, syntex_teacher_ckpt):
    """A 1-iteration SKD run (student + critic, two optimizers) trained with a --cfg-options override."""
    tmp = tmp_path_factory.mktemp('skd')
    cfg = testing.make_tiny_config(SKD, str(tmp / 'work'), data_root=syntex_root, max_iters=1,
                                   teacher_ckpts={'model.teacher_ckpt': syntex_teacher_ckpt})
    path = str(tmp / 'skd.py')
    cfg.dump(path)
    wd = str(tmp / 'work')
    run([sys.executable, 'tools/train.py', path, '--work-dir', wd,
         '--cfg-options', 'model.architecture.decode_head.dropout_ratio=0.05'])
    return dict(cfg=path, work_dir=wd, ckpt=osp.join(wd, 'iter_1.pth'), tmp=tmp)


def test_test_tool_refuses_a_checkpoint_of_another_model(skd_run, syntex_root, syntex_teacher_ckpt, tmp_path):
    # the teacher's plain mmseg checkpoint with the distillation config
    metrics = tmp_path / 'm.json'
    proc = run([sys.executable, 'tools/test.py', skd_run['cfg'], syntex_teacher_ckpt, '--work-dir',
                str(tmp_path / 't'), '--metrics-out', metrics], check=False)
    assert proc.returncode != 0 and not metrics.exists()
    err = proc.stderr
    assert 'CheckpointMismatchError' in err and 'plain mmseg segmentor checkpoint' in err
    assert 'missing (' in err and 'architecture.backbone.*' in err and 'unexpected (' in err
    assert 'Traceback' not in err
    # the distillation checkpoint with the plain student config
    student = testing.make_tiny_config(STUDENT, str(tmp_path / 's'), data_root=syntex_root)
    student_cfg = str(tmp_path / 'student.py')
    student.dump(student_cfg)
    proc = run([sys.executable, 'tools/test.py', student_cfg, skd_run['ckpt'], '--work-dir', str(tmp_path / 's'),
                '--metrics-out', metrics], check=False)
    assert proc.returncode != 0 and 'distillation checkpoint' in proc.stderr and not metrics.exists()
    # the explicit flag loads what matches (here: the teacher), with mmengine's warning
    proc = run([sys.executable, 'tools/test.py', skd_run['cfg'], syntex_teacher_ckpt, '--work-dir',
                str(tmp_path / 't'), '--metrics-out', metrics, '--allow-partial-checkpoint'])
    assert metrics.exists() and 'loading the matching part only' in proc.stdout + proc.stderr


def test_train_load_from_of_another_model_is_refused(skd_run, syntex_root, tmp_path):
    student = testing.make_tiny_config(STUDENT, str(tmp_path / 's'), data_root=syntex_root)
    path = str(tmp_path / 'student.py')
    student.dump(path)
    proc = run([sys.executable, 'tools/train.py', path, '--work-dir', str(tmp_path / 's'),
                '--cfg-options', f'load_from={skd_run["ckpt"]}'], check=False)
    assert proc.returncode != 0 and 'CheckpointMismatchError' in proc.stderr
    assert not osp.exists(osp.join(tmp_path, 's', 'iter_1.pth'))


def test_corrupt_checkpoint_is_one_line(skd_run, tmp_path):
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    proc = run([sys.executable, 'tools/test.py', skd_run['cfg'], empty, '--work-dir', str(tmp_path / 't')],
               check=False)
    assert proc.returncode != 0 and 'Traceback' not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('CheckpointLoadError: cannot load checkpoint') and str(empty) in last
    assert 'the file is empty (0 bytes)' in last


def test_export_is_a_plain_mmseg_model(skd_run, syntex_root, tmp_path):
    out = tmp_path / 'export'
    # from the work dir: the config mmengine dumped, with the run's --cfg-options
    proc = run([sys.executable, 'tools/export_student.py', skd_run['work_dir'], skd_run['ckpt'], out])
    assert 'differs from the one' not in proc.stdout + proc.stderr
    cfg_path, ckpt_path = str(out / 'student.py'), str(out / 'student.pth')
    text = open(cfg_path).read()
    assert 'mmkdseg' not in text.split('\n', 5)[-1].replace('exported by mmkdseg', '')  # no mmkdseg type left
    cfg = Config.fromfile(cfg_path, import_custom_modules=False)
    assert cfg.model.type == 'EncoderDecoder' and cfg.model.decode_head.dropout_ratio == 0.05
    for key in ('runner_type', 'model_wrapper_cfg', 'teacher_ckpt', 'custom_hooks', 'custom_imports'):
        assert key not in cfg, key
    assert cfg.optim_wrapper.type == 'OptimWrapper' and cfg.optim_wrapper.optimizer.type == 'SGD'
    assert isinstance(cfg.param_scheduler, list) and cfg.param_scheduler[0].type == 'PolyLR'
    assert cfg.model.data_preprocessor.size == cfg.data_preprocessor.size == (64, 64)
    assert cfg.train_dataloader.dataset.type == 'BaseSegDataset'
    assert cfg.val_evaluator.type == 'IoUMetric'

    # inference and one fine-tuning iteration with mmseg alone: `import mmkdseg` is made impossible
    script = textwrap.dedent(f'''
        import runpy, sys
        sys.modules['mmkdseg'] = None
        from mmseg.apis import inference_model, init_model
        model = init_model({cfg_path!r}, {ckpt_path!r}, device='cpu')
        assert model.dataset_meta['classes'][-1] == 'hole'
        pred = inference_model(model, {osp.join(syntex_root, 'img_dir', 'val', '000000.png')!r})
        assert pred.pred_sem_seg.data.shape == (1, 96, 96)
        sys.argv = ['train.py', {cfg_path!r}, '--work-dir', {str(tmp_path / 'ft')!r}, '--cfg-options',
                    'load_from={ckpt_path}', 'train_cfg.max_iters=1', 'train_cfg.val_interval=1',
                    'default_hooks.checkpoint.interval=1']
        runpy.run_path({osp.join(MMSEG_TOOLS, 'train.py')!r}, run_name='__main__')
        assert 'mmkdseg' not in [m.split('.')[0] for m in sys.modules if sys.modules[m] is not None]
    ''')
    proc = run([sys.executable, '-c', script], env={'PYTHONPATH': ''}, cwd=str(tmp_path))
    log = proc.stdout + proc.stderr
    assert osp.isfile(tmp_path / 'ft' / 'iter_1.pth'), log[-3000:]
    assert 'Load checkpoint from' in log and 'missing keys' not in log

    # from the config file instead: it lacks the run's override, and the export says so
    proc = run([sys.executable, 'tools/export_student.py', skd_run['cfg'], skd_run['ckpt'], tmp_path / 'e2'])
    log = proc.stdout + proc.stderr
    assert 'differs from the one' in log and 'model.architecture.decode_head.dropout_ratio' in log


def test_export_refuses_a_plain_checkpoint(skd_run, syntex_teacher_ckpt, tmp_path):
    proc = run([sys.executable, 'tools/export_student.py', skd_run['cfg'], syntex_teacher_ckpt, tmp_path / 'e'],
               check=False)
    assert proc.returncode != 0 and 'plain mmseg segmentor checkpoint' in proc.stderr
    assert not (tmp_path / 'e' / 'student.pth').exists()


def test_every_code_folder_is_a_package():
    missing = []
    for root, dirs, files in os.walk(osp.join(REPO, 'mmkdseg')):
        dirs[:] = [d for d in dirs if d != '__pycache__']
        if any(f.endswith('.py') for f in files) and '__init__.py' not in files:
            missing.append(osp.relpath(root, REPO))
    assert not missing, f'folders without __init__.py (left out by a non-editable install): {missing}'


def test_tools_run_from_a_non_editable_install(tmp_path, syntex_root):
    import shutil
    src, target = tmp_path / 'src', tmp_path / 'site'
    src.mkdir()
    for name in ('setup.py', 'README.md'):
        shutil.copy(osp.join(REPO, name), src / name)
    for name in ('requirements', 'mmkdseg'):
        shutil.copytree(osp.join(REPO, name), src / name, ignore=shutil.ignore_patterns('__pycache__'))
    run([sys.executable, '-m', 'pip', 'install', '--no-deps', '--no-build-isolation', '--no-compile', '-q',
         '--target', target, src])
    env = {'PYTHONPATH': str(target)}
    proc = run([sys.executable, '-c', 'import mmkdseg, mmkdseg.utils.config_utils; print(mmkdseg.__file__)'],
               env=env, cwd=str(tmp_path))
    assert proc.stdout.strip().startswith(str(target)), proc.stdout
    cfg = testing.make_tiny_config(STUDENT, str(tmp_path / 'w'), data_root=syntex_root)
    path = str(tmp_path / 'student.py')
    cfg.dump(path)
    run([sys.executable, osp.join(REPO, 'tools', 'train.py'), path, '--work-dir', tmp_path / 'w'], env=env,
        cwd=str(tmp_path))
    assert osp.isfile(tmp_path / 'w' / 'iter_1.pth')


def test_setup_without_tests_keeps_an_environment_set_up_with_tests():
    """`make demo` after `make test` must not reinstall the package (other processes import it meanwhile)."""
    import glob
    stamps = glob.glob(osp.join(sys.prefix, '.mmkdseg-setup-*'))
    if not stamps:
        pytest.skip('this environment was not set up by tools/setup_env.sh')
    before = sorted(stamps)
    proc = run(['bash', 'tools/setup_env.sh'], env={'MMKDSEG_VENV': sys.prefix})
    assert 'is up to date' in proc.stderr and 'step' not in proc.stderr
    assert sorted(glob.glob(osp.join(sys.prefix, '.mmkdseg-setup-*'))) == before
