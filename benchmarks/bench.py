"""`make bench`: the cost of style transfer against the machine's limits, measured in one run.

1. Per-iteration time of a transfer divided by one bare forward+backward pass of the same
   truncated VGG at the same size (an L-BFGS iteration needs at least one): the floor.
2. That bare pass's throughput in GFLOP/s (FLOPs counted by torch.utils.flop_counter) against a
   large float32 matrix multiply on the same device: how close the floor is to the compute limit.
3. The same transfer written the PyTorch tutorial's way (benchmarks/tutorial_reference.py):
   seconds per loss evaluation, against gatys's seconds per iteration.
4. Time to quality: the single-scale recipe (white noise, L-BFGS, 500 iterations) against
   coarse-to-fine on the paper's images, both scored by the same loss at the same size.
5. What else we tried on the bare pass (NCHW instead of the default channels-last, one thread,
   torch.compile, a batch of four panels in one pass), as ratios to the default pass measured
   beside it: kept only where the numbers say so.
6. Peak memory of a run at each --memory-sizes (RSS on a CPU, max allocated on a GPU), each in a
   fresh process, beside gatys.io.memory's estimate.

All timings are medians within this run, so ratios compare across machines; absolute seconds do
not. The network comes from the usual settings (GATYS_MODEL / GATYS_WEIGHTS / GATYS_DEVICE);
timing does not depend on the weights' values, so without weights the benchmark uses random
weights of the same architecture.

Usage: python benchmarks/bench.py [--sizes 256 512] [--memory-sizes 512 1024] [--iterations 10]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil
import torch
from torch.utils.flop_counter import FlopCounterMode

from gatys.io.errors import GatysError, WeightsError
from gatys.io.data import image_path, load_paper_image
from gatys.io.memory import estimate_bytes
from gatys.core.normalisation import normalised_vgg
from gatys.controls.pyramid import coarse_to_fine, finest_level, seconds_to_reach
from gatys.io.settings import resolve_device
from gatys.core import defaults
from gatys.core.start import uniform_noise
from gatys.core.transfer import style_transfer
from gatys.io.weights import load_vgg, parse_model

sys.path.insert(0, str(Path(__file__).resolve().parent))
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


def iteration_seconds(model, size: int, iterations: int, device) -> tuple[float, float]:
    """Median seconds per L-BFGS iteration (after the first two) and passes per iteration."""
    content = uniform_noise((1, 3, size, size), seed=1)
    style = uniform_noise((1, 3, size, size), seed=2)
    result = style_transfer(content, style, model=model, size=None, ratio=1e-3,
                            iterations=iterations + 2, progress=False)
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


def peak_memory_child(size: int, iterations: int, device_name: str | None) -> None:
    """Run in a fresh process: a transfer at ``size``, then print the peak memory as JSON."""
    device = resolve_device(device_name)
    try:
        model = load_vgg(device=device)
    except WeightsError:
        model = load_vgg(f"{parse_model().arch}-random", device=device)
    content = uniform_noise((1, 3, size, size), seed=1)
    style = uniform_noise((1, 3, size, size), seed=2)
    baseline = psutil.Process().memory_info().rss if device.type != "cuda" else 0
    style_transfer(content, style, model=model, size=None, iterations=iterations,
                   progress=False)
    if device.type == "cuda":
        peak = torch.cuda.max_memory_allocated(device)
    else:  # ru_maxrss is in KiB on Linux
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
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
    print(f"what else we tried, bare forward+backward at {size} px (ratio < 1 is faster):")
    for name, seconds in rows:
        print(f"  {name:<38} {seconds:>7.3f} s {seconds / plain:>6.2f}", flush=True)


def _stop_at(target: float):
    """A synthesis callback that ends the run (as Ctrl-C would) once the loss is <= ``target``."""
    def callback(iteration, image, values):
        if values["total"] <= target:
            raise KeyboardInterrupt
    return callback


def time_to_quality(model, size: int, iterations: int, pipeline: dict, data_ok: bool) -> None:
    """The usual single-scale recipe from white noise against two faster routes to its loss.

    All three optimise the same objective (the default convention, α/β = 1e-3, the network
    normalised over the two images) and are scored by it at ``size``: the single-scale runs'
    histories are at that size, and the coarse-to-fine pipeline's last level is too. The target
    is the noise run's final loss; the content start stops as soon as it reaches it.
    """
    if not data_ok:
        print("time to quality: skipped, the paper's images are not available "
              "(set GATYS_DATA or run `make data`)")
        return
    content = load_paper_image("tubingen", size=size)
    style = load_paper_image("starry_night", size=size)
    model = normalised_vgg(model, [content, style])
    single = style_transfer(content, style, model=model, size=None, iterations=iterations,
                            progress=False)
    target = single.final_losses["total"]
    seconds = single.history.seconds[-1]
    print(f"time to quality at {size} px (Neckarfront × Starry Night, normalised network, "
          f"default convention, α/β = 1e-3, L-BFGS):")
    print(f"  white noise, single scale, {iterations} iterations: {seconds:.0f} s, "
          f"final loss {target:.4g} (the target)", flush=True)
    from_content = style_transfer(content, style, model=model, size=None, init="content",
                                  iterations=iterations, progress=False,
                                  callback=_stop_at(target))
    reach = seconds_to_reach(from_content.history, target)
    print(f"  content start, single scale: "
          + (f"reached the target after {from_content.iterations} iterations, {reach:.0f} s: "
             f"{reach / seconds:.2f} of the noise run's time" if reach is not None else
             f"did not reach the target in {iterations} iterations "
             f"(final loss {from_content.final_losses['total']:.4g})"), flush=True)
    ladder = coarse_to_fine(content, style, model=model, size=size, progress=False, **pipeline)
    before_finest = sum(level["seconds"] for level in ladder.levels[:-1])
    reach = seconds_to_reach(finest_level(ladder.history, ladder.levels), target)
    sizes = " → ".join(str(max(level["size"])) for level in ladder.levels)
    print(f"  white noise, coarse-to-fine {sizes} px ({pipeline['iterations']} + "
          f"{pipeline['refine_iterations']} per finer level): {ladder.history.seconds[-1]:.0f} s "
          f"({before_finest:.0f} s below {size} px), final loss {ladder.final_losses['total']:.4g}"
          f" ({ladder.final_losses['total'] / target:.2f} of the target); "
          + (f"reached the target after {reach:.0f} s: {reach / seconds:.2f} of the noise run's "
             f"time" if reach is not None else "did not reach the target"), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[256, 512])
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--memory-sizes", type=int, nargs="*", default=[512, 1024])
    parser.add_argument("--memory-iterations", type=int, default=3)
    parser.add_argument("--device")
    parser.add_argument("--quality-size", type=int, default=None,
                        help="time-to-quality size (default 512 on a GPU, 256 on a CPU; 0 skips)")
    parser.add_argument("--quality-iterations", type=int, default=500)
    parser.add_argument("--variants-size", type=int, default=256,
                        help="size of the speed-up comparison (0 skips it)")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        peak_memory_child(args.memory_child, args.iterations, args.device)
        return

    device = resolve_device(args.device)
    try:
        model = load_vgg(device=device)
        source = model.spec.description
    except WeightsError:
        arch = parse_model().arch
        model = load_vgg(f"{arch}-random", device=device)
        source = f"{model.spec.description} (no weights available; timing is the same)"
    layers = list(dict.fromkeys([*defaults.CONTENT_LAYERS, *defaults.STYLE_LAYERS]))
    print(f"machine: {describe_machine(device)}")
    print(f"network: {source}; layers {', '.join(layers)}")
    peak, matmul_n = matmul_gflops(device, args.repeats)
    print(f"compute limit: {peak:.0f} GFLOP/s (float32 {matmul_n}x{matmul_n} matrix multiply)")
    print()
    if args.sizes:
        print(f"{'size':>6} {'bare fwd+bwd':>13} {'iteration':>10} {'ratio':>6} {'passes/iter':>11} "
              f"{'GFLOP/s':>8} {'of limit':>8} {'tutorial/eval':>13} {'tutorial/ours':>14}")
    for size in args.sizes:
        bare = bare_pass_seconds(model, size, layers, args.repeats, device)
        gflops = bare_pass_flops(model, size, layers, device) / bare / 1e9
        iteration, passes = iteration_seconds(model, size, args.iterations, device)
        tutorial = tutorial_seconds(model, size, layers, args.iterations, device)
        print(f"{size:>4}px {bare:>11.3f} s {iteration:>8.3f} s {iteration / bare:>6.2f} "
              f"{passes:>11.2f} {gflops:>8.0f} {gflops / peak:>8.0%} {tutorial:>11.3f} s "
              f"{tutorial / iteration:>14.2f}", flush=True)
    quality_size = args.quality_size
    if quality_size is None:
        quality_size = 512 if device.type == "cuda" else 256
    if quality_size:
        print()
        try:
            image_path("tubingen"), image_path("starry_night")
            data_ok = True
        except GatysError:
            data_ok = False
        time_to_quality(model, quality_size, args.quality_iterations,
                        {"smallest": 128, "iterations": 300, "refine_iterations": 100}, data_ok)
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


if __name__ == "__main__":
    main()
