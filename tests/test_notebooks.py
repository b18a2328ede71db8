"""The experiment notebooks: each runs end to end in smoke mode (tiny images, a few iterations)
and writes finite metrics; as committed, each defaults to the real profile, shows its figures,
and its "What we found" tables are the committed metrics files' own numbers."""

import json
import math
import re
from pathlib import Path

import nbformat
import pytest

from conftest import ORIGINAL_ENV
from gatys.experiments import findings
from gatys.io.settings import data_dir

from test_figures import REFERENCE_ROWS, numbers

papermill = pytest.importorskip("papermill")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXPERIMENTS = [notebook for notebook in NOTEBOOKS if not notebook.name.startswith("00_")]
DATA = data_dir()  # as the notebooks resolve it: $GATYS_DATA, else the checkout's data/


def _cells(notebook: Path, kind: str) -> list[str]:
    return [cell.source for cell in nbformat.read(notebook, as_version=4).cells
            if cell.cell_type == kind]


@pytest.mark.skipif(not (DATA / "tubingen.jpg").is_file(),
                    reason=f"needs the paper's images in {DATA}: run `make data` or set GATYS_DATA")
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs_in_smoke_mode(notebook, tmp_path, monkeypatch):
    # The settings CI gives (real weights) if any; else a random network: smoke numbers mean nothing.
    for name in ("GATYS_MODEL", "GATYS_WEIGHTS"):
        if ORIGINAL_ENV.get(name):
            monkeypatch.setenv(name, ORIGINAL_ENV[name])
    if not ORIGINAL_ENV.get("GATYS_MODEL"):
        monkeypatch.setenv("GATYS_MODEL", "vgg16-random")
    monkeypatch.setenv("GATYS_DATA", str(DATA))
    figures = tmp_path / "figures"
    papermill.execute_notebook(
        str(notebook), str(tmp_path / notebook.name), cwd=str(notebook.parent),
        parameters={"profile": "smoke", "output_dir": str(figures), "cache": str(tmp_path / "cache")},
        progress_bar=False, kernel_name="python3",
    )
    if notebook.name.startswith("00_"):  # the walkthrough: its live run happened from a plain cell
        executed = (tmp_path / notebook.name).read_text()
        assert "one live run at 32 px, 3 iterations" in executed
        return
    # Every figure the notebook tables was rebuilt here, with finite numbers.
    names = {spec.split()[0] for spec in findings.specs(notebook)}
    assert names and all((figures / f"{name}.png").is_file() for name in names)
    for name in names:
        metrics = json.loads((figures / f"{name}.json").read_text())
        assert metrics["figure"] == name
        if "source" in metrics:  # drawn from a committed probe's results, not run here
            assert (ROOT / metrics["source"]).is_file() and {"command", "date", "rows"} <= set(metrics)
        else:
            assert metrics["profile"]["name"] == "smoke"
            assert {"network", "settings", "seconds", "rows"} <= set(metrics)
        rows = metrics["rows"][: len(metrics["rows"]) - REFERENCE_ROWS.get(name, 0)]
        if name == "beyond_coarse_to_fine":  # "never reached" is a NaN, honestly
            rows = [{key: value for key, value in row.items() if not key.startswith("seconds to")}
                    for row in rows]
        assert rows and all(math.isfinite(value) for value in numbers(rows)), name
        assert all(math.isfinite(value) for value in numbers(metrics.get("measures", {}))), name


def test_every_notebook_has_a_parameters_cell():
    assert len(NOTEBOOKS) >= 6
    for notebook in NOTEBOOKS:
        cells = nbformat.read(notebook, as_version=4).cells
        assert any("parameters" in cell.metadata.get("tags", []) for cell in cells), notebook.name
        assert all(not cell.get("outputs") for cell in cells if cell.cell_type == "code"), (
            f"{notebook.name} is committed with outputs")


@pytest.mark.parametrize("notebook", EXPERIMENTS, ids=[n.stem for n in EXPERIMENTS])
def test_a_notebook_run_by_hand_gets_the_real_profile_and_the_committed_folder(notebook):
    parameters = next(cell.source for cell in nbformat.read(notebook, as_version=4).cells
                      if "parameters" in cell.metadata.get("tags", []))
    assert re.search(r'^profile = "auto"', parameters, re.M)
    assert re.search(r"^output_dir = None", parameters, re.M)
    code = "\n".join(_cells(notebook, "code"))
    assert "__import__" not in code  # what a figure measured comes with its FigureResult


@pytest.mark.parametrize("notebook", EXPERIMENTS, ids=[n.stem for n in EXPERIMENTS])
def test_what_we_found_is_the_committed_metrics_beside_the_committed_figure(notebook):
    markdown = "\n".join(_cells(notebook, "markdown"))
    names = {spec.split()[0] for spec in findings.specs(notebook)}
    assert names, f"{notebook.name} has no table made from a metrics file"
    assert findings.stale(notebook) == [], (
        f"{notebook.name}: tables differ from figures/*.json; run "
        f"`python -m gatys.experiments.findings {notebook}`")
    for name in names:
        assert f"](../figures/{name}.png)" in markdown, f"{notebook.name} does not show {name}"
    for target in re.findall(r"\]\((\.\./figures/[^)]+)\)", markdown):
        assert (notebook.parent / target).is_file(), target
    assert "PAPER.md" not in markdown  # the repository has none: cite the papers


def test_a_stale_table_is_found_and_refreshed(tmp_path):
    notebook = tmp_path / "book.ipynb"
    spec = "fig6_initialisation rows: init | content loss"
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_markdown_cell(
        f"Text before.\n\n<!-- metrics {spec} -->\n| init | content loss |\n|---|---|\n"
        f"| content | 0.5 |\n<!-- end metrics -->\n\nText after.")]
    nbformat.write(book, notebook)
    assert findings.stale(notebook) == [spec]
    assert findings.refresh(notebook) and findings.stale(notebook) == []
    source = nbformat.read(notebook, as_version=4).cells[0].source
    committed = json.loads((ROOT / "figures" / "fig6_initialisation.json").read_text())
    first = committed["rows"][0]
    assert f"| {first['init']} | {first['content loss']:.3g} |" in source
    assert source.startswith("Text before.") and source.endswith("Text after.")
    assert not findings.refresh(notebook)  # nothing left to change


def test_findings_tables_show_blanks_and_name_a_missing_column():
    rows = [{"run": "a", "loss": 0.000123456, "reached": True, "never": float("nan")},
            {"run": "b", "loss": 12345.0, "reached": False, "never": None}]
    assert findings.table(rows).splitlines()[2:] == ["| a | 0.000123 | yes | — |",
                                                     "| b | 1.23e+04 | no | — |"]
    with pytest.raises(KeyError, match="'lost'"):
        findings.table(rows, ["run", "lost"])
    later = [{"run": "reconstruction"}, {"run": "transfer", "scene": 0.5}]  # only a later row
    assert findings.table(later, ["run", "scene"]).splitlines()[2:] == [
        "| reconstruction | — |", "| transfer | 0.5 |"]
    with pytest.raises(FileNotFoundError, match="make figures"):
        findings.load("no_such_figure")


def test_the_about_line_says_how_the_network_pass_was_computed():
    metrics = {"settings": {}, "profile": {"name": "cpu", "size": 256, "iterations": 150},
               "network": "vgg16, weights from /some/where/vgg16.pth; avg pooling",
               "machine": "x86_64, 2 cores", "device": "cpu", "figure": "fig_x",
               "routes": [{"precision": "bf16", "layout": "channels-last", "reason": "r"}, None,
                          {"precision": "bf16", "layout": "contiguous", "reason": "r"}]}
    line = findings.about(metrics)
    assert "weights vgg16.pth;" in line and "/some/where" not in line
    assert "network pass in bf16 (channels-last and contiguous)" in line
    del metrics["routes"]  # a file made before routes were recorded says nothing of them
    assert "network pass" not in findings.about(metrics)
