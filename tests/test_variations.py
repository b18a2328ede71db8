"""The extension experiments' machinery: blends, cache keys, the yardstick, network variants."""

import pytest

from gatys.core.objective import LOSS_CONVENTIONS, resolve_convention
import torch

from gatys.experiments import recipes

from gatys.api.transfer import make_objective
from gatys.core.objective import Objective
from gatys.experiments import variations
from gatys.experiments.context import Context
from gatys.experiments.panels import PanelCache

from helpers import striped_image, synthetic_image

LAYERS = ["relu1_1", "relu2_1"]


def test_blending_style_losses_is_matching_the_blended_gram(vgg16_random):
    # Σ_s b_s (G − A_s)² = (G − Σ_s b_s A_s)² + a constant, so both have the same gradient.
    first, second = striped_image(32, 32), synthetic_image(32, 32, seed=3)
    blended = make_objective(vgg16_random, styles=[first, second], style_layers=LAYERS,
                             style_blend=[0.3, 0.7])
    targets = {layer: 0.3 * blended.style_targets[0][layer] + 0.7 * blended.style_targets[1][layer]
               for layer in LAYERS}
    mixed = Objective(vgg16_random, {}, [targets], [1.0], blended.style_layer_weights, 0.0, 1.0)
    gradients = []
    for objective in (blended, mixed):
        image = synthetic_image(32, 32, seed=5).requires_grad_(True)
        objective(image).total.backward()
        gradients.append(image.grad)
    torch.testing.assert_close(gradients[0], gradients[1], rtol=1e-4, atol=1e-12)
    assert gradients[0].abs().sum() > 0


@pytest.fixture
def context(vgg16_random, tmp_path, monkeypatch):
    images = {recipes.CONTENT_IMAGE: synthetic_image(32, 32), "starry_night": striped_image(32, 32),
              "composition_vii": synthetic_image(32, 32, seed=7)}
    monkeypatch.setattr(Context, "image", lambda self, key, size=None: images[key])
    return Context(vgg16_random, "test-net", torch.device("cpu"), recipes.PROFILES["smoke"],
                   tmp_path / "figures", PanelCache(tmp_path / "panels"), progress=False)


def test_extension_panels_carry_the_extension_size_and_iterations(context):
    cpu = Context(**{**vars(context), "profile": recipes.PROFILES["cpu"]})
    settings = cpu.extension().settings()
    profile = recipes.PROFILES["cpu"]
    assert (settings.size, settings.iterations) == (profile.extension_size,
                                                   profile.extension_iterations)
    assert profile.extension_size < profile.size  # the extensions run smaller on a CPU
    assert cpu.extension().model is cpu.model


def test_a_zero_weight_style_is_dropped_so_blend_ends_share_the_single_style_panel(context):
    ext = context.extension()
    single = variations.transfer(ext, {"starry_night": 1.0})
    end = variations.transfer(ext, {"starry_night": 1.0, "composition_vii": 0.0})
    assert not single.cached and end.cached
    middle = variations.transfer(ext, {"starry_night": 2.0, "composition_vii": 2.0})
    assert not middle.cached and middle.settings["style_blend"] == [0.5, 0.5]
    assert not torch.equal(middle.image, single.image)


def test_the_yardstick_is_zero_for_the_targets_themselves_and_positive_otherwise(context):
    photo, style = context.image(recipes.CONTENT_IMAGE), context.image("starry_night")
    exact = variations.yardstick(context, style, style=style)
    assert exact["style"] == 0.0 and all(exact[f"style/{l}"] == 0.0 for l in recipes.STYLE_LAYERS)
    other = variations.yardstick(context, photo, content=photo, style=style)
    assert other["content"] == 0.0 and other["style"] > 0.0


def test_random_filter_contexts_differ_by_seed_and_follow_the_profile(context):
    first, second = variations.random_filters(context, 0), variations.random_filters(context, 1)
    sizes, per_scale = recipes.RANDOM_FILTERS["smoke"]
    assert first.model.sizes == sizes and first.model.channels("relu") == len(sizes) * per_scale
    assert first.model_key != second.model_key
    assert not torch.equal(first.model.convs[0].weight, second.model.convs[0].weight)


def test_style_layer_variants_keep_the_total_weight(context):
    variants = variations.style_layer_variants(context)
    assert variants["paper layers, uniform w_l"] == {}  # the recipe's own weights
    recipe = LOSS_CONVENTIONS[resolve_convention(context.model)].style_layer_weights(
        context.model, recipes.STYLE_LAYERS)
    inverse_square = variants["paper layers, w_l ∝ 1/N_l²"]["style_layer_weights"]
    assert sum(inverse_square.values()) == pytest.approx(sum(recipe.values()))
    # relu1_1 (64 channels) weighs 64× relu5_1 (512): (512/64)².
    assert inverse_square["relu1_1"] / inverse_square["relu5_1"] == pytest.approx(64.0)
    assert variants["pre-ReLU (conv*)"]["style_layers"][0] == "conv1_1"


def test_every_profile_has_a_random_filter_model():
    # `make figures PROFILE=quick` once stopped in notebook 07 with KeyError: 'quick'.
    assert set(recipes.RANDOM_FILTERS) == set(recipes.PROFILES)


def test_the_yardstick_sees_the_painting_as_a_transfer_does(vgg16_normalised):
    """A painting of another shape than the result is scored at the size and aspect the transfer
    optimised it against (long side matched, aspect kept), not stretched to the result's shape."""
    from gatys.core.config import TransferSettings
    from gatys.api.transfer import _images
    from gatys.experiments.measures import losses_on

    photo, painting = synthetic_image(48, 64, seed=1), synthetic_image(90, 60, seed=2)
    _, (as_transferred,), _ = _images(photo, [painting], vgg16_normalised,
                                      TransferSettings(size=None))
    assert tuple(as_transferred.shape[-2:]) == (64, 43)
    scored = dict(content_layer="relu4_2", style_layers=recipes.STYLE_LAYERS)
    direct = losses_on(vgg16_normalised, photo, style=painting, **scored)
    resized = losses_on(vgg16_normalised, photo, style=as_transferred, **scored)
    assert direct["style"] == resized["style"]
    stretched = torch.nn.functional.interpolate(painting, size=(48, 64), mode="bicubic",
                                                antialias=True, align_corners=False).clamp(0, 1)
    assert direct["style"] != losses_on(vgg16_normalised, photo, style=stretched, **scored)["style"]
