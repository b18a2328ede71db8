"""Every figure recipe run directly on a tiny fake context: a random-weight VGG-16, synthetic
images in place of the paper's, a 20 px profile with one iteration, smaller grids (fewer ratios,
seeds and layers than the paper's; every code path kept), a temporary output folder.

Each figure is built once into a cache the figures share (as `make figures` does) and its
metrics file is checked: its keys, its number of rows and of panels, finite values. Built a
second time, every panel comes from the cache (no optimisation runs) and the rows are the same.
"""

from __future__ import annotations

import dataclasses
import json
import math

import matplotlib.pyplot as plt
import pytest
import torch
from PIL import Image

from gatys.experiments import context, paper_figures, perceptual_controls, recipes, variations
from gatys.io.data import PAPER_IMAGES

from helpers import striped_image, synthetic_image

TINY = recipes.Profile("smoke", size=20, iterations=1, normalisation_size=20, extension_size=20,
                       extension_iterations=1, extension_ratio=0.1, settle_budget=2)
# Smaller grids: each recipe's collections cut to two entries (one where one is enough).
SMALLER = {
    "CONTENT_LAYERS": {"arxiv": ("relu1_1", "relu2_1"), "cvpr": ("relu1_2", "relu2_2")},
    "STYLE_LAYER_SETS": recipes.STYLE_LAYER_SETS[:2],
    "FIVE_STYLES": recipes.FIVE_STYLES[2:4],  # the two whose arXiv and CVPR ratios differ
    "TRADEOFF_RATIOS": recipes.TRADEOFF_RATIOS[1:3],
    "INIT_NOISE_SEEDS": (0, 1),
    "CALIBRATION_RATIOS": (1e-4, 1e-2),
    "START_NOISE_STDS": (1 / 255, 0.1),
    "START_CONTENT_LAYERS": ("relu1_1", "relu2_1"),
    "RANDOM_SEEDS": (0, 1),
    "RANDOM_CONTENT_LAYERS": ("relu1_1", "relu2_1"),
    "RANDOM_TEXTURE_LAYERS": ("relu1_1", "relu2_1"),
    "RANDOM_FILTERS": {**recipes.RANDOM_FILTERS, "smoke": ((3, 5), 4)},
    "BLEND_WEIGHTS": (1.0, 0.5, 0.0),
    "CONTENT_SWEEP": ("relu1_2", "relu4_2"),
    "NETWORK_VARIANTS": (("avg", True), ("max", False)),
    "TV_WEIGHTS": (0.0, 1e-2),
    "PROFILES": {**recipes.PROFILES, "smoke": TINY},
}


def _photograph(height: int, width: int) -> torch.Tensor:
    """A synthetic "Neckarfront": a blue sky over the top third (for the sky rule), then scenery
    with some fine texture (a photograph is never free of pixel noise)."""
    image = 0.8 * synthetic_image(height, width, seed=11) + 0.2 * striped_image(height, width, 3)
    image[:, :, : height // 3] = torch.tensor([0.2, 0.4, 0.9]).view(1, 3, 1, 1)
    return image


@pytest.fixture(scope="module")
def paper_images(tmp_path_factory):
    """The six paper images as synthetic PNG files under their names, and the folder."""
    folder = tmp_path_factory.mktemp("data")
    for index, (key, entry) in enumerate(PAPER_IMAGES.items()):
        if key == recipes.CONTENT_IMAGE:
            image = _photograph(16, 20)
        elif index % 2:
            image = striped_image(20, 20, period=3 + index)
        else:
            image = synthetic_image(20, 20, seed=index)
        pixels = (image[0].permute(1, 2, 0) * 255).round().byte().numpy()
        Image.fromarray(pixels).save(folder / entry.filename, format="PNG")
    return folder


@pytest.fixture(scope="module")
def ctx(paper_images, tmp_path_factory):
    """experiments.setup on a random VGG-16 with the tiny profile and the smaller recipes
    (the network variants of the pros figures are set up the same way)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SMALLER.items():
            patch.setattr(recipes, name, value)
        folder = tmp_path_factory.mktemp("figures")
        yield context.setup(profile="smoke", device="cpu", output_dir=folder / "figures",
                            data_dir=str(paper_images), cache=folder / "cache",
                            model="vgg16-random", progress=False)


@pytest.fixture(scope="module")
def built(ctx):
    """Build a figure once per module: ``built(name)`` is its first result."""
    results = {}

    def build(name: str) -> context.FigureResult:
        if name not in results:
            results[name] = BUILDERS[name](ctx)
            plt.close("all")
        return results[name]

    return build


def _count(*collections) -> int:
    return math.prod(len(collection) for collection in collections)


# name of the metrics file: (the function, how many panels it shows, further top-level entries)
FIGURES = {
    "fig1_content_arxiv": (lambda ctx: paper_figures.content_reconstructions(ctx, "arxiv"),
                           lambda: len(recipes.CONTENT_LAYERS["arxiv"]), ()),
    "fig1_content_cvpr": (lambda ctx: paper_figures.content_reconstructions(ctx, "cvpr"),
                          lambda: len(recipes.CONTENT_LAYERS["cvpr"]), ()),
    # style_reconstructions' images are its default argument, bound before the recipes shrink.
    "fig1_style": (lambda ctx: paper_figures.style_reconstructions(ctx, ["starry_night"]),
                   lambda: len(recipes.STYLE_LAYER_SETS), ()),
    "fig2_five_styles_arxiv": (lambda ctx: paper_figures.five_styles(ctx, "arxiv"),
                               lambda: len(recipes.FIVE_STYLES), ()),
    "fig2_five_styles_cvpr": (lambda ctx: paper_figures.five_styles(ctx, "cvpr"),
                              lambda: len(recipes.FIVE_STYLES), ()),
    "fig2_five_styles_one_ratio": (lambda ctx: paper_figures.five_styles(ctx, "one_ratio"),
                                   lambda: len(recipes.FIVE_STYLES), ()),
    "fig3_tradeoff": (paper_figures.tradeoff_grid,
                      lambda: _count(recipes.STYLE_LAYER_SETS, recipes.TRADEOFF_RATIOS), ()),
    "fig5_content_layer": (paper_figures.content_layer_choice,
                           lambda: len(recipes.CONTENT_LAYER_CHOICE), ()),
    "fig6_initialisation": (paper_figures.initialisation, lambda: 2 + len(recipes.INIT_NOISE_SEEDS),
                            ("measures",)),
    "calibration_sweep": (paper_figures.calibration, lambda: 2 * len(recipes.CALIBRATION_RATIOS),
                          ("measures",)),
    "fig6_start_amplitude": (paper_figures.start_amplitude,
                             lambda: (len(recipes.START_NOISE_STDS) + 1)
                             * (len(recipes.START_CONTENT_LAYERS) + 1), ()),
    "pros_random_content": (variations.random_network_content,
                            lambda: _count([0, *recipes.RANDOM_SEEDS], recipes.RANDOM_CONTENT_LAYERS),
                            ("measures",)),
    "pros_random_textures": (variations.random_network_textures,
                             lambda: 1 + 2 * len(recipes.RANDOM_SEEDS), ("measures",)),
    "pros_several_styles": (variations.several_styles, lambda: len(recipes.BLEND_WEIGHTS), ()),
    "pros_content_layers": (variations.content_layer_sweep, lambda: len(recipes.CONTENT_SWEEP), ()),
    "pros_style_layers": (variations.style_layer_choices, lambda: 4, ()),
    "pros_pooling_normalisation": (variations.pooling_and_normalisation,
                                   lambda: len(recipes.NETWORK_VARIANTS), ("networks",)),
    "beyond_colour": (perceptual_controls.colour_preservation, lambda: 3, ()),
    # At 20 px the half-size style is too small for relu5_1 and is skipped (printed).
    "beyond_scale": (perceptual_controls.scale_control, lambda: len(recipes.STYLE_SCALES) - 1 + 2,
                     ("combination",)),
    "beyond_coarse_to_fine": (perceptual_controls.coarse_to_fine_speed, lambda: 2, ("measures",)),
    "beyond_spatial": (perceptual_controls.spatial_control, lambda: 1, ("seconds_panel",)),
    "beyond_tv": (perceptual_controls.total_variation_sweep, lambda: len(recipes.TV_WEIGHTS), ()),
}
BUILDERS = {name: build for name, (build, _, _) in FIGURES.items()}
# Rows that stand for a reference (the painting, the photograph) leave the run's columns empty.
REFERENCE_ROWS = {"beyond_colour": 1, "beyond_tv": 1}


def numbers(value):
    """Every float in a JSON value, nested."""
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield float(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from numbers(item)


def _same(a, b) -> bool:
    """Equal, NaN equal to NaN."""
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_writes_its_metrics_and_reuses_its_panels(ctx, built, name):
    build, panels, extra = FIGURES[name]
    first = built(name)
    written = json.loads((ctx.output_dir / f"{name}.json").read_text())
    assert first.name == written["figure"] == name
    assert first.path == ctx.output_dir / f"{name}.png"
    assert Image.open(first.path).size[0] > 100
    assert {"network", "device", "profile", "settings", "seconds", "rows", *extra} <= set(written)
    assert written["profile"]["name"] == "smoke" and written["profile"]["size"] == TINY.size
    assert _same(written["rows"], first.rows) and _same(written.get("measures", {}), first.measures)

    # Finite numbers everywhere but in the reference rows' empty columns.
    reference = REFERENCE_ROWS.get(name, 0)
    run_rows = written["rows"][: len(written["rows"]) - reference]
    assert run_rows and all(math.isfinite(x) for x in numbers(run_rows)), run_rows
    assert all(math.isfinite(x) for x in numbers(written.get("measures", {})))
    assert all(math.isfinite(x) for x in numbers(written.get("combination", [])))

    second = build(ctx)
    plt.close("all")
    timing = second.metrics["seconds"]
    assert timing["panels_from_cache"] == panels(), "every panel of the second run is cached"
    assert timing["panels_computed"] == 0
    assert _same(second.rows, first.rows) and _same(second.measures, first.measures)


def test_losses_fall_and_the_measures_say_what_they_measure(built):
    content = built("fig1_content_arxiv")
    assert all(row["content loss end"] < row["content loss start"] for row in content.rows)
    assert all(0 < row["SSIM"] <= 1 for row in content.rows)
    textures = built("fig1_style")
    assert all(row["style loss end"] < row["style loss start"] for row in textures.rows)
    for variant in ("arxiv", "cvpr"):
        styles = built(f"fig2_five_styles_{variant}")
        assert all(0 <= row["style share"] <= 1 for row in styles.rows)
        printed = [getattr(recipe, f"{variant}_ratio") for recipe in recipes.FIVE_STYLES]
        assert [row["printed"] for row in styles.rows] == printed
        # Each panel runs the printed ratio times the calibration (100 for the default 0.1).
        assert [row["ratio"] for row in styles.rows] == pytest.approx(
            [ratio * recipes.RATIO_CALIBRATION for ratio in printed])
        assert all(0 <= row["deep texture"] and 0 <= row["texture relu1_1"] for row in styles.rows)
        # Every transfer panel settles or runs its budget (here too short for one check).
        assert all(row["iterations"] == TINY.settle_budget for row in styles.rows)
        assert all(row["stopped"] == f"budget ({TINY.settle_budget})" for row in styles.rows)
        assert all(-1 <= row["scene"] <= 1 for row in styles.rows)
    # The one-ratio set: every painting at the calibrated headline ratio.
    one_ratio = built("fig2_five_styles_one_ratio")
    assert [row["printed"] for row in one_ratio.rows] == [recipes.PRINTED_RATIO] * len(
        recipes.FIVE_STYLES)
    assert all(row["ratio"] == recipes.calibrated(recipes.PRINTED_RATIO) for row in one_ratio.rows)
    assert one_ratio.metrics["settings"]["settle_budget"] == TINY.settle_budget
    # The Scream runs 0.1 in both sets under the same rule: the same panel, from the cache.
    arxiv = {row["style"]: row for row in built("fig2_five_styles_arxiv").rows}
    same = {row["style"]: row for row in one_ratio.rows}
    assert same["the_scream"]["ratio"] == arxiv["the_scream"]["ratio"]
    assert same["the_scream"]["style loss"] == arxiv["the_scream"]["style loss"]
    assert all(value > 0 for value in built("fig6_initialisation").measures.values())


def test_extra_figures_and_panels_are_written_beside_the_figure(ctx, built):
    sweep = built("calibration_sweep")
    assert len(sweep.extra_figures) == 1 and (ctx.output_dir / "calibration_share.png").is_file()
    grid = built("fig3_tradeoff")
    for layers in recipes.STYLE_LAYER_SETS:
        for ratio in recipes.TRADEOFF_RATIOS:
            assert paper_figures.tradeoff_panel_path(ctx.output_dir, layers[-1], ratio).is_file()
    assert len(grid.rows) == len(recipes.STYLE_LAYER_SETS) * len(recipes.TRADEOFF_RATIOS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        grid.combination = []  # a result carries what it has from the start


def test_a_figure_result_tables_its_rows_and_other_tables(built):
    scale = built("beyond_scale")
    table = scale.table("combination").splitlines()
    assert table[0].startswith("| fine layers from | coarse layers from |")
    assert len(table) == 2 + len(scale.metrics["combination"])
    assert scale.table().splitlines()[0].startswith("| run | style scale |")
    assert "beyond_scale" in scale._repr_markdown_()


def test_smoke_figures_never_go_to_the_committed_folder(monkeypatch, tmp_path):
    root = context.project_root()
    assert root is not None  # the tests run from a checkout
    assert context.default_output_dir("smoke") == root / "build" / "smoke" / "figures"
    assert context.default_output_dir("quick") == root / "build" / "quick" / "figures"
    assert context.default_output_dir("cpu") == context.default_output_dir("paper") == root / "figures"
    monkeypatch.setattr(context, "project_root", lambda: None)
    assert str(context.default_output_dir("cpu")) == "figures"


def test_setup_resolves_the_output_folder_from_the_profile(paper_images, tmp_path, monkeypatch):
    monkeypatch.setitem(recipes.PROFILES, "smoke", TINY)
    monkeypatch.setattr(context, "project_root", lambda: tmp_path)
    common = dict(device="cpu", data_dir=str(paper_images), cache=tmp_path / "cache",
                  model="vgg16-random", normalised=False, progress=False)
    assert context.setup(profile="smoke", **common).output_dir == tmp_path / "build/smoke/figures"
    assert context.setup(profile="cpu", **common).output_dir == tmp_path / "figures"
    explicit = context.setup(profile="smoke", output_dir=tmp_path / "mine", **common)
    assert explicit.output_dir == tmp_path / "mine"


def test_the_authors_start_shares_its_panels_with_fig1_and_fig6(built):
    """Notebook 05's amplitude figure: the σ = 1/255 row is the default start, so its content
    reconstructions and its transfer are Fig. 1's and Fig. 6's panels, from the cache."""
    built("fig1_content_arxiv")
    built("fig6_initialisation")
    amplitude = built("fig6_start_amplitude")
    shared = len(recipes.START_CONTENT_LAYERS) + 1
    assert amplitude.metrics["seconds"]["panels_from_cache"] >= shared
    starts = [row["start"] for row in amplitude.rows]
    assert starts[0] == "σ = 1/255" and starts[-1] == "uniform 0..1"
    transfers = [row for row in amplitude.rows if row["run"] == "transfer"]
    assert len(transfers) == len(recipes.START_NOISE_STDS) + 1
    assert all(row["noise ×photo"] > 0 for row in amplitude.rows)


def test_a_variant_network_keeps_the_reference_network_of_the_look(ctx):
    """The look of a result on a random or unnormalised network is still measured with the
    trained reference network, never with the network that was optimised."""

    other = variations.variant(ctx, model="vgg16-random:1")
    assert other.model_key != ctx.model_key and other.reference is ctx.reference
    assert ctx.reference.pooling == "max" and not ctx.reference.normalised


def test_an_unknown_five_styles_variant_is_refused_before_any_panel(ctx):
    with pytest.raises(ValueError, match="one_ratio"):
        paper_figures.five_styles(ctx, "arXiv")
    assert not (ctx.output_dir / "fig2_five_styles_arXiv.json").exists()
