"""The objective against the paper's equations, and the style's strength against the style
image's size and aspect ratio (each Gram normalised by its own number of positions)."""

from __future__ import annotations

import pytest
import torch

from gatys.core import losses
from gatys.core.objective import make_objective

from helpers import striped_image, synthetic_image


def test_style_layer_loss_with_its_own_positions_by_hand():
    # x: N = 1 map of M = 2 positions, F = [1, 2] -> G = 5; A = 12 summed over M_s = 3 positions.
    features = torch.tensor([1.0, 2.0]).view(1, 1, 1, 2)
    target = torch.tensor([[[12.0]]])
    # E = 1/(4 N²) (G/M − A/M_s)² = 1/4 (2.5 − 4)² = 0.5625
    assert losses.style_layer_loss(features, target, 3).item() == pytest.approx(0.5625)
    # M_s = M is the paper's eq. 4: (5 − 12)² / (4 · 1 · 4) = 49/16
    assert losses.style_layer_loss(features, target).item() == pytest.approx(49 / 16)
    assert losses.style_layer_loss(features, target, 2).item() == pytest.approx(49 / 16)


def test_gradient_matches_autograd_free_formula():
    features = torch.rand(1, 3, 4, 5, generator=torch.Generator().manual_seed(0), requires_grad=True)
    target = torch.rand(1, 3, 3, generator=torch.Generator().manual_seed(1))
    target = target @ target.transpose(1, 2)
    losses.style_layer_loss(features, target, 7).sum().backward()
    flat = features.detach().flatten(2)  # (1, N, M)
    n, m = 3, 20
    difference = (flat @ flat.transpose(1, 2)) / m - target / 7
    # dE/dF = 1/(N² M) (G/M − A/M_s) F   (the paper's eq. 6 with each Gram per position)
    expected = (difference @ flat) / (n**2 * m)
    assert torch.allclose(features.grad.flatten(2), expected, atol=1e-6)


@pytest.mark.parametrize("shape", [(64, 64), (64, 128), (96, 48)])
def test_style_strength_does_not_depend_on_the_style_images_size(vgg16_random, shape):
    """A periodic texture at another size or aspect ratio has the same statistics per position,
    so the objective of the same x must hardly change; the literal eq. 4 would scale with M_s."""
    x = synthetic_image(64, 64)
    reference = make_objective(vgg16_random, styles=[striped_image(64, 64)],
                               style_layers=["relu1_1", "relu2_1"])(x).style
    other = make_objective(vgg16_random, styles=[striped_image(*shape)],
                           style_layers=["relu1_1", "relu2_1"])(x).style
    assert other.item() == pytest.approx(reference.item(), rel=0.1)


def test_the_objective_is_eq_5_and_7(vgg16_normalised):
    """One style at the result's size: L_style is losses.style_loss (eq. 5) with the
    convention's w_l, and L_total = α L_content + β L_style (eq. 7)."""
    content, style, x = synthetic_image(32, 32, 0), striped_image(32, 32), synthetic_image(32, 32, 5)
    layers = ["relu1_1", "relu2_1", "relu3_1"]
    objective = make_objective(vgg16_normalised, content=content, styles=[style],
                               content_layers=["relu2_2"], style_layers=layers, ratio=0.01,
                               convention="paper")
    terms = objective(x)
    features = vgg16_normalised(x, [*layers, "relu2_2"])
    grams = {layer: losses.gram_matrix(f) for layer, f in vgg16_normalised(style, layers).items()}
    # w_l = 1/3, the paper's convention
    style_term = losses.style_loss({layer: losses.style_layer_loss(features[layer], grams[layer])
                                    for layer in layers})
    content_term = losses.content_loss(features["relu2_2"], vgg16_normalised(content, ["relu2_2"])["relu2_2"])
    assert terms.style.item() == pytest.approx(style_term.item(), rel=1e-5)
    assert terms.content.item() == pytest.approx(content_term.item(), rel=1e-5)
    assert terms.total.item() == pytest.approx(0.01 * content_term.item() + style_term.item(), rel=1e-5)
