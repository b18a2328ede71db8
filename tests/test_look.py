"""The look measures by hand, the yardstick against the two failures it is there to catch, and
the acceptance: with every setting default, the command line stylises photographs and paintings
the tests never saw (real weights only)."""

from __future__ import annotations

import math
import os

import pytest
import torch

import look_pairs
from gatys.experiments.measures import (PAPERS_LOOK, SCENE_GRID, Look, LookMeter, grid_strength,
                                       look, moved, palette_distance, palette_ratio, pixel_noise,
                                       reference_network, scene_kept, scene_layout,
                                       texture_ratios)
from gatys.io.images import load_image
from gatys.ui.cli import main

from helpers import striped_image, synthetic_image


def ramp(height=64, width=96):
    y = torch.linspace(0, 1, height).view(1, 1, height, 1)
    x = torch.linspace(0, 1, width).view(1, 1, 1, width)
    return torch.cat([y.expand(1, 1, height, width), x.expand(1, 1, height, width),
                      (0.5 * (x + y)).expand(1, 1, height, width)], dim=1)


def test_moved_is_the_mean_absolute_difference():
    photo = ramp()
    assert moved(photo, photo) == 0.0
    assert moved((photo + 0.1).clamp(max=2), photo) == pytest.approx(0.1, abs=1e-6)
    with pytest.raises(ValueError, match="same size"):
        moved(photo, photo[..., :32])


def test_pixel_noise_by_hand():
    assert pixel_noise(torch.full((1, 3, 16, 16), 0.3)) == 0.0
    assert pixel_noise(ramp()) < 1e-4  # a smooth ramp has no speckle (only its corners differ)
    speckled = torch.full((1, 3, 9, 9), 0.5)
    speckled[..., 4, 4] = 1.0  # one isolated pixel: |1 − 0.5| at one of 81 positions
    assert pixel_noise(speckled) == pytest.approx(0.5 / 81, rel=1e-5)


def test_scene_sees_large_shapes_not_fine_texture():
    photo = ramp(128, 128)
    texture = photo + 0.15 * torch.sign(torch.randn(1, 1, 128, 128, generator=torch.Generator().manual_seed(0)))
    flipped = photo.flip(-1)
    assert scene_kept(photo, photo) == pytest.approx(1.0)
    assert scene_kept(texture, photo) > 0.9  # pixel texture averages out at 8×
    assert scene_kept(flipped, photo) < 0.5  # the arrangement changed


def test_scene_layout_sees_where_things_are_not_what_they_look_like(vgg16_random):
    """1 for the photograph; high for the photograph under fine speckle or in other colours
    (the arrangement is there); low for noise, which has no arrangement (on a random network the
    zero padding gives every image's border cells something in common, so not 0; the real
    network's paintings are measured in benchmarks/results/scene_probe.json); lower for the
    photograph mirrored (the arrangement moved)."""
    photo = ramp(96, 128) * 0.6 + 0.4 * synthetic_image(96, 128, seed=5)
    generator = torch.Generator().manual_seed(0)
    speckled = (photo + 0.1 * torch.randn(photo.shape, generator=generator).sign()).clamp(0, 1)
    recoloured = photo.flip(1)  # the channels swapped: other colours, the same shapes
    noise = torch.rand(photo.shape, generator=generator)
    assert scene_layout(photo, photo, vgg16_random) == pytest.approx(1.0)
    assert scene_layout(speckled, photo, vgg16_random) > 0.8
    assert scene_layout(recoloured, photo, vgg16_random) > 0.5 > scene_layout(noise, photo,
                                                                               vgg16_random)
    assert scene_layout(photo.flip(-1), photo, vgg16_random) < scene_layout(speckled, photo,
                                                                            vgg16_random)
    with pytest.raises(ValueError, match="same size"):
        scene_layout(photo[..., :64], photo, vgg16_random)


def test_scene_layout_by_hand_at_one_layer(vgg16_random):
    """The correlation of the grid-averaged, mean-removed relu3_2 maps, computed here."""
    photo, image = synthetic_image(64, 96, seed=6), synthetic_image(64, 96, seed=7)
    cells = (round(SCENE_GRID * 64 / 96), SCENE_GRID)

    def grid(x):
        with torch.no_grad():
            f = vgg16_random(x, ["relu3_2"])["relu3_2"].double()
        g = torch.nn.functional.adaptive_avg_pool2d(f, cells)
        return g - g.mean(dim=(2, 3), keepdim=True)

    a, b = grid(image), grid(photo)
    expected = float((a * b).sum() / (a.norm() * b.norm()))
    assert scene_layout(image, photo, vgg16_random, ["relu3_2"]) == pytest.approx(expected, rel=1e-9)


def test_the_look_meter_measures_what_look_measures(vgg16_random):
    """The settling runs' meter (photo and painting features computed once) gives look()'s
    texture ratios, scene and scene SSIM."""
    photo, painting = synthetic_image(64, 64, seed=1), striped_image(48, 72, period=6)
    image = 0.5 * (photo + synthetic_image(64, 64, seed=9))
    full, meter = look(image, photo, painting, vgg16_random), LookMeter(photo, painting, vgg16_random)
    fast = meter(image)
    assert fast.texture == pytest.approx(full.texture, rel=1e-9)
    assert fast.scene == pytest.approx(full.scene, rel=1e-9)
    assert fast.scene_ssim == pytest.approx(full.scene_ssim, rel=1e-9)
    assert fast.scene != pytest.approx(meter(photo).scene)  # it measures the image it is given


def test_texture_ratio_is_one_at_the_photograph_and_zero_at_the_painting(vgg16_random):
    photo, painting = synthetic_image(64, 64, seed=1), striped_image(48, 72, period=6)
    at_photo = texture_ratios(photo, photo, painting, vgg16_random)
    at_painting = texture_ratios(painting, photo, painting, vgg16_random)
    assert set(at_photo) == {"relu1_1", "relu3_1", "relu4_1", "relu5_1"}
    assert all(value == pytest.approx(1.0) for value in at_photo.values())
    assert all(value == pytest.approx(0.0, abs=1e-6) for value in at_painting.values())
    # Each Gram is divided by its own positions: the painting tiled to twice its width has the
    # same statistics (but for the borders) and stays close.
    tiled = painting.repeat(1, 1, 1, 2)
    assert texture_ratios(tiled, photo, painting, vgg16_random)["relu1_1"] < 0.05
    # Layers deeper than a small image allows are left out, not failed.
    assert "relu5_1" not in texture_ratios(photo[..., :12, :12], photo[..., :12, :12],
                                           painting, vgg16_random)


def test_texture_ratio_by_hand_at_the_first_layer(vgg16_random):
    """relu1_1's ratio from the Gram matrices computed here, in float64."""
    photo, painting = synthetic_image(32, 32, seed=2), striped_image(32, 32)
    image = 0.5 * (photo + painting)

    def mean_gram(x):
        with torch.no_grad():
            f = vgg16_random(x, ["relu1_1"])["relu1_1"][0].flatten(1).double()
        return f @ f.t() / f.shape[1]

    expected = (torch.linalg.norm(mean_gram(image) - mean_gram(painting))
                / torch.linalg.norm(mean_gram(photo) - mean_gram(painting)))
    assert texture_ratios(image, photo, painting, vgg16_random, ["relu1_1"])["relu1_1"] == \
        pytest.approx(float(expected), rel=1e-6)


def test_palette_sees_colours_not_their_arrangement():
    photo = synthetic_image(64, 64, seed=3)
    shuffled = photo.flatten(2)[..., torch.randperm(64 * 64, generator=torch.Generator().manual_seed(0))]
    shuffled = shuffled.view_as(photo)
    assert palette_distance(photo, photo) == 0.0
    assert palette_distance(shuffled, photo) < 1e-6  # the same pixels, elsewhere
    assert palette_ratio(photo, photo, shuffled.flip(-1) * 0.5) == pytest.approx(1.0)


def test_palette_distance_of_two_flat_colours_by_hand():
    """For two one-colour images the quantiles differ by d·Δ on every direction d: the distance
    is |Δ| times the root mean square of the directions' cosines with Δ, |Δ|/√3 on average."""
    from skimage.color import rgb2lab

    red, blue = torch.zeros(1, 3, 8, 8), torch.zeros(1, 3, 8, 8)
    red[:, 0], blue[:, 2] = 1.0, 1.0
    delta = float(torch.linalg.norm(torch.from_numpy(rgb2lab([[[1.0, 0, 0]]]) - rgb2lab([[[0, 0, 1.0]]]))))
    assert palette_distance(red, blue) == pytest.approx(delta / math.sqrt(3), rel=0.2)


def test_grid_strength_finds_a_period_4_grid_and_not_plain_noise():
    noise = torch.rand(1, 3, 128, 128, generator=torch.Generator().manual_seed(0))
    grid = noise.clone()
    grid[..., ::4, :] += 0.1  # a faint grid of lines every 4 px, as a stride-2 network leaves
    grid[..., :, ::4] += 0.1
    assert grid_strength(noise) < 4
    assert grid_strength(grid.clamp(0, 1)) > 5 * grid_strength(noise)
    assert grid_strength(grid.clamp(0, 1), period=6) < 4  # no grid at another period
    # In a region only: the grid in the top half is found there and diluted in the whole.
    half = noise.clone()
    half[..., :64, :] = grid[..., :64, :].clamp(0, 1)
    assert grid_strength(half, region=(slice(0, 64), slice(0, 128))) > grid_strength(half)


def test_the_yardstick_names_what_fails():
    speckle = Look(texture={"relu1_1": 1.04, "relu3_1": 0.66, "relu4_1": 0.92, "relu5_1": 0.95},
                   scene=0.67)
    texture = Look(texture={"relu1_1": 0.3, "relu3_1": 0.2, "relu4_1": 0.3, "relu5_1": 0.4},
                   scene=0.1, scene_ssim=0.9)  # the grey SSIM is reported, not judged
    overlaid = Look(texture={"relu1_1": 0.3, "relu3_1": 0.3, "relu4_1": 0.3, "relu5_1": 0.4},
                    scene=0.9)
    painted = Look(texture={"relu1_1": 0.5, "relu3_1": 0.4, "relu4_1": 0.6, "relu5_1": 0.6},
                   scene=0.5, scene_ssim=0.05)
    assert speckle.deep_texture == pytest.approx((0.66 + 0.92 + 0.95) / 3)
    assert [f.split(" (")[0] for f in speckle.failures()] == [
        "the painting's motifs are missing", "the painting's brush grain is missing"]
    assert [f.split(" (")[0] for f in texture.failures()] == ["the scene is lost"]
    assert [f.split(" (")[0] for f in overlaid.failures()] == ["the photograph is not redrawn"]
    assert painted.passes() and not painted.failures()
    assert PAPERS_LOOK.min_scene < 0.5 < PAPERS_LOOK.max_scene


WEIGHTS = os.environ.get("GATYS_WEIGHTS")
MODEL = os.environ.get("GATYS_MODEL", "vgg16-caffe")
needs_weights = pytest.mark.skipif(
    not (WEIGHTS and os.path.isfile(WEIGHTS)),
    reason="needs real VGG weights (GATYS_WEIGHTS; .ci/run points it at ../shared): random "
           "weights have no look")


@pytest.fixture(scope="module")
def reference():
    return reference_network(MODEL, WEIGHTS)


@pytest.mark.real_weights
@needs_weights
def test_the_yardstick_rejects_a_photograph_under_speckle_and_a_texture_without_the_scene(reference):
    """The two failures the measure is there to catch, built by hand from a photograph and a
    painting the tests never saw: the photograph with fine ±0.15 speckle (what the old recipe
    gave), and the painting itself (all motifs, no scene)."""
    photo = load_image(look_pairs.photo("astronaut"), size=192)
    painting = load_image(look_pairs.as_photographed(look_pairs.swirl_painting()), size=192)
    noise = torch.randn(photo.shape, generator=torch.Generator().manual_seed(0))
    speckled = (photo + 0.15 * noise.sign()).clamp(0, 1)
    under_speckle = look(speckled, photo, painting, reference)
    assert under_speckle.deep_texture > PAPERS_LOOK.max_deep_texture, under_speckle.as_dict()
    assert not under_speckle.passes()
    texture_only = look(load_image(look_pairs.as_photographed(look_pairs.swirl_painting()),
                                   shape=tuple(photo.shape[-2:])), photo, painting, reference)
    assert texture_only.scene < PAPERS_LOOK.min_scene, texture_only.as_dict()
    assert not texture_only.passes()


def _watched_run(content, style, size: int, ratio: float, init: str, iterations: int,
                 checkpoints: tuple[int, ...], reference, until=None) -> dict:
    """A transfer on the network the command line uses (normalised over the two images), its
    look measured (on the reference network) at each of ``checkpoints``."""
    from gatys.api.transfer import style_transfer

    meter = LookMeter(load_image(content, size=size), load_image(style, size=size), reference)
    seen = {}

    def watch(iteration, image):
        if iteration in checkpoints:
            seen[iteration] = meter(image)
        return until(iteration, image) if until is not None else None

    result = style_transfer(str(content), str(style), size=size, ratio=ratio, init=init,
                            iterations=iterations, progress=False, until=watch, model=None)
    seen["result"] = result
    return seen


@pytest.mark.real_weights
@needs_weights
@pytest.mark.parametrize("init, checkpoints", [("noise", (100, 600)), ("content", (300, 600))])
def test_the_printed_ratio_fails_short_and_long_from_either_start(tmp_path, reference, monkeypatch,
                                                                  init, checkpoints):
    """The failures the grey SSIM let through once a run goes on: at the printed α/β = 1e-3 the
    normalised recipe asks for the painting, from noise (a pure texture, at any budget) and from
    the photograph (its houses fade as the run goes on). On a pair the tests never saw, at
    128 px, both fail the yardstick on the scene at a short and at a long budget."""
    monkeypatch.setenv("GATYS_MODEL", MODEL)
    monkeypatch.setenv("GATYS_WEIGHTS", WEIGHTS)
    content, style = look_pairs.save_pair(tmp_path, "rocket", look_pairs.block_painting(), "pair")
    seen = _watched_run(content, style, 128, 1e-3, init, max(checkpoints), checkpoints, reference)
    ran = seen.pop("result")
    for iteration in checkpoints:
        if iteration > ran.iterations:  # the line search ended the run before (stalled)
            continue
        measured = seen[iteration]
        print(f"{init} start, {iteration} iterations: scene {measured.scene:.3f}, scene SSIM "
              f"{measured.scene_ssim:.3f}, deep {measured.deep_texture:.3f}")
        assert measured.scene < PAPERS_LOOK.min_scene, (iteration, measured.as_dict())
        assert not measured.passes()
    assert min(checkpoints) in seen


@pytest.mark.real_weights
@needs_weights
def test_a_settled_transfer_at_the_default_ratio_has_the_look(tmp_path, reference, monkeypatch):
    """The acceptance on the other side: the default α/β from the paper's start at 256 px, run
    until its look has settled (gatys.experiments.settling), on a pair the tests never saw."""
    from gatys.experiments.settling import LookSettled

    monkeypatch.setenv("GATYS_MODEL", MODEL)
    monkeypatch.setenv("GATYS_WEIGHTS", WEIGHTS)
    content, style = look_pairs.save_pair(
        tmp_path, "chelsea", look_pairs.as_photographed(look_pairs.swirl_painting(seed=3)), "pair")
    rule = LookSettled(load_image(content, size=256), load_image(style, size=256), reference)
    seen = _watched_run(content, style, 256, 0.1, "noise", 800, (), reference, until=rule)
    result = seen["result"]
    assert result.stop_reason.startswith(("settled", "stalled")), result.stop_reason
    final = LookMeter(load_image(content, size=256), load_image(style, size=256),
                      reference)(result.image)
    print(f"stopped after {result.iterations}: deep {final.deep_texture:.3f}, relu1_1 "
          f"{final.fine_texture:.3f}, scene {final.scene:.3f}")
    assert final.passes(), f"{final.as_dict()}: {final.failures()}"


@pytest.mark.real_weights
@needs_weights
@pytest.mark.parametrize("photo_name, painting", [
    ("coffee", look_pairs.as_photographed(look_pairs.ember_painting())),
    ("astronaut", look_pairs.as_photographed(look_pairs.swirl_painting())),
], ids=["coffee-embers", "astronaut-swirls"])
def test_the_command_line_has_the_papers_look(tmp_path, reference, photo_name, painting):
    """The acceptance: 256 px, ACCEPTANCE_ITERATIONS iterations, every other setting default:
    the painting's texture at the deep layers and at relu1_1, with the scene."""
    content, style = look_pairs.save_pair(tmp_path, photo_name, painting, "pair")
    out = tmp_path / "out.png"
    # The network is named explicitly (the test fixtures hide GATYS_* from every test).
    assert main(["transfer", str(content), str(style), "-o", str(out), "--size", "256",
                 "--iterations", str(ACCEPTANCE_ITERATIONS), "-q", "--model", MODEL,
                 "--weights", WEIGHTS]) == 0
    result = load_image(out)
    photo = load_image(content, shape=tuple(result.shape[-2:]))
    measured = look(result, photo, load_image(style, size=256), reference)
    print(f"{photo_name}: deep texture {measured.deep_texture:.3f}, relu1_1 "
          f"{measured.fine_texture:.3f}, scene {measured.scene:.3f}")  # the margins, with -s
    assert measured.passes(), f"{measured.as_dict()}: {measured.failures()}"


ACCEPTANCE_ITERATIONS = 300
