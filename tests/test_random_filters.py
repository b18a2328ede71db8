"""The one-layer random-filter texture model (Ustyuzhaninov et al. 2017) and its synthesis."""

import pytest
import torch

from gatys.api.transfer import synthesize_texture
from gatys.controls.random_filters import RandomFilterFeatures, texture_settings
from gatys.core import losses
from gatys.core.objective import make_objective
from gatys.core.memory import estimate_bytes
from gatys.io.errors import LayerError, SettingError

from helpers import striped_image, synthetic_image

SIZES = (3, 5, 9)


@pytest.fixture(scope="module")
def small_model():
    return RandomFilterFeatures(SIZES, filters_per_scale=4, seed=0)


def test_features_keep_the_image_size_and_stack_the_scales(small_model):
    features = small_model(synthetic_image(20, 24), ["conv", "relu"])
    assert features["conv"].shape == (1, 12, 20, 24)
    assert small_model.channels("relu") == 12
    assert (features["conv"] < 0).any()
    torch.testing.assert_close(features["relu"], features["conv"].clamp(min=0))


def test_each_scale_sees_exactly_its_filter_size(small_model):
    # Change one pixel in the middle: at scale k only a k × k window of responses may change.
    base = torch.full((1, 3, 31, 31), 0.5)
    poked = base.clone()
    poked[0, :, 15, 15] = 1.0
    change = (small_model(poked, ["conv"])["conv"] - small_model(base, ["conv"])["conv"]).abs()
    for index, size in enumerate(SIZES):
        maps = change[0, index * 4:(index + 1) * 4].amax(dim=0)
        rows, cols = torch.nonzero(maps > 1e-6, as_tuple=True)
        assert int(rows.max() - rows.min()) + 1 == size
        assert int(cols.max() - cols.min()) + 1 == size


def test_filters_are_zero_mean_unit_norm_and_fixed_by_the_seed(small_model):
    for conv in small_model.convs:
        flat = conv.weight.flatten(1)
        torch.testing.assert_close(flat.mean(dim=1), torch.zeros(4), atol=1e-6, rtol=0)
        torch.testing.assert_close(flat.norm(dim=1), torch.ones(4))
    same = RandomFilterFeatures(SIZES, 4, seed=0)
    other = RandomFilterFeatures(SIZES, 4, seed=1)
    assert all(torch.equal(a.weight, b.weight) for a, b in zip(small_model.convs, same.convs))
    assert not torch.equal(small_model.convs[0].weight, other.convs[0].weight)


def test_texture_synthesis_lowers_the_gram_loss_and_repeats(small_model):
    style = striped_image(24, 24)
    first = synthesize_texture(style, texture_settings(iterations=15), model=small_model,
                               progress=False)
    losses = first.history.series("style")
    assert losses[-1] < 0.05 * losses[0]
    assert first.image.shape == style.shape
    again = synthesize_texture(style, texture_settings(iterations=15), model=small_model,
                               progress=False)
    torch.testing.assert_close(again.image, first.image)


def test_memory_estimate_uses_the_models_own_count(small_model):
    small = estimate_bytes(small_model, ["relu"], 64, 64)
    assert 3.5 < estimate_bytes(small_model, ["relu"], 128, 128) / small < 4.1
    wide = RandomFilterFeatures(SIZES, 64)
    # 4 bytes × (2 (forward + backward) × 2 maps (conv, relu) × extra channels × M + extra weights)
    extra_maps, extra_weights = 3 * (64 - 4), 3 * (64 - 4) * (9 + 25 + 81)
    assert estimate_bytes(wide, ["relu"], 64, 64) - small == 4 * (
        2 * 2 * extra_maps * 64 * 64 + extra_weights)


def test_bad_settings_and_layers_are_refused(small_model):
    with pytest.raises(SettingError, match="odd"):
        RandomFilterFeatures((3, 4))
    with pytest.raises(LayerError, match="'conv'"):
        small_model(synthetic_image(8, 8), ["relu1_1"])
    # The one builder asks the model which layers it has.
    with pytest.raises(LayerError, match="'conv'"):
        make_objective(small_model, styles=[synthetic_image(8, 8)], style_layers=["relu1_1"])


def test_the_texture_objective_is_e_on_the_one_layer_with_weight_one(small_model):
    style, image = striped_image(16, 16), synthetic_image(16, 16, seed=3)
    settings = texture_settings()
    objective = make_objective(small_model, styles=[style], style_layers=settings.style_layers,
                               style_layer_weights=settings.style_layer_weights)
    features = small_model(image, ["relu"])["relu"]
    target = losses.gram_matrix(small_model(style, ["relu"])["relu"])
    n_maps, positions = features.shape[1], features.shape[2] * features.shape[3]
    by_hand = (losses.gram_matrix(features) - target).pow(2).sum() / (4 * n_maps**2 * positions**2)
    terms = objective(image)
    torch.testing.assert_close(terms.style, by_hand, rtol=1e-4, atol=0)
    assert float(terms.content) == 0 and float(terms.total) == float(terms.style)
