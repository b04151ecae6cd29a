"""tools/run_utils.py (the child-process helpers of tools/demo.py and tools/benchmark.py, outside the package)."""
import json
import os.path as osp
import sys

import pytest

TOOLS = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'tools')
if TOOLS not in sys.path:  # tools/ is not a package
    sys.path.append(TOOLS)

import run_utils  # noqa: E402


def test_commands_point_at_the_tools_of_this_repository():
    cmd = run_utils.train_cmd('a.py', 'wd', ['x=1'], resume=True)
    assert cmd[1] == osp.join(run_utils.REPO, 'tools', 'train.py') and osp.isfile(cmd[1])
    assert cmd[2:] == ['a.py', '--work-dir', 'wd', '--resume', '--cfg-options', 'x=1']
    cmd = run_utils.test_cmd('a.py', 'c.pth', 'wd', 'm.json')
    assert osp.isfile(cmd[1]) and cmd[2:] == ['a.py', 'c.pth', '--work-dir', 'wd', '--metrics-out', 'm.json']


def test_last_checkpoint_and_train_stats(tmp_path):
    assert run_utils.last_checkpoint(str(tmp_path)) is None
    ckpt = tmp_path / 'iter_4.pth'
    ckpt.write_bytes(b'')
    (tmp_path / 'last_checkpoint').write_text(str(ckpt))
    assert run_utils.last_checkpoint(str(tmp_path)) == str(ckpt)
    vis = tmp_path / '20260101_000000' / 'vis_data'
    vis.mkdir(parents=True)
    records = [dict(iter=i, loss=1.0, time=t) for i, t in ((2, 9.0), (4, 1.0), (6, 3.0))] + [dict(step=6, mIoU=40.0)]
    (vis / 'scalars.json').write_text(''.join(json.dumps(r) + '\n' for r in records))
    stats = run_utils.train_stats(str(tmp_path))
    assert stats['s_per_iter'] == 2.0 and stats['max_iter'] == 6 and stats['val']['mIoU'] == 40.0


def test_failed_run_raises_with_the_log_tail(tmp_path):
    log = str(tmp_path / 'run.log')
    with pytest.raises(run_utils.RunError, match=r'(?s)boom failed \(exit code 3\).*last words'):
        run_utils.run_logged([sys.executable, '-c', 'print("last words"); raise SystemExit(3)'], log, 'boom',
                             quiet=True)
