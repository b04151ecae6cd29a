"""tools/demo.py helpers: the picture grid's colour legend and the benchmark figure beside the one-seed headline."""
import json
import os.path as osp
import runpy

import numpy as np
from PIL import Image

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = runpy.run_path(osp.join(REPO, 'tools', 'demo.py'), run_name='demo')


def test_legend_shows_every_class_colour():
    from mmkdseg.datasets.syntex_generator import CLASSES, PALETTE
    palette = np.array(PALETTE, np.uint8)
    out = np.array(DEMO['with_legend'](Image.new('RGB', (480, 100), 'white'), CLASSES, palette))
    assert out.shape[0] > 100 and out.shape[1] == 480
    legend = out[100:].reshape(-1, 3)
    for colour in palette:  # each swatch is drawn in its class colour
        assert (legend == colour).all(1).any(), f'no swatch of colour {colour}'


def test_benchmark_summary_quotes_the_paired_ci():
    text = DEMO['benchmark_summary']()
    rows = {r['label']: r for r in json.load(open(osp.join(REPO, 'benchmarks', 'results', 'kd_syntex',
                                                           'results.json')))['rows']}
    paired = rows['KD']['paired']
    assert f'{paired["mean"]:+.2f}' in text and f'{paired["low"]:+.2f}' in text and paired['verdict'] in text
    assert DEMO['benchmark_summary']('no_such_suite') == ''
