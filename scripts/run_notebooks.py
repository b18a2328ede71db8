"""Run the experiment notebooks headlessly with papermill: `make figures` and `make smoke`.

Each notebook's `parameters` cell is overridden with the profile, device, output and cache
directories. Finished panels are cached (see gatys.panels), so an interrupted run resumes where
it stopped. The executed notebooks (with outputs) go to --executed; the committed ones stay clean.

    python scripts/run_notebooks.py --profile auto --output figures
    python scripts/run_notebooks.py --profile smoke --output build/smoke/figures --cache build/smoke/cache
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import papermill

from gatys.files import write_json

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
    if not args.notebooks:
        record = {"profile": args.profile, "seconds_total": total, "seconds": timings}
        write_json(output / "timings.json", record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
