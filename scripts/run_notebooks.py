"""Run the experiment notebooks headlessly with papermill: `make figures` and `make smoke`.

Each notebook's `parameters` cell is overridden with the profile, device, output and cache
directories. Finished panels are cached (see gatys.experiments.panels), so an interrupted run resumes where
it stopped. The executed notebooks (with outputs) go to --executed; the committed ones stay clean.

    python scripts/run_notebooks.py --profile auto --output figures
    python scripts/run_notebooks.py --profile smoke --output build/smoke/figures --cache build/smoke/cache
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import sys
import time
from pathlib import Path

import papermill

from gatys.experiments import recipes
from gatys.io.files import write_json
from gatys.io.settings import resolve_device

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="auto", help="auto, cpu, paper or smoke")
    parser.add_argument("--output", default=str(ROOT / "figures"), help="figures directory")
    parser.add_argument("--cache", default=None, help="panel cache (default: $GATYS_CACHE)")
    parser.add_argument("--device", default=None)
    parser.add_argument("--executed", default=str(ROOT / "build" / "notebooks"),
                        help="where the executed notebooks are written")
    parser.add_argument("--timings", default=None,
                        help="where each notebook's seconds are recorded (default: "
                             "OUTPUT/timings.json)")
    parser.add_argument("notebooks", nargs="*", help="notebook files (default: all, in order)")
    args = parser.parse_args()
    # papermill logs each cell's output at INFO: the experiments print one line per panel.
    logging.basicConfig(level=logging.WARNING, format="    %(message)s")
    logging.getLogger("papermill").setLevel(logging.INFO)

    notebooks = [Path(n) for n in args.notebooks] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    output = Path(args.output).resolve()
    executed = Path(args.executed).resolve()
    executed.mkdir(parents=True, exist_ok=True)
    parameters = {"profile": args.profile, "device": args.device, "output_dir": str(output),
                  "cache": str(Path(args.cache).resolve()) if args.cache else None}
    timings = {}
    start = time.perf_counter()
    for index, notebook in enumerate(notebooks, 1):
        print(f"[{index}/{len(notebooks)}] {notebook.name} (profile {args.profile})", flush=True)
        began = time.perf_counter()
        try:
            papermill.execute_notebook(
                str(notebook), str(executed / notebook.name), parameters=parameters,
                cwd=str(notebook.parent), progress_bar=False, log_output=True,
            )
        except papermill.PapermillExecutionError as error:
            print(f"{notebook.name} failed: {error.ename}: {error.evalue}\n"
                  f"see {executed / notebook.name}", file=sys.stderr)
            return 1
        timings[notebook.name] = round(time.perf_counter() - began, 1)
        print(f"    done in {timings[notebook.name]:.0f} s", flush=True)
    total = round(time.perf_counter() - start, 1)
    print(f"all {len(notebooks)} notebooks in {total:.0f} s; figures in {output}")
    profile = recipes.profile(args.profile, resolve_device(args.device).type).name
    record_timings(Path(args.timings) if args.timings else output / "timings.json", profile,
                   timings)
    return 0


def record_timings(path: Path, profile: str, timings: dict[str, float]) -> None:
    """Add this run's seconds per notebook to ``path``, keeping the other notebooks' last times.

    Each entry says when it was measured, so a total made of several runs says so; a different
    profile starts the file afresh.
    """
    today = datetime.date.today().isoformat()
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        record = {}
    if record.get("profile") != profile or not isinstance(record.get("notebooks"), dict):
        record = {"profile": profile, "notebooks": {}}
    for name, seconds in timings.items():
        record["notebooks"][name] = {"seconds": seconds, "measured": today}
    present = {path.name for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    record["notebooks"] = {name: entry for name, entry in sorted(record["notebooks"].items())
                           if name in present}
    record["seconds_total"] = round(sum(e["seconds"] for e in record["notebooks"].values()), 1)
    write_json(path, record)


if __name__ == "__main__":
    sys.exit(main())
