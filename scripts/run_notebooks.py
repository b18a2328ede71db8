"""Run the experiment notebooks headlessly with papermill: `make figures` and `make smoke`.

Each notebook's `parameters` cell is overridden with the profile, device, output and cache
directories, all absolute; each kernel also gets the absolute data directory ($GATYS_DATA, by
default the checkout's data/) and plain-text progress bars ($GATYS_PROGRESS=text), whatever its
working directory. Finished panels are cached (see gatys.experiments.panels), so an interrupted
run resumes where it stopped. The executed notebooks (with outputs) go to --executed; the
committed ones stay clean. Only the paper profiles write into figures/ by default: a smoke run
writes under build/smoke/.

    python scripts/run_notebooks.py --profile auto --fetch        # make figures
    python scripts/run_notebooks.py --profile smoke               # make smoke
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import sys
import time
from pathlib import Path

import papermill

from gatys.experiments import recipes
from gatys.io import data, settings
from gatys.io.errors import GatysError
from gatys.io.files import write_json
from gatys.io.settings import resolve_device

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="auto",
                        help="auto (cpu on a CPU, paper on a GPU), cpu, paper, quick (a first "
                             "look at 128 px, into build/quick/) or smoke (CI, into build/smoke/)")
    parser.add_argument("--output", default=None,
                        help="figures directory (default: figures/, or build/PROFILE/figures for "
                             "--profile quick and smoke)")
    parser.add_argument("--cache", default=None,
                        help="panel cache (default: $GATYS_CACHE or ~/.cache/gatys, or "
                             "build/smoke/cache for --profile smoke)")
    parser.add_argument("--device", default=None)
    parser.add_argument("--executed", default=None,
                        help="where the executed notebooks are written (default: "
                             "build/notebooks, or build/smoke/notebooks for --profile smoke)")
    parser.add_argument("--fetch", action="store_true",
                        help="download the paper's images first when some are missing")
    parser.add_argument("--timings", default=None,
                        help="where each notebook's seconds are recorded (default: "
                             "OUTPUT/timings.json; figures/timings-quick.json for --profile "
                             "quick, so the committed folder says what a first look costs)")
    parser.add_argument("notebooks", nargs="*", help="notebook files (default: all, in order)")
    args = parser.parse_args()
    # papermill logs each cell's output at INFO: the experiments print one line per panel.
    logging.basicConfig(level=logging.WARNING, format="    %(message)s")
    logging.getLogger("papermill").setLevel(logging.INFO)

    notebooks = [Path(n) for n in args.notebooks] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    output, cache, executed = default_directories(args.profile, args.output, args.cache,
                                                  args.executed)
    executed.mkdir(parents=True, exist_ok=True)
    try:
        data_dir = ensure_images(fetch=args.fetch)
    except GatysError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    os.environ.update(kernel_environment(data_dir))  # each kernel inherits this environment
    parameters = {"profile": args.profile, "device": args.device, "output_dir": str(output),
                  "cache": str(cache) if cache else None}
    timings = {}
    profile = recipes.profile(args.profile, resolve_device(args.device).type).name
    timings_path = Path(args.timings) if args.timings else default_timings(args.profile, output)
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
        # Recorded as each notebook finishes, so a run cut off later keeps the times it measured.
        record_timings(timings_path, profile, {notebook.name: timings[notebook.name]})
    total = round(time.perf_counter() - start, 1)
    print(f"all {len(notebooks)} notebooks in {total:.0f} s; figures in {output}")
    return 0


SIDE_PROFILES = ("quick", "smoke")  # runs that never write into the committed figures/


def default_directories(profile: str, output: str | None, cache: str | None,
                        executed: str | None) -> tuple[Path, Path | None, Path]:
    """Absolute figures, cache (None: the kernel's default) and executed-notebook directories.

    A quick or smoke run keeps everything under build/<profile>/, so it never touches figures/
    or the cache of the paper-sized panels.
    """
    side = profile in SIDE_PROFILES
    build = ROOT / "build" / (profile if side else "")
    output_dir = Path(output) if output else (build / "figures" if side else ROOT / "figures")
    cache_dir = Path(cache) if cache else (build / "cache" if side else None)
    executed_dir = Path(executed) if executed else build / "notebooks"
    return (output_dir.resolve(), cache_dir.resolve() if cache_dir else None,
            executed_dir.resolve())


def default_timings(profile: str, output: Path) -> Path:
    """Where a run records its seconds per notebook: beside its figures, except a quick run's,
    which go into the committed figures/ (timings-quick.json) for the README to quote."""
    return ROOT / "figures" / "timings-quick.json" if profile == "quick" else output / "timings.json"


def kernel_environment(data_dir: Path) -> dict[str, str]:
    """Settings every kernel gets: the absolute data directory, and plain-text progress bars
    (tqdm.auto would store a never-updated widget per bar in each executed notebook), unless
    ``$GATYS_PROGRESS`` says otherwise."""
    return {settings.DATA_ENV: str(data_dir),
            settings.PROGRESS_ENV: os.environ.get(settings.PROGRESS_ENV) or "text"}


def ensure_images(fetch: bool) -> Path:
    """The absolute data directory, once every paper image is there; downloads them if ``fetch``.

    Raises a :class:`~gatys.io.errors.GatysError` naming the directory, the missing files and
    what to do, before any notebook starts.
    """
    directory = settings.data_dir()
    absent = data.missing(directory)
    names = ", ".join(entry.filename for entry in absent)
    if absent and fetch:
        print(f"fetching {len(absent)} missing image(s) into {directory}", flush=True)
        try:
            data.download([entry.key for entry in absent], directory)
        except data.DataError as error:
            raise data.DataError(f'{error}; the data directory needs all of {names}') from error
        absent = data.missing(directory)
    if absent:
        names = ", ".join(entry.filename for entry in absent)
        raise data.DataError(f'the data directory "{directory}" lacks {names}; '
                             f"{data.fetch_hint(directory)}")
    return directory


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
    record.pop("note", None)  # a hand-written note describes an earlier run
    for name, seconds in timings.items():
        record["notebooks"][name] = {"seconds": seconds, "measured": today}
    present = {path.name for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    record["notebooks"] = {name: entry for name, entry in sorted(record["notebooks"].items())
                           if name in present}
    record["seconds_total"] = round(sum(e["seconds"] for e in record["notebooks"].values()), 1)
    write_json(path, record)


if __name__ == "__main__":
    sys.exit(main())
