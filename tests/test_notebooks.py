"""Every experiment notebook runs end to end in smoke mode (tiny images, a few iterations)."""

from pathlib import Path

import pytest

from conftest import ORIGINAL_ENV

papermill = pytest.importorskip("papermill")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
DATA = ORIGINAL_ENV.get("GATYS_DATA")


@pytest.mark.skipif(not (DATA and (Path(DATA) / "tubingen.jpg").is_file()),
                    reason="needs the paper's images: run `make data` or set GATYS_DATA")
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs_in_smoke_mode(notebook, tmp_path, monkeypatch):
    # The settings CI gives (real weights) if any; else a random network: smoke numbers mean nothing.
    for name in ("GATYS_MODEL", "GATYS_WEIGHTS"):
        if ORIGINAL_ENV.get(name):
            monkeypatch.setenv(name, ORIGINAL_ENV[name])
    if not ORIGINAL_ENV.get("GATYS_MODEL"):
        monkeypatch.setenv("GATYS_MODEL", "vgg16-random")
    monkeypatch.setenv("GATYS_DATA", DATA)
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
    written = sorted(p.name for p in figures.iterdir())
    assert any(name.endswith(".png") for name in written)
    assert any(name.endswith(".json") for name in written)


def test_every_notebook_has_a_parameters_cell():
    import nbformat

    assert len(NOTEBOOKS) >= 6
    for notebook in NOTEBOOKS:
        cells = nbformat.read(notebook, as_version=4).cells
        assert any("parameters" in cell.metadata.get("tags", []) for cell in cells), notebook.name
        assert all(not cell.get("outputs") for cell in cells if cell.cell_type == "code"), (
            f"{notebook.name} is committed with outputs")
