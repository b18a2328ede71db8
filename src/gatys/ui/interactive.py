"""Widgets for the walkthrough: a live style transfer with an α/β slider, and a browser over the
precomputed trade-off grid. Built with ipywidgets; they never block headless execution (nothing
runs until a button is pressed or :meth:`StyleExplorer.run` is called from a plain cell).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import time
import traceback
from pathlib import Path

import ipywidgets as widgets
import matplotlib.pyplot as plt
from PIL import Image

from gatys.api.transfer import style_transfer
from gatys.core import defaults
from gatys.core.optimize import SynthesisResult
from gatys.core.start import INITS
from gatys.experiments import recipes
from gatys.experiments.context import Context
from gatys.experiments.paper_figures import tradeoff_panel_path
from gatys.io.data import PAPER_IMAGES
from gatys.io.images import to_pil


# Images are drawn at their own aspect ratio with the long side in this range (px): a 32 px smoke
# result is enlarged to be seen, a 512 px one is not cut down below half a screen.
DISPLAY_LONG_SIDE = (256, 512)


# Room for the longest control name ("content layer") so no description is cut off.
LABELS = {"description_width": "7em"}


def display_size(width: int, height: int) -> tuple[int, int]:
    """The size (px) an image of ``width`` × ``height`` is drawn at: same aspect ratio, long side
    clamped to :data:`DISPLAY_LONG_SIDE`."""
    shortest, longest = DISPLAY_LONG_SIDE
    long_side = max(width, height)
    scale = min(max(long_side, shortest), longest) / long_side
    return max(1, round(width * scale)), max(1, round(height * scale))


def image_widget(css_class: str) -> widgets.Image:
    """An empty PNG widget that is never stretched by its box (its size is set by :func:`show_png`);
    ``css_class`` names it in the page."""
    image = widgets.Image(format="png", layout=widgets.Layout(
        object_fit="contain", flex="0 0 auto", align_self="flex-start"))
    image.add_class(css_class)
    return image


def show_png(widget: widgets.Image, png: bytes) -> None:
    """Show ``png`` in ``widget`` at its own aspect ratio and a readable size."""
    with Image.open(io.BytesIO(png)) as picture:
        width, height = display_size(*picture.size)
    widget.layout.width, widget.layout.height = f"{width}px", f"{height}px"
    widget.value = png


def _png(image) -> bytes:
    buffer = io.BytesIO()
    to_pil(image).save(buffer, format="PNG")
    return buffer.getvalue()


def _curves_png(content: list[float], style: list[float]) -> bytes:
    figure, axis = plt.subplots(figsize=(3.6, 2.4))
    axis.plot(content, label="α·L_content")
    axis.plot(style, label="β·L_style")
    axis.set_yscale("log")
    axis.set_xlabel("iteration")
    axis.legend(fontsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    plt.close(figure)
    return buffer.getvalue()


def ratio_slider() -> widgets.FloatLogSlider:
    """α/β on a log scale, from 1e-5 (all style) to 1e2, starting at the default."""
    return widgets.FloatLogSlider(value=defaults.RATIO, base=10, min=-5, max=2, step=0.25,
                                  description="α/β", readout_format=".0e", style=LABELS)


def style_layers_dropdown() -> widgets.Dropdown:
    """The paper's style layer sets, relu1_1 up to each block."""
    return widgets.Dropdown(
        options=[(f"relu1_1 … {layers[-1]}", layers) for layers in recipes.STYLE_LAYER_SETS],
        value=recipes.STYLE_LAYERS, description="style layers", style=LABELS)


def run_widgets(prefix: str, run) -> tuple[widgets.Button, widgets.Label, widgets.Image,
                                           widgets.Image, widgets.Output]:
    """A Run button calling ``run``, a status line, the live image, the loss curves and an
    output for errors; named ``<prefix>-status``, ``<prefix>-image``, ``<prefix>-curves``."""
    button = widgets.Button(description="Run", button_style="primary")
    button.on_click(run)
    status = widgets.Label()
    status.add_class(f"{prefix}-status")
    return (button, status, image_widget(f"{prefix}-image"), image_widget(f"{prefix}-curves"),
            widgets.Output())


def live_view(image: widgets.Image, curves: widgets.Image, status: widgets.Label, ratio: float,
              iterations: int, update_every: int = 5):
    """The callback of a live run: every ``update_every`` iterations it shows the image and the
    two weighted loss curves, and says how far the run is and how long it has left."""
    content_curve: list[float] = []
    style_curve: list[float] = []
    began = time.perf_counter()

    def show(iteration, picture, values):
        content_curve.append(ratio * values["content"])
        style_curve.append(values["style"])
        if iteration % update_every == 0 or iteration == iterations:
            show_png(image, _png(picture))
            show_png(curves, _curves_png(content_curve, style_curve))
            left = (time.perf_counter() - began) / iteration * (iterations - iteration)
            status.value = f"iteration {iteration}/{iterations}, about {left:.0f} s left"

    return show


@contextlib.contextmanager
def errors_shown(button: widgets.Button, status: widgets.Label, log: widgets.Output):
    """Run a button's work with the button disabled; an error goes into ``log`` (a callback's
    exception would otherwise vanish) and the status says so."""
    button.disabled = True
    try:
        yield
    except Exception:  # noqa: BLE001 - shown to the user, not lost in the callback
        status.value = "error: see below"
        with log:
            traceback.print_exc()
    finally:
        button.disabled = False


class StyleExplorer:
    """α/β (log slider), style layers, content layer, style image and init, and a Run button.

    The image and the two weighted loss curves update while the optimisation runs. Errors are
    printed into ``self.log`` (an Output widget) instead of vanishing inside a callback.
    """

    def __init__(self, ctx: Context, size: int = 128, iterations: int = 100,
                 update_every: int = 5) -> None:
        self.ctx, self.size, self.iterations, self.update_every = ctx, size, iterations, update_every
        self.ratio = ratio_slider()
        self.style_layers = style_layers_dropdown()
        self.content_layer = widgets.Dropdown(
            options=["relu2_2", "relu3_2", "relu4_2", "relu5_2"], value=recipes.CONTENT_LAYER,
            description="content layer", style=LABELS)
        self.style = widgets.Dropdown(
            options=[key for key, image in PAPER_IMAGES.items() if image.role == "style"],
            value="starry_night", description="style", style=LABELS)
        self.init = widgets.Dropdown(options=list(INITS), value=defaults.INIT,
                                     description="init", style=LABELS)
        self.button, self.status, self.image, self.curves, self.log = run_widgets("gatys-live",
                                                                                  self.run)
        controls = widgets.VBox([self.ratio, self.style_layers, self.content_layer, self.style,
                                 self.init, widgets.HBox([self.button, self.status])])
        self.widget = widgets.VBox([widgets.HBox([controls, self.image, self.curves]), self.log])
        self.widget.add_class("gatys-style-explorer")
        self.result: SynthesisResult | None = None
        self.seconds: float | None = None

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def run(self, _button=None) -> SynthesisResult | None:
        """Run one transfer with the current settings; returns the result (None on error)."""
        ratio = self.ratio.value
        show = live_view(self.image, self.curves, self.status, ratio, self.iterations,
                         self.update_every)
        start = time.perf_counter()
        with errors_shown(self.button, self.status, self.log):
            self.result = style_transfer(
                self.ctx.image(recipes.CONTENT_IMAGE, size=self.size),
                self.ctx.image(self.style.value, size=self.size), model=self.ctx.model,
                size=None, ratio=ratio, content_layers=[self.content_layer.value],
                style_layers=self.style_layers.value, init=self.init.value,
                iterations=self.iterations, callback=show,
                progress=False)
            show_png(self.image, _png(self.result.image))
            self.seconds = time.perf_counter() - start
            self.status.value = f"{self.result.stop_reason} in {self.seconds:.1f} s"
            return self.result
        return None


def grid_ratios(figures_dir: str | Path) -> tuple[list[float], float]:
    """The α/β columns of the trade-off grid in ``figures_dir`` and the one of the paper's 1e-3:
    those its metrics file (fig3_tradeoff.json) records, so the browser shows the panels that
    were made, whatever recipe made them; without the file, the ones `make figures` would make."""
    metrics = Path(figures_dir) / "fig3_tradeoff.json"
    ratios = list(recipes.TRADEOFF_RATIOS)
    printed = list(recipes.TRADEOFF_PRINTED_RATIOS)
    if metrics.is_file():
        settings = json.loads(metrics.read_text()).get("settings", {})
        ratios = [float(r) for r in settings.get("ratios", ratios)]
        printed = [float(r) for r in settings.get("printed_ratios", ratios)]
    matching = [r for r, p in zip(ratios, printed) if math.isclose(p, recipes.PRINTED_RATIO)]
    return ratios, matching[0] if matching else ratios[len(ratios) // 2]


class GridBrowser:
    """Slide through the precomputed α/β × style-layer grid (figures/fig3_tradeoff_panels)."""

    def __init__(self, figures_dir: str | Path) -> None:
        self.figures_dir = Path(figures_dir)
        ratios, default = grid_ratios(self.figures_dir)
        self.ratio = widgets.SelectionSlider(options=ratios, value=default, description="α/β")
        self.layers = widgets.SelectionSlider(
            options=[layers[-1] for layers in recipes.STYLE_LAYER_SETS],
            value=recipes.STYLE_LAYERS[-1], description="up to")
        self.image = image_widget("gatys-grid-image")
        self.message = widgets.Label()
        for control in (self.ratio, self.layers):
            control.observe(lambda _change: self.show(), names="value")
        self.widget = widgets.VBox([self.ratio, self.layers, self.image, self.message])
        self.widget.add_class("gatys-grid-browser")
        self.show()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def show(self) -> bool:
        """Swap in the panel for the current sliders; False (with a message) if it is missing."""
        path = tradeoff_panel_path(self.figures_dir, self.layers.value, self.ratio.value)
        if not path.is_file():
            self.message.value = f"{path.name} not found: run `make figures` first"
            return False
        show_png(self.image, path.read_bytes())
        self.message.value = f"{recipes.TRADEOFF_IMAGE}, style up to {self.layers.value}, α/β = {self.ratio.value:g}"
        return True
