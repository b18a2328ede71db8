"""The paper's equations against hand-computed values and autograd."""

import pytest
import torch

from gatys.core import losses


def features_2x1x2():
    # N = 2 feature maps, M = 2 positions: F = [[1, 2], [3, 4]].
    return torch.tensor([[1.0, 2.0], [3.0, 4.0]]).view(1, 2, 1, 2)


def test_gram_matrix_by_hand():
    gram = losses.gram_matrix(features_2x1x2())
    assert torch.equal(gram, torch.tensor([[[5.0, 11.0], [11.0, 25.0]]]))


def test_gram_matrix_of_channels_last_features_by_hand_and_with_gradient():
    # The same hand values, and the same gradient, from the (B, M, N) layout VGGFeatures returns.
    features = features_2x1x2().contiguous(memory_format=torch.channels_last)
    assert features.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(losses.gram_matrix(features), torch.tensor([[[5.0, 11.0], [11.0, 25.0]]]))
    torch.manual_seed(0)
    plain = torch.rand(2, 5, 3, 4, dtype=torch.float64, requires_grad=True)
    last = plain.detach().contiguous(memory_format=torch.channels_last).requires_grad_(True)
    weights = torch.rand(2, 5, 5, dtype=torch.float64)
    (losses.gram_matrix(plain) * weights).sum().backward()
    (losses.gram_matrix(last) * weights).sum().backward()
    assert torch.allclose(losses.gram_matrix(last), losses.gram_matrix(plain))
    assert torch.allclose(last.grad, plain.grad)


def test_content_loss_by_hand():
    features = torch.tensor([1.0, 2.0, 3.0]).view(1, 3, 1, 1)
    target = torch.tensor([0.0, 2.0, 5.0]).view(1, 3, 1, 1)
    assert losses.content_loss(features, target).item() == pytest.approx(2.5)  # ½ (1 + 0 + 4)
    assert losses.content_loss(features, target, "mean").item() == pytest.approx(2.5 / 3)


def test_content_gradient_is_f_minus_p_where_f_positive():
    torch.manual_seed(0)
    pre_activation = torch.randn(1, 4, 5, 6, dtype=torch.float64, requires_grad=True)
    target = torch.relu(torch.randn(1, 4, 5, 6, dtype=torch.float64))
    features = torch.relu(pre_activation)
    losses.content_loss(features, target).sum().backward()
    expected = (features - target).detach() * (pre_activation > 0)
    assert torch.allclose(pre_activation.grad, expected)


def test_style_layer_loss_by_hand():
    # G = [[5, 11], [11, 25]], A = 0: Σ G² = 892; 4 N² M² = 4·4·4 = 64.
    target = torch.zeros(1, 2, 2)
    assert losses.style_layer_loss(features_2x1x2(), target).item() == pytest.approx(892 / 64)


def test_style_layer_gradient_matches_the_paper():
    # ∂E_l/∂F = 1 / (N² M²) · (G − A) F  (paper, eq. 6, where F > 0)
    torch.manual_seed(1)
    features = torch.rand(1, 3, 4, 5, dtype=torch.float64, requires_grad=True)
    style = torch.rand(1, 3, 6, 2, dtype=torch.float64)
    target = losses.gram_matrix(style)
    losses.style_layer_loss(features, target).sum().backward()
    n, m = 3, 20
    flat = features.detach().flatten(2)
    expected = torch.bmm(losses.gram_matrix(features.detach()) - target, flat) / (n**2 * m**2)
    assert torch.allclose(features.grad.flatten(2), expected)


def test_style_loss_ignores_positions():
    torch.manual_seed(2)
    features = torch.rand(1, 8, 6, 7)
    target = losses.gram_matrix(torch.rand(1, 8, 5, 5))
    permutation = torch.randperm(42)
    shuffled = features.flatten(2)[:, :, permutation].view(1, 8, 6, 7)
    assert torch.allclose(
        losses.style_layer_loss(features, target), losses.style_layer_loss(shuffled, target)
    )


def test_style_layer_normalisation_is_size_independent():
    # Tiling a texture and its target 2×2 multiplies M by 4 and G, A by 4: E_l stays the same.
    torch.manual_seed(3)
    features = torch.rand(1, 5, 4, 6)
    style = torch.rand(1, 5, 3, 3)
    small = losses.style_layer_loss(features, losses.gram_matrix(style))
    large = losses.style_layer_loss(
        features.repeat(1, 1, 2, 2), losses.gram_matrix(style.repeat(1, 1, 2, 2))
    )
    assert torch.allclose(small, large, rtol=1e-5)
    # What the 1/(4 N² M²) cancels: the raw sum Σ (G − A)² of the tiled pair is 16× larger.
    def raw(f, s):
        return (losses.gram_matrix(f) - losses.gram_matrix(s)).pow(2).sum()

    assert torch.allclose(raw(features.repeat(1, 1, 2, 2), style.repeat(1, 1, 2, 2)),
                          16 * raw(features, style), rtol=1e-5)


def test_style_loss_weights_default_to_the_mean():
    torch.manual_seed(4)
    features = {"a": torch.rand(1, 3, 4, 4), "b": torch.rand(1, 6, 2, 2)}
    targets = {"a": losses.gram_matrix(torch.rand(1, 3, 4, 4)),
               "b": losses.gram_matrix(torch.rand(1, 6, 2, 2))}
    per_layer = {k: losses.style_layer_loss(features[k], targets[k]) for k in targets}
    assert torch.allclose(losses.style_loss(per_layer), (per_layer["a"] + per_layer["b"]) / 2)
    weighted = losses.style_loss(per_layer, {"a": 2.0, "b": 0.5})
    assert torch.allclose(weighted, 2.0 * per_layer["a"] + 0.5 * per_layer["b"])


def test_losses_are_batched():
    torch.manual_seed(5)
    features = torch.rand(3, 4, 5, 5)
    content_target = torch.rand(1, 4, 5, 5)
    gram_target = losses.gram_matrix(torch.rand(1, 4, 5, 5))
    batched_content = losses.content_loss(features, content_target)
    batched_style = losses.style_layer_loss(features, gram_target)
    assert batched_content.shape == batched_style.shape == (3,)
    for i in range(3):
        assert torch.allclose(batched_content[i], losses.content_loss(features[i:i + 1], content_target)[0])
        assert torch.allclose(batched_style[i], losses.style_layer_loss(features[i:i + 1], gram_target)[0])


def test_total_loss_of_hand_features_and_its_gradient():
    # Equation (7) on one layer used for both terms, F = [[1, 2], [3, 4]] (N = M = 2):
    # P = [[0, 2], [3, 5]] -> L_content = ½ (1 + 0 + 0 + 1) = 1;
    # A = I -> G − A = [[4, 11], [11, 24]], Σ (G − A)² = 834, E = 834 / 64; w = 1.
    features = features_2x1x2().double().requires_grad_(True)
    target = torch.tensor([[0.0, 2.0], [3.0, 5.0]], dtype=torch.float64).view(1, 2, 1, 2)
    gram_target = torch.eye(2, dtype=torch.float64).unsqueeze(0)
    content = losses.content_loss(features, target)
    style = losses.style_loss({"l": losses.style_layer_loss(features, gram_target)})
    total = losses.total_loss(content, style, alpha=0.5, beta=2.0)
    assert total.item() == pytest.approx(0.5 * 1 + 2.0 * 834 / 64)
    # ∂L/∂F = α (F − P) + β (G − A) F / (N² M²) = 0.5 [[1, 0], [0, −1]] + [[37, 52], [83, 118]] / 8
    (gradient,) = torch.autograd.grad(total.sum(), features)
    expected = torch.tensor([[5.125, 6.5], [10.375, 14.25]], dtype=torch.float64)
    assert torch.allclose(gradient.view(2, 2), expected)


def test_total_loss_gradient_matches_finite_differences():
    # The whole objective of eq. (7) over two style layers, against central differences.
    torch.manual_seed(6)
    content_target = torch.rand(1, 3, 4, 5, dtype=torch.float64)
    grams = {"a": losses.gram_matrix(torch.rand(1, 3, 4, 5, dtype=torch.float64)),
             "b": losses.gram_matrix(torch.rand(1, 3, 2, 3, dtype=torch.float64))}

    def objective(features):
        pooled = torch.nn.functional.avg_pool2d(features, 2, ceil_mode=True)
        content = losses.content_loss(features, content_target)
        style = losses.style_loss({"a": losses.style_layer_loss(features, grams["a"]),
                                   "b": losses.style_layer_loss(pooled, grams["b"])})
        return losses.total_loss(content, style, alpha=1e-3, beta=1.0)

    features = torch.rand(1, 3, 4, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(objective, (features,))
