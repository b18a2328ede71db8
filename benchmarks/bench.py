"""`make bench`: the cost of one style-transfer iteration against its physical floor.

The floor is one bare forward+backward pass of the same truncated VGG at the same size (an
L-BFGS iteration needs at least one). Both are timed in the same run on the same machine, and the
ratio is what to compare across machines. The network comes from the usual settings
(GATYS_MODEL / GATYS_WEIGHTS / GATYS_DEVICE); timing does not depend on the weights' values, so
without weights the benchmark falls back to random weights of the same architecture.

Usage: python benchmarks/bench.py [--sizes 256 512] [--iterations 10] [--repeats 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import torch

from gatys.errors import WeightsError
from gatys.settings import resolve_device
from gatys.synthesis import noise_image
from gatys.transfer import DEFAULT_CONTENT_LAYERS, DEFAULT_STYLE_LAYERS, style_transfer
from gatys.weights import load_vgg, parse_model


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
    image = noise_image((1, 3, size, size), seed=0, device=device).requires_grad_(True)
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
    content = noise_image((1, 3, size, size), seed=1)
    style = noise_image((1, 3, size, size), seed=2)
    result = style_transfer(content, style, model=model, size=None, ratio=1e-3,
                            iterations=iterations + 2, progress=False)
    seconds = result.history.seconds
    per_iteration = [b - a for a, b in zip(seconds[2:], seconds[3:])]
    evaluations = result.history.evaluations
    passes = (evaluations[-1] - evaluations[2]) / max(1, len(evaluations) - 3)
    return statistics.median(per_iteration), passes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512])
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device")
    args = parser.parse_args()

    device = resolve_device(args.device)
    try:
        model = load_vgg(device=device)
        source = model.spec.description
    except WeightsError:
        arch = parse_model().arch
        model = load_vgg(f"{arch}-random", device=device)
        source = f"{model.spec.description} (no weights available; timing is the same)"
    layers = list(dict.fromkeys([*DEFAULT_CONTENT_LAYERS, *DEFAULT_STYLE_LAYERS]))
    print(f"machine: {describe_machine(device)}")
    print(f"network: {source}; layers {', '.join(layers)}")
    print(f"{'size':>6} {'bare fwd+bwd':>14} {'iteration':>12} {'ratio':>7} {'passes/iter':>12}")
    for size in args.sizes:
        bare = bare_pass_seconds(model, size, layers, args.repeats, device)
        iteration, passes = iteration_seconds(model, size, args.iterations, device)
        print(f"{size:>4}px {bare:>12.3f} s {iteration:>10.3f} s {iteration / bare:>7.2f} "
              f"{passes:>12.2f}", flush=True)


if __name__ == "__main__":
    main()
