"""tools/benchmark.py: configs x seeds -> table/JSON/plot, finished runs reused, changed configs retrained."""
import json
import os
import os.path as osp
import subprocess
import sys

from mmkdseg import testing

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
KD = osp.join(REPO, 'configs', 'kd', 'kd_pspnet-r18w32_pspnet-r18w8_2k_syntex-96x96.py')
STUDENT = osp.join(REPO, 'configs', 'syntex', 'pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py')


def bench(args):
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    proc = subprocess.run([sys.executable, 'tools/benchmark.py'] + [str(a) for a in args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def test_benchmark_table_reuse_and_retrain(tmp_path, syntex_root, syntex_teacher_ckpt):
    configs = []
    for name, path, ckpts in (('student', STUDENT, None),
                              ('kd', KD, {'model.teacher_ckpt': syntex_teacher_ckpt})):
        cfg = testing.make_tiny_config(path, str(tmp_path / name), data_root=syntex_root,
                                       teacher_ckpts=ckpts, max_iters=2)
        configs.append(str(tmp_path / f'{name}.py'))
        cfg.dump(configs[-1])
    out, work = tmp_path / 'out', tmp_path / 'runs'
    args = ['--configs', *configs, '--labels', 'student', 'KD', '--seeds', 0, 1, '--work-dir', work,
            '--out', out]
    first = bench(args)
    assert first.count('reusing finished run') == 0
    with open(out / 'results.json') as f:
        res = json.load(f)
    assert res['baseline'] == 'student' and len(res['runs']) == 4
    rows = {r['label']: r for r in res['rows']}
    assert set(rows) == {'student', 'KD'}
    for label in rows:
        per_seed = sorted(r['mIoU'] for r in res['runs'] if r['label'] == label)
        assert len(per_seed) == 2 and all(0 <= m <= 100 for m in per_seed)
    table = (out / 'results.md').read_text()
    assert '| student |' in table and '| KD |' in table and 'mIoU' in table
    assert (out / 'results.png').stat().st_size > 0

    # unchanged configs: every run is reused, the table is identical
    second = bench(args)
    assert second.count('reusing finished run') == 4
    assert (out / 'results.md').read_text() == table

    # a changed config is trained again (its partial or finished runs are never resumed)
    with open(configs[1], 'a') as f:
        f.write('\nchanged_setting = 1\n')  # any change of the config's content
    third = bench(args)
    assert third.count('reusing finished run') == 2  # the student's two seeds
    assert 'KD seed 0: mIoU' in third and 'KD seed 1: mIoU' in third


def _record(label, seed, miou):
    return dict(label=label, seed=seed, mIoU=miou, mAcc=miou, s_per_iter=0.1, train_minutes=1.0,
                peak_memory_mb=100.0, memory_kind='rss', per_class={'a': miou})


def test_rows_on_fewer_seeds_are_compared_on_their_own_seeds():
    import runpy
    tool = runpy.run_path(osp.join(REPO, 'tools', 'benchmark.py'), run_name='benchmark_tool')
    runs = [('student', 's.py'), ('ablation', 'a.py'), ('full', 'f.py')]
    records = [_record('student', 0, 40.0), _record('student', 1, 50.0), _record('student', 2, 60.0),
               _record('ablation', 0, 45.0),
               _record('full', 0, 50.0), _record('full', 1, 52.0), _record('full', 2, 54.0)]
    rows = {r['label']: r for r in tool['summarise'](runs, records, 'student')}
    assert rows['full']['delta'] == 52.0 - 50.0  # against the baseline's mean over seeds 0-2
    assert rows['ablation']['delta'] == 45.0 - 40.0  # against the baseline's seed 0 only
    assert rows['ablation']['mIoU_std'] == 0.0 and rows['ablation']['seeds'] == [0]
    table = tool['markdown'](list(rows.values()), None, 'student', [0, 1, 2])
    line = next(t for t in table.splitlines() if t.startswith('| ablation |'))
    assert '45.00 (seed 0 only)' in line and '+5.00' in line and 'seed 0: 45.00' in line
    line = next(t for t in table.splitlines() if t.startswith('| full |'))
    assert '52.00 ± 2.00' in line and '+2.00' in line and '50.00, 52.00, 54.00' in line


def _suite_files():
    root = osp.join(REPO, 'benchmarks', 'suites')
    return sorted(osp.join(root, f) for f in os.listdir(root) if f.endswith('.py'))


def test_every_suite_loads_and_its_options_apply():
    """Each suite names existing configs, a baseline among its runs, and per-run ``--cfg-options`` that
    parse and merge the way tools/train.py applies them (e.g. the gradient clipping of aicsd_syntex_clip)."""
    import argparse
    import runpy

    from mmengine.config import Config, DictAction
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    suites = _suite_files()
    assert len(suites) >= 7
    for path in suites:
        suite = runpy.run_path(path)
        labels = [r[0] for r in suite['runs']]
        assert suite.get('baseline', labels[0]) in labels, path
        for run in suite['runs']:
            assert osp.isfile(osp.join(REPO, run[1])), (path, run[1])
            if len(run) > 2 and run[2]:
                cfg = Config.fromfile(osp.join(REPO, run[1]))
                cfg.merge_from_dict(parser.parse_args(['--cfg-options', *run[2]]).cfg_options)
                if 'clip' in osp.basename(path):
                    assert cfg.optim_wrapper.clip_grad == dict(max_norm=2.0, norm_type=2), run[1]
