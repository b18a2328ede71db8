"""Convergence, measured: the objective and the look of long runs against their iterations.

The data come from benchmarks/convergence_probe.py, which keeps the iterates of long transfers
(both starts, the printed and the calibrated α/β, 256 and 512 px) as PNG checkpoints with their
loss histories; :func:`measure_probe` measures the look on every checkpoint
(:func:`gatys.experiments.settling.measured`) and finds where the settling rule would have
stopped each run (:func:`gatys.experiments.settling.settled_at`); :func:`plot` draws the curves
(notebook 06) and :func:`summary` the table beside them.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from collections.abc import Iterable
from pathlib import Path

import matplotlib.pyplot as plt
import torch

from gatys.experiments import recipes, settling
from gatys.experiments.measures import LookMeter, reference_network
from gatys.io.data import load_paper_image
from gatys.io.images import load_image

LOSS_EVERY = 10  # iterations between the loss rows kept in the results file


def _checkpoints(folder: Path) -> list[tuple[int, Path]]:
    found = [(int(path.stem.split("_")[1]), path) for path in folder.glob("iter_*.png")]
    return sorted(found)


def measure_run(folder: Path, reference, style: str = recipes.CALIBRATION_STYLE) -> dict:
    """One probe run: its settings, route and stop reason, its losses every
    :data:`LOSS_EVERY` iterations, the look at each checkpoint and where the rule settles."""
    record = json.loads((folder / "history.json").read_text())
    history = record["history"]
    checkpoints = _checkpoints(folder)
    shape = tuple(load_image(checkpoints[0][1]).shape[-2:])
    size = max(shape)
    photo = load_paper_image(recipes.CONTENT_IMAGE, size=size)
    painting = load_paper_image(style, size=size)
    meter = LookMeter(photo, painting, reference)
    trace = [{"iteration": iteration, **settling.measured(meter, load_image(path))}
             for iteration, path in checkpoints]
    ruled = [row for row in trace if row["iteration"] % settling.EVERY == 0]
    losses = [{"iteration": iteration, **{key: row[key] for key in ("total", "content", "style")}}
              for iteration, row in zip(history["iterations"], history["losses"])
              if iteration % LOSS_EVERY == 0 or iteration == history["iterations"][-1]]
    return {"settings": record["settings"], "route": record["route"],
            "stop_reason": record["stop_reason"], "iterations": history["iterations"][-1],
            "seconds": history["seconds"][-1], "losses": losses, "look": trace,
            "settled at": settling.settled_at(ruled)}


def measure_probe(root: str | os.PathLike, sizes: Iterable[int], command: str) -> dict:
    """Every run under ``root/<size>/<run>`` measured (:func:`measure_run`), with the command,
    date, machine and the settling rule."""
    reference = reference_network()
    runs = {}
    for size in sorted(sizes):
        for folder in sorted(Path(root, str(size)).iterdir()):
            if (folder / "history.json").is_file():
                runs[f"{size}/{folder.name}"] = measure_run(folder, reference)
    return {"probe": "convergence", "command": command,
            "date": datetime.date.today().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                       f"{torch.get_num_threads()} torch threads",
            "style": recipes.CALIBRATION_STYLE, "content": recipes.CONTENT_IMAGE,
            "rule": settling.rule(), "runs": runs}


def _label(run: dict) -> str:
    settings = run["settings"]
    return f"{settings['init']} start, α/β {settings['ratio']:g}"


def plot(results: dict):
    """The curves: one row per size, columns the objective (L_total in the recipe's units, the
    same scale for both starts) and the look's measures; a dot where the settling rule would
    have stopped each run."""
    sizes = sorted({name.split("/")[0] for name in results["runs"]}, key=int)
    columns = ["objective", *settling.MEASURES, "scene SSIM"]
    figure, axes = plt.subplots(len(sizes), len(columns), figsize=(3.1 * len(columns),
                                                                   2.6 * len(sizes)),
                                squeeze=False)
    for row, size in enumerate(sizes):
        for name, run in results["runs"].items():
            if name.split("/")[0] != size:
                continue
            iterations = [r["iteration"] for r in run["losses"]]
            line, = axes[row, 0].plot(iterations, [r["total"] for r in run["losses"]],
                                      lw=1.2, label=_label(run))
            looks = run["look"]
            for column, measure in enumerate(columns[1:], start=1):
                axes[row, column].plot([r["iteration"] for r in looks],
                                       [r[measure] for r in looks], lw=1.2, color=line.get_color())
                settled = run["settled at"]
                if settled is not None:
                    value = next(r[measure] for r in looks if r["iteration"] == settled)
                    axes[row, column].plot([settled], [value], "o", ms=4, color=line.get_color())
        axes[row, 0].set_yscale("log")
        for column, title in enumerate(columns):
            axes[row, column].set_title(f"{title}, {size} px", fontsize=9)
            axes[row, column].set_xlabel("iteration", fontsize=8)
            axes[row, column].tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=7)
    figure.suptitle(f"Convergence: Neckarfront × {results['style']} (dot: where the settling "
                    "rule stops)", fontsize=10)
    figure.tight_layout()
    return figure


def summary(results: dict) -> list[dict]:
    """One row per run: where it settles, its measures there and at its last iteration, and its
    objective at the end."""
    rows = []
    for name, run in results["runs"].items():
        looks = run["look"]
        final = looks[-1]
        settled = run["settled at"]
        at = next((r for r in looks if r["iteration"] == settled), None)
        row = {"run": name, "start": run["settings"]["init"], "ratio": run["settings"]["ratio"],
               "iterations": run["iterations"], "settled at": settled if settled else "—"}
        for measure in (*settling.MEASURES, "scene SSIM"):
            row[f"{measure} settled"] = at[measure] if at else float("nan")
            row[f"{measure} last"] = final[measure]
        row["objective last"] = run["losses"][-1]["total"]
        row["stop"] = run["stop_reason"].split(":")[0]
        rows.append(row)
    return rows


PROBE_RESULT = Path("benchmarks") / "results" / "convergence.json"


def figure(output_dir: str | os.PathLike, root: str | os.PathLike | None = None) -> dict:
    """Notebook 06's convergence figure from the committed probe results (``PROBE_RESULT``
    under ``root``, default the checkout): the curves as ``<output_dir>/convergence.png`` and the
    :func:`summary` rows with the probe's provenance as ``<output_dir>/convergence.json``."""
    from gatys.experiments.plotting import save_figure
    from gatys.io.files import write_json
    from gatys.io.settings import project_root

    source = Path(root or project_root() or ".") / PROBE_RESULT
    results = json.loads(source.read_text())
    drawn = plot(results)
    save_figure(drawn, Path(output_dir) / "convergence.png")
    metrics = {"figure": "convergence", "source": PROBE_RESULT.as_posix(),
               **{key: results[key] for key in ("command", "date", "machine", "rule")},
               "rows": summary(results)}
    write_json(Path(output_dir) / "convergence.json", metrics)
    return {"figure": drawn, **metrics}
