"""`make bench`: the cost of style transfer against the machine's limits, measured in one run.

1. The per-iteration floor at 256, 512 and 1024 px: one L-BFGS iteration of a transfer against
   its parts, each timed alone: a bare forward+backward pass of the same truncated VGG (an
   iteration needs at least one), the five Gram matrices with their gradients, and L-BFGS's
   two-loop recursion over a full history of 100 image-sized pairs.
2. That bare pass's throughput in GFLOP/s (FLOPs counted by torch.utils.flop_counter) against a
   large float32 matrix multiply, and the same transfer written the PyTorch tutorial's way
   (benchmarks/tutorial_reference.py): seconds per loss evaluation against ours per iteration.
3. Time to quality at 512 and 1024 px: the target is the loss that 500 single-scale iterations
   reach from the paper's white-noise start; every route (the single scale itself stopped at the
   time limit, coarse-to-fine pyramids, a shorter L-BFGS history) starts from the same noise and
   runs on the same objective until it reaches that loss or the time limit. The reference (in
   float32) and each route run in a fresh process, so each peak memory is its own; each final
   image gets the look measures (texture ratios with a reference network, scene kept, pixel
   noise) and is saved under --images. Time to the look: the first of the images a route keeps
   every 10 iterations whose deep and fine texture ratios and scene are each within 5 % of the
   reference's final image; the goal is 0.3 of the reference's time for the default route.
4. The precision table (benchmarks/precision.py): float32 against bfloat16 for three pairs at
   512 px × 500 iterations from one start: seconds, the float32 objective of each final image,
   the look measures and the pixel difference.
5. What else we tried on the bare pass (NCHW instead of the default channels-last, one thread,
   torch.compile, oneDNN fusion, bfloat16, a batch of four panels in one pass), as ratios to the
   default pass measured beside it, and a whole iteration in each precision and layout.
6. Peak memory of a short run at each --memory-sizes (RSS on a CPU, max allocated on a GPU), each
   in a fresh process, beside gatys.core.memory's estimate.

Time to quality, the longest part by far, is printed last, so that a run cut short keeps the rest.
All timings are medians within this run, so ratios compare across machines; absolute seconds do
not. The network comes from the usual settings (GATYS_MODEL / GATYS_WEIGHTS / GATYS_DEVICE);
timing does not depend on the weights' values, so without weights the benchmark uses random
weights of the same architecture (time to quality needs the paper's images, GATYS_DATA).

Usage: python benchmarks/bench.py [--sizes 256 512 1024] [--quality-sizes 512 1024]
       [--routes 512 256:200,512 512/h20 512/bf16] [--route-time-share 0.5]
       [--precision-pairs tubingen,starry_night] [--precision-size 512] [--memory-sizes 512 1024]
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import psutil
import torch
from torch.utils.flop_counter import FlopCounterMode

from gatys.api.pyramid import seconds_to_reach
from gatys.api.transfer import style_transfer
from gatys.core import defaults
from gatys.core.losses import gram_matrix, style_layer_loss
from gatys.core.memory import estimate_bytes
from gatys.core.normalisation import normalised_vgg
from gatys.core.route import bf16_supported
from gatys.core.start import uniform_noise
from gatys.core.weights import load_vgg, parse_model
from gatys.experiments.measures import Yardstick, look
from gatys.io.data import image_path, load_paper_image
from gatys.io.errors import GatysError, WeightsError
from gatys.io.images import save_image
from gatys.io.settings import resolve_device

sys.path.insert(0, str(Path(__file__).resolve().parent))
import precision  # noqa: E402
import tutorial_reference  # noqa: E402


def describe_machine(device: torch.device) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if "model name" in line)
    except (OSError, StopIteration):
        pass
    text = (f"{cpu}; {torch.get_num_threads()} torch threads; torch {torch.__version__}; "
            f"python {platform.python_version()}; device {device}")
    if device.type == "cuda":
        text += f" ({torch.cuda.get_device_name(device)})"
    return text


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bare_pass_seconds(model, size: int, layers, repeats: int, device) -> float:
    """Median time of forward to the deepest layer plus backward to the pixels."""
    image = uniform_noise((1, 3, size, size), seed=0, device=device).requires_grad_(True)
    times = []
    for _ in range(repeats + 1):  # the first is a warm-up
        synchronize(device)
        start = time.perf_counter()
        features = model(image, layers)
        sum(f.sum() for f in features.values()).backward()
        synchronize(device)
        times.append(time.perf_counter() - start)
        image.grad = None
    return statistics.median(times[1:])


def iteration_seconds(model, size: int, iterations: int, device, **options
                      ) -> tuple[float, float]:
    """Median seconds per L-BFGS iteration (after the first two) and passes per iteration;
    ``options`` go to the transfer (``precision``, ``layout``)."""
    content = uniform_noise((1, 3, size, size), seed=1)
    style = uniform_noise((1, 3, size, size), seed=2)
    result = style_transfer(content, style, model=model, size=None, ratio=1e-3,
                            iterations=iterations + 2, progress=False, **options)
    seconds = result.history.seconds
    per_iteration = [b - a for a, b in zip(seconds[2:], seconds[3:])]
    evaluations = result.history.evaluations
    passes = (evaluations[-1] - evaluations[2]) / max(1, len(evaluations) - 3)
    return statistics.median(per_iteration), passes


def bare_pass_flops(model, size: int, layers, device) -> int:
    """FLOPs of one forward to the deepest layer plus backward to the pixels."""
    image = uniform_noise((1, 3, size, size), seed=0, device=device).requires_grad_(True)
    with FlopCounterMode(display=False) as counter:
        features = model(image, layers)
        sum(f.sum() for f in features.values()).backward()
    return counter.get_total_flops()


def matmul_gflops(device, repeats: int) -> tuple[float, int]:
    """Median GFLOP/s of a square float32 matrix multiply large enough to saturate the device."""
    n = 8192 if device.type == "cuda" else 2048
    a, b = (torch.randn(n, n, device=device) for _ in range(2))
    times = []
    for _ in range(repeats + 1):
        synchronize(device)
        start = time.perf_counter()
        torch.mm(a, b)
        synchronize(device)
        times.append(time.perf_counter() - start)
    return 2 * n**3 / statistics.median(times[1:]) / 1e9, n


def tutorial_seconds(model, size: int, layers, evaluations: int, device) -> float:
    content = uniform_noise((1, 3, size, size), seed=1, device=device)
    style = uniform_noise((1, 3, size, size), seed=2, device=device)
    return tutorial_reference.seconds_per_evaluation(
        model, content, style, list(defaults.CONTENT_LAYERS), list(defaults.STYLE_LAYERS),
        evaluations, lambda: synchronize(device))


def network(device: torch.device, pooling: str = defaults.POOLING):
    """The network the settings name; without its weights, random ones of the same architecture
    (timing does not depend on the weights' values)."""
    try:
        return load_vgg(pooling=pooling, device=device)
    except WeightsError:
        return load_vgg(f"{parse_model().arch}-random", pooling=pooling, device=device)


def look_network(device: torch.device):
    """The look measures' reference: the same weights with max pooling, not normalised."""
    return network(device, pooling="max")


def peak_rss() -> int:
    """This process's peak resident set size in bytes.

    Linux's VmHWM belongs to the process image; ru_maxrss does not: it carries over fork and
    exec, so a child started by a large parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def peak_memory_child(size: int, iterations: int, device_name: str | None) -> None:
    """Run in a fresh process: a transfer at ``size``, then print the peak memory as JSON."""
    device = resolve_device(device_name)
    model = network(device)
    content = uniform_noise((1, 3, size, size), seed=1)
    style = uniform_noise((1, 3, size, size), seed=2)
    baseline = psutil.Process().memory_info().rss if device.type != "cuda" else 0
    style_transfer(content, style, model=model, size=None, iterations=iterations,
                   progress=False)
    peak = torch.cuda.max_memory_allocated(device) if device.type == "cuda" else peak_rss()
    layers = list(dict.fromkeys([*defaults.CONTENT_LAYERS, *defaults.STYLE_LAYERS]))
    estimate = estimate_bytes(model, layers, size, size)
    # L-BFGS stores two image-sized vectors per iteration, up to its history of 100: a short run
    # has not filled it yet, so the rest is added as a projection (labelled as such).
    unfilled = 2 * max(0, 100 - iterations) * content.numel() * content.element_size()
    print(json.dumps({"peak": peak, "baseline": baseline, "estimate": estimate,
                      "unfilled history": unfilled,
                      "kind": "max allocated" if device.type == "cuda" else "RSS"}))


def peak_memory(size: int, iterations: int, device) -> dict:
    command = [sys.executable, __file__, "--memory-child", str(size),
               "--iterations", str(iterations), "--device", str(device)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median_seconds(step, repeats: int, device) -> float:
    times = []
    for _ in range(repeats + 1):  # the first is a warm-up
        synchronize(device)
        start = time.perf_counter()
        step()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def variants(model, size: int, layers, repeats: int, device) -> None:
    """The bare pass under each speed-up we considered, as a ratio to the default pass beside it.

    A ratio below 1 is faster. The batch row is per image: four panels of the same size and
    network in one pass, which is what batching panels of a figure would buy.
    """
    def pass_of(network, batch=1):
        image = uniform_noise((batch, 3, size, size), seed=0, device=device).requires_grad_(True)

        def step():
            features = network(image, layers)
            sum(f.sum() for f in features.values()).backward()
            image.grad = None
        return step

    plain = _median_seconds(pass_of(model), repeats, device)
    rows = [("channels-last, the default (the floor)", plain)]
    model.use_memory_format(torch.contiguous_format)
    rows.append(("contiguous NCHW (before channels-last)",
                 _median_seconds(pass_of(model), repeats, device)))
    model.use_memory_format(torch.channels_last)
    rows.append(("batch of 4, per image",
                 _median_seconds(pass_of(model, batch=4), repeats, device) / 4))

    def autocast(step):
        def under_autocast():
            with torch.autocast(device.type, dtype=torch.bfloat16):
                step()
        return under_autocast
    rows.append(("bfloat16 autocast (a lower precision)",
                 _median_seconds(autocast(pass_of(model)), repeats, device)))
    if device.type == "cpu":
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        rows.append(("1 torch thread", _median_seconds(pass_of(model), repeats, device)))
        torch.set_num_threads(threads)
    try:
        compiled = torch.compile(model)
        began = time.perf_counter()
        pass_of(compiled)()  # compilation happens here
        synchronize(device)
        warm = time.perf_counter() - began
        rows.append((f"torch.compile (first call {warm:.0f} s)",
                     _median_seconds(pass_of(compiled), repeats, device)))
    except Exception as error:  # inductor needs a compiler toolchain; report, do not fail
        rows.append((f"torch.compile failed: {type(error).__name__}", float("nan")))
    rows.append(_onednn_fusion_row(model, layers, size, repeats, device))
    print(f"what else we tried, bare forward+backward at {size} px (ratio < 1 is faster):")
    for name, seconds in rows:
        print(f"  {name:<38} {seconds:>7.3f} s {seconds / plain:>6.2f}", flush=True)
    iteration_routes(model, size, repeats, device)


def _onednn_fusion_row(model, layers, size: int, repeats: int, device) -> tuple[str, float]:
    """The pass traced by TorchScript with oneDNN Graph fusion on (CPU only)."""
    if device.type != "cpu":
        return ("oneDNN fusion: CPU only", float("nan"))

    class Outputs(torch.nn.Module):  # a traceable module: a tuple, not a dict of features
        def forward(self, image):
            return tuple(model(image, layers).values())

    image = uniform_noise((1, 3, size, size), seed=0, device=device).requires_grad_(True)
    torch.jit.enable_onednn_fusion(True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on the size checks
            traced = torch.jit.trace(Outputs(), image, check_trace=False)

        def step():
            sum(f.sum() for f in traced(image)).backward()
            image.grad = None
        return ("oneDNN fusion (TorchScript trace)", _median_seconds(step, repeats, device))
    except Exception as error:  # report, do not fail
        return (f"oneDNN fusion failed: {type(error).__name__}", float("nan"))
    finally:
        torch.jit.enable_onednn_fusion(False)


def iteration_routes(model, size: int, iterations: int, device) -> None:
    """A whole L-BFGS iteration of a transfer in each precision and layout (gatys.core.route),
    as a ratio to float32 channels-last; bfloat16 only where the device computes it."""
    candidates = [("fp32", "channels-last"), ("fp32", "contiguous")]
    if bf16_supported(device):
        candidates += [("bf16", "channels-last"), ("bf16", "contiguous")]
    seconds = {candidate: iteration_seconds(model, size, iterations, device,
                                            precision=candidate[0], layout=candidate[1])[0]
               for candidate in candidates}
    first = seconds[candidates[0]]
    print(f"an L-BFGS iteration at {size} px per route (median after the first two"
          f"{'' if bf16_supported(device) else '; bf16 skipped: no bfloat16 arithmetic here'}):")
    for (precision_name, layout), value in seconds.items():
        print(f"  {precision_name + ', ' + layout:<38} {value:>7.3f} s {value / first:>6.2f}",
              flush=True)


def gram_seconds(model, size: int, repeats: int, device) -> float:
    """The style term's own work, timed alone: the five Gram matrices of features already
    computed, E_l against a target Gram, and the gradient back to those features (not further)."""
    style_layers = list(defaults.STYLE_LAYERS)
    with torch.no_grad():
        features = model(uniform_noise((1, 3, size, size), seed=0, device=device), style_layers)
        targets = {layer: gram_matrix(grams) for layer, grams in
                   model(uniform_noise((1, 3, size, size), seed=1, device=device),
                         style_layers).items()}
    leaves = {layer: f.detach().clone().requires_grad_(True) for layer, f in features.items()}

    def step():
        sum(style_layer_loss(leaves[layer], targets[layer]).sum() for layer in leaves).backward()
        for leaf in leaves.values():
            leaf.grad = None
    return _median_seconds(step, repeats, device)


def two_loop_seconds(pixels: int, history: int, repeats: int, device) -> float:
    """L-BFGS's two-loop recursion alone, as torch.optim.LBFGS computes it, over ``history``
    stored pairs of ``pixels``-sized vectors (a full history: the steady state of a long run)."""
    generator = torch.Generator(device="cpu").manual_seed(0)

    def vector():
        return torch.randn(pixels, generator=generator).to(device)
    directions = [vector() for _ in range(history)]
    steps = [d + 0.1 * vector() for d in directions]
    curvatures = [1.0 / d.dot(s) for d, s in zip(directions, steps)]
    gradient = vector()

    def step():
        q = gradient.neg()
        alphas = [None] * history
        for i in range(history - 1, -1, -1):
            alphas[i] = steps[i].dot(q) * curvatures[i]
            q.add_(directions[i], alpha=-alphas[i])
        r = q
        for i in range(history):
            beta = directions[i].dot(r) * curvatures[i]
            r.add_(steps[i], alpha=alphas[i] - beta)
    return _median_seconds(step, repeats, device)


def floor(model, size: int, layers, repeats: int, iterations: int, device) -> dict:
    """One iteration at ``size`` against what it is made of, each part timed alone."""
    bare = bare_pass_seconds(model, size, layers, repeats, device)
    grams = gram_seconds(model, size, repeats, device)
    two_loop = two_loop_seconds(3 * size * size, 100, max(1, repeats // 2), device)
    # The bare pass's arithmetic (float32, the network's channels-last), so the two compare.
    iteration, passes = iteration_seconds(model, size, iterations, device, precision="fp32",
                                          layout="channels-last")
    return {"size": size, "bare": bare, "grams": grams, "two_loop": two_loop,
            "iteration": iteration, "passes": passes}


def print_floor(rows: list[dict]) -> None:
    print("one iteration against its parts, each timed alone (shares of the iteration; the "
          "two-loop over a full history of 100 pairs, the iteration after "
          "the first two of a short run):")
    print(f"{'size':>6} {'iteration':>10} {'passes/it':>9} {'bare fwd+bwd':>13} {'Gram work':>10} "
          f"{'two-loop (100)':>15} {'rest':>7} {'iteration ÷ (bare + Gram)':>26}")
    for row in rows:
        it = row["iteration"]
        rest = it - row["bare"] - row["grams"]
        print(f"{row['size']:>4}px {it:>8.3f} s {row['passes']:>9.2f} "
              f"{row['bare']:>7.3f} s {row['bare'] / it:>4.0%} {row['grams']:>5.3f} s "
              f"{row['grams'] / it:>3.0%} {row['two_loop']:>8.3f} s {row['two_loop'] / it:>4.0%} "
              f"{rest / it:>6.0%} {it / (row['bare'] + row['grams']):>26.2f}", flush=True)


def _stop_at(target: float, deadline: float = math.inf):
    """A synthesis callback that ends the run (as Ctrl-C would) once the loss is <= ``target``
    or the clock (time.perf_counter) passes ``deadline``."""
    def callback(iteration, image, values):
        if values["total"] <= target or time.perf_counter() > deadline:
            raise KeyboardInterrupt
    return callback


ROUTE_FLAGS = {"bf16": ("precision", "bf16"), "fp32": ("precision", "fp32"),
               "contiguous": ("layout", "contiguous"), "channels-last": ("layout", "channels-last")}


def parse_route(text: str) -> tuple[list[tuple[int, int]], dict]:
    """``"256:200,512"`` -> levels [(256, 200)] run in full, then the final size (512) run until
    it reaches the target; ``"512"`` alone is the single-scale run to the target. Flags after
    ``/``: ``h20`` sets L-BFGS's history (default 100), ``bf16`` / ``fp32`` the precision and
    ``contiguous`` / ``channels-last`` the layout (default ``auto`` for both): the options."""
    text, *flags = text.split("/")
    *coarse, final = text.split(",")
    levels = [(int(size), int(iterations)) for size, iterations in
              (level.split(":") for level in coarse)]
    options = {}
    for flag in flags:
        if flag.startswith("h") and flag[1:].isdigit():
            options["history_size"] = int(flag[1:])
        elif flag in ROUTE_FLAGS:
            options.__setitem__(*ROUTE_FLAGS[flag])
        else:
            raise ValueError(f"unknown route flag {flag!r}: use hN, {', '.join(ROUTE_FLAGS)}")
    return levels + [(int(final), 0)], options


def _quality_problem(size: int, device_name: str | None):
    """The time-to-quality objective at ``size``: the network (normalised over the two images at
    that size), Neckarfront and Starry Night."""
    device = resolve_device(device_name)
    model = network(device)
    content = load_paper_image("tubingen", size=size)
    style = load_paper_image("starry_night", size=size)
    return normalised_vgg(model, [content, style]), content, style, device


def _finish_row(row: dict, image, content, style, device, images_dir: str | None,
                reference=None) -> dict:
    """Add the look measures of ``image`` (with ``reference``, the look's network, else loaded
    here) and this process's peak memory to ``row``; save the image to ``images_dir`` (if
    given) so that it can be looked at."""
    if images_dir:
        name = row.get("name") or row["route"].replace(",", "_").replace(":", "x").replace("/", "-")
        row["image"] = str(save_image(image, Path(images_dir) / f"{name}.png"))
    if reference is None:
        reference = look_network(device)
    measures = look(image, content, style, reference)
    row.update(deep=measures.deep_texture, fine=measures.fine_texture, palette=measures.palette,
               scene=measures.scene, noise=measures.noise_ratio, look=bool(measures.passes()))
    row["peak"] = torch.cuda.max_memory_allocated(device) if device.type == "cuda" else peak_rss()
    row["peak kind"] = "max allocated" if device.type == "cuda" else "RSS"
    return row


def reference_child(size: int, iterations: int, device_name: str | None,
                    images_dir: str | None) -> None:
    """Run in a fresh process: ``iterations`` single-scale iterations from the paper's white-noise
    start; print its row, with its loss history, as JSON."""
    model, content, style, device = _quality_problem(size, device_name)
    result = style_transfer(content, style, model=model, size=None, iterations=iterations,
                            progress=False, precision="fp32")
    seconds = result.history.seconds
    row = {"route": f"{size} single scale, fp32, {iterations} iterations (the target)",
           "network route": result.route.describe(),
           "name": f"{size}-reference",
           "reached": seconds[-1], "seconds": seconds[-1], "iterations": result.iterations,
           "loss": result.final_losses["total"], "start loss": result.history.losses[0]["total"],
           "history": [[s, losses["total"]] for s, losses in zip(seconds,
                                                                 result.history.losses)]}
    if len(seconds) > 150:  # per-iteration cost once L-BFGS's history of 100 is full
        row["full-history iteration"] = (seconds[-1] - seconds[120]) / (len(seconds) - 121)
    print(json.dumps(_finish_row(row, result.image, content, style, device, images_dir)))


LOOK_EVERY = 10  # iterations between the images a route keeps for its time to the look
LOOK_TOLERANCE = 0.05  # a route has the reference's look within 5 % of each of its measures
LOOK_GOAL = 0.3  # the goal: the default route has the reference's look in 0.3 of its time


def reference_yardstick(reference: dict) -> Yardstick:
    """The look of the reference's final image as bounds: its deep and fine texture ratios and
    its scene, each within :data:`LOOK_TOLERANCE`."""
    return Yardstick(max_deep_texture=reference["deep"] * (1 + LOOK_TOLERANCE),
                     max_fine_texture=reference["fine"] * (1 + LOOK_TOLERANCE),
                     min_scene=reference["scene"] * (1 - LOOK_TOLERANCE))


def first_look(checkpoints: list[tuple[float, torch.Tensor]], content, style, reference_net,
               yardstick: Yardstick) -> float | None:
    """The seconds of the first checkpoint (seconds, image) whose look meets ``yardstick``."""
    for seconds, image in checkpoints:
        if look(image, content, style, reference_net).passes(yardstick):
            return seconds
    return None


def route_child(size: int, route: str, target: float, cap: int, time_limit: float,
                device_name: str | None, images_dir: str | None, goal: str) -> None:
    """Run in a fresh process: ``route`` from the paper's white-noise start, each coarse level its
    iterations, each finer one from the previous result upsampled; the final level until the
    total loss reaches ``target``, for at most ``cap`` iterations and until the whole route has
    taken ``time_limit`` seconds. Seconds count every level. The final level keeps its image
    every :data:`LOOK_EVERY` iterations; the first of them with the reference's look (``goal``:
    its deep, fine and scene measures, see :func:`reference_yardstick`) is its time to the
    look. Print its row as JSON."""
    model, content, style, device = _quality_problem(size, device_name)
    levels, options = parse_route(route)
    start, spent = "noise", 0.0
    began = time.perf_counter()
    kept: list[tuple[int, torch.Tensor]] = []
    stop = _stop_at(target, began + time_limit)

    def keep_and_stop(iteration, image, values):
        if iteration % LOOK_EVERY == 0:
            kept.append((iteration, image.detach().cpu().clone()))
        stop(iteration, image, values)

    for index, (level_size, iterations) in enumerate(levels):
        final = index == len(levels) - 1
        result = style_transfer(
            content, style, model=model, size=level_size, init=start, progress=False,
            iterations=cap if final else iterations,
            callback=keep_and_stop if final else None, **options)
        if final:
            at = dict(zip(result.history.iterations, result.history.seconds))
            checkpoints = [(spent + at[iteration], image) for iteration, image in kept]
            reach = seconds_to_reach(result.history, target)
            row = {"route": route, "reached": None if reach is None else spent + reach,
                   "seconds": spent + result.history.seconds[-1],
                   "iterations": result.iterations, "loss": result.final_losses["total"],
                   "start loss": result.history.losses[0]["total"],
                   "network route": result.route.describe()}
        spent += result.history.seconds[-1]
        start = result.image
    deep, fine, scene = (float(value) for value in goal.split(","))
    reference_net = look_network(device)
    checkpoints.append((row["seconds"], result.image))
    row["look at"] = first_look(checkpoints, content, style, reference_net,
                                reference_yardstick({"deep": deep, "fine": fine, "scene": scene}))
    print(json.dumps(_finish_row(row, result.image, content, style, device, images_dir,
                                 reference_net)))


def _child_row(arguments: list[str]) -> dict:
    """Run this script with ``arguments`` in a fresh process and return the JSON row it prints."""
    done = subprocess.run([sys.executable, __file__, *arguments], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def time_to_quality(size: int, iterations: int, routes: list[str], time_share: float,
                    device_name: str | None, images_dir: str | None = None) -> list[dict]:
    """Time to quality at ``size``: every route against the loss that ``iterations`` single-scale
    L-BFGS iterations reach from the paper's white-noise start (the target), on one objective
    (Neckarfront × Starry Night, the defaults), each in a fresh process so that its peak memory
    is its own, with the look measures of each final image. A route stops at the target or when
    it has taken ``time_share`` of the reference's seconds. Rows are printed as they finish."""
    try:
        image_path("tubingen"), image_path("starry_night")
    except GatysError:
        print("time to quality: skipped, the paper's images are not available "
              "(set GATYS_DATA or run `make data`)")
        return []
    device = ["--device", device_name] if device_name else []
    device += ["--images", images_dir] if images_dir else []
    reference = _child_row(["--reference-child", str(size), "--quality-iterations",
                            str(iterations), *device])
    if "error" in reference:
        print(f"time to quality at {size} px: the reference failed: {reference['error']}")
        return []
    target, limit = reference["loss"], time_share * reference["seconds"]
    goal = f"{reference['deep']!r},{reference['fine']!r},{reference['scene']!r}"
    print(f"time to quality at {size} px: Neckarfront × Starry Night, the defaults (α/β "
          f"{defaults.RATIO:g}, {defaults.CONVENTION}, white-noise start), target = the loss of "
          f"{iterations} single-scale iterations, {target:.4g}; a route stops at the target or "
          f"after {time_share:g} of the reference's time ({limit:.0f} s); each in a fresh process")
    print(f"  {'route':<44} {'to the target':>14} {'of the reference':>16} {'iterations':>10} "
          f"{'loss ÷ target':>13} {'single scale then':>17} {'last level from':>15} "
          f"{'to the look':>11} {'of the ref.':>11} "
          f"{'deep':>5} {'fine':>5} {'scene':>6} {'noise×':>6} {'look':>4} {'peak':>9}")
    rows = [reference]
    _print_quality_row(reference, reference)
    for route in routes:
        row = _child_row(["--route-child", str(size), "--route", route, "--target", repr(target),
                          "--time-limit", repr(limit), "--quality-iterations", str(iterations),
                          "--look-goal", goal, *device])
        if "error" in row:
            print(f"  {route:<44} failed: {row['error']}", flush=True)
            continue
        # The single-scale run's loss at the route's wall time: a route that misses the target
        # may still be ahead of it.
        row["single at that time"] = next(
            (loss for seconds, loss in reversed(reference["history"]) if seconds <= row["seconds"]),
            reference["history"][0][1])
        _print_quality_row(row, reference)
        rows.append(row)
    default = next((row for row in rows if row["route"] == str(size)), None)
    if default is not None:
        share = (None if default.get("look at") is None
                 else default["look at"] / reference["seconds"])
        print(f"  the default route ({size}: {default['network route']}) reaches the reference's "
              f"look (each measure within {LOOK_TOLERANCE:.0%}) in "
              + ("no time it had" if share is None else f"{share:.2f} of the reference's time")
              + f"; goal {LOOK_GOAL:g}", flush=True)
    if "full-history iteration" in reference:
        print(f"  single-scale iteration with a full history (iterations 120 to {iterations}): "
              f"{reference['full-history iteration']:.3f} s")
    return rows


def _print_quality_row(row: dict, reference: dict) -> None:
    target = reference["loss"]
    reached = "not reached" if row["reached"] is None else f"{row['reached']:.0f} s"
    share = "" if row["reached"] is None else f"{row['reached'] / reference['seconds']:.2f}"
    # The reference has its own look at its end, by definition.
    look_at = row.get("look at", reference["seconds"] if row is reference else None)
    to_look = "not reached" if look_at is None else f"{look_at:.0f} s"
    look_share = "" if look_at is None else f"{look_at / reference['seconds']:.2f}"
    then = row.get("single at that time")
    then = "" if then is None else f"{then / target:.3f}"
    print(f"  {row['route']:<44} {reached:>14} {share:>16} {row['iterations']:>10} "
          f"{row['loss'] / target:>13.3f} {then:>17} {row['start loss'] / target:>15.2f} "
          f"{to_look:>11} {look_share:>11} "
          f"{row['deep']:>5.2f} {row['fine']:>5.2f} {row['scene']:>6.3f} {row['noise']:>6.2f} "
          f"{'yes' if row['look'] else 'no':>4} {row['peak'] / 2**30:>5.2f} GiB", flush=True)


# Routes to the target per final size (see parse_route): the single scale itself in the default
# route (precision and layout auto), stopped at the target or the time limit (its look at that
# time); a coarse-to-fine pyramid (the fastest of the pyramids compared at 512 px in an earlier
# bench); the single scale with a shorter L-BFGS history (at 1024 px the history of 100 does not
# fit the 4 GiB goal); and the single scale in bfloat16 (where the device computes it).
ROUTES = {
    512: ["512", "128:200,256:100,512", "512/h20", "512/bf16"],
    1024: ["256:200,512:100,1024/h20", "1024/h20"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[256, 512, 1024],
                        help="sizes of the per-iteration floor")
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--tutorial-sizes", type=int, nargs="*", default=[256, 512],
                        help="sizes of the compute-limit and tutorial comparison")
    parser.add_argument("--memory-sizes", type=int, nargs="*", default=[512, 1024])
    parser.add_argument("--memory-iterations", type=int, default=3)
    parser.add_argument("--device")
    parser.add_argument("--quality-sizes", type=int, nargs="*", default=[512, 1024],
                        help="time-to-quality sizes, each in a fresh process (none skips)")
    parser.add_argument("--quality-iterations", type=int, default=500,
                        help="single-scale iterations whose loss is the target")
    parser.add_argument("--routes", nargs="*", default=None,
                        help='routes to the target, e.g. "256:200,512" (default: ROUTES of '
                             'each size); a route is run at the size it ends at')
    parser.add_argument("--route-time-share", type=float, default=0.5,
                        help="a route stops after this share of the reference's time "
                             "(default 0.5, the goal: at most half the reference's time)")
    parser.add_argument("--images", default="build/bench/images",
                        help="folder for each time-to-quality route's final image ('' skips)")
    parser.add_argument("--variants-size", type=int, default=256,
                        help="size of the speed-up comparison (0 skips it)")
    parser.add_argument("--precision-pairs", nargs="*", default=[",".join(pair) for pair in
                                                                   precision.PAIRS],
                        help='pairs "content,style" of the precision table (none skips it)')
    parser.add_argument("--precision-size", type=int, default=512)
    parser.add_argument("--precision-iterations", type=int, default=500)
    parser.add_argument("--precision-force", action="store_true",
                        help="run bfloat16 even where it is emulated (slow)")
    parser.add_argument("--precision-child", help=argparse.SUPPRESS)
    parser.add_argument("--precision", help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--reference-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--route-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--route", help=argparse.SUPPRESS)
    parser.add_argument("--target", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--time-limit", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--look-goal", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        peak_memory_child(args.memory_child, args.iterations, args.device)
        return
    if args.reference_child:
        reference_child(args.reference_child, args.quality_iterations, args.device, args.images)
        return
    if args.precision_child:
        precision.precision_child(args.precision_child, args.precision_size,
                                  args.precision_iterations, args.precision, args.device,
                                  args.images or "build/bench/images")
        return
    if args.route_child:
        route_child(args.route_child, args.route, args.target, args.quality_iterations,
                    args.time_limit, args.device, args.images, args.look_goal)
        return

    device = resolve_device(args.device)
    model = network(device)
    source = model.spec.description
    if model.spec.source == "random" and parse_model().source != "random":
        source += " (no weights available; timing is the same)"
    layers = list(dict.fromkeys([*defaults.CONTENT_LAYERS, *defaults.STYLE_LAYERS]))
    print(f"machine: {describe_machine(device)}")
    print(f"network: {source}; layers {', '.join(layers)}")
    peak, matmul_n = matmul_gflops(device, args.repeats)
    print(f"compute limit: {peak:.0f} GFLOP/s (float32 {matmul_n}x{matmul_n} matrix multiply)")
    floors = {size: floor(model, size, layers, args.repeats, args.iterations, device)
              for size in args.sizes}
    if floors:
        print()
        print_floor(list(floors.values()))
    if args.tutorial_sizes:
        print()
        print(f"{'size':>6} {'bare fwd+bwd':>13} {'GFLOP/s':>8} {'of limit':>8} "
              f"{'tutorial s/evaluation':>22} {'÷ ours s/iteration':>19}")
    for size in args.tutorial_sizes:
        measured = floors.get(size) or floor(model, size, layers, args.repeats, args.iterations,
                                             device)  # the same pass and iteration, timed once
        bare, iteration = measured["bare"], measured["iteration"]
        gflops = bare_pass_flops(model, size, layers, device) / bare / 1e9
        tutorial = tutorial_seconds(model, size, layers, args.iterations, device)
        print(f"{size:>4}px {bare:>11.3f} s {gflops:>8.0f} {gflops / peak:>8.0%} "
              f"{tutorial:>20.3f} s {tutorial / iteration:>19.2f}", flush=True)
    if args.precision_pairs:
        print()
        precision.precision_table(args.precision_pairs, args.precision_size,
                                  args.precision_iterations, args.device,
                                  args.images or "build/bench/images", args.precision_force)
    if args.variants_size:
        print()
        variants(model, args.variants_size, layers, args.repeats, device)
    if args.memory_sizes:
        print()
        print(f"peak memory of {args.memory_iterations} iterations, each size in a fresh process; "
              f"the run's share is the peak less the process with its network loaded")
        print(f"{'size':>6} {'peak memory':>12} {'of it, the run':>14} {'estimate':>9} "
              f"{'projected with a full L-BFGS history':>38}")
        for size in args.memory_sizes:
            record = peak_memory(size, args.memory_iterations, device)
            if "error" in record:
                print(f"{size:>4}px  failed: {record['error']}", flush=True)
                continue
            run = record["peak"] - record["baseline"]
            full = record["peak"] + record["unfilled history"]
            print(f"{size:>4}px {record['peak'] / 2**30:>8.2f} GiB {run / 2**30:>10.2f} GiB "
                  f"{record['estimate'] / 2**30:>5.2f} GiB {full / 2**30:>34.2f} GiB   "
                  f"({record['kind']})", flush=True)

    # The longest part last, so that a run cut short still has the others.
    for size in args.quality_sizes:
        print()
        routes = [route for route in (args.routes or ROUTES.get(size, []))
                  if parse_route(route)[0][-1][0] == size]
        emulated = [r for r in routes if parse_route(r)[1].get("precision") == "bf16"
                    and not bf16_supported(device)]
        if emulated:
            print(f"time to quality at {size} px: {', '.join(emulated)} skipped: no bfloat16 "
                  f"arithmetic on this {device.type} (emulated, many times slower)")
            routes = [r for r in routes if r not in emulated]
        sys.stdout.flush()
        time_to_quality(size, args.quality_iterations, routes, args.route_time_share,
                        args.device, args.images)


if __name__ == "__main__":
    main()
