"""How much memory a run needs, estimated before it starts, so a size that cannot fit fails at
once with a size that does, instead of after minutes (or by the system killing the process).

Three phases of a run each have their peak, and the largest decides:

- decoding the input files at their full size (uint8, then float32, then the resized copy);
- the normalisation pass (:mod:`gatys.core.normalisation`): one forward pass per image without
  gradients that keeps every ReLU's output, to average it;
- the synthesis: every feature map of the truncated network, kept for the backward pass, and as
  much again for the gradients flowing back; the network's weights; the optimiser's state
  (L-BFGS keeps 2 × history vectors of the image's size).

The arithmetic needs only the architecture (:mod:`gatys.core.architecture`), not torch, so the
command line checks a run before it imports torch. It errs on the safe side: `/usr/bin/time -f
%M gatys transfer tubingen.jpg starry_night.jpg --size N --iterations 3` (VGG-16, CPU, the
L-BFGS history not yet full) peaked at 1.26 GiB at 512 px (estimate 1.32 GiB, of which 0.47 is
the full history) and 2.59 GiB at 1024 px (estimate 5.16 GiB, 1.9 the history); `make bench`
measures the peak of whole runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import psutil

from gatys.core import architecture, defaults
from gatys.io.errors import GatysError

if TYPE_CHECKING:
    import torch

FLOAT_BYTES = 4
DECODE_BYTES_PER_PIXEL = 3 * (1 + 1 + FLOAT_BYTES + FLOAT_BYTES)  # PIL, numpy, float, resized
HEADROOM = 0.9  # of the free memory a run may plan to use


class ResourceError(GatysError, MemoryError):
    """The run would need more memory than the device has free."""


def synthesis_bytes(arch: str, layers: Sequence[str], height: int, width: int, batch: int = 1,
                    lbfgs_history: int = defaults.HISTORY_SIZE) -> int:
    """Approximate peak bytes of a synthesis of a ``height`` × ``width`` image up to ``layers``."""
    names = architecture.layer_names(arch)
    deepest = max(architecture.validate_layers(layers, arch), key=names.index)
    activations = architecture.activation_elements(arch, deepest, height, width)
    parameters = architecture.parameter_count(arch, deepest)
    return _synthesis(activations, parameters, height, width, batch, lbfgs_history)


def _synthesis(activations: int, parameters: int, height: int, width: int, batch: int,
               lbfgs_history: int) -> int:
    image = 3 * height * width
    optimiser = (2 * lbfgs_history + 8) * image  # L-BFGS memory, gradient, cache, last good image
    return FLOAT_BYTES * (2 * batch * activations + parameters + batch * optimiser)


def normalisation_bytes(arch: str, height: int, width: int) -> int:
    """Peak bytes of the normalisation pass over one ``height`` × ``width`` image: every ReLU
    output of the whole network at once, the largest layer once more, and the weights."""
    shapes = architecture.layer_shapes(arch)
    relus = sum(channels * (height // factor) * (width // factor)
                for name, channels, factor in shapes if name.startswith("relu"))
    largest = max(channels * (height // factor) * (width // factor)
                  for _, channels, factor in shapes)
    return FLOAT_BYTES * (relus + largest + architecture.parameter_count(arch, shapes[-1][0]))


def run_bytes(arch: str, layers: Sequence[str], content: tuple[int, int],
              styles: Sequence[tuple[int, int]], *, normalise: bool, source_pixels: int = 0,
              lbfgs_history: int = defaults.HISTORY_SIZE) -> int:
    """Peak bytes of a whole run: the largest of decoding (``source_pixels``: the largest input
    file's pixel count), the normalisation pass over the content and the styles (when
    ``normalise``) and the synthesis at ``content`` = (height, width)."""
    peaks = [DECODE_BYTES_PER_PIXEL * source_pixels,
             synthesis_bytes(arch, layers, *content, lbfgs_history=lbfgs_history)]
    if normalise:
        peaks += [normalisation_bytes(arch, *shape) for shape in (content, *styles)]
    return max(peaks)


def estimate_bytes(model, layers: Sequence[str], height: int, width: int, batch: int = 1,
                   lbfgs_history: int = defaults.HISTORY_SIZE) -> int:
    """:func:`synthesis_bytes` for a :class:`~gatys.core.features.FeatureModel`, which counts
    its own activations and weights."""
    return _synthesis(model.activation_elements(layers, height, width),
                      model.parameter_elements(layers), height, width, batch, lbfgs_history)


def available_bytes(device: str | torch.device) -> int | None:
    """Free memory on ``device`` (None where it cannot be read, e.g. MPS)."""
    kind = device if isinstance(device, str) else device.type
    if kind.startswith("cuda"):
        import torch  # only a CUDA device needs torch to say what is free

        return torch.cuda.mem_get_info(device)[0]
    if kind == "cpu":
        return psutil.virtual_memory().available
    return None


def largest_fitting(needed: Callable[[int], int], size: int, free: float) -> int:
    """The largest long side up to ``size`` whose ``needed(side)`` fits in ``free`` (with the
    headroom), found by bisection (the need grows with the side); at least 16."""
    low, high = 16, size  # needed(low) is taken to fit; below 16 px no VGG layer set works
    while low < high:
        middle = (low + high + 1) // 2
        if needed(middle) <= HEADROOM * free:
            low = middle
        else:
            high = middle - 1
    return low


def refuse_unless_fits(needed: Callable[[int], int], size: int, shape: tuple[int, int],
                       device: str | torch.device) -> int:
    """Raise :class:`ResourceError` unless ``needed(size)`` bytes fit on ``device``, with the
    estimate and the largest long side that fits; return the estimate. ``shape`` = (height,
    width) at ``size``, for the message."""
    estimate = needed(size)
    free = available_bytes(device)
    if free is None or estimate <= HEADROOM * free:
        return estimate
    fitting = largest_fitting(needed, size, free)
    raise ResourceError(
        f"a {shape[1]}×{shape[0]} px run needs about {estimate / 2**30:.1f} GiB on {device}, "
        f"but only {free / 2**30:.1f} GiB are free; use a long side of at most {fitting} px "
        f"(--size {fitting}), a shorter L-BFGS history (--history-size), or a device with more "
        f"memory"
    )


def check_fits(model, layers: Sequence[str], height: int, width: int, batch: int = 1,
               lbfgs_history: int = defaults.HISTORY_SIZE) -> int:
    """Raise :class:`ResourceError` with the estimate and a size that fits; return the estimate."""
    device = next(model.parameters()).device
    long_side = max(height, width)

    def needed(side: int) -> int:
        return estimate_bytes(model, layers, height * side // long_side,
                              width * side // long_side, batch, lbfgs_history)

    return refuse_unless_fits(needed, long_side, (height, width), device)


def check_run_fits(arch: str, layers: Sequence[str], content: tuple[int, int],
                   styles: Sequence[tuple[int, int]], device: str | torch.device, *,
                   normalise: bool, source_pixels: int = 0,
                   lbfgs_history: int = defaults.HISTORY_SIZE) -> int:
    """:func:`refuse_unless_fits` for a whole run (:func:`run_bytes`): a smaller size scales the
    content and the styles alike; return the estimate."""
    long_side = max(content)

    def scaled(shape: tuple[int, int], side: int) -> tuple[int, int]:
        return max(1, shape[0] * side // long_side), max(1, shape[1] * side // long_side)

    def needed(side: int) -> int:
        return run_bytes(arch, layers, scaled(content, side),
                         [scaled(shape, side) for shape in styles], normalise=normalise,
                         source_pixels=source_pixels, lbfgs_history=lbfgs_history)

    return refuse_unless_fits(needed, long_side, content, device)
