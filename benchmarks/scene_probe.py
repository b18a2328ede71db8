"""The scene probe: can the scene measure fail on the failures it is there for, at every budget?

Measures the look (:class:`gatys.experiments.measures.LookMeter`: the feature-layout scene, the
grey SSIM it replaced in the yardstick, the texture ratios) and, for comparison, the
feature-distance form of the scene (‖F(x) − F(p)‖ / ‖F(a) − F(p)‖ at relu3_2 and relu4_2, the
painting a stretched to the photograph's shape), on:

- renderings the field accepts: jcjohnson/neural-style's reproduction of Fig. 2
  (``examples/outputs/tubingen_*.png``, its five paintings and four two-style blends), measured at
  128, 256 and 512 px;
- what must fail: each painting itself against the Neckarfront, the photograph under ±0.15
  speckle, and the iterates of benchmarks/convergence_probe.py's long runs (the printed α/β
  from noise and from the photograph, early and late), beside the calibrated runs.

    .venv/bin/python benchmarks/scene_probe.py --jcjohnson /path/to/neural-style

``--jcjohnson`` is a checkout of jcjohnson/neural-style (not part of this repository). Writes
``benchmarks/results/scene_probe.json`` (command, date, machine, one row per image). Needs the
real weights and the paper's images (GATYS_MODEL, GATYS_WEIGHTS, GATYS_DATA).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from pathlib import Path

import torch

from gatys.experiments.measures import PAPERS_LOOK, LookMeter, reference_network
from gatys.io.data import image_path, load_paper_image
from gatys.io.files import write_json
from gatys.io.images import load_image

ROOT = Path(__file__).resolve().parents[1]
RESULT = ROOT / "benchmarks" / "results" / "scene_probe.json"
CONVERGENCE = ROOT / "build" / "convergence"
# jcjohnson/neural-style's output names: the paintings (one or two) each was made from.
JCJOHNSON = {
    "tubingen_shipwreck": ("shipwreck",), "tubingen_starry": ("starry_night",),
    "tubingen_scream": ("the_scream",), "tubingen_seated_nude": ("seated_nude",),
    "tubingen_composition_vii": ("composition_vii",),
    "tubingen_starry_scream": ("starry_night", "the_scream"),
    "tubingen_scream_composition_vii": ("the_scream", "composition_vii"),
    "tubingen_starry_seated": ("starry_night", "seated_nude"),
    "tubingen_seated_nude_composition_vii": ("seated_nude", "composition_vii"),
}
SIZES = (128, 256, 512)
DISTANCE_LAYERS = ("relu3_2", "relu4_2")
# Iterates of the convergence probe's runs that are measured (size, run, iterations).
ITERATES = [(256, run, (100, 300, 1000)) for run in
            ("noise_0.001", "content_0.001", "noise_0.1", "content_0.1")] + [
            (512, run, (100, 300, 500)) for run in
            ("noise_0.001", "content_0.001", "noise_0.1", "content_0.1")]


def distance_ratio(reference, image, photo, painting) -> float:
    """The feature-distance form: mean over DISTANCE_LAYERS of ‖F(x) − F(p)‖ / ‖F(a) − F(p)‖."""
    with torch.no_grad():
        features = [reference(x, list(DISTANCE_LAYERS)) for x in (image, photo, painting)]
    ratios = [float((features[0][layer] - features[1][layer]).norm()
                    / (features[2][layer] - features[1][layer]).norm())
              for layer in DISTANCE_LAYERS]
    return sum(ratios) / len(ratios)


def row(reference, kind: str, name: str, image, paintings: tuple[str, ...]) -> dict:
    """The measures of ``image`` against the Neckarfront and its first painting."""
    shape = tuple(image.shape[-2:])
    photo = load_image(image_path("tubingen"), shape=shape)
    painting = load_image(image_path(paintings[0]), shape=shape)  # stretched: the distance form's
    measured = LookMeter(photo, load_paper_image(paintings[0], size=max(shape)), reference)(image)
    result = {"kind": kind, "name": name, "size": max(shape), "paintings": list(paintings),
              "scene": measured.scene, "scene SSIM": measured.scene_ssim,
              "scene distance ratio": distance_ratio(reference, image, photo, painting),
              "deep texture": measured.deep_texture, "texture relu1_1": measured.fine_texture}
    result["paper's look"] = measured.passes()
    print(f"{kind:12s} {name:44s} {result['size']:4d} scene {measured.scene:.3f} "
          f"SSIM {measured.scene_ssim:.3f} distance {result['scene distance ratio']:.3f} "
          f"deep {measured.deep_texture:.3f} relu1_1 {measured.fine_texture:.3f}", flush=True)
    return result


def rows(jcjohnson: Path | None) -> list[dict]:
    reference = reference_network()
    found = []
    if jcjohnson is not None:
        for stem, paintings in JCJOHNSON.items():
            for size in SIZES:
                image = load_image(jcjohnson / "examples" / "outputs" / f"{stem}.png", size=size)
                found.append(row(reference, "accepted", f"jcjohnson {stem}", image, paintings))
    for key in ("shipwreck", "starry_night", "the_scream", "seated_nude", "composition_vii"):
        found.append(row(reference, "must fail", f"the painting {key}",
                         load_paper_image(key, size=256), (key,)))
    photo = load_paper_image("tubingen", size=256)
    noise = torch.randn(photo.shape, generator=torch.Generator().manual_seed(0)).sign()
    found.append(row(reference, "must fail", "the photograph under ±0.15 speckle",
                     (photo + 0.15 * noise).clamp(0, 1), ("starry_night",)))
    for size, run, iterations in ITERATES:
        folder = CONVERGENCE / str(size) / run
        last = max((int(p.stem.split("_")[1]) for p in folder.glob("iter_*.png")), default=0)
        for iteration in iterations:
            path = folder / f"iter_{min(iteration, last):05d}.png"
            if path.is_file():
                found.append(row(reference, "convergence", f"{run} at {min(iteration, last)}",
                                 load_image(path), ("starry_night",)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jcjohnson", type=Path, default=None,
                        help="a checkout of jcjohnson/neural-style (its examples/outputs)")
    args = parser.parse_args(argv)
    arguments = argv if argv is not None else sys.argv[1:]
    write_json(RESULT, {
        "probe": "scene", "command": " ".join(["benchmarks/scene_probe.py", *arguments]),
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "yardstick": vars(PAPERS_LOOK), "rows": rows(args.jcjohnson)})
    print(f"wrote {RESULT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
