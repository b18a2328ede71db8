"""The page of `make app` without a browser: its estimate, a run, the download, an upload and
an error shown on the page (tests/browser/test_app_browser.py drives the page itself)."""

from __future__ import annotations

import base64
import datetime
import io
import re

import numpy as np
import pytest
from PIL import Image

from gatys.io.data import PAPER_IMAGES

pytest.importorskip("ipywidgets")


def noise_paper_images(data):
    """A folder standing in for the paper's images: each file of PAPER_IMAGES as 30×40 noise."""
    data.mkdir()
    rng = np.random.default_rng(0)
    for entry in PAPER_IMAGES.values():
        Image.fromarray(rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)).save(
            data / entry.filename)
    return data


@pytest.fixture
def app(tmp_path, monkeypatch):
    from gatys.ui.app import StyleApp

    data = noise_paper_images(tmp_path / "data")
    monkeypatch.setenv("GATYS_MODEL", "vgg16-random")
    monkeypatch.setenv("GATYS_CACHE", str(tmp_path / "cache"))
    return StyleApp(data_dir=str(data))


def _png_of_link(html: str) -> Image.Image:
    encoded = re.search(r'href="data:image/png;base64,([^"]+)"', html).group(1)
    return Image.open(io.BytesIO(base64.b64decode(encoded)))


def test_the_estimate_grows_with_the_size_and_the_iterations(app):
    seconds = app.estimate_seconds()
    app.size.value = 256
    assert app.estimate_seconds() > 2 * seconds
    app.iterations.value = 400
    assert re.fullmatch(r"about \d+ s on cpu", app.status.value)


def test_run_shows_the_result_and_offers_it_for_download(app):
    before = app.image.value
    app.size.value, app.iterations.value = 64, 3
    result = app.run()
    assert result is not None and app.image.value != before
    assert re.fullmatch(r"(completed|converged).* in \d+\.\d s", app.status.value)
    with _png_of_link(app.download.value) as png:
        assert png.format == "PNG" and png.size == (64, 48)


def test_an_upload_is_the_photo_and_a_missing_one_is_said_on_the_page(app, capsys):
    from gatys.ui.app import UPLOAD

    app.size.value, app.iterations.value = 64, 2
    app.photo.value = UPLOAD
    assert app.run() is None and app.status.value == "error: see below"
    # In a kernel the traceback goes into app.log on the page; here the Output passes it on.
    shown = str(app.log.outputs) + capsys.readouterr().err
    assert "choose a photo file with the upload button first" in shown
    buffer = io.BytesIO()
    Image.new("RGB", (100, 25), (200, 30, 30)).save(buffer, format="PNG")
    app.photo.value = "tubingen"
    app.photo_upload.value = ({"name": "own.png", "type": "image/png", "size": len(buffer.getvalue()),
                               "content": memoryview(buffer.getvalue()),
                               "last_modified": datetime.datetime.now(datetime.timezone.utc)},)
    assert app.photo.value == UPLOAD  # an upload turns the dropdown to it
    assert app.run() is not None
    with _png_of_link(app.download.value) as png:
        assert png.size == (64, 16)  # the uploaded photograph's shape


def test_without_the_papers_images_the_page_says_so_and_uploads_still_work(tmp_path, monkeypatch):
    from gatys.ui.app import UPLOAD, StyleApp

    monkeypatch.setenv("GATYS_MODEL", "vgg16-random")
    monkeypatch.setenv("GATYS_CACHE", str(tmp_path / "cache"))
    app = StyleApp(data_dir=str(tmp_path / "empty"))
    assert "make data" in app.status.value and "upload" in app.status.value
    for upload in (app.photo_upload, app.painting_upload):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), (20, 90, 200)).save(buffer, format="PNG")
        upload.value = ({"name": "own.png", "type": "image/png", "size": len(buffer.getvalue()),
                         "content": memoryview(buffer.getvalue()),
                         "last_modified": datetime.datetime.now(datetime.timezone.utc)},)
    assert app.photo.value == app.painting.value == UPLOAD
    app.size.value, app.iterations.value = 64, 2
    assert app.run() is not None


def test_the_app_notebook_takes_small_parameters_and_builds_the_page(tmp_path, monkeypatch):
    """notebooks/app.ipynb run by papermill as CI would, sized down by its parameters cell."""
    import nbformat
    import papermill
    from pathlib import Path

    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "app.ipynb"
    data = noise_paper_images(tmp_path / "data")
    monkeypatch.setenv("GATYS_MODEL", "vgg16-random")
    monkeypatch.setenv("GATYS_DEVICE", "cpu")
    executed = tmp_path / "app.ipynb"
    papermill.execute_notebook(str(notebook), str(executed), cwd=str(notebook.parent),
                               parameters={"size": 48, "iterations": 3, "data_dir": str(data)},
                               progress_bar=False)
    outputs = [output for cell in nbformat.read(executed, as_version=4).cells
               if cell.cell_type == "code" for output in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    widget = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widget, "the page's widget was not displayed"
