"""The walkthrough as a reader uses it: JupyterLab from this venv, the notebook opened in Chromium,
Run All, the α/β slider moved, Run pressed; the live image must change and be drawn undistorted.

Opt-in (it starts JupyterLab and a browser, about a minute): `make test-browser`, which sets
GATYS_BROWSER_TEST=1. Needs the `browser` extra (Playwright for Python) and Debian's chromium
(`apt-get install -y chromium`); Playwright's own browser download is not used. See
docs/browser-test.md. Screenshots go to build/browser/.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ORIGINAL_ENV

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "00_walkthrough.ipynb"
SCREENSHOTS = ROOT / "build" / "browser"
CHROMIUM = os.environ.get("GATYS_CHROMIUM", "/usr/bin/chromium")
OPTED_IN = ORIGINAL_ENV.get("GATYS_BROWSER_TEST") == "1"

if not OPTED_IN:
    pytest.skip("the browser test runs with `make test-browser` (JupyterLab + Chromium, about a "
                "minute)", allow_module_level=True)


def _require_tools() -> None:
    """Opted in, a missing tool is a failure that names the fix, not a silent skip."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.fail(f"Playwright is missing: {sys.executable} -m pip install -e '{ROOT}[browser]'")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (Debian), or set "
                    "GATYS_CHROMIUM to a Chromium binary")


def _data_dir() -> Path:
    from gatys.io.data import missing
    from gatys.io.settings import data_dir

    directory = data_dir(ORIGINAL_ENV.get("GATYS_DATA"))
    if missing(directory):
        pytest.skip(f"the paper's images are not in {directory}: run `make data` or set GATYS_DATA")
    return directory


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _lab_settings(directory: Path) -> None:
    """User settings for a fresh JupyterLab: every cell rendered (no windowing), cell timings
    recorded in the saved notebook, no news fetch."""
    for plugin, settings in {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none", "recordTiming": True},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                         "checkForUpdates": False},
    }.items():
        path = directory / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))


def _notebook_copy(directory: Path, data: Path) -> Path:
    """The walkthrough with smoke parameters injected the way papermill does in CI; the committed
    notebook is not touched. The grid browser reads the committed figures/ (nothing is written)."""
    from papermill.iorw import load_notebook_node, write_ipynb
    from papermill.parameterize import parameterize_notebook

    notebook = parameterize_notebook(load_notebook_node(str(NOTEBOOK)),
                                     {"profile": "smoke", "output_dir": str(ROOT / "figures")})
    path = directory / NOTEBOOK.name
    write_ipynb(notebook, str(path))
    return path


def _kernel_env(tmp: Path, data: Path) -> dict[str, str]:
    env = {name: value for name, value in ORIGINAL_ENV.items() if name != "MPLBACKEND"}
    env.update(JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), JUPYTER_CONFIG_DIR=str(tmp / "config"),
               JUPYTER_DATA_DIR=str(tmp / "data"), IPYTHONDIR=str(tmp / "ipython"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp / "lab-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "lab-workspaces"),
               GATYS_DATA=str(data), GATYS_DEVICE=ORIGINAL_ENV.get("GATYS_DEVICE") or "cpu")
    if not ORIGINAL_ENV.get("GATYS_MODEL"):  # as in test_notebooks: a random network if no weights
        env["GATYS_MODEL"] = "vgg16-random"
    return env


def _get(url: str, method: str = "GET") -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as reply:
        return reply.read()


@contextmanager
def jupyterlab(tmp: Path, data: Path):
    """JupyterLab on 127.0.0.1, a free port, a fresh token and runtime directory; yields the base
    URL and token; afterwards its kernels and the server are stopped, and every process it
    started is waited for (killed if it lingers)."""
    import psutil

    port, token = _free_port(), secrets.token_hex(16)
    root = tmp / "root"
    root.mkdir()
    _lab_settings(tmp / "lab-settings")
    log = (tmp / "jupyterlab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--port-retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--ServerApp.terminals_enabled=False",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=_kernel_env(tmp, data), cwd=root, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    started: list = []
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({server.returncode}); log: {tmp / 'jupyterlab.log'}")
            try:
                _get(f"{base}/api/status?token={token}")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not answer on {base} in 60 s") from None
                time.sleep(0.5)
        yield base, token, root, lambda: started.extend(psutil.Process(server.pid).children(recursive=True))
    finally:
        try:
            started.extend(psutil.Process(server.pid).children(recursive=True))
        except psutil.NoSuchProcess:
            pass
        try:
            for kernel in json.loads(_get(f"{base}/api/kernels?token={token}")):
                _get(f"{base}/api/kernels/{kernel['id']}?token={token}", method="DELETE")
            _get(f"{base}/api/shutdown?token={token}", method="POST")
        except OSError:
            pass
        stop_server(server, started, log)


def stop_server(server: subprocess.Popen, started: list, log) -> None:
    """Wait for ``server`` to end (kill it after 20 s), then for every process it ``started``
    (killed after 10 s); fail if one had to be killed."""
    import psutil

    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    _, alive = psutil.wait_procs([p for p in started if p.is_running()], timeout=10)
    for process in alive:
        process.kill()
    log.close()
    assert not alive, f"left running after the server stopped: {[p.pid for p in alive]}"


def _image_bytes(page, img) -> str:
    """SHA-256 of the bytes behind an <img> (its blob: URL), read inside the page."""
    data = page.evaluate("""async (img) => {
        const reply = await fetch(img.src);
        return Array.from(new Uint8Array(await reply.arrayBuffer()));
    }""", img.element_handle())
    return hashlib.sha256(bytes(data)).hexdigest()


def _drawn_and_natural(img) -> dict:
    img.evaluate("img => img.decode()")
    return img.evaluate("""img => { const box = img.getBoundingClientRect();
        return {width: box.width, height: box.height,
                naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight}; }""")


def _assert_undistorted(img, name: str, readable: int) -> dict:
    size = _drawn_and_natural(img)
    assert size["naturalWidth"] > 0 and size["height"] > 0, f"{name}: nothing drawn: {size}"
    drawn = size["width"] / size["height"]
    own = size["naturalWidth"] / size["naturalHeight"]
    assert abs(drawn / own - 1) <= 0.10, f"{name} is distorted: drawn {size}, aspect {drawn:.2f} vs its own {own:.2f}"
    assert max(size["width"], size["height"]) >= readable, f"{name} is drawn too small: {size}"
    return size


def drag_slider(page, slider, dx: float) -> tuple[str, str]:
    """Drag ``slider``'s handle ``dx`` px with the mouse; its readout before and after (which
    must differ)."""
    readout = slider.locator(".widget-readout")
    before = readout.inner_text()
    handle = slider.locator(".noUi-handle").bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=10)
    page.mouse.up()
    _wait(lambda: readout.inner_text() != before, 10, "the slider's readout to change")
    return before, readout.inner_text()


def _seconds(cell) -> float:
    """How long a cell ran, from the timing JupyterLab records in its metadata."""
    from datetime import datetime

    timing = cell.metadata.get("execution", {})
    try:
        return (datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
                - datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))).total_seconds()
    except KeyError:
        return float("nan")


def _wait(condition, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def test_walkthrough_in_jupyterlab(tmp_path):
    _require_tools()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    from gatys.ui.interactive import DISPLAY_LONG_SIDE

    data = _data_dir()
    readable = 0.9 * DISPLAY_LONG_SIDE[0]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in [*SCREENSHOTS.glob("walkthrough-*"), *SCREENSHOTS.glob("failure*"),
                *SCREENSHOTS.glob("jupyterlab.log")]:  # this test's own: the app's stay
        old.unlink()
    step = "starting JupyterLab"
    timings: dict[str, float] = {}
    start = time.monotonic()
    with jupyterlab(tmp_path, data) as (base, token, root, note_kernels), sync_playwright() as pw:
        notebook = _notebook_copy(root, data)
        timings["server"] = time.monotonic() - start
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        try:
            step = "opening the notebook"
            page.goto(f"{base}/lab/tree/{notebook.name}?token={token}")
            page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
            select = page.locator(".jp-Dialog").get_by_role("button", name="Select", exact=True)
            try:  # a fresh JupyterLab may ask which kernel to start: the reader takes Python 3
                select.wait_for(timeout=5_000)
                select.click()
            except PlaywrightTimeout:
                pass
            page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=60_000)
            note_kernels()

            step = "Run > Run All Cells"
            t = time.monotonic()
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
            prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt")
            count = prompts.count()

            def finished():
                texts = prompts.all_text_contents()
                busy = any("*" in text for text in texts)
                numbered = sum(bool(re.search(r"\[\d+\]", text)) for text in texts)
                errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'] .ansi-red-fg").count()
                return not busy and (numbered == count or errors)

            _wait(finished, 180, "Run All Cells to finish")
            timings["run all"] = time.monotonic() - t

            step = "saving and reading the executed notebook"
            page.locator(".jp-NotebookPanel .jp-Notebook").click(position={"x": 5, "y": 5})
            page.keyboard.press("Control+s")
            import nbformat

            def saved():
                cells = nbformat.read(notebook, as_version=4).cells
                code = [cell for cell in cells if cell.cell_type == "code"]
                return code if any(cell.get("outputs") for cell in code) else None

            code = _wait(saved, 30, "the notebook to be saved")
            raised = [(cell.execution_count, output.get("ename"), output.get("evalue"))
                      for cell in code for output in cell.outputs if output.output_type == "error"]
            assert not raised, f"cells raised: {raised}"
            assert all(cell.execution_count for cell in code), "a cell did not run"
            slowest = sorted(((_seconds(cell), cell.execution_count) for cell in code), reverse=True)[:3]
            assert re.search(r"one live run at 32 px, 3 iterations: \d+\.\d s",
                             "".join(str(o.get("text", "")) for c in code for o in c.outputs))

            step = "widgets display"
            explorer = page.locator(".gatys-style-explorer")
            grid = page.locator(".gatys-grid-browser")
            explorer.wait_for(timeout=30_000)
            grid.wait_for(timeout=30_000)
            for failure in ("Error displaying widget", "Loading widget..."):
                assert page.get_by_text(failure).count() == 0, f"a widget shows {failure!r}"
            live = explorer.locator("img.gatys-live-image")
            _assert_undistorted(live, "the live image", readable)
            _assert_undistorted(explorer.locator("img.gatys-live-curves"), "the loss curves", readable)
            _assert_undistorted(grid.locator("img.gatys-grid-image"), "the grid browser's panel", readable)

            step = "moving the α/β slider"
            explorer.scroll_into_view_if_needed()
            before_ratio, after_ratio = drag_slider(page, explorer.locator(".widget-slider").first,
                                                    -30)  # towards more style

            step = "pressing Run"
            before_src, before_bytes = live.get_attribute("src"), _image_bytes(page, live)
            button = explorer.locator("button.widget-button", has_text="Run")
            t = time.monotonic()
            button.click()
            _wait(lambda: live.get_attribute("src") != before_src and button.is_enabled(), 120,
                  "the live image to change and the run to end")
            timings["live run"] = time.monotonic() - t
            status = explorer.locator(".gatys-live-status").inner_text()
            assert re.search(r"in \d+\.\d s", status), status
            assert _image_bytes(page, live) != before_bytes, "the image's src changed but not its pixels"
            size = _assert_undistorted(live, "the live image after Run", readable)

            explorer.screenshot(path=str(SCREENSHOTS / "walkthrough-explorer.png"))
            page.screenshot(path=str(SCREENSHOTS / "walkthrough-page.png"))
            grid.scroll_into_view_if_needed()
            grid.screenshot(path=str(SCREENSHOTS / "walkthrough-grid.png"))
            print(f"α/β {before_ratio} -> {after_ratio}; status {status!r}; live image {size}; "
                  f"timings {', '.join(f'{k} {v:.1f} s' for k, v in timings.items())} (slowest cells "
                  f"{', '.join(f'[{n}] {t:.1f} s' for t, n in slowest)}), "
                  f"total {time.monotonic() - start:.1f} s")
        except BaseException:
            page.screenshot(path=str(SCREENSHOTS / "failure.png"))
            explorer = page.locator(".gatys-style-explorer")
            if explorer.count():
                explorer.scroll_into_view_if_needed(timeout=5_000)
                explorer.screenshot(path=str(SCREENSHOTS / "failure-explorer.png"), timeout=5_000)
            shutil.copy(tmp_path / "jupyterlab.log", SCREENSHOTS / "jupyterlab.log")
            print(f"failed while {step}; screenshot {SCREENSHOTS / 'failure.png'}")
            raise
        finally:
            browser.close()
