"""The walkthrough's widgets work without a browser: a run updates them, errors are shown."""

import pytest
import torch

from gatys.experiments import recipes
from gatys.experiments.figures import Context, tradeoff_panel_path
from gatys.io.images import save_image
from gatys.experiments.panels import PanelCache

pytest.importorskip("ipywidgets")
from gatys.ui.interactive import GridBrowser, StyleExplorer  # noqa: E402

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
            save_image(synthetic_image(8, 8, seed=len(layers) + int(ratio * 1e5)),
                       tradeoff_panel_path(tmp_path, layers[-1], ratio))
    assert browser.show()
    first = browser.image.value
    browser.ratio.value = 1e-5
    assert browser.image.value != first
    assert bytes(browser.image.value) == tradeoff_panel_path(tmp_path, browser.layers.value, 1e-5).read_bytes()
