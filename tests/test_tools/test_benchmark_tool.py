"""tools/benchmark.py: configs x seeds -> table/JSON/plot, finished runs reused, changed configs retrained."""
import json
import math
import os
import os.path as osp
import subprocess
import sys

import pytest

from mmkdseg import testing

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
KD = osp.join(REPO, 'configs', 'kd', 'kd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py')
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
    assert (out / 'results.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert sorted(os.listdir(out / 'runs')) == ['kd_seed0.json', 'kd_seed1.json', 'student_seed0.json',
                                               'student_seed1.json']

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

    # another machine (no work_dirs): the committed records of unchanged runs are reused, not retrained
    import shutil
    shutil.rmtree(work)
    fourth = bench(args)
    assert fourth.count('reusing the committed record') == 4 and 'seed 0: mIoU' not in fourth
    assert (out / 'results.md').read_text().split('\n| KD |')[0] == table.split('\n| KD |')[0]


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
    parse and merge the way tools/train.py applies them (e.g. the gradient clipping of aicsd_syntex_clip
    and kd_clip_diagnostic_syntex, the IFVD weight of ifvd_weight_diagnostic_syntex, the doubled budget of
    gap_budget_diagnostic_syntex)."""
    import argparse
    import runpy

    from mmengine.config import Config, DictAction
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    suites = _suite_files()
    assert suites
    for path in suites:
        suite = runpy.run_path(path)
        labels = [r[0] for r in suite['runs']]
        assert suite.get('baseline', labels[0]) in labels, path
        # its committed results were produced by this suite: every recorded row is one of its runs
        results = osp.join(REPO, 'benchmarks', 'results', suite['name'], 'results.json')
        assert suite.get('protocol') in (None, 'v2'), path
        if suite.get('protocol') == 'v2' and not osp.isfile(results):
            continue  # a v2 suite whose first runs have not been committed yet
        with open(results) as f:
            recorded = {r['label'] for r in json.load(f)['rows']}
        if suite.get('compute_matched'):
            labels.append(f'{suite.get("baseline", labels[0])} (compute-matched)')
        assert recorded and recorded <= set(labels), (path, recorded - set(labels))
        for run in suite['runs']:
            assert osp.isfile(osp.join(REPO, run[1])), (path, run[1])
            if len(run) > 2 and run[2]:
                cfg = Config.fromfile(osp.join(REPO, run[1]))
                cfg.merge_from_dict(parser.parse_args(['--cfg-options', *run[2]]).cfg_options)
                if osp.basename(path) == 'aicsd_syntex_clip.py':
                    assert cfg.optim_wrapper.clip_grad == dict(max_norm=2.0, norm_type=2), run[1]
                if osp.basename(path) == 'kd_clip_diagnostic_syntex.py':  # the raised clip, nothing else changed
                    assert cfg.optim_wrapper.clip_grad == dict(max_norm=6.0, norm_type=2), run[1]
                if osp.basename(path) == 'ifvd_weight_diagnostic_syntex.py':  # one tenth of the weight, same clip
                    assert cfg.model.distiller.distill_losses.loss_ifvd.loss_weight == 20.0, run[1]
                    assert cfg.optim_wrapper.clip_grad == dict(max_norm=2.0, norm_type=2), run[1]
                if osp.basename(path) == 'gap_budget_diagnostic_syntex.py':  # twice the budget, the decay stretched
                    assert cfg.train_cfg.max_iters == cfg.train_cfg.val_interval == 4000, run[1]
                    assert cfg.param_scheduler[0]['end'] == 4000, run[1]


def _tool():
    import runpy
    return runpy.run_path(osp.join(REPO, 'tools', 'benchmark.py'), run_name='benchmark_tool')


def test_paired_confidence_interval_matches_a_paired_t_test():
    from scipy import stats
    tool = _tool()
    base = {0: 50.0, 1: 55.0, 2: 60.0, 3: 52.0, 4: 58.0}
    for values, verdict in (({0: 51.0, 1: 56.2, 2: 60.8, 3: 53.1, 4: 58.9}, 'gain'),
                            ({0: 60.0, 1: 57.0, 2: 54.0, 3: 52.5, 4: 57.0}, 'no measurable effect'),
                            ({0: 48.0, 1: 53.5, 2: 58.0, 3: 50.2, 4: 56.9}, 'loss')):
        p = tool['paired_difference'](values, base)
        ref = stats.ttest_rel(list(values.values()), list(base.values())).confidence_interval(0.95)
        assert p['n'] == 5 and p['verdict'] == verdict
        assert p['low'] == pytest.approx(ref.low) and p['high'] == pytest.approx(ref.high)
        assert p['ahead'] == sum(values[k] > base[k] for k in base)
    # only the common seeds are paired; one pair gives no interval
    p = tool['paired_difference']({0: 51.0, 7: 99.0}, base)
    assert p['seeds'] == [0] and p['verdict'] == 'not tested' and p['low'] != p['low']


def test_table_says_no_measurable_effect_and_the_gap_closed():
    tool = _tool()
    runs = [('student', 's.py'), ('KD', 'k.py')]
    records = [_record('student', k, m) for k, m in enumerate((50.0, 55.0, 60.0))]
    records += [_record('KD', k, m) for k, m in enumerate((58.0, 54.0, 61.0))]
    teacher = dict(label='teacher', mIoU=75.0)
    rows = tool['summarise'](runs, records, 'student', teacher)
    kd = rows[1]
    assert kd['gap_closed'] == pytest.approx((kd['paired']['mean']) / (75.0 - 55.0))
    line = next(t for t in tool['markdown'](rows, teacher, 'student', [0, 1, 2]).splitlines()
                if t.startswith('| KD |'))
    assert 'no measurable effect' in line and '2/3' in line and '(×1.00)' in line
    assert f'{100 * kd["gap_closed"]:.0f}%' in line and 'gain' not in line


def test_readme_blocks_and_leaderboard_are_generated(tmp_path):
    tool = _tool()
    readme = tmp_path / 'configs' / 'kd' / 'README.md'
    readme.parent.mkdir(parents=True)
    readme.write_text('# KD\n\n<!-- benchmark:kd_syntex start -->\nold table\n<!-- benchmark:kd_syntex end -->\n'
                      'after\n')
    assert tool['replace_readme_blocks']('kd_syntex', '| new |\n', root=str(tmp_path)) == [str(readme)]
    assert readme.read_text() == ('# KD\n\n<!-- benchmark:kd_syntex start -->\n| new |\n'
                                  '<!-- benchmark:kd_syntex end -->\nafter\n')
    runs = [('student', 's.py'), ('KD', 'k.py')]
    records = [_record('student', k, 50.0 + k) for k in range(3)] + [_record('KD', k, 52.0 + k) for k in range(3)]
    rows = tool['summarise'](runs, records, 'student')
    for name, extra in (('kd', dict(protocol='v2')), ('old', dict()), ('screen', dict(protocol='v2', screen=True))):
        (tmp_path / 'res' / name).mkdir(parents=True)
        with open(tmp_path / 'res' / name / 'results.json', 'w') as f:
            json.dump(dict(name=name, baseline='student', rows=rows, **extra), f)
    # a suite of another student gets its own table: Δs against different students do not compare
    other = [dict(r, config='mit.py', mIoU_mean=40.0) if r['label'] == 'student' else r for r in rows]
    (tmp_path / 'res' / 'hetero').mkdir(parents=True)
    with open(tmp_path / 'res' / 'hetero' / 'results.json', 'w') as f:
        json.dump(dict(name='hetero', baseline='student', rows=other, protocol='v2'), f)
    board = tool['leaderboard'](str(tmp_path / 'res'))
    assert [line for line in board.splitlines() if line.startswith('Student ')] == [
        'Student `s.py` (51.00 mIoU):', 'Student `mit.py` (40.00 mIoU):']  # the stronger student first
    assert board.index('| hetero | KD |') > board.index('Student `mit.py`') > board.index('| kd | KD |')
    assert '| kd | KD | 53.00 | +2.00 [+2.00, +2.00] | 3/3 | gain |' in board
    assert '| kd | student |' not in board
    # a protocol-v1 suite is named as not rerun, a screen (unreported seeds) is never listed
    assert '| old |' not in board and 'protocol v1 and not rerun yet: old.' in board and 'screen' not in board
    # the repository's suites without any results.json under this root are named too (screens are not)
    never = next(line for line in board.splitlines() if line.startswith('Not listed, no results yet:'))
    assert 'cirkd_syntex' in never and 'kd_syntex' in never and 'protocol_v2_screen' not in never


def test_all_runs_the_reported_v2_suites():
    suites = _tool()['v2_suites']()
    assert {'benchmarks/suites/kd_syntex.py', 'benchmarks/suites/dist_syntex.py',
            'benchmarks/suites/cirkd_syntex.py'} <= set(suites)
    assert 'benchmarks/suites/protocol_v2_screen.py' not in suites  # a screen is never a result
    assert 'benchmarks/suites/aicsd_syntex_clip.py' not in suites  # protocol v1: every v2 row clips


def test_tables_rebuild_from_committed_records(tmp_path):
    """--from-records trains nothing and rebuilds the table of the records in --out."""
    out = tmp_path / 'out'
    tool = _tool()
    for label, values in (('student', (50.0, 51.0)), ('KD', (53.0, 55.0))):
        for seed, m in enumerate(values):
            tool['save_record'](str(out), dict(_record(label, seed, m), config='x.py'))
    with open(out / 'results.json', 'w') as f:
        json.dump(dict(teacher=None), f)
    stdout = bench(['--configs', STUDENT, KD, '--labels', 'student', 'KD', '--seeds', 0, 1, '--out', out,
                    '--from-records'])
    assert 'seed 0' not in stdout.split('|')[0]  # nothing was trained
    table = (out / 'results.md').read_text()
    line = next(t for t in table.splitlines() if t.startswith('| KD |'))
    assert '54.00 ± 1.41' in line and '+3.50' in line and '2/2' in line
    assert sorted(os.listdir(out / 'runs')) == ['kd_seed0.json', 'kd_seed1.json', 'student_seed0.json',
                                               'student_seed1.json']


def test_compute_matched_iterations_follow_the_most_expensive_row():
    tool = _tool()
    records = [dict(_record('student', k, 50.0), s_per_iter=0.10) for k in range(3)]
    records += [dict(_record('KD', k, 52.0), s_per_iter=0.16) for k in range(3)]
    records += [dict(_record('CWD', k, 52.0), s_per_iter=s) for k, s in enumerate((0.20, 0.23, 0.21))]
    options, ratio = tool['compute_matched_options'](records, 'student', 2000)
    assert ratio == 2.1  # the median 0.21 / 0.10, rounded up to 0.1
    assert options == ['train_cfg.max_iters=4200', 'train_cfg.val_interval=4200', 'param_scheduler.0.end=4200']
    # a row measured faster than the student (timing noise) does not shorten the matched student
    slow_student = [dict(r, s_per_iter=0.25) if r['label'] == 'student' else r for r in records]
    assert tool['compute_matched_options'](slow_student, 'student', 2000)[1] == 1.0
    assert tool['compute_matched_options'](records[:3], 'student', 2000) == (None, pytest.approx(float('nan'),
                                                                                                nan_ok=True))
    # every row is also compared with the compute-matched student, on the same seeds
    records += [dict(_record('student (compute-matched)', k, m), iters=4200) for k, m in enumerate((51.0, 51.5, 52.5))]
    runs = [('student', 's.py'), ('KD', 'k.py'), ('CWD', 'c.py'), ('student (compute-matched)', 's.py')]
    rows = {r['label']: r for r in tool['summarise'](runs, [dict(r, iters=r.get('iters', 2000)) for r in records],
                                                     'student')}
    assert rows['KD']['paired_matched']['diffs'] == [1.0, 0.5, -0.5]
    table = tool['markdown'](list(rows.values()), None, 'student', [0, 1, 2])
    assert 'Δ vs compute-matched [95% CI]' in table.splitlines()[0]
    assert '| student (compute-matched) (4.2k iterations) |' in table


def test_suite_with_a_compute_matched_student(tmp_path, syntex_root, syntex_teacher_ckpt):
    """A v2 suite trains its baseline again for the suite's most expensive training compute, as its own row."""
    configs = {}
    for name, path, ckpts in (('student', STUDENT, None), ('kd', KD, {'model.teacher_ckpt': syntex_teacher_ckpt})):
        cfg = testing.make_tiny_config(path, str(tmp_path / name), data_root=syntex_root, teacher_ckpts=ckpts,
                                       max_iters=4)
        cfg.default_hooks.logger.interval = 1
        configs[name] = str(tmp_path / f'{name}.py')
        cfg.dump(configs[name])
    suite = tmp_path / 'suite.py'
    suite.write_text(f"name = 'tiny'\nprotocol = 'v2'\ncompute_matched = True\nbaseline = 'student'\n"
                     f"runs = [('student', {configs['student']!r}), ('KD', {configs['kd']!r})]\n")
    out = tmp_path / 'out'
    # two trainings at once (--jobs 2): both rows of the first round run side by side, then the matched row
    stdout = bench([suite, '--seeds', 0, '--work-dir', tmp_path / 'runs', '--out', out, '--jobs', 2])
    with open(out / 'results.json') as f:
        res = json.load(f)
    assert {(r['jobs'], r['threads']) for r in res['runs']} == {(2, 1)}  # OMP_NUM_THREADS=1 of bench() wins
    assert sorted(os.listdir(out / 'runs')) == ['kd_seed0.json', 'student-compute-matched_seed0.json',
                                               'student_seed0.json']
    matched = [r for r in res['runs'] if r['label'] == 'student (compute-matched)']
    assert len(matched) == 1 and 'student (compute-matched): student for' in stdout
    # timings of 4-iteration runs side by side are noise: the ratio only has its floor of 1 here (its
    # arithmetic is tested with fixed timings in test_compute_matched_iterations_follow_the_most_expensive_row)
    assert matched[0]['compute_ratio'] >= 1.0
    assert matched[0]['iters'] == math.ceil(round(4 * matched[0]['compute_ratio'], 6)) >= 4
    assert {r['protocol'] for r in res['runs']} == {'v2'} and res['protocol'] == 'v2'
    assert 'student (compute-matched' in (out / 'results.md').read_text()


def test_every_v2_row_has_the_one_student_schedule():
    """Protocol v2, one schedule: every row of every v2 suite (screens aside) trains its student with SGD lr 0.05,
    the gradient norm clipped to 2 and 2k iterations (a separate-optimiser config: its ``architecture`` part)."""
    import runpy

    from mmengine.config import Config
    checked = 0
    for path in _suite_files():
        suite = runpy.run_path(path)
        if suite.get('protocol') != 'v2' or suite.get('screen'):
            continue
        for run in suite['runs']:
            cfg = Config.fromfile(osp.join(REPO, run[1]))
            student = cfg.optim_wrapper.get('architecture', cfg.optim_wrapper)
            assert student.optimizer.type == 'SGD' and student.optimizer.lr == 0.05, (path, run[1])
            assert student.clip_grad == dict(max_norm=2.0, norm_type=2), (path, run[1])
            assert cfg.train_cfg.max_iters == 2000, (path, run[1])
            checked += 1
    assert checked >= 6
    # the holistic SKD row, with its separate critic optimiser, clips the student too
    skd = Config.fromfile(osp.join(REPO, 'configs', 'skd',
                                   'skd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'))
    assert skd.optim_wrapper.architecture.clip_grad == dict(max_norm=2.0, norm_type=2)


def test_jobs_share_the_cores(monkeypatch):
    """--jobs N: each training gets cores // N threads; an OMP_NUM_THREADS set by the caller wins."""
    tool = _tool()
    monkeypatch.delenv('OMP_NUM_THREADS', raising=False)
    monkeypatch.setattr(os, 'cpu_count', lambda: 8)
    assert tool['threads_env'](1) == ({}, 8)
    assert tool['threads_env'](2) == (dict(OMP_NUM_THREADS='4', MKL_NUM_THREADS='4'), 4)
    assert tool['threads_env'](16) == (dict(OMP_NUM_THREADS='1', MKL_NUM_THREADS='1'), 1)
    monkeypatch.setenv('OMP_NUM_THREADS', '3')
    assert tool['threads_env'](2) == ({}, 3)


def test_jobs_prepare_one_run_at_a_time():
    """With --jobs N, runs train side by side but prepare (fingerprints, artifact checks: shared state in
    tools/embedded.py) one at a time."""
    import threading
    import time
    tool = _tool()
    module = tool['run_one'].__globals__
    inside, seen = [0], []

    def slow_fingerprint(config, options):
        inside[0] += 1
        seen.append(inside[0])
        time.sleep(0.05)
        inside[0] -= 1
        return 'fp'

    module['fingerprint'] = slow_fingerprint
    module['reusable'] = lambda *args, **kwargs: dict(label='KD', mIoU=1.0, _from='finished run')
    threads = [threading.Thread(target=tool['run_one'], args=('KD', KD, [], seed, f'wd{seed}', [], False))
               for seed in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [1, 1, 1, 1]


def test_table_warns_when_rows_used_different_builds_of_an_artifact():
    """A record reused from another machine may have distilled from another build of the embedded teacher (same
    recipe, other bytes): the table says so, and when the teacher row evaluates a build no row used."""
    notes = _tool()['build_notes']
    one = [dict(label='student'), dict(label='KD', artifact_digests={'t.pth': 'a' * 16}),
           dict(label='DIST', artifact_digests={'t.pth': 'a' * 16})]
    assert notes(one, dict(checkpoint='t.pth', digest='a' * 16)) == []
    two = one + [dict(label='CIRKD', artifact_digests={'t.pth': 'b' * 16})]
    (note, ) = notes(two)
    assert '2 builds of `t.pth`' in note and 'DIST, KD (build aaaaaaaa)' in note and 'CIRKD (build bbbbbbbb)' in note
    (note, ) = notes(one, dict(checkpoint='t.pth', digest='c' * 16))
    assert 'teacher row evaluates build cccccccc' in note


def test_a_table_with_missing_runs_says_it_is_incomplete():
    """A suite stopped part-way (rows without runs, rows on fewer seeds) must not read as a finished result."""
    note = _tool()['incomplete_note']
    rows = [dict(label='student', seeds=[0, 1, 2]), dict(label='KD', seeds=[0, 1]), dict(label='IFVD', seeds=[2, 1, 0])]
    labels = ['student', 'KD', 'IFVD', 'AICSD', 'student (compute-matched)']
    text = note(labels, rows, [0, 1, 2])
    assert text.startswith('incomplete suite (no finished run yet: AICSD, student (compute-matched); '
                           'fewer seeds than requested: KD (2 of 3 seeds))')
    assert note(['student', 'IFVD'], rows, [0, 1, 2]) is None  # complete: seed order does not matter
    assert note(['student'], rows, [0, 1, 2, 3]) == ('incomplete suite (fewer seeds than requested: student (3 of 4 '
                                                      'seeds)); the command below trains the rest and reuses the '
                                                      'finished runs')
