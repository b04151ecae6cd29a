"""SKD holistic distillation: SKDDiscriminator, HolisticAdversarialLoss, AdversarialSegmentationDistill."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper, build_optim_wrapper
from mmengine.registry import MODELS, DefaultScope
from torch import nn

from mmkdseg.models.discriminators import SelfAttention, SKDDiscriminator
from mmkdseg.models.losses import HolisticAdversarialLoss
from mmkdseg.models.losses.holistic_adversarial import gradient_penalty
from mmkdseg.testing.batches import fake_seg_samples

SKD = osp.join('configs', 'skd', 'skd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py')


# ------------------------------------------------------------------ discriminator
def test_discriminator_scores_one_value_per_image_and_is_spectral_normalised():
    torch.manual_seed(0)
    d = SKDDiscriminator(in_channels=5, widths=(8, 16, 32), attention_after=(1, 2))
    out = d(torch.randn(3, 5, 16, 20))
    assert out.shape == (3, )
    convs = [m for m in d.modules() if isinstance(m, nn.Conv2d)]
    assert convs and all(hasattr(m, 'parametrizations') for m in convs)  # spectral norm everywhere
    assert sum(isinstance(m, SelfAttention) for m in d.modules()) == 2
    plain = SKDDiscriminator(in_channels=5, widths=(8, ), attention_after=(), use_spectral_norm=False)
    assert not any(hasattr(m, 'parametrizations') for m in plain.modules())


def test_spectral_norm_bounds_each_convolution():
    torch.manual_seed(1)
    d = SKDDiscriminator(in_channels=3, widths=(8, ), attention_after=())
    conv = next(m for m in d.blocks if isinstance(m, nn.Conv2d))
    for _ in range(30):  # power iterations run in training-mode forwards
        d(torch.randn(2, 3, 8, 8))
    w = conv.weight.detach().flatten(1)
    assert torch.linalg.matrix_norm(w, ord=2).item() == pytest.approx(1.0, rel=1e-3)


def test_self_attention_matches_a_loop_reference():
    torch.manual_seed(2)
    att = SelfAttention(16, use_spectral_norm=False)
    nn.init.constant_(att.gamma, 0.7)
    x = torch.randn(2, 16, 3, 4)
    out = att(x)
    q, k, v = att.query(x).flatten(2), att.key(x).flatten(2), att.value(x).flatten(2)
    ref = torch.empty_like(out).flatten(2)
    for b in range(2):
        for i in range(12):
            w = torch.softmax(torch.stack([q[b, :, i] @ k[b, :, j] for j in range(12)]), 0)
            ref[b, :, i] = x.flatten(2)[b, :, i] + 0.7 * sum(w[j] * v[b, :, j] for j in range(12))
    torch.testing.assert_close(out.flatten(2), ref, rtol=1e-5, atol=1e-6)
    assert SelfAttention(4).gamma.item() == 0  # starts as the identity


def test_image_conditioning():
    torch.manual_seed(3)
    d = SKDDiscriminator(in_channels=4, image_channels=3, widths=(8, 16), attention_after=(1, ))
    logits, image = torch.randn(2, 4, 12, 12), torch.randn(2, 3, 96, 96)
    a = d(logits, image)
    b = d(logits, image.flip(-1))
    assert a.shape == (2, ) and not torch.allclose(a, b)  # the image matters
    with pytest.raises(ValueError, match='image_channels=3.*no image'):
        d(logits)
    with pytest.raises(ValueError, match='an image was passed but image_channels=0'):
        SKDDiscriminator(in_channels=4, widths=(8, ), attention_after=())(logits, image)


def test_input_transform_softmax_vs_none():
    d = SKDDiscriminator(in_channels=3, widths=(4, ), attention_after=(), input_transform='softmax')
    x = torch.randn(1, 3, 4, 4)
    torch.testing.assert_close(d.transform(x), torch.softmax(x, 1))
    none = SKDDiscriminator(in_channels=3, widths=(4, ), attention_after=(), input_transform='none')
    assert none.transform(x) is x


def test_blocks_halve_with_ceil_and_match_the_papers_padding_on_even_sizes():
    torch.manual_seed(9)
    d = SKDDiscriminator(in_channels=3, widths=(4, 4, 4, 4), attention_after=(), use_spectral_norm=False)
    convs = [m for m in d.blocks if isinstance(m, nn.Conv2d)]
    sizes = []
    hooks = [c.register_forward_hook(lambda m, i, o: sizes.append(tuple(o.shape[2:]))) for c in convs]
    d(torch.randn(1, 3, 65, 64))
    assert sizes == [(33, 32), (17, 16), (9, 8), (5, 4)]
    sizes.clear()
    assert d(torch.randn(2, 3, 8, 8)).shape == (2, )  # tiny inputs stay valid: 4, 2, 1, 1
    assert sizes == [(4, 4), (2, 2), (1, 1), (1, 1)]
    for h in hooks:
        h.remove()
    x = torch.randn(1, 3, 10, 10)
    conv = convs[0]
    ref = torch.nn.functional.conv2d(x, conv.weight, conv.bias, stride=2, padding=1)  # the authors' layer
    torch.testing.assert_close(conv(d.blocks[0](x)), ref)


def test_discriminator_errors_name_the_problem():
    with pytest.raises(ValueError, match=r'expects maps of shape \(B, 7, h, w\)'):
        SKDDiscriminator(in_channels=7)(torch.randn(1, 5, 64, 64))
    with pytest.raises(ValueError, match=r'attention_after=\(2,\).*\[2\]'):
        SKDDiscriminator(in_channels=7, widths=(8, 16), attention_after=(2, ))
    with pytest.raises(ValueError, match='input_transform='):
        SKDDiscriminator(in_channels=7, input_transform='sigmoid')


# ------------------------------------------------------------------ losses
class LinearCritic(nn.Module):
    """D(x) = <w, x> per image: ∇_x D = w, so the gradient penalty is (‖w‖ − 1)² exactly."""

    def __init__(self, shape):
        super().__init__()
        self.w = nn.Parameter(torch.randn(shape))

    def forward(self, x, image=None, transform=True):
        return (x * self.w).flatten(1).sum(1)


@pytest.mark.parametrize('gan_type', ['wgan', 'hinge'])
def test_critic_loss_matches_hand_computation(gan_type):
    torch.manual_seed(4)
    d = LinearCritic((3, 4, 4))
    real, fake = torch.randn(5, 3, 4, 4), torch.randn(5, 3, 4, 4)
    loss_fn = HolisticAdversarialLoss(gan_type=gan_type, critic_weight=0.5, lambda_gp=10.0)
    loss, logs = loss_fn.critic(d, real, fake, alpha=torch.rand(5))
    s_real, s_fake = d(real).detach(), d(fake).detach()
    gp = (d.w.detach().norm() - 1)**2
    if gan_type == 'wgan':
        adv = s_fake.mean() - s_real.mean()
    else:
        adv = torch.relu(1 - s_real).mean() + torch.relu(1 + s_fake).mean()
    assert loss.item() == pytest.approx(0.5 * (adv + 10 * gp).item(), rel=1e-5)
    assert logs['wasserstein'].item() == pytest.approx((s_real.mean() - s_fake.mean()).item(), rel=1e-5)
    assert logs['gp'].item() == pytest.approx(gp.item(), rel=1e-5)
    # the penalty trains the critic: its gradient reaches w (d gp / dw = 2 (‖w‖ − 1) w/‖w‖)
    loss.backward()
    w = d.w.detach()
    ref_grad = 0.5 * 10 * 2 * (w.norm() - 1) * w / w.norm()
    if gan_type == 'wgan':
        ref_grad = ref_grad + 0.5 * (fake.mean(0) - real.mean(0))
    else:
        ref_grad = ref_grad + 0.5 * ((-(1 - s_real > 0).float()[:, None, None, None] * real).mean(0)
                                     + ((1 + s_fake > 0).float()[:, None, None, None] * fake).mean(0))
    torch.testing.assert_close(d.w.grad, ref_grad, rtol=1e-4, atol=1e-5)


def test_gradient_penalty_is_per_image_at_interpolates():
    """A critic whose slope differs per region: the penalty must use each image's own gradient."""
    torch.manual_seed(5)
    d = LinearCritic((2, 2))
    x = torch.randn(3, 2, 2, requires_grad=True)
    scores = d(x) ** 2  # ∇ = 2 D(x) w, different per image
    gp = gradient_penalty(d, x, scores)
    w = d.w.detach()
    ref = torch.stack([(2 * d(x)[i].detach() * w).norm() for i in range(3)])
    assert gp.item() == pytest.approx(((ref - 1)**2).mean().item(), rel=1e-5)


def test_gradient_penalty_with_a_grad_scaler_equals_unscaled():
    """PyTorch's AMP recipe: scale before autograd.grad, unscale before the norm -> same penalty."""
    torch.manual_seed(6)
    d = SKDDiscriminator(in_channels=3, widths=(8, 16), attention_after=(1, ))
    real = torch.softmax(torch.randn(2, 3, 8, 8), 1)
    fake = torch.softmax(torch.randn(2, 3, 8, 8), 1)
    alpha = torch.rand(2)
    loss_fn = HolisticAdversarialLoss()
    state = copy.deepcopy(d.state_dict())
    plain, logs = loss_fn.critic(d, real, fake, alpha=alpha)
    d.load_state_dict(state)  # same power-iteration state
    scaler = torch.amp.GradScaler('cpu', init_scale=2.0**12)
    scaled, logs_s = loss_fn.critic(d, real, fake, alpha=alpha, scaler=scaler)
    assert logs_s['gp'].item() == pytest.approx(logs['gp'].item(), rel=1e-5)
    assert scaled.item() == pytest.approx(plain.item(), rel=1e-5)


def test_critic_under_bfloat16_autocast_is_finite_and_close_to_float32():
    torch.manual_seed(7)
    d = SKDDiscriminator(in_channels=7, image_channels=3, widths=(32, 64), attention_after=(0, 1))
    d.eval()  # no power iterations: both passes see the same weights
    real = torch.softmax(torch.randn(4, 7, 12, 12), 1)
    fake = torch.softmax(torch.randn(4, 7, 12, 12), 1)
    image = torch.randn(4, 3, 96, 96)
    alpha = torch.rand(4)
    loss_fn = HolisticAdversarialLoss()
    full, logs = loss_fn.critic(d, real, fake, image, alpha=alpha)
    grads = torch.autograd.grad(full, list(d.parameters()), allow_unused=True)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        low, logs_low = loss_fn.critic(d, real, fake, image, alpha=alpha)
        grads_low = torch.autograd.grad(low, list(d.parameters()), allow_unused=True)
    assert low.dtype == torch.float32 and torch.isfinite(low)
    assert all(g is None or torch.isfinite(g).all() for g in grads_low)
    assert low.item() == pytest.approx(full.item(), rel=2e-2)
    assert logs_low['gp'].item() == pytest.approx(logs['gp'].item(), rel=2e-2, abs=1e-3)
    flat = torch.cat([g.flatten() for g in grads if g is not None])
    flat_low = torch.cat([g.float().flatten() for g in grads_low if g is not None])
    assert torch.nn.functional.cosine_similarity(flat, flat_low, 0) > 0.99


def test_student_term_and_argument_errors():
    d = LinearCritic((2, 2, 2))
    fake = torch.randn(3, 2, 2, 2, requires_grad=True)
    loss = HolisticAdversarialLoss(loss_weight=0.25)(d, fake)
    assert loss.item() == pytest.approx(-0.25 * d(fake).mean().item(), rel=1e-6)
    with pytest.raises(ValueError, match='gan_type='):
        HolisticAdversarialLoss(gan_type='lsgan')
    with pytest.raises(ValueError, match=r'teacher \(real\) maps \(1, 2, 2, 2\).*\(1, 2, 3, 3\)'):
        HolisticAdversarialLoss().critic(d, torch.randn(1, 2, 2, 2), torch.randn(1, 2, 3, 3))


# ------------------------------------------------------------------ algorithm
@pytest.fixture(scope='module')
def skd_cfg(repo_root):
    return Config.fromfile(osp.join(repo_root, SKD))


def build(model_cfg, **overrides):
    cfg = copy.deepcopy(model_cfg)
    cfg.teacher_ckpt = None
    cfg.load_pretrained = False  # no pretext backbones needed (a fresh clone has none)
    cfg.update(overrides)
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(cfg)
    model.init_weights()
    model.train()
    return model


def wrappers(model, cfg):
    with DefaultScope.overwrite_default_scope('mmrazor'):
        return build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))


def batch(b=2, size=32, num_classes=7):
    samples = fake_seg_samples(b, size, num_classes)
    return dict(inputs=[torch.randint(0, 256, (3, size, size), dtype=torch.uint8) for _ in range(b)],
                data_samples=samples)


def count_grads(params):
    counts = {}
    for i, p in enumerate(params):
        counts[i] = 0
        p.register_hook(lambda g, i=i: counts.__setitem__(i, counts[i] + 1))
    return counts


@pytest.mark.parametrize('n_critic', [1, 2])
def test_train_step_alternates_critic_and_student_updates(skd_cfg, n_critic):
    torch.manual_seed(8)
    model = build(skd_cfg.model, n_critic=n_critic)
    ow = wrappers(model, skd_cfg)
    disc_params = [p for p in model.discriminator.parameters()]
    student_params = [p for p in model.student.parameters() if p.requires_grad]
    d_before = [p.detach().clone() for p in disc_params]
    s_before = [p.detach().clone() for p in student_params]
    d_calls, s_calls = count_grads(disc_params), count_grads(student_params)
    logs = model.train_step(batch(), ow)
    # each critic step backpropagates into D once; the student step never does
    assert set(d_calls.values()) == {n_critic}
    # the student graph is backpropagated once (the student step), never by a critic step
    assert set(s_calls.values()) == {1}
    assert all(p.grad is None for p in disc_params)  # D's wrapper zeroed them; nothing added later
    assert any(not torch.equal(a, p) for a, p in zip(d_before, disc_params))
    assert any(not torch.equal(a, p) for a, p in zip(s_before, student_params))
    assert all(p.requires_grad for p in disc_params)  # unfrozen again after the student step
    assert int(model.gp_rng_state[1]) == n_critic
    # critic values are logged but are not part of the student's loss
    assert {'critic.wasserstein', 'critic.gp', 'critic.loss', 'distill.loss_adv'} <= set(logs)
    total = sum(v for k, v in logs.items() if 'loss' in k and k != 'loss' and not k.startswith('critic'))
    assert logs['loss'].item() == pytest.approx(total.item(), rel=1e-5)
    assert logs['critic.gp'].item() >= 0


def test_student_adversarial_term_gives_no_gradient_to_the_discriminator(skd_cfg):
    model = build(skd_cfg.model)
    fake = torch.softmax(torch.randn(2, 7, 12, 12), 1).requires_grad_(True)
    loss = model.student_adversarial_loss(fake, None)
    loss.backward()
    assert fake.grad is not None and fake.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.discriminator.parameters())


def test_image_conditioned_critic_gets_the_batch_images(skd_cfg):
    disc = dict(skd_cfg.model.discriminator, image_channels=3)
    model = build(skd_cfg.model, discriminator=disc)
    seen = []
    model.discriminator.register_forward_pre_hook(lambda m, args: seen.append(args[1]))
    model.train_step(batch(), wrappers(model, skd_cfg))
    assert all(img is not None and img.shape[1:] == (3, 96, 96) for img in seen)  # padded to 96
    assert sorted(len(img) for img in seen) == [2, 6]  # student step: B; critic: real+fake+interpolated


def test_stopped_distillation_skips_the_critic(skd_cfg):
    model = build(skd_cfg.model)
    model.distillation_stopped = True
    d_before = [p.detach().clone() for p in model.discriminator.parameters()]
    logs = model.train_step(batch(), wrappers(model, skd_cfg))
    assert 'distill.loss_adv' not in logs and not any(k.startswith('critic') for k in logs)
    assert all(torch.equal(a, p) for a, p in zip(d_before, model.discriminator.parameters()))


def test_gp_interpolation_is_reproducible_from_the_buffer(skd_cfg):
    model = build(skd_cfg.model)
    state = model.gp_rng_state.clone()
    a = model._gp_alpha(4)
    b = model._gp_alpha(4)
    model.gp_rng_state.copy_(state)
    assert torch.equal(model._gp_alpha(4), a) and not torch.equal(a, b)
    assert 'gp_rng_state' in model.state_dict()


def test_algorithm_errors_name_the_problem(skd_cfg):
    model = build(skd_cfg.model)
    with pytest.raises(TypeError, match="SeparateOptimWrapperConstructor.*got OptimWrapper"):
        model.train_step(batch(), OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1)))
    with pytest.raises(KeyError, match=r"student_recorder='feats' is not among.*'logits'"):
        build(skd_cfg.model, student_recorder='feats')
    with pytest.raises(ValueError, match='n_critic must be >= 1'):
        build(skd_cfg.model, n_critic=0)
    distiller = copy.deepcopy(skd_cfg.model.distiller)
    distiller.connectors = dict(proj=dict(type='ConvModuleConnector', in_channel=16, out_channel=64,
                                          norm_cfg=None, act_cfg=None))
    with pytest.raises(ValueError, match='distiller has trainable parameters.*connectors'):
        build(skd_cfg.model, distiller=distiller)


def test_amp_is_enabled_for_every_optimizer_wrapper(skd_cfg):
    from mmkdseg.utils.config_utils import enable_amp
    cfg = copy.deepcopy(skd_cfg)
    assert enable_amp(cfg)
    assert cfg.optim_wrapper.architecture.type == cfg.optim_wrapper.discriminator.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.constructor.endswith('SeparateOptimWrapperConstructor')
    assert 'type' not in cfg.optim_wrapper
    assert not enable_amp(cfg)  # already on
    single = Config(dict(optim_wrapper=dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1))))
    assert enable_amp(single) and single.optim_wrapper.type == 'AmpOptimWrapper'
    other = Config(dict(optim_wrapper=dict(type='ApexOptimWrapper', optimizer=dict(type='SGD', lr=0.1))))
    with pytest.raises(ValueError, match='optim_wrapper.type OptimWrapper, got ApexOptimWrapper'):
        enable_amp(other)
