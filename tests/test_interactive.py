"""The walkthrough's widgets work without a browser: a run updates them, errors are shown, and
images are laid out at their own aspect ratio (tests/browser checks the drawn page)."""

import io
import json

import pytest
import torch
from PIL import Image

from gatys.experiments import recipes
from gatys.experiments.context import Context
from gatys.experiments.paper_figures import tradeoff_panel_path
from gatys.experiments.panels import PanelCache
from gatys.io.images import save_image

pytest.importorskip("ipywidgets")
from gatys.ui.interactive import DISPLAY_LONG_SIDE, GridBrowser, StyleExplorer, display_size  # noqa: E402

from helpers import striped_image, synthetic_image  # noqa: E402


@pytest.fixture
def context(tmp_path, vgg16_random):
    data = tmp_path / "data"
    save_image(synthetic_image(40, 56), data / "tubingen.jpg")
    save_image(striped_image(48, 48), data / "starry_night.jpg")
    return Context(vgg16_random, "random", torch.device("cpu"), recipes.PROFILES["smoke"],
                   tmp_path / "figures", PanelCache(tmp_path / "cache"), str(data), False)


def test_a_run_updates_the_image_and_the_curves(context):
    explorer = StyleExplorer(context, size=32, iterations=4, update_every=2)
    explorer.ratio.value = 1e-2
    result = explorer.run()
    assert result is not None and result.iterations == 4
    assert bytes(explorer.image.value)[:4] == bytes(explorer.curves.value)[:4] == b"\x89PNG"
    assert "completed 4 iterations" in explorer.status.value
    assert explorer.seconds > 0 and not explorer.button.disabled


def _drawn_and_natural(image_widget):
    """(drawn width, drawn height) from the widget's layout and the PNG's own (width, height)."""
    width, height = (int(value.removesuffix("px"))
                     for value in (image_widget.layout.width, image_widget.layout.height))
    with Image.open(io.BytesIO(bytes(image_widget.value))) as picture:
        return (width, height), picture.size


def _assert_undistorted(image_widget):
    (width, height), (natural_width, natural_height) = _drawn_and_natural(image_widget)
    assert width / height == pytest.approx(natural_width / natural_height, rel=0.02)
    assert DISPLAY_LONG_SIDE[0] <= max(width, height) <= DISPLAY_LONG_SIDE[1]
    assert image_widget.layout.align_self == "flex-start"  # not stretched to the controls' height


def test_display_size_keeps_the_aspect_ratio_and_a_readable_long_side():
    assert display_size(32, 24) == (256, 192)     # the smoke result, enlarged 8×
    assert display_size(96, 128) == (192, 256)    # portrait stays portrait
    assert display_size(300, 200) == (300, 200)   # already readable: drawn at its own size
    assert display_size(1024, 512) == (512, 256)  # a large panel is scaled down, not cut
    assert display_size(2000, 10) == (512, 3)


def test_the_live_image_is_drawn_at_its_own_aspect_ratio(context):
    explorer = StyleExplorer(context, size=32, iterations=2)
    assert explorer.run() is not None
    (_, natural) = _drawn_and_natural(explorer.image)
    assert natural == (32, 23)  # the 56 × 40 landscape photograph at 32 px: 32 × 23
    _assert_undistorted(explorer.image)
    _assert_undistorted(explorer.curves)


def test_an_error_in_a_run_is_reported_not_lost(context, capsys):
    explorer = StyleExplorer(context, size=32, iterations=2)
    explorer.style.options = ["starry_night", "the_scream"]
    explorer.style.value = "the_scream"  # not in the data directory
    assert explorer.run() is None
    assert explorer.status.value == "error: see below"
    assert "the_scream.jpg" in capsys.readouterr().err  # outside a kernel the traceback goes to stderr
    assert not explorer.button.disabled


def test_grid_browser_swaps_precomputed_panels(tmp_path):
    browser = GridBrowser(tmp_path)
    assert not browser.show() and "make figures" in browser.message.value
    for layers in recipes.STYLE_LAYER_SETS:
        for ratio in recipes.TRADEOFF_RATIOS:
            save_image(synthetic_image(6, 10, seed=len(layers) + int(ratio * 1e5)),
                       tradeoff_panel_path(tmp_path, layers[-1], ratio))
    assert browser.show()
    _assert_undistorted(browser.image)
    assert (browser.image.layout.width, browser.image.layout.height) == ("256px", "154px")
    first = browser.image.value
    browser.ratio.value = recipes.TRADEOFF_RATIOS[0]
    assert browser.image.value != first
    assert bytes(browser.image.value) == tradeoff_panel_path(
        tmp_path, browser.layers.value, recipes.TRADEOFF_RATIOS[0]).read_bytes()


def test_the_grid_browser_offers_the_ratios_the_committed_grid_was_made_with(tmp_path):
    """The browser shows the panels on disk: their ratios come from fig3_tradeoff.json, and the
    slider starts at the column of the paper's printed 1e-3 (itself, or its calibrated value)."""
    from gatys.ui.interactive import grid_ratios

    assert grid_ratios(tmp_path) == (list(recipes.TRADEOFF_RATIOS),
                                     recipes.calibrated(recipes.PRINTED_RATIO))
    (tmp_path / "fig3_tradeoff.json").write_text(
        json.dumps({"settings": {"ratios": [1e-5, 1e-4, 1e-3, 1e-2]}}))
    assert grid_ratios(tmp_path) == ([1e-5, 1e-4, 1e-3, 1e-2], 1e-3)  # made at printed ratios
    (tmp_path / "fig3_tradeoff.json").write_text(json.dumps({"settings": {
        "ratios": [0.003, 0.03, 0.3, 3.0], "printed_ratios": [1e-5, 1e-4, 1e-3, 1e-2]}}))
    assert grid_ratios(tmp_path) == ([0.003, 0.03, 0.3, 3.0], 0.3)
    browser = GridBrowser(tmp_path)
    assert browser.ratio.options == (0.003, 0.03, 0.3, 3.0) and browser.ratio.value == 0.3
