"""FeatureRefineConnector / feature_refine_mask: saliencies, selection rules, memo, no parameters."""
import copy
import math
import pickle

import pytest
import torch

from mmkdseg.models.connectors import FeatureRefineConnector
from mmkdseg.models.connectors.feature_refine import feature_refine_mask, refine_saliency


def reference_saliency(z, kind, tau=1.0):
    b, c, h, w = z.shape
    out = torch.zeros(b, h, w, dtype=torch.double)
    for i in range(b):
        for y in range(h):
            for x in range(w):
                p = torch.softmax(z[i, :, y, x].double() / tau, 0)
                if kind == 'contribution':
                    out[i, y, x] = p.max() / p.sum()
                else:
                    out[i, y, x] = 1 + float((p * p.log()).sum()) / math.log(c)
    return out


@pytest.mark.parametrize('kind', ['contribution', 'entropy'])
@pytest.mark.parametrize('tau', [1.0, 2.0])
def test_saliency_matches_reference(kind, tau):
    torch.manual_seed(0)
    z = torch.randn(2, 5, 3, 4) * 3
    s = refine_saliency(z, kind, tau)
    assert torch.allclose(s.double(), reference_saliency(z, kind, tau), atol=1e-6)
    assert (s >= 0).all() and (s <= 1).all()


def test_saliency_extremes():
    uniform = torch.zeros(1, 4, 1, 1)
    onehot = torch.tensor([100.0, 0, 0, 0]).view(1, 4, 1, 1)
    assert refine_saliency(uniform, 'contribution').item() == pytest.approx(0.25)
    assert refine_saliency(uniform, 'entropy').item() == pytest.approx(0.0, abs=1e-6)
    assert refine_saliency(onehot, 'contribution').item() == pytest.approx(1.0)
    assert refine_saliency(onehot, 'entropy').item() == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize('kind', ['contribution', 'entropy'])
def test_threshold_keeps_exactly_the_salient_pixels(kind):
    torch.manual_seed(1)
    z = torch.randn(2, 4, 5, 5) * 2
    mask = feature_refine_mask(z, kind, threshold=0.6)
    assert mask.shape == (2, 1, 5, 5) and mask.dtype == z.dtype
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    expected = (reference_saliency(z, kind) >= 0.6).float()
    assert torch.equal(mask[:, 0], expected)


def test_keep_ratio_keeps_the_top_fraction_per_image():
    torch.manual_seed(2)
    z = torch.randn(3, 4, 4, 5) * 2
    mask = feature_refine_mask(z, 'contribution', keep_ratio=0.3)
    s = refine_saliency(z)
    for i in range(3):
        kept = mask[i, 0].bool()
        assert int(kept.sum()) == math.ceil(0.3 * 20)
        assert s[i][kept].min() >= s[i][~kept].max()  # the kept ones are the most salient
    assert int(feature_refine_mask(z, keep_ratio=1.0).sum()) == 60
    assert int(feature_refine_mask(z, keep_ratio=1e-6).sum()) == 3  # at least one pixel per image


def test_threshold_above_every_saliency_gives_an_all_background_mask():
    z = torch.randn(2, 3, 4, 4)
    assert feature_refine_mask(z, threshold=1.5).sum() == 0


def test_mask_has_no_gradient_and_leaves_input_alone():
    z = torch.randn(1, 3, 4, 4, requires_grad=True)
    mask = feature_refine_mask(z, threshold=0.4)
    assert not mask.requires_grad and z.grad is None


def test_connector_is_parameter_free_and_memoises_per_tensor():
    conn = FeatureRefineConnector(saliency='entropy', keep_ratio=0.5)
    assert sum(p.numel() for p in conn.parameters()) == 0 and not list(conn.buffers())
    assert conn.state_dict() == {}
    z = torch.randn(2, 4, 3, 3)
    m1 = conn(z)
    m2 = conn(z)
    assert m2 is m1 and conn.num_computed == 1  # the same step's logits: computed once
    z2 = z.clone()
    m3 = conn(z2)
    assert conn.num_computed == 2 and torch.equal(m3, m1)  # a new tensor (new step): computed again
    z2.mul_(-1)  # modified in place: the memo must not be used
    conn(z2)
    assert conn.num_computed == 3
    # the memo does not keep its input alive
    del z2, m3
    import gc
    gc.collect()
    assert conn._memo[0]() is None


def test_connector_copies_and_pickles():
    conn = FeatureRefineConnector(threshold=0.5)
    z = torch.randn(1, 3, 2, 2)
    conn(z)
    clone = copy.deepcopy(conn)
    assert clone._memo is None and clone.threshold == 0.5
    restored = pickle.loads(pickle.dumps(conn))
    assert torch.equal(restored(z), conn(z))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='exactly one of threshold'):
        FeatureRefineConnector()
    with pytest.raises(ValueError, match='exactly one of threshold'):
        FeatureRefineConnector(threshold=0.5, keep_ratio=0.5)
    with pytest.raises(ValueError, match='keep_ratio must be in'):
        FeatureRefineConnector(keep_ratio=0.0)
    with pytest.raises(ValueError, match="saliency='variance'"):
        FeatureRefineConnector(saliency='variance', threshold=0.5)
    with pytest.raises(ValueError, match='tau must be positive'):
        FeatureRefineConnector(threshold=0.5, tau=0)
    with pytest.raises(ValueError, match=r'FeatureRefineConnector: expects the teacher logits.*\(2, 3\)'):
        FeatureRefineConnector(threshold=0.5)(torch.randn(2, 3))
