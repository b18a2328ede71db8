"""How much memory a synthesis needs, estimated before it starts, so a size that cannot fit fails
at once with a suggestion instead of after minutes (or by the system killing the process).

The estimate counts what dominates: every feature map of the truncated network, kept for the
backward pass, and as much again for the gradients flowing back; the network's weights; and the
optimiser's state (L-BFGS keeps 2 × history vectors of the image's size). It is checked against
`make bench`'s measured peak (see the README).
"""

from __future__ import annotations

from collections.abc import Sequence

import psutil
import torch
from torch import nn

from gatys.core import defaults
from gatys.io.errors import GatysError
from gatys.core.vgg import VGGFeatures

FLOAT_BYTES = 4


class ResourceError(GatysError, MemoryError):
    """The run would need more memory than the device has free."""


def estimate_bytes(model: VGGFeatures, layers: Sequence[str], height: int, width: int,
                   batch: int = 1, lbfgs_history: int = defaults.HISTORY_SIZE) -> int:
    """Approximate peak bytes of a synthesis of a ``height`` × ``width`` image up to ``layers``."""
    if hasattr(model, "activation_elements"):  # a feature model that is not VGG counts its own
        activations = model.activation_elements(layers, height, width)
        parameters = sum(parameter.numel() for parameter in model.parameters())
    else:
        activations, parameters = _vgg_activations(model, layers, height, width)
    image = 3 * height * width
    optimiser = (2 * lbfgs_history + 8) * image  # L-BFGS memory, gradient, cache, last good image
    return FLOAT_BYTES * (2 * batch * activations + parameters + batch * optimiser)


def _vgg_activations(model: VGGFeatures, layers: Sequence[str], height: int,
                     width: int) -> tuple[int, int]:
    """Feature-map floats of the truncated VGG for one image, and its parameter count."""
    deepest = max(model.names.index(layer) for layer in layers)
    activations, h, w, parameters = 0, height, width, 0
    for module in model.features[: deepest + 1]:
        if isinstance(module, nn.Conv2d):
            channels = module.out_channels
            parameters += module.weight.numel() + module.bias.numel()
        elif isinstance(module, (nn.AvgPool2d, nn.MaxPool2d)):
            h, w = h // 2, w // 2
        activations += channels * h * w
    return activations, parameters


def available_bytes(device: torch.device) -> int | None:
    """Free memory on ``device`` (None where it cannot be read, e.g. MPS)."""
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    if device.type == "cpu":
        return psutil.virtual_memory().available
    return None


def check_fits(model: VGGFeatures, layers: Sequence[str], height: int, width: int,
               batch: int = 1, lbfgs_history: int = defaults.HISTORY_SIZE) -> int:
    """Raise :class:`ResourceError` with the estimate and a size that fits; return the estimate."""
    device = next(model.parameters()).device
    needed = estimate_bytes(model, layers, height, width, batch, lbfgs_history)
    free = available_bytes(device)
    if free is None or needed <= 0.9 * free:
        return needed
    long_side = max(height, width)
    fitting = long_side
    while fitting > 16 and estimate_bytes(model, layers, height * fitting // long_side,
                                          width * fitting // long_side, batch,
                                          lbfgs_history) > 0.9 * free:
        fitting = int(fitting * 0.9)
    raise ResourceError(
        f"a {width}×{height} px synthesis needs about {needed / 2**30:.1f} GiB on {device}, but "
        f"only {free / 2**30:.1f} GiB are free; use a long side of at most {fitting} px "
        f"(--size {fitting}), a shorter L-BFGS history (--history-size), or a device with more "
        f"memory"
    )
