"""The convergence probe: the objective and the look against iterations, for both starts.

Runs the Neckarfront in Starry Night from the paper's white noise and from the photograph, at the
printed α/β = 1e-3 and at the calibrated one (recipes.calibrated), on the figures' network (the
normalised VGG of :func:`gatys.experiments.setup`), long past the figures' budgets: 1000
iterations at 256 px and 500 at 512 px by default. Every ``--every`` iterations the iterate is
kept as a PNG under ``--images`` (build/convergence/<size>/<run>/iter_NNNNN.png) with the run's
loss history beside it, so the look can be measured afterwards on every checkpoint
(``--measure``) with whatever measure is current, without running the syntheses again.

    .venv/bin/python benchmarks/convergence_probe.py --run            # hours on a 2-core CPU
    .venv/bin/python benchmarks/convergence_probe.py --measure        # minutes: writes the JSON

``--measure`` writes ``benchmarks/results/convergence.json`` (the command, date, machine,
settings and, per run, the loss history and the look measures at each checkpoint), which
notebook 06 plots (:func:`gatys.experiments.convergence.plot`). Needs the real weights and the
paper's images (GATYS_MODEL, GATYS_WEIGHTS, GATYS_DATA).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from gatys.api.transfer import style_transfer
from gatys.experiments import recipes, setup
from gatys.io.data import load_paper_image
from gatys.io.files import write_json

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "build" / "convergence"
RESULT = ROOT / "benchmarks" / "results" / "convergence.json"
STYLE = recipes.CALIBRATION_STYLE
# (profile whose network and normalisation the run takes, size, iterations)
SCHEDULES = (("cpu", 256, 1000), ("paper", 512, 500))
RATIOS = (recipes.PRINTED_RATIO, recipes.calibrated(recipes.PRINTED_RATIO))
STARTS = ("noise", "content")


def run_name(init: str, ratio: float) -> str:
    return f"{init}_{ratio:g}"


def run(every: int, sizes: set[int]) -> None:
    for profile, size, iterations in SCHEDULES:
        if size not in sizes:
            continue
        ctx = setup(profile=profile, device="cpu", output_dir=ROOT / "build" / "convergence-figures",
                    progress=False)
        content = load_paper_image(recipes.CONTENT_IMAGE, size=size)
        style = load_paper_image(STYLE, size=size)
        for ratio in RATIOS:
            for init in STARTS:
                folder = IMAGES / str(size) / run_name(init, ratio)
                if (folder / "history.json").is_file():
                    print(f"{size} px {run_name(init, ratio)}: done before", flush=True)
                    continue
                folder.mkdir(parents=True, exist_ok=True)
                settings = ctx.settings(size=size, iterations=iterations, ratio=ratio, init=init)
                result = style_transfer(content, style, settings, model=ctx.model,
                                        snapshot_every=every, snapshot_dir=folder, progress=False)
                write_json(folder / "history.json", {
                    "settings": settings.as_dict(), "stop_reason": result.stop_reason,
                    "route": result.route.as_dict(), "history": result.history.as_dict()})
                print(f"{size} px {run_name(init, ratio)}: {result.stop_reason}, "
                      f"{result.history.seconds[-1]:.0f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", action="store_true", help="run the syntheses (long)")
    parser.add_argument("--measure", action="store_true", help="measure the checkpoints")
    parser.add_argument("--every", type=int, default=10, help="iterations between checkpoints")
    parser.add_argument("--sizes", default="256,512", help="which sizes, comma-separated")
    args = parser.parse_args(argv)
    sizes = {int(size) for size in args.sizes.split(",")}
    if args.run:
        run(args.every, sizes)
    if args.measure:
        from gatys.experiments import convergence

        write_json(RESULT, convergence.measure_probe(IMAGES, sizes, command=" ".join(
            ["benchmarks/convergence_probe.py", *(argv if argv is not None else sys.argv[1:])])))
        print(f"wrote {RESULT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
