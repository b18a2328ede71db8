"""`make bench`'s precision table: does a bfloat16 network pass keep the result?

For each pair, float32 and bfloat16 runs of the same transfer (the defaults: the network
normalised over the pair, as the command line does; the paper's white-noise start, seed 0; the
layout ``auto`` picks) at --precision-size px for --precision-iterations iterations, each in a fresh
process. Beside the seconds: the float32 objective of each final image (the bfloat16 run judged by
the arithmetic it approximates; the goal is within 3 %), the look measures with the reference
network (texture ratios, palette, scene) and the mean absolute pixel difference between the two
results.

Where the machine has no bfloat16 arithmetic (gatys.core.route.bf16_supported), the bfloat16 runs
are emulated and many times slower: they are skipped with the measured ratio of a bare pass,
unless --precision-force asks for them anyway (then at a size that machine can afford).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import torch

from gatys.api.transfer import make_objective, style_transfer
from gatys.core import route
from gatys.core.normalisation import normalised_vgg
from gatys.core.start import white_noise
from gatys.experiments.measures import look
from gatys.io.data import load_paper_image
from gatys.io.images import load_image, save_image
from gatys.io.settings import resolve_device

# The paper's Neckarfront × Starry Night and × Composition VII, and a pair the paper does not
# show (two paintings: the shared images hold one photograph).
PAIRS = (("tubingen", "starry_night"), ("tubingen", "composition_vii"),
         ("the_scream", "seated_nude"))
KEEPS_THE_OBJECTIVE = 0.03  # the goal: bfloat16's float32 objective within 3 % of float32's


def precision_child(pair: str, size: int, iterations: int, precision: str,
                    device_name: str | None, images_dir: str) -> None:
    """Run in a fresh process: one transfer of ``pair`` ("content,style") in ``precision``; print
    its row as JSON (the image goes to ``images_dir``)."""
    from bench import look_network, network, peak_rss  # the bench's network and probes

    content_key, style_key = pair.split(",")
    device = resolve_device(device_name)
    content = load_paper_image(content_key, size=size)
    style = load_paper_image(style_key, size=size)
    model = normalised_vgg(network(device), [content, style])
    start = white_noise(content.shape, seed=0)
    result = style_transfer(content, style, model=model, size=None, init=start,
                            iterations=iterations, progress=False, precision=precision,
                            layout="auto")
    path = save_image(result.image, Path(images_dir) / f"precision-{content_key}-{style_key}-"
                                                       f"{precision}.png")
    saved = load_image(path).to(device)  # both precisions judged on the 8-bit file
    objective = make_objective(model, content=content.to(device), styles=[style.to(device)])
    with torch.no_grad():
        float32_objective = objective(saved).total.item()  # outside any route: float32
    reference = look_network(device)
    measures = look(saved, content, style, reference)
    print(json.dumps({
        "pair": pair, "precision": precision, "route": result.route.describe(),
        "seconds": result.history.seconds[-1], "iterations": result.iterations,
        "objective": float32_objective, "image": str(path),
        "deep": measures.deep_texture, "fine": measures.fine_texture,
        "palette": measures.palette, "scene": measures.scene,
        "peak": torch.cuda.max_memory_allocated(device) if device.type == "cuda" else peak_rss(),
    }))


def _child(arguments: list[str]) -> dict:
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("bench.py")),
                           *arguments], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def precision_table(pairs: list[str], size: int, iterations: int, device_name: str | None,
                    images_dir: str, force: bool = False) -> list[dict]:
    """Print the table (see the module docstring); return its rows."""
    from bench import network

    device = resolve_device(device_name)
    native = route.bf16_supported(device)
    print(f"precision at {size} px × {iterations} iterations, float32 against bfloat16 autocast "
          f"(the network's pass; Gram matrices, losses, L-BFGS and the image stay float32), the "
          f"same white-noise start, each run in a fresh process:")
    if not native:
        model = network(device)
        layers = ["relu5_1"]
        bare = route.measure(model, layers, device, [("fp32", "channels-last"),
                                                     ("bf16", "channels-last")], 128)
        ratio = bare["bf16/channels-last"] / bare["fp32/channels-last"]
        print(f"  this {device.type} has no bfloat16 arithmetic: a bare pass at 128 px takes "
              f"{ratio:.1f}× float32's under bfloat16 autocast (emulated)"
              + ("; running bfloat16 anyway (--precision-force)" if force else
                 "; bfloat16 runs skipped (auto picks float32 here)"))
    print(f"  {'pair':<28} {'precision':<9} {'seconds':>8} {'s/it':>6} {'objective':>10} "
          f"{'÷ fp32':>7} {'deep':>5} {'fine':>5} {'palette':>7} {'scene':>6} {'|Δpixel|':>8}")
    rows = []
    for pair in pairs:
        wanted = ["fp32", "bf16"] if native or force else ["fp32"]
        runs = {}
        for precision in wanted:
            row = _child(["--precision-child", pair, "--precision-size", str(size),
                          "--precision-iterations", str(iterations), "--precision", precision,
                          "--images", images_dir, *(["--device", device_name] if device_name
                                                     else [])])
            if "error" in row:
                print(f"  {pair:<28} {precision:<9} failed: {row['error']}", flush=True)
                continue
            runs[precision] = row
            fp32 = runs.get("fp32")
            row["of fp32"] = row["objective"] / fp32["objective"] if fp32 else float("nan")
            row["pixel difference"] = (
                float((load_image(row["image"]) - load_image(fp32["image"])).abs().mean())
                if fp32 else float("nan"))
            print(f"  {pair.replace(',', ' × '):<28} {precision:<9} {row['seconds']:>8.0f} "
                  f"{row['seconds'] / max(1, row['iterations']):>6.2f} {row['objective']:>10.4g} "
                  f"{row['of fp32']:>7.3f} {row['deep']:>5.2f} {row['fine']:>5.2f} "
                  f"{row['palette']:>7.2f} {row['scene']:>6.3f} "
                  f"{row['pixel difference']:>8.4f}", flush=True)
            rows.append(row)
    kept = [row for row in rows if row["precision"] == "bf16"]
    if kept:
        worst = max(abs(row["of fp32"] - 1) for row in kept)
        faster = [row["seconds"] / next(r["seconds"] for r in rows if r["pair"] == row["pair"]
                                        and r["precision"] == "fp32") for row in kept]
        print(f"  bfloat16: float32 objective within {worst:.1%} of float32's (goal "
              f"{KEEPS_THE_OBJECTIVE:.0%}: {'met' if worst <= KEEPS_THE_OBJECTIVE else 'missed'}); "
              f"time {min(faster):.2f}–{max(faster):.2f}× float32's")
    return rows
