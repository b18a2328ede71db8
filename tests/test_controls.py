"""Controls beyond the paper (Gatys et al. 2017): per-style layers, guided Gram matrices (masks),
total variation."""

import pytest
import torch

from gatys.api.transfer import make_objective, style_transfer
from gatys.core import losses
from gatys.io.errors import ImageError, SettingError
from gatys.io.images import load_mask, save_image

from helpers import region_style_loss, striped_image, synthetic_image


# --- total variation ---------------------------------------------------------------------------

def test_total_variation_by_hand():
    # One channel carries [[0, 1], [3, 5]], the others are constant: horizontal differences
    # 1 and 2, vertical 3 and 4 -> (1 + 4 + 9 + 16) / (3 · 2 · 2) = 30 / 12.
    image = torch.zeros(1, 3, 2, 2)
    image[0, 0] = torch.tensor([[0.0, 1.0], [3.0, 5.0]])
    image[0, 1] = 7.0
    assert torch.allclose(losses.total_variation(image), torch.tensor([30 / 12]))
    assert losses.total_variation(torch.full((2, 3, 5, 4), 0.3)).eq(0).all()


def test_total_variation_gradient_matches_finite_differences():
    image = torch.rand(2, 3, 5, 6, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(losses.total_variation, (image,))


def test_tv_weight_smooths_the_result_and_is_recorded(vgg16_random):
    content, style = synthetic_image(32, 32), striped_image(32, 32)
    options = dict(model=vgg16_random, size=None, ratio=1e-2, iterations=8, progress=False,
                   content_layers=["relu2_2"], style_layers=["relu1_1", "relu2_1"])
    plain = style_transfer(content, style, **options)
    smooth = style_transfer(content, style, tv_weight=10.0, **options)
    assert "tv" not in plain.final_losses
    assert smooth.final_losses["tv"] < smooth.history.losses[0]["tv"]
    assert losses.total_variation(smooth.image) < 0.5 * losses.total_variation(plain.image)
    with pytest.raises(SettingError, match="tv_weight"):
        style_transfer(content, style, tv_weight=-1.0, **options)


# --- several styles blended ---------------------------------------------------------------------

STYLE_FIRST = dict(ratio=1e-6, iterations=10, init="noise", size=None, progress=False,
                   content_layers=["relu2_2"], style_layers=["relu1_1", "relu2_1"])


def two_styles():
    """A content image and two style images with different statistics: stripes, smooth blobs."""
    return synthetic_image(32, 32), striped_image(32, 32), synthetic_image(32, 32, seed=9)


def style_loss_against(model, style, image):
    """L_style of ``image`` against ``style`` alone, at the layers of STYLE_FIRST."""
    objective = make_objective(model, styles=[style], style_layers=STYLE_FIRST["style_layers"])
    return float(objective(image).style)


def test_a_blend_lies_between_its_pure_styles(vgg16_random):
    # Against each painting, the 50 : 50 blend's result is further than that painting's own
    # transfer and closer than the other painting's.
    content, first, second = two_styles()
    results = {tuple(blend): style_transfer(content, [first, second], model=vgg16_random,
                                            style_blend=blend, **STYLE_FIRST).image
               for blend in ([1, 0], [1, 1], [0, 1])}
    to_first = {blend: style_loss_against(vgg16_random, first, image)
                for blend, image in results.items()}
    to_second = {blend: style_loss_against(vgg16_random, second, image)
                 for blend, image in results.items()}
    assert to_first[1, 0] < to_first[1, 1] < to_first[0, 1]
    assert to_second[0, 1] < to_second[1, 1] < to_second[1, 0]


# --- one style's fine scales, another's coarse ones ---------------------------------------------

def test_a_layer_of_style_a_alone_does_not_depend_on_style_b(vgg16_random):
    content, style_a = synthetic_image(32, 32), striped_image(32, 32)
    per_style = [["relu1_1", "relu2_1"], ["relu3_1"]]
    image = synthetic_image(32, 32, seed=7).requires_grad_(True)

    def relu1_1_term(style_b):
        objective = make_objective(vgg16_random, content=content, styles=[style_a, style_b],
                                   style_layers_per_style=per_style, ratio=1e-2)
        value = objective(image).style_per_layer["relu1_1"]
        (gradient,) = torch.autograd.grad(value, image)
        return objective, value.detach(), gradient

    objective, value_1, gradient_1 = relu1_1_term(synthetic_image(32, 32, seed=1))
    _, value_2, gradient_2 = relu1_1_term(torch.rand(1, 3, 32, 32))
    assert objective.layers == ["relu4_2", "relu1_1", "relu2_1", "relu3_1"]
    assert value_1 == value_2 and torch.equal(gradient_1, gradient_2)
    # ... and equals the single-style loss of style A at that layer (full weight, not half).
    alone = make_objective(vgg16_random, content=content, styles=[style_a],
                           style_layers=["relu1_1", "relu2_1"], ratio=1e-2)
    assert torch.allclose(alone(image).style_per_layer["relu1_1"].detach(), value_1)
    # relu3_1 belongs to style B alone: it changes with style B.
    other = make_objective(vgg16_random, content=content, styles=[style_a, torch.rand(1, 3, 32, 32)],
                           style_layers_per_style=per_style, ratio=1e-2)
    assert other(image).style_per_layer["relu3_1"] != objective(image).style_per_layer["relu3_1"]


def test_per_style_layer_lists_are_checked(vgg16_random):
    content, style = synthetic_image(32, 32), striped_image(32, 32)
    with pytest.raises(SettingError, match="one layer list"):
        make_objective(vgg16_random, content=content, styles=[style], ratio=1e-2,
                       style_layers_per_style=[["relu1_1"], ["relu2_1"]])
    with pytest.raises(SettingError, match="empty layer list"):
        make_objective(vgg16_random, content=content, styles=[style], ratio=1e-2,
                       style_layers_per_style=[[]])


# --- guided Gram matrices -----------------------------------------------------------------------

def test_guided_gram_counts_only_the_region():
    features = torch.rand(1, 4, 6, 8)
    guide = torch.zeros(1, 1, 6, 8)
    guide[..., :, :3] = 1.0
    region = features[..., :, :3]
    assert torch.allclose(losses.guided_gram_matrix(features, guide), losses.gram_matrix(region))


def test_a_full_guide_is_the_unguided_loss():
    features, style = torch.rand(2, 5, 6, 7), torch.rand(1, 5, 6, 7)
    target = losses.gram_matrix(style)
    guided = losses.guided_style_layer_loss(features, torch.ones(1, 1, 6, 7), target, 42)
    assert torch.allclose(guided, losses.style_layer_loss(features, target))


def test_a_regions_own_loss_is_the_objectives_term_without_its_share(vgg16_random):
    """Objective.region_style_losses: Σ_l w_l E_l,s of each region alone; the objective weighs
    each by its share of the image (here exactly half at every layer)."""
    image, style = synthetic_image(32, 32, seed=2), striped_image(32, 32)
    left = torch.zeros(1, 1, 32, 32)
    left[..., :16] = 1.0
    objective = make_objective(vgg16_random, content=image, styles=[style, style],
                               masks=[left, 1 - left], style_layers=["relu1_1", "relu2_1"])
    own = objective.region_style_losses(image)
    assert own[0] != pytest.approx(own[1])  # the two halves differ
    assert 0.5 * (own[0] + own[1]) == pytest.approx(float(objective(image).style), rel=1e-5)
    with pytest.raises(SettingError, match="masks"):
        make_objective(vgg16_random, styles=[style]).region_style_losses(image)


def test_a_masked_regions_gram_matches_its_own_style(vgg16_random):
    # The content is two textures side by side; each mask covers one. A region holding its own
    # style's texture matches that style's target: the loss is far lower than with the masks
    # swapped, and lower than the same styles without masks.
    # Two stationary textures (the statistics of a half are those of the whole): stripes, noise.
    left = striped_image(32, 32, period=4)
    right = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    composite = torch.cat([left[..., :16], right[..., 16:]], dim=-1)
    mask_left = torch.zeros(1, 1, 32, 32)
    mask_left[..., :16] = 1.0
    masks = [mask_left, 1 - mask_left]
    options = dict(content=composite, styles=[left, right], ratio=1e-2,
                   style_layers=["relu1_1", "relu2_1"])
    matched = make_objective(vgg16_random, masks=masks, **options)(composite).style
    swapped = make_objective(vgg16_random, masks=masks[::-1], **options)(composite).style
    unmasked = make_objective(vgg16_random, **options)(composite).style
    assert matched < 0.01 * swapped
    assert matched < 0.05 * unmasked


def test_each_masked_region_of_a_result_takes_its_own_style(vgg16_random):
    # A transfer with the left half masked to the stripes and the right half to the other image:
    # each half's guided style loss is lower against its own style than against the other, and
    # swapping the masks swaps which style each half is closer to.
    content, first, second = two_styles()
    left = torch.zeros(1, 1, 32, 32)
    left[..., :16] = 1.0
    right = 1 - left

    for masks, left_style, right_style in (([left, right], first, second),
                                           ([right, left], second, first)):
        image = style_transfer(content, [first, second], model=vgg16_random, masks=masks,
                               **STYLE_FIRST).image
        on_left = {style: region_style_loss(vgg16_random, image, style, left)
                   for style in (left_style, right_style)}
        on_right = {style: region_style_loss(vgg16_random, image, style, right)
                    for style in (left_style, right_style)}
        assert on_left[left_style] < 0.5 * on_left[right_style]
        assert on_right[right_style] < 0.5 * on_right[left_style]


def test_no_style_gradient_outside_every_mask(vgg16_random):
    content, style = synthetic_image(32, 64), striped_image(32, 32)
    mask = torch.zeros(1, 1, 32, 64)
    mask[..., :16] = 1.0
    objective = make_objective(vgg16_random, content=content, styles=[style], masks=[mask],
                               ratio=1e-2, style_layers=["relu1_1", "relu2_1"])
    image = torch.rand(1, 3, 32, 64, requires_grad=True)
    (gradient,) = torch.autograd.grad(objective(image).style, image)
    # relu2_1 sees about 10 px around a position: far from the region, the gradient is exactly 0.
    assert gradient[..., 32:].eq(0).all()
    assert gradient[..., :16].abs().mean() > 0


def test_masks_load_resize_and_fail_clearly(tmp_path, vgg16_random):
    white = tmp_path / "white.png"
    save_image(torch.ones(1, 3, 10, 10), white)
    assert load_mask(white, (20, 30)).shape == (1, 1, 20, 30)
    with pytest.raises(ImageError, match="missing.png"):
        load_mask(tmp_path / "missing.png", (20, 30))
    black = tmp_path / "black.png"
    save_image(torch.zeros(1, 3, 10, 10), black)
    with pytest.raises(ImageError, match="empty"):
        load_mask(black, (20, 30))
    content, style = synthetic_image(32, 32), striped_image(32, 32)
    with pytest.raises(SettingError, match="one mask per style"):
        style_transfer(content, [style, style], masks=[white], model=vgg16_random, size=None,
                       iterations=1, progress=False)
