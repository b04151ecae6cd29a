"""The paper-protocol tables of the method READMEs state the configs' values.

Each ``configs/<method>/README.md`` has a table between ``<!-- protocol start -->`` and
``<!-- protocol end -->``: ``| config | key | ours | authors | note |``. ``ours`` is a Python literal that must
equal the config's value at ``key`` (dotted, ``[i]`` for list items); ``authors`` is what the authors' code or
paper uses, and ``note`` says why they differ where they do. A config change that is not reflected in its
README (or the other way round) fails here.
"""
import ast
import functools
import glob
import math
import os.path as osp
import re

import pytest
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BLOCK = re.compile(r'<!-- protocol start -->\n(.*?)<!-- protocol end -->', re.S)


def _paper_configs():
    """Distillation configs trained on a real dataset (not the embedded SynTex)."""
    from mmkdseg.testing import iter_config_files
    return [p for p in iter_config_files(osp.join(REPO, 'configs'))
            if 'syntex' not in osp.basename(p) and 'architecture' in _config(p).get('model', {})]


def _rows():
    rows = []
    for readme in sorted(glob.glob(osp.join(REPO, 'configs', '*', 'README.md'))):
        for block in BLOCK.findall(open(readme).read()):
            for line in block.strip().splitlines()[2:]:  # header, separator
                cells = [c.strip() for c in line.strip().strip('|').split('|')]
                assert len(cells) == 5, f'{readme}: a protocol row needs 5 cells: {line}'
                config, key, ours = (c.strip('`') for c in cells[:3])
                rows.append((osp.join(osp.dirname(readme), config), key, ours, cells[3]))
    return rows


ROWS = _rows()


def _get(cfg, key):
    value = cfg
    for part in re.findall(r'[^.\[\]]+|\[\d+\]', key):
        value = value[int(part[1:-1])] if part.startswith('[') else value[part]
    return value


def _value(text: str):
    """A Python literal, or arithmetic on numbers (``10 / 21``)."""
    try:
        return ast.literal_eval(text)
    except ValueError:
        assert re.fullmatch(r'[\d.eE+\-*/() ]+', text), f'not a literal or arithmetic: {text}'
        return eval(text, {'__builtins__': {}})


@functools.lru_cache(maxsize=None)
def _config(path: str):
    return Config.fromfile(path)


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def test_protocol_tables_exist_for_every_paper_config():
    documented = {config for config, *_ in ROWS}
    assert ROWS, 'no protocol table found'
    for path in _paper_configs():
        assert path in documented, f'{osp.relpath(path, REPO)}: no row in its README protocol table'


@pytest.mark.parametrize('config,key,ours,authors', ROWS,
                         ids=[f'{osp.basename(r[0])[:40]}:{r[1]}' for r in ROWS])
def test_protocol_table_states_the_config_value(config, key, ours, authors):
    assert osp.isfile(config), f'{config} does not exist'
    assert authors, f'{key}: the authors column is empty'
    value = _get(_config(config), key)
    expected = _value(ours)
    assert _same(value, expected), f'{osp.basename(config)}: {key} is {value!r}, the README says {ours}'
