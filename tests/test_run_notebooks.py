"""The papermill runner's timings file: partial runs keep the other notebooks' last times."""

import importlib.util
import json
from pathlib import Path

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
