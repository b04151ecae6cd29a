"""ClassFractionClassifier: the pretext model of the embedded benchmark (targets, loss, gradients, edge cases)."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import mmkdseg  # noqa: F401

BACKBONE = dict(type='ResNetV1c', depth=18, stem_channels=8, base_channels=8, num_stages=4, out_indices=(3, ),
                norm_cfg=dict(type='BN', requires_grad=True))


def build(**kw):
    torch.manual_seed(0)
    return MODELS.build(dict(type='ClassFractionClassifier', backbone=BACKBONE, num_classes=4, in_channels=64, **kw))


def samples(labels):
    out = []
    for lab in labels:
        s = SegDataSample()
        s.gt_sem_seg = PixelData(data=lab[None])
        out.append(s)
    return out


def test_targets_are_the_class_fractions_of_the_valid_pixels():
    model = build()
    lab = torch.tensor([[0, 0, 1, 255], [3, 3, 3, 255]])  # 6 valid pixels: 2 x class 0, 1 x class 1, 3 x class 3
    target = model.class_fractions(samples([lab, torch.full((2, 4), 255)]))
    assert torch.allclose(target[0], torch.tensor([2 / 6, 1 / 6, 0.0, 3 / 6]))  # class 2 absent: 0
    assert torch.equal(target[1], torch.zeros(4))  # every pixel ignored: no target


def test_loss_is_the_soft_label_cross_entropy_and_trains_the_backbone():
    model = build()
    images = torch.randn(3, 3, 32, 32)
    labels = [torch.randint(0, 4, (32, 32)) for _ in range(2)] + [torch.full((32, 32), 255)]
    labels[1][:8] = 255
    data = samples(labels)
    losses = model(images, data, mode='loss')
    logits = model(images, mode='tensor')
    q = model.class_fractions(data)[:2]  # the all-ignored image is left out of the mean
    reference = -(q * F.log_softmax(logits[:2], dim=1)).sum(1).mean()
    assert torch.allclose(losses['loss_pretext'], reference, atol=1e-6)
    losses['loss_pretext'].backward()
    grads = [p.grad for p in model.backbone.parameters() if p.grad is not None]
    assert grads and any(g.abs().sum() > 0 for g in grads)
    assert 0.0 <= float(losses['acc_dominant']) <= 1.0 and not losses['acc_dominant'].requires_grad


def test_a_batch_without_valid_pixels_gives_a_zero_loss_with_a_graph():
    model = build()
    loss = model(torch.randn(2, 3, 32, 32), samples([torch.full((32, 32), 255)] * 2), mode='loss')['loss_pretext']
    assert loss.item() == 0.0 and loss.requires_grad


def test_predict_gives_distributions_and_bad_labels_fail_clearly():
    model = build().eval()
    out = model(torch.randn(2, 3, 32, 32), samples([torch.zeros(32, 32, dtype=torch.long)] * 2), mode='predict')
    assert torch.allclose(out[0].pred_fractions.sum(), torch.tensor(1.0))
    with pytest.raises(ValueError, match=r'labels must lie in \[0, 4\)'):
        model.class_fractions(samples([torch.full((4, 4), 7)]))
    with pytest.raises(ValueError, match='mode must be'):
        model(torch.randn(1, 3, 32, 32), mode='bogus')
