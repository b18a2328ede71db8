"""`make figures` survives being killed, and two runs can share one cache.

A figure (notebook 01's content reconstructions, on a random VGG-16 and synthetic images, panels
a few seconds long) is built in a child process that is killed with SIGKILL as soon as its first
panel is done, in the middle of the second. Rebuilt, it takes the finished panel from the cache, computes the rest, and writes
the same metrics as a run that was never killed; nothing partial is left in the cache or the
figures folder. Two runs started together on one empty cache compute each panel once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gatys.io.data import PAPER_IMAGES

DRIVER = """
import sys
from gatys.experiments import context, paper_figures, recipes

recipes.PROFILES["smoke"] = recipes.Profile("smoke", size=64, iterations=60,
                                            normalisation_size=32, extension_size=32,
                                            extension_iterations=1, extension_ratio=0.1,
                                            settle_budget=1)
recipes.CONTENT_LAYERS["arxiv"] = ("relu3_1", "relu4_1", "relu5_1")
data, cache, output = sys.argv[1:4]
ctx = context.setup(profile="smoke", device="cpu", output_dir=output, data_dir=data,
                    cache=cache, model="vgg16-random", progress=False)
paper_figures.content_reconstructions(ctx, "arxiv")
print("figure written", flush=True)
"""


@pytest.fixture(scope="module")
def paper_images(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    generator = np.random.default_rng(0)
    for entry in PAPER_IMAGES.values():
        pixels = generator.integers(0, 256, size=(24, 32, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / entry.filename, format="PNG")
    return folder


def _start(data: Path, cache: Path, output: Path) -> subprocess.Popen:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("GATYS_")}
    environment["OMP_NUM_THREADS"] = "1"  # the same arithmetic in every process
    return subprocess.Popen([sys.executable, "-c", DRIVER, str(data), str(cache), str(output)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment)


def _finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    assert "figure written" in out
    return out


def _rows(output: Path) -> list[dict]:
    """The figure's numbers, without the seconds its panels took (which no two runs share)."""
    rows = json.loads((output / "fig1_content_arxiv.json").read_text())["rows"]
    return [{key: value for key, value in row.items() if key != "seconds"} for row in rows]


def _leftovers(*folders: Path) -> list[Path]:
    """Temporary files of interrupted writes, locks, and images without their record."""
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if ".tmp" in path.name or path.suffix == ".lock":
                found.append(path)
    panels = [folder / "panels" for folder in folders if (folder / "panels").is_dir()]
    for panel_folder in panels:
        for image in panel_folder.glob("*.png"):
            if not image.with_suffix(".json").is_file():
                found.append(image)
    return found


def test_a_figure_killed_mid_panel_resumes_to_the_same_metrics(paper_images, tmp_path):
    reference = tmp_path / "reference"
    _finish(_start(paper_images, reference / "cache", reference / "figures"))

    cache, output = tmp_path / "cache", tmp_path / "figures"
    process = _start(paper_images, cache, output)
    try:
        first = process.stdout.readline()  # "panel content (...): computed in N s"
        assert first.startswith("panel content"), process.stderr.read()
        time.sleep(0.1)  # into the second panel (each takes seconds)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    finished = list((cache / "panels").glob("*.json"))
    assert 1 <= len(finished) < 3, "the kill did not land in the middle of the figure"
    assert not (output / "fig1_content_arxiv.json").exists()
    # What a writer killed mid-write leaves: a temporary file named with its (dead) process id.
    stale = [cache / "panels" / f".x.{process.pid}-0123456789ab.tmp.png",
             output / f".fig1.{process.pid}-0123456789ab.tmp.png"]
    output.mkdir(parents=True, exist_ok=True)
    for path in stale:
        path.write_bytes(b"partial")

    resumed = _finish(_start(paper_images, cache, output))
    assert resumed.count("from cache") == len(finished)
    assert resumed.count("computed in") == 3 - len(finished)
    assert _rows(output) == _rows(reference / "figures")
    assert _leftovers(cache, output) == []


def test_two_runs_on_one_cache_compute_each_panel_once(paper_images, tmp_path):
    cache = tmp_path / "cache"
    runs = [_start(paper_images, cache, tmp_path / f"figures{index}") for index in (1, 2)]
    outputs = [_finish(run) for run in runs]
    computed = sum(out.count("computed in") for out in outputs)
    assert computed == 3  # three panels, each computed by one of the two runs
    assert sum(out.count("from cache") for out in outputs) == 3
    assert _rows(tmp_path / "figures1") == _rows(tmp_path / "figures2")
    assert _leftovers(cache, tmp_path / "figures1", tmp_path / "figures2") == []
