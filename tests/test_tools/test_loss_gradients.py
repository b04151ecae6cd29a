"""benchmarks/loss_gradients.py: per-term gradient norms and cosines against the gradient of the summed loss."""
import os.path as osp
import runpy

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_term_gradients_against_hand_computed_values():
    tool = runpy.run_path(osp.join(REPO, 'benchmarks', 'loss_gradients.py'))
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    unused = torch.zeros(3, requires_grad=True)  # a student parameter no term reaches: zero gradient, no error
    losses = {
        'decode.loss_ce': 3 * w[0],                   # gradient (3, 0)
        'distill.loss_kd': [4 * w[1], 0 * w[0]],      # a list is summed, as mmengine does: gradient (0, 4)
        'decode.acc_seg': torch.tensor(99.0),         # not a loss: ignored
        'distill.loss_off': torch.tensor(0.0),        # a constant term (no graph): zero gradient
    }
    rows, total = tool['term_gradients'](losses, [w, unused])
    assert set(rows) == {'decode.loss_ce', 'distill.loss_kd', 'distill.loss_off'}
    assert total == pytest.approx(5.0)                # |(3, 4)|
    assert rows['decode.loss_ce'] == pytest.approx((3.0, 0.6, 0.6))   # norm, ×sum, cosine (3, 0)·(3, 4) / (3·5)
    assert rows['distill.loss_kd'] == pytest.approx((4.0, 0.8, 0.8))
    assert rows['distill.loss_off'] == (0.0, 0.0, 0.0)
    # opposing terms: the cosine of a term against the sum is negative
    rows, total = tool['term_gradients']({'loss_a': 2 * w[0], 'loss_b': -w[0]}, [w])
    assert total == pytest.approx(1.0) and rows['loss_b'] == pytest.approx((1.0, 1.0, -1.0))
