"""MaskedGenerationConnector: masking (per sample, per step, train only), parity with mmrazor, errors."""
import pytest
import torch
from mmrazor.models import MGDConnector
from mmrazor.registry import MODELS

from mmkdseg.models.connectors import MaskedGenerationConnector


def _spy_generation_input(connector):
    """Record what the generation block receives (the masked, aligned feature)."""
    seen = []
    connector.generation.register_forward_pre_hook(lambda m, args: seen.append(args[0].detach().clone()))
    return seen


def test_layout_and_parameter_count():
    c = MaskedGenerationConnector(8, 32)
    assert isinstance(c.align, torch.nn.Conv2d) and c.align.kernel_size == (1, 1)
    assert [type(m).__name__ for m in c.generation] == ['Conv2d', 'ReLU', 'Conv2d']
    assert all(m.kernel_size == (3, 3) and m.in_channels == m.out_channels == 32
               for m in c.generation if isinstance(m, torch.nn.Conv2d))
    # 1x1 align (8*32 + 32) + two 3x3 convs (32*32*9 + 32 each)
    assert sum(p.numel() for p in c.parameters()) == (8 * 32 + 32) + 2 * (32 * 32 * 9 + 32)
    assert MaskedGenerationConnector(16, 16).align is None  # same width: no alignment
    assert MODELS.get('MaskedGenerationConnector') is MaskedGenerationConnector
    out = c(torch.randn(2, 8, 5, 7))
    assert out.shape == (2, 32, 5, 7)


def test_spatial_mask_drops_positions_per_sample_and_per_step():
    torch.manual_seed(0)
    c = MaskedGenerationConnector(4, 4, lambda_mgd=0.75).train()
    seen = _spy_generation_input(c)
    x = torch.rand(2, 4, 40, 40) + 1.0  # strictly positive: a zero means "masked"
    c(x)
    c(x)
    first, second = seen
    dropped = first == 0
    # whole positions are dropped (all channels at once) ...
    assert torch.equal(dropped.all(1), dropped.any(1))
    keep = ~dropped[:, 0]
    # ... kept values are unchanged (no rescaling) ...
    assert torch.equal(first[:, 0][keep], x[:, 0][keep])
    # ... about lambda of them (1600 positions per sample) ...
    for b in range(2):
        assert 0.70 < dropped[b, 0].float().mean().item() < 0.80
    # ... with a different mask for each sample and for each call (step)
    assert not torch.equal(dropped[0, 0], dropped[1, 0])
    assert not torch.equal(first == 0, second == 0)


def test_channel_mask_drops_whole_channels():
    torch.manual_seed(1)
    c = MaskedGenerationConnector(64, 64, lambda_mgd=0.5, mask_mode='channel').train()
    seen = _spy_generation_input(c)
    x = torch.rand(3, 64, 4, 4) + 1.0
    c(x)
    dropped = seen[0] == 0
    assert torch.equal(dropped.flatten(2).all(2), dropped.flatten(2).any(2))  # whole channels
    per_sample = dropped[:, :, 0, 0]
    assert 0.25 < per_sample.float().mean().item() < 0.75
    assert not torch.equal(per_sample[0], per_sample[1])


def test_eval_mode_never_masks_and_is_deterministic():
    c = MaskedGenerationConnector(4, 8, lambda_mgd=0.75).eval()
    seen = _spy_generation_input(c)
    x = torch.rand(2, 4, 6, 6) + 1.0
    a, b = c(x), c(x)
    assert torch.equal(a, b)
    assert torch.equal(seen[0], c.align(x))  # nothing dropped
    assert torch.equal(a, c.generation(c.align(x)))


def test_lambda_zero_keeps_everything():
    c = MaskedGenerationConnector(4, 4, lambda_mgd=0.0).train()
    x = torch.randn(2, 4, 5, 5)
    assert torch.equal(c(x), c.generation(x))


@pytest.mark.parametrize('student,teacher', [(8, 16), (16, 16)])
@pytest.mark.parametrize('mode', ['spatial', 'channel'])
def test_same_output_as_mmrazor_mgd_connector(student, teacher, mode):
    ours = MaskedGenerationConnector(student, teacher, lambda_mgd=0.75, mask_mode=mode).train()
    razor = MGDConnector(student, teacher, lambda_mgd=0.75, mask_on_channel=mode == 'channel').train()
    razor.load_state_dict(ours.state_dict())  # identical layout and parameter names
    x = torch.randn(2, student, 6, 5)
    for seed in (0, 1):
        torch.manual_seed(seed)
        a = ours(x)
        torch.manual_seed(seed)
        b = razor(x)
        assert torch.equal(a, b)


def test_reference_computation():
    """align -> mask drawn as torch.rand(...) > 1 - lambda -> conv3x3 -> relu -> conv3x3, written out."""
    import torch.nn.functional as F
    torch.manual_seed(3)
    c = MaskedGenerationConnector(3, 5, lambda_mgd=0.6).train()
    x = torch.randn(2, 3, 4, 4)
    torch.manual_seed(7)
    out = c(x)
    torch.manual_seed(7)
    draw = torch.rand(2, 1, 4, 4)
    mask = torch.where(draw > 1 - 0.6, 0.0, 1.0)
    y = F.conv2d(x, c.align.weight, c.align.bias) * mask
    y = F.conv2d(F.relu(F.conv2d(y, c.generation[0].weight, c.generation[0].bias, padding=1)),
                 c.generation[2].weight, c.generation[2].bias, padding=1)
    assert torch.allclose(out, y, atol=1e-6)


def test_gradients_reach_align_and_generation_but_not_masked_inputs():
    torch.manual_seed(4)
    c = MaskedGenerationConnector(3, 6, lambda_mgd=0.75, mask_mode='channel').train()
    x = torch.randn(1, 3, 5, 5, requires_grad=True)
    c(x).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in c.parameters())
    assert torch.isfinite(x.grad).all()


def test_gradcheck_float64():
    torch.manual_seed(5)
    c = MaskedGenerationConnector(2, 3, lambda_mgd=0.5).double().train()
    x = torch.randn(1, 2, 3, 3, dtype=torch.double, requires_grad=True)

    def f(inp):
        torch.manual_seed(0)  # the same mask in every evaluation
        return c(inp)
    assert torch.autograd.gradcheck(f, (x, ))


def test_bad_arguments_and_inputs_are_named():
    with pytest.raises(ValueError, match='lambda_mgd'):
        MaskedGenerationConnector(4, 4, lambda_mgd=1.0)
    with pytest.raises(ValueError, match='lambda_mgd'):
        MaskedGenerationConnector(4, 4, lambda_mgd=-0.1)
    with pytest.raises(ValueError, match="mask_mode='pixel'"):
        MaskedGenerationConnector(4, 4, mask_mode='pixel')
    with pytest.raises(ValueError, match='teacher_channels'):
        MaskedGenerationConnector(4, 0)
    c = MaskedGenerationConnector(4, 8)
    with pytest.raises(ValueError, match=r'\(B, 4, H, W\).*\(2, 5, 3, 3\)'):
        c(torch.randn(2, 5, 3, 3))
    with pytest.raises(ValueError, match=r'\(2, 4, 3\)'):
        c(torch.randn(2, 4, 3))


def test_trains_in_bfloat16_without_autocast():
    """The mask follows the feature's dtype: a connector cast to bfloat16 trains without autocast."""
    from mmkdseg.models.connectors import MaskedGenerationConnector
    connector = MaskedGenerationConnector(4, 8, lambda_mgd=0.5).to(torch.bfloat16).train()
    out = connector(torch.randn(2, 4, 6, 6, dtype=torch.bfloat16))
    assert out.dtype == torch.bfloat16 and out.shape == (2, 8, 6, 6)
    out.float().sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad.float()).all() for p in connector.parameters())
