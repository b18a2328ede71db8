"""Compare two `make figures` runs figure by figure: does a route keep the figures' measures?

Each folder holds the metrics files (``<figure>.json``) of one run, e.g. the committed figures/
made with ``--precision auto`` and a run forced to float32::

    GATYS_PRECISION=fp32 GATYS_CACHE=build/cache-fp32 .venv/bin/python scripts/run_notebooks.py \\
        --profile cpu --output build/figures-fp32 --timings build/figures-fp32/timings.json \\
        notebooks/03_five_styles.ipynb
    .venv/bin/python benchmarks/compare_figures.py figures build/figures-fp32

For every figure both folders hold: the routes each run recorded, the seconds of its panels
(second ÷ first), and per measure the largest difference over the rows, absolute and relative
to the first run's value; then the rows whose verdict on the paper's look differs.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

# Columns that describe a run rather than measure its result.
NOT_MEASURES = {"seconds", "ratio", "printed", "seed", "iterations"}


def _numeric(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _label(row: dict) -> tuple:
    """A row's identity: its non-numeric columns and its settings (ratio, seed, …)."""
    return tuple((key, value) for key, value in row.items()
                 if not _numeric(value) and not isinstance(value, bool)
                 or key in NOT_MEASURES - {"seconds"})


def compare(first: dict, second: dict) -> dict:
    """Per measure, the largest absolute and relative difference over matching rows; the rows
    whose look verdict differs; the seconds of the panels computed in each run."""
    seconds = [metrics["seconds"].get("panels_total") for metrics in (first, second)]
    second_rows = {_label(row): row for row in second.get("rows", [])}
    largest: dict[str, tuple[float, float]] = {}
    verdicts = []
    for row in first.get("rows", []):
        other = second_rows.get(_label(row))
        if other is None:
            continue
        for key, value in row.items():
            if key in NOT_MEASURES or not _numeric(value) or not _numeric(other.get(key)):
                continue
            absolute = abs(other[key] - value)
            relative = absolute / abs(value) if value else math.inf if absolute else 0.0
            previous = largest.get(key, (0.0, 0.0))
            largest[key] = (max(previous[0], absolute), max(previous[1], relative))
        if "paper's look" in row and row["paper's look"] != other.get("paper's look"):
            verdicts.append(dict(_label(row)))
    return {"seconds": seconds, "largest": largest, "verdicts differ": verdicts,
            "routes": [sorted({f"{r['precision']}/{r['layout']}" for r in m.get("routes") or [] if r})
                       for m in (first, second)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", help="folder of the first run's metrics files")
    parser.add_argument("second", help="folder of the second run's metrics files")
    args = parser.parse_args()
    names = sorted(path.stem for path in Path(args.second).glob("*.json")
                   if (Path(args.first) / path.name).is_file() and "timings" not in path.stem)
    for name in names:
        first, second = (json.loads((Path(folder) / f"{name}.json").read_text())
                         for folder in (args.first, args.second))
        result = compare(first, second)
        a, b = result["seconds"]
        speed = f"{b / a:.2f}" if a and b else "n/a"
        print(f"{name}: routes {', '.join(result['routes'][0]) or '?'} against "
              f"{', '.join(result['routes'][1]) or '?'}; panel seconds {a:.0f} and {b:.0f} "
              f"(second ÷ first {speed})")
        for key, (absolute, relative) in sorted(result["largest"].items()):
            print(f"  {key:<34} largest |Δ| {absolute:.3g} ({relative:.1%} of the first)")
        for row in result["verdicts differ"]:
            print(f"  the look's verdict differs: {row}")
        if not result["verdicts differ"] and any("paper's look" in row for row in first["rows"]):
            print("  the look's verdict is the same for every row")


if __name__ == "__main__":
    main()
