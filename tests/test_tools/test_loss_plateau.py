"""benchmarks/loss_plateau.py reads a run's logged losses across resumed sessions."""
import json
import os
import os.path as osp
import runpy

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _write(seed_dir, stamp, points):
    os.makedirs(osp.join(seed_dir, stamp, 'vis_data'))
    with open(osp.join(seed_dir, stamp, 'vis_data', 'scalars.json'), 'w') as f:
        for it, ce in points:
            f.write(json.dumps({'iter': it, 'student.decode.loss_ce': ce, 'lr': 0.1}) + '\n')
        f.write(json.dumps({'mIoU': 1.0, 'step': points[-1][0]}) + '\n')  # a validation entry: no CE, skipped


def test_escape_iteration_over_resumed_sessions(tmp_path, capsys):
    tool = runpy.run_path(osp.join(REPO, 'benchmarks', 'loss_plateau.py'))
    run = tmp_path / 'kd_run'
    # seed 0: first session up to 150, resumed from 100 (the later session's 150 wins: 0.9, not 1.3)
    _write(str(run / 'seed0'), '20260101_000000', [(50, 1.3), (100, 1.3), (150, 1.3)])
    _write(str(run / 'seed0'), '20260101_010000', [(150, 0.9), (200, 1.0), (250, 0.8), (300, 0.7)])
    # seed 10: one dip below the level is not an escape; it never stays there for 3 points
    _write(str(run / 'seed10'), '20260101_000000', [(50, 1.25), (100, 1.0), (150, 1.5), (200, 1.0), (250, 1.5)])
    with open(run / 'seed0' / 'benchmark_run.json', 'w') as f:
        json.dump({'mIoU': 42.25}, f)
    scalars = tool['read_scalars'](str(run / 'seed0'))
    assert list(scalars) == [50, 100, 150, 200, 250, 300] and scalars[150]['student.decode.loss_ce'] == 0.9
    assert tool['escape_iteration'](scalars, 1.1, 3) == 150
    assert tool['escape_iteration'](tool['read_scalars'](str(run / 'seed10')), 1.1, 3) is None
    tool['main']([str(run), '--below', '1.1'])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith('| kd_run')]
    # seeds in numeric order (0 before 10), the mean of the last 4 CE values, the mIoU of the record
    assert rows == ['| kd_run | 0 | 150 | 0.850 | 42.25 |', '| kd_run | 10 | never | 1.250 |  |']
    tool['main']([str(run), '--seeds', '10'])
    assert '| kd_run | 0 |' not in capsys.readouterr().out
