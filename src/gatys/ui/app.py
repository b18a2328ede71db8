"""The sliders without code: a page (``make app``, Voilà serving ``notebooks/app.ipynb``) where
anyone picks a photo and a painting (the paper's, or their own), moves α/β, chooses the style
layers, the size and the iterations, presses Run, watches the result form beside its loss
curves and downloads it.

Built from the walkthrough's pieces (:mod:`gatys.ui.interactive`); nothing runs until Run is
pressed. Before a run the page says how long it will take: the seconds of one forward and
backward pass of this network on this machine, measured once at start-up, scaled by the pixels
and the iterations (an L-BFGS iteration costs about :data:`EVALUATIONS_PER_ITERATION` passes),
plus the set-up (normalising the network over the two images, building the objective), which
each run measures for the next estimate. With VGG-16 on a 2-core CPU: "about 19 s" before the
first run at 128 px × 100 iterations, which took 23.4 s (105 passes).
"""

from __future__ import annotations

import base64
import io
import time

import ipywidgets as widgets
import torch
from PIL import Image

from gatys.api.transfer import style_transfer
from gatys.core import defaults
from gatys.core.normalisation import normalised_vgg
from gatys.core.weights import load_vgg
from gatys.io.data import PAPER_IMAGES, load_paper_image
from gatys.io.errors import GatysError
from gatys.io.images import load_image
from gatys.io.settings import resolve_device
from gatys.ui.interactive import (LABELS, _png, errors_shown, live_view, ratio_slider, run_widgets,
                                  show_png, style_layers_dropdown)

SIZES = (64, 128, 192, 256, 384, 512)
SIZE = 128  # px: a run of ITERATIONS answers in well under a minute on a 2-core CPU
ITERATIONS = 100
EVALUATIONS_PER_ITERATION = 1.05  # L-BFGS's line search: passes per accepted iteration
SETUP_SECONDS = 3.0  # the set-up's seconds until a run has measured them
UPLOAD = "your own (upload below)"


def _choices(role: str) -> list[tuple[str, str]]:
    """The paper's images of ``role`` (label, key), then the upload choice."""
    return [*((image.title.split(" (")[0], key) for key, image in PAPER_IMAGES.items()
              if image.role == role), (UPLOAD, UPLOAD)]


class StyleApp:
    """The page's widgets and what Run does; ``StyleApp()`` displays itself in a notebook."""

    def __init__(self, data_dir: str | None = None, size: int = SIZE,
                 iterations: int = ITERATIONS) -> None:
        self.data_dir = data_dir
        self.device = resolve_device()
        self.network = load_vgg(device=self.device)
        self.pass_seconds_per_pixel = self._measure_pass()
        self.setup_seconds = SETUP_SECONDS
        self.photo = widgets.Dropdown(options=_choices("content"),
                                      description="photo", style=LABELS)
        self.painting = widgets.Dropdown(options=_choices("style"),
                                         value="starry_night", description="painting",
                                         style=LABELS)
        self.photo_upload = widgets.FileUpload(accept="image/*", description="upload photo")
        self.painting_upload = widgets.FileUpload(accept="image/*",
                                                  description="upload painting")
        self.ratio = ratio_slider()
        self.style_layers = style_layers_dropdown()
        self.size = widgets.Dropdown(options=sorted({*SIZES, size}), value=size,
                                     description="size (px)", style=LABELS)
        self.iterations = widgets.BoundedIntText(value=iterations, min=1, max=2000,
                                                 description="iterations", style=LABELS)
        self.button, self.status, self.image, self.curves, self.log = run_widgets("gatys-app",
                                                                                  self.run)
        self.download = widgets.HTML()
        self.download.add_class("gatys-app-download")
        # An upload is a choice: the dropdown turns to it.
        self.photo_upload.observe(lambda _change: setattr(self.photo, "value", UPLOAD),
                                  names="value")
        self.painting_upload.observe(lambda _change: setattr(self.painting, "value", UPLOAD),
                                     names="value")
        for control in (self.size, self.iterations):
            control.observe(lambda _change: self._say_estimate(), names="value")
        controls = widgets.VBox([self.photo, self.photo_upload, self.painting,
                                 self.painting_upload, self.ratio, self.style_layers, self.size,
                                 self.iterations, widgets.HBox([self.button, self.status]),
                                 self.download])
        self.widget = widgets.VBox([widgets.HBox([controls, self.image, self.curves]), self.log])
        self.widget.add_class("gatys-app")
        self._say_estimate()
        try:
            show_png(self.image, _png(self._photo(size)))
        except GatysError as exc:  # no paper images here: uploads still work
            self.status.value = f"{exc}; or upload a photo and a painting"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _measure_pass(self) -> float:
        """Seconds per pixel of one forward and backward pass to the deepest default layer."""
        image = torch.rand(1, 3, 96, 128, device=self.device, requires_grad=True)
        layers = [*defaults.CONTENT_LAYERS, *defaults.STYLE_LAYERS]
        for attempt in range(2):  # the first pass warms the kernels up
            began = time.perf_counter()
            features = self.network(image, layers)
            sum(feature.square().mean() for feature in features.values()).backward()
            seconds = time.perf_counter() - began
        return seconds / (96 * 128)

    def _passes_seconds(self, pixels: float, evaluations: float) -> float:
        return self.pass_seconds_per_pixel * pixels * evaluations

    def estimate_seconds(self) -> float:
        """How long a run at the chosen size and iterations takes here, roughly."""
        pixels = self.size.value * self.size.value * 3 / 4  # a 4:3 photograph
        evaluations = EVALUATIONS_PER_ITERATION * self.iterations.value
        return self._passes_seconds(pixels, evaluations) + self.setup_seconds

    def _say_estimate(self) -> None:
        self.status.value = f"about {self.estimate_seconds():.0f} s on {self.device.type}"

    def _photo(self, size: int) -> torch.Tensor:
        return self._chosen(self.photo.value, self.photo_upload, size, "photo")

    def _chosen(self, key: str, upload: widgets.FileUpload, size: int, what: str
                ) -> torch.Tensor:
        if key != UPLOAD:
            return load_paper_image(key, size=size, data_dir=self.data_dir)
        if not upload.value:
            raise ValueError(f"choose a {what} file with the upload button first")
        content = bytes(upload.value[-1]["content"])
        return load_image(Image.open(io.BytesIO(content)), size=size)

    def run(self, _button=None):
        """One transfer with the current settings; the result (None on error, shown below)."""
        self.download.value = ""
        ratio, iterations = self.ratio.value, self.iterations.value
        show = live_view(self.image, self.curves, self.status, ratio, iterations)
        began = time.perf_counter()
        with errors_shown(self.button, self.status, self.log):
            photo = self._photo(self.size.value)
            painting = self._chosen(self.painting.value, self.painting_upload,
                                    max(photo.shape[-2:]), "painting")
            self.status.value = "normalising the network over the two images"
            model = normalised_vgg(self.network, [photo, painting])
            result = style_transfer(photo, painting, model=model, size=None, ratio=ratio,
                                    style_layers=self.style_layers.value, iterations=iterations,
                                    callback=show, progress=False)
            png = _png(result.image)
            show_png(self.image, png)
            seconds = time.perf_counter() - began
            passes = self._passes_seconds(photo.shape[-1] * photo.shape[-2],
                                          result.history.evaluations[-1])
            self.setup_seconds = max(0.0, seconds - passes)  # for the next estimate
            self.status.value = f"{result.stop_reason} in {seconds:.1f} s"
            self.download.value = (
                f'<a download="gatys.png" href="data:image/png;base64,'
                f'{base64.b64encode(png).decode()}">Download the result (PNG, '
                f'{result.image.shape[-1]}×{result.image.shape[-2]} px)</a>')
            return result
        return None
