"""benchmarks/grad_clipping.py summarises the gradient norms a run logged across seeds and resumed sessions."""
import json
import os
import os.path as osp
import runpy

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _write(seed_dir, stamp, points):
    os.makedirs(osp.join(seed_dir, stamp, 'vis_data'))
    with open(osp.join(seed_dir, stamp, 'vis_data', 'scalars.json'), 'w') as f:
        for it, norm in points:
            f.write(json.dumps({'iter': it, 'grad_norm': norm, 'loss': 1.0}) + '\n')
        f.write(json.dumps({'mIoU': 1.0, 'step': points[-1][0]}) + '\n')  # a validation entry: no norm, skipped


def test_norms_phases_and_step_scale(tmp_path, capsys):
    tool = runpy.run_path(osp.join(REPO, 'benchmarks', 'grad_clipping.py'))
    run = tmp_path / 'kd_run'
    # seed 0 resumed at 1000: the later session's 1000 (8.0) replaces the first one's (1.0)
    _write(str(run / 'seed0'), '20260101_000000', [(100, 4.0), (500, 1.0), (1000, 1.0)])
    _write(str(run / 'seed0'), '20260101_010000', [(1000, 8.0), (1500, 4.0)])
    _write(str(run / 'seed1'), '20260101_000000', [(100, 1.0), (500, 3.0), (1500, 2.0)])
    for seed, miou in ((0, 60.0), (1, 70.0)):
        with open(run / f'seed{seed}' / 'benchmark_run.json', 'w') as f:
            json.dump({'mIoU': miou}, f)
    norms = tool['read_grad_norms'](str(run / 'seed0'))
    assert norms == {100: 4.0, 500: 1.0, 1000: 8.0, 1500: 4.0}
    summary = tool['summarise']([norms, tool['read_grad_norms'](str(run / 'seed1'))], 2.0)
    # phases: (0, 200] -> 4, 1 ; (200, 1000] -> 1, 8, 3 ; after 1000 -> 4, 2 (2.0 is not above the clip)
    assert summary['phases'] == [2.5, 3.0, 3.0]
    assert summary['clipped'] == 4 / 7
    # scales min(1, 2 / g): 0.5, 1, 0.25, 0.5, 1, 0.667, 1 -> median 0.667
    assert abs(summary['scale'] - 2 / 3) < 1e-9
    assert tool['summarise']([], 2.0) is None
    tool['main']([str(run), '--max-norm', '2'])
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith('| kd_run'))
    assert row == '| kd_run | 2 | 2.50 | 3.00 | 3.00 | 57% | 0.67 | 65.00 |'
    tool['main']([str(run), '--seeds', '1'])
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith('| kd_run'))
    assert row == '| kd_run | 1 | 1.00 | 3.00 | 2.00 | 33% | 1.00 | 70.00 |'
