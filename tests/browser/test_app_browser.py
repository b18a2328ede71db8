"""The page without code (`make app`) as a visitor uses it: Voilà serving notebooks/app.ipynb,
opened in Chromium; the page loads with no widget error, the α/β slider moves, Run changes the
image, and the download link gives a valid PNG.

Opt-in with the walkthrough's test (`make test-browser`, GATYS_BROWSER_TEST=1); it needs the
`app` extra (Voilà) besides Playwright and Debian's chromium. Screenshots go to build/browser/.
"""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from test_walkthrough_browser import (CHROMIUM, ROOT, SCREENSHOTS, _data_dir, _free_port,
                                      _image_bytes, _kernel_env, _require_tools, _wait,
                                      drag_slider, stop_server)

pytestmark = pytest.mark.browser

APP = ROOT / "notebooks" / "app.ipynb"


@contextmanager
def voila(tmp: Path, data: Path):
    """Voilà serving the app on 127.0.0.1 and a free port; yields the page's URL; afterwards the
    server and every process it started are stopped."""
    import psutil

    try:
        import voila as _  # noqa: F401
    except ImportError:
        pytest.fail(f"Voilà is missing: {sys.executable} -m pip install -e '{ROOT}[app]'")
    port = _free_port()
    log = (tmp / "voila.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "voila", str(APP), "--no-browser", f"--port={port}",
         "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"],
        env=_kernel_env(tmp, data), cwd=APP.parent, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"Voilà exited ({server.returncode}); log: {tmp / 'voila.log'}")
            try:  # listening is enough: the page itself is rendered when it is asked for
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Voilà did not answer on {base} in 60 s") from None
                time.sleep(0.5)
        yield base
    finally:
        try:
            children = psutil.Process(server.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        server.terminate()
        stop_server(server, children, log)


def test_the_app_page_runs_a_transfer_and_downloads_it(tmp_path):
    _require_tools()
    from PIL import Image
    from playwright.sync_api import sync_playwright

    data = _data_dir()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in [*SCREENSHOTS.glob("app*"), *SCREENSHOTS.glob("voila.log")]:
        old.unlink()
    timings: dict[str, float] = {}
    step = "starting Voilà"
    start = time.monotonic()
    with voila(tmp_path, data) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        try:
            step = "loading the page"
            t = time.monotonic()
            page.goto(base, timeout=120_000)
            app = page.locator(".gatys-app")
            app.wait_for(timeout=120_000)
            status = app.locator(".gatys-app-status")
            _wait(lambda: re.search(r"about \d+ s on", status.inner_text()), 60,
                  "the time estimate")
            timings["page load"] = time.monotonic() - t
            for failure in ("Error displaying widget", "Loading widget...", "Traceback"):
                assert page.get_by_text(failure).count() == 0, f"the page shows {failure!r}"
            image = app.locator("img.gatys-app-image")
            _wait(lambda: image.get_attribute("src"), 30, "the photograph to be shown")

            step = "moving the α/β slider"
            before_ratio, after_ratio = drag_slider(page, app.locator(".widget-slider").first,
                                                    -30)

            step = "uploading a photograph of its own (twice as wide as high)"
            own = tmp_path / "own.png"
            Image.radial_gradient("L").resize((200, 100)).convert("RGB").save(own)
            with page.expect_file_chooser() as chooser:
                app.locator("button", has_text="upload photo").click()
            chooser.value.set_files(str(own))
            photo = app.locator("select").nth(0)
            _wait(lambda: "upload" in photo.evaluate("s => s.options[s.selectedIndex].text"), 20,
                  "the photo dropdown to turn to the upload")

            step = "choosing a small, short run"
            app.locator("select").nth(3).select_option("64")  # photo, painting, layers, size
            iterations = app.locator("input[type='number']").first
            iterations.fill("10")
            iterations.press("Enter")
            _wait(lambda: re.search(r"about \d+ s", status.inner_text()), 10, "a new estimate")
            estimate = status.inner_text()

            step = "pressing Run"
            before_src, before_bytes = image.get_attribute("src"), _image_bytes(page, image)
            button = app.locator("button.widget-button", has_text="Run")
            t = time.monotonic()
            button.click()
            _wait(lambda: re.search(r" in \d+\.\d s$", status.inner_text()), 180,
                  "the run to end")
            timings["first result"] = time.monotonic() - t
            assert re.match(r"(completed|converged)", status.inner_text()), status.inner_text()
            assert image.get_attribute("src") != before_src
            assert _image_bytes(page, image) != before_bytes, "Run did not change the image"

            step = "downloading the result"
            link = app.locator(".gatys-app-download a")
            with page.expect_download() as download_info:
                link.click()
            path = download_info.value.path()
            with Image.open(io.BytesIO(Path(path).read_bytes())) as png:
                assert png.format == "PNG" and png.size == (64, 32), (png.format, png.size)

            app.screenshot(path=str(SCREENSHOTS / "app.png"))
            print(f"α/β {before_ratio} -> {after_ratio}; {estimate!r} -> "
                  f"{status.inner_text()!r}; timings "
                  f"{', '.join(f'{k} {v:.1f} s' for k, v in timings.items())}, total "
                  f"{time.monotonic() - start:.1f} s")
        except BaseException:
            page.screenshot(path=str(SCREENSHOTS / "app-failure.png"))
            if (tmp_path / "voila.log").is_file():
                (SCREENSHOTS / "voila.log").write_text((tmp_path / "voila.log").read_text())
            print(f"failed while {step}; screenshot {SCREENSHOTS / 'app-failure.png'}")
            raise
        finally:
            browser.close()
