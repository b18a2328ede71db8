"""The papermill runner: absolute directories, images checked (or fetched) first, timings kept."""

import hashlib
import importlib.util
import json
import urllib.error
from pathlib import Path

import pytest

from gatys.io import data
from gatys.io.errors import GatysError

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "run_notebooks.py"
spec = importlib.util.spec_from_file_location("run_notebooks", SCRIPT)
run_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_notebooks)


def test_a_partial_run_updates_its_notebooks_and_keeps_the_rest(tmp_path):
    path = tmp_path / "timings.json"
    first, second, *_ = sorted(p.name for p in run_notebooks.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    run_notebooks.record_timings(path, "cpu", {first: 10.0, second: 20.0, "99_gone.ipynb": 5.0})
    run_notebooks.record_timings(path, "cpu", {second: 30.0})
    record = json.loads(path.read_text())
    assert {name: entry["seconds"] for name, entry in record["notebooks"].items()} == {
        first: 10.0, second: 30.0}  # a notebook that no longer exists is dropped
    assert record["seconds_total"] == 40.0
    assert all("measured" in entry for entry in record["notebooks"].values())


def test_another_profile_starts_afresh(tmp_path):
    path = tmp_path / "timings.json"
    first, second, *_ = sorted(p.name for p in run_notebooks.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    run_notebooks.record_timings(path, "cpu", {first: 10.0})
    run_notebooks.record_timings(path, "paper", {second: 3.0})
    record = json.loads(path.read_text())
    assert record["profile"] == "paper" and list(record["notebooks"]) == [second]
    assert record["seconds_total"] == 3.0


@pytest.mark.parametrize("profile", ["smoke", "quick"])
def test_a_smoke_or_quick_run_writes_under_build_and_never_into_figures(profile):
    output, cache, executed = run_notebooks.default_directories(profile, None, None, None)
    side = run_notebooks.ROOT / "build" / profile
    assert (output, cache, executed) == (side / "figures", side / "cache", side / "notebooks")
    timings = run_notebooks.default_timings(profile, output)
    committed = run_notebooks.ROOT / "figures"
    # A first look's cost is recorded in the committed folder; a smoke run's never.
    assert timings == (committed / "timings-quick.json" if profile == "quick"
                       else output / "timings.json")
    output, cache, executed = run_notebooks.default_directories("auto", None, None, None)
    assert output == run_notebooks.ROOT / "figures" and cache is None
    assert executed == run_notebooks.ROOT / "build" / "notebooks"


def test_directories_given_relative_reach_the_kernels_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    output, cache, executed = run_notebooks.default_directories("cpu", "out", "c", "nb")
    assert (output, cache, executed) == (tmp_path / "out", tmp_path / "c", tmp_path / "nb")


def _fake_images(monkeypatch):
    """Two small stand-ins for the paper's images, served by a fake network."""
    payloads = {"a": b"first image", "b": b"second image"}
    table = {key: data.PaperImage(key, f"{key}.jpg", key, "style", "public domain",
                                  f"https://example.invalid/{key}.jpg",
                                  hashlib.sha256(payload).hexdigest())
             for key, payload in payloads.items()}
    monkeypatch.setattr(data, "PAPER_IMAGES", table)
    fetched = []

    def fetch(url):
        fetched.append(url)
        return payloads[url.rsplit("/", 1)[1].removesuffix(".jpg")]

    monkeypatch.setattr(data, "fetch_url", fetch)
    return payloads, fetched


def test_missing_images_stop_the_run_before_any_notebook_with_the_fix(tmp_path, monkeypatch):
    _, fetched = _fake_images(monkeypatch)
    monkeypatch.setenv("GATYS_DATA", str(tmp_path / "images"))
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.jpg").write_bytes(b"first image")
    with pytest.raises(GatysError) as info:
        run_notebooks.ensure_images(fetch=False)
    message = str(info.value)
    assert f'"{tmp_path / "images"}" lacks b.jpg;' in message and "a.jpg" not in message
    assert "python -m gatys.io.data --dir" in message and fetched == []


def test_fetch_downloads_only_the_missing_images(tmp_path, monkeypatch):
    payloads, fetched = _fake_images(monkeypatch)
    monkeypatch.setenv("GATYS_DATA", str(tmp_path))
    (tmp_path / "a.jpg").write_bytes(b"first image")
    assert run_notebooks.ensure_images(fetch=True) == tmp_path
    assert fetched == ["https://example.invalid/b.jpg"]
    assert (tmp_path / "b.jpg").read_bytes() == payloads["b"]


def test_offline_fetch_says_what_to_do(tmp_path, monkeypatch):
    _fake_images(monkeypatch)

    def offline(url):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(data, "fetch_url", offline)
    monkeypatch.setenv("GATYS_DATA", str(tmp_path))
    with pytest.raises(GatysError, match=rf'offline, copy a.jpg into "{tmp_path}" by hand; '
                                         r"the data directory needs all of a.jpg, b.jpg"):
        run_notebooks.ensure_images(fetch=True)


def test_kernels_draw_plain_text_progress_not_widgets(tmp_path, monkeypatch):
    papermill = pytest.importorskip("papermill")
    nbformat = pytest.importorskip("nbformat")
    monkeypatch.delenv("GATYS_PROGRESS", raising=False)
    environment = run_notebooks.kernel_environment(tmp_path)
    assert environment == {"GATYS_DATA": str(tmp_path), "GATYS_PROGRESS": "text"}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "from gatys.io.progress import progress_bar\n"
        "bar = progress_bar(5, desc='panel')\n"
        "for _ in range(5):\n    bar.update(1)\n"
        "bar.close()")]
    nbformat.write(notebook, tmp_path / "bar.ipynb")
    papermill.execute_notebook(str(tmp_path / "bar.ipynb"), str(tmp_path / "ran.ipynb"),
                               progress_bar=False, kernel_name="python3")
    executed = (tmp_path / "ran.ipynb").read_text()
    assert "application/vnd.jupyter.widget-view+json" not in executed
    assert "panel: 100%" in executed and "5/5" in executed


def test_a_run_cut_off_by_a_failing_notebook_keeps_the_times_it_measured(tmp_path, monkeypatch):
    first, second, *_ = sorted(p.name for p in run_notebooks.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    monkeypatch.setattr(run_notebooks, "ensure_images", lambda fetch: tmp_path)
    for name in ("GATYS_DATA", "GATYS_PROGRESS"):  # main() sets them for its kernels
        monkeypatch.setenv(name, "")

    def execute(notebook, executed, **options):
        if Path(notebook).name == second:
            raise run_notebooks.papermill.PapermillExecutionError(
                cell_index=0, exec_count=1, source="", ename="RuntimeError", evalue="boom",
                traceback=[])
    monkeypatch.setattr(run_notebooks.papermill, "execute_notebook", execute)
    timings = tmp_path / "timings.json"
    monkeypatch.setattr("sys.argv", [
        "run_notebooks.py", "--profile", "smoke", "--output", str(tmp_path / "figures"),
        "--executed", str(tmp_path / "executed"), "--timings", str(timings),
        str(run_notebooks.NOTEBOOKS / first), str(run_notebooks.NOTEBOOKS / second)])
    assert run_notebooks.main() == 1
    assert list(json.loads(timings.read_text())["notebooks"]) == [first]
