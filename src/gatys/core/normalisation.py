"""The paper's normalised network: every channel's mean activation rescaled to 1.

"We normalized the network by scaling the weights such that the mean activation of each
convolutional filter over images and positions is equal to one. Such re-scaling can be done for
the VGG network without changing its output, because it contains only rectifying linear
activation functions and no normalization or pooling over feature maps." (Gatys et al.)

Recipe (exact, because ReLU and average or max pooling commute with a positive per-channel
scale): measure m_l[c], the mean post-ReLU activation of channel c of conv layer l over a set of
images and positions; then, going up the layers, multiply layer l's weights on input channel c by
m_{l-1}[c] (undoing the previous layer's rescaling) and divide its output channel c, weights and
bias, by m_l[c]. A channel that never fires on the images (m ≈ 0) keeps its scale.

Deviation from the paper, stated: the authors measured over ImageNet; we measure over the images
at hand (the paper's six in the notebooks, the photograph and the paintings on the command line)
with the pooling the run uses. The means are cached on disk, keyed by the weights, pooling,
convention and images, so they are computed once.

A few images leave some channels nearly silent, and dividing by their tiny mean gives them a
gain ImageNet's means never would (thousands of times the layer's median gain at relu5_1 over
two images), which the uniform style weights then let dominate the objective. So a channel's
scale is never taken below 1/:data:`GAIN_LIMIT` of its layer's median mean activation
(:func:`channel_scales`); the probe that chose the limit is ``benchmarks/recipe_probe.py``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

import torch
from torch import nn

from gatys.core.vgg import VGGFeatures
from gatys.io.files import remove_stale_temporaries, write_atomic
from gatys.io.settings import cache_dir

DEAD_CHANNEL = 1e-8
# A channel's gain is at most this many times its layer's median gain (see the module docstring).
GAIN_LIMIT = 10.0


def _relu_after(model: VGGFeatures) -> list[str]:
    return [name.replace("conv", "relu") for name in model.names if name.startswith("conv")]


def channel_means(model: VGGFeatures, images: Sequence[torch.Tensor]) -> dict[str, torch.Tensor]:
    """m_l: each conv layer's mean post-ReLU activation per channel, over images and positions.

    Each image counts equally whatever its size. Returns {"relu1_1": (64,), ...} on the CPU.
    """
    if not images:
        raise ValueError("channel_means needs at least one image")
    layers = _relu_after(model)
    device = next(model.parameters()).device
    totals = {layer: torch.zeros(model.channels(layer), dtype=torch.float64) for layer in layers}
    with torch.no_grad():
        for image in images:
            features = model(image.to(device), layers)
            for layer in layers:
                totals[layer] += features[layer].mean(dim=(0, 2, 3)).double().cpu()
            del features  # before the next image's pass, which would otherwise hold both
    return {layer: (total / len(images)).float() for layer, total in totals.items()}


def channel_scales(means: torch.Tensor, gain_limit: float | None = GAIN_LIMIT) -> torch.Tensor:
    """The divisor of each channel of one layer: its mean activation m_c, but at least
    median(m) / ``gain_limit`` (None: no limit); a dead channel (m < 1e-8) keeps its scale."""
    dead = means < DEAD_CHANNEL
    scale = means.clone()
    if gain_limit is not None and not dead.all():
        scale = scale.clamp_min(float(means[~dead].median()) / gain_limit)
    scale[dead] = 1.0
    return scale


def normalise(model: VGGFeatures, means: dict[str, torch.Tensor],
              gain_limit: float | None = GAIN_LIMIT) -> VGGFeatures:
    """A copy of ``model`` whose every channel has mean activation 1 on the measured images
    (channels whose gain would exceed ``gain_limit`` times the layer's median: less)."""
    normalised = model.normalised_copy()
    convs = [module for module in normalised.features if isinstance(module, nn.Conv2d)]
    previous = torch.ones(3)
    with torch.no_grad():
        for conv, layer in zip(convs, _relu_after(model)):
            scale = channel_scales(means[layer], gain_limit)
            device = conv.weight.device
            conv.weight.mul_((previous.view(1, -1, 1, 1) / scale.view(-1, 1, 1, 1)).to(device))
            conv.bias.div_(scale.to(device))
            previous = scale
    return normalised


def fingerprint(model: VGGFeatures, images: Sequence[torch.Tensor]) -> str:
    """A key that changes with the weights, the architecture, pooling, convention or images."""
    digest = hashlib.sha256()
    digest.update(f"{model.arch}|{model.pooling}|{model.convention.name}".encode())
    for tensor in [*model.state_dict().values(), *images]:
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:20]


def normalised_vgg(
    model: VGGFeatures,
    images: Sequence[torch.Tensor],
    cache: str | os.PathLike | None = None,
    gain_limit: float | None = GAIN_LIMIT,
) -> VGGFeatures:
    """``model`` normalised over ``images``, with the channel means cached on disk."""
    path = cache_dir(cache) / "channel-means" / f"{fingerprint(model, images)}.pt"
    means = None
    if path.is_file():
        try:
            means = torch.load(path, map_location="cpu", weights_only=True)
        except Exception:  # noqa: BLE001 - a damaged cache entry is recomputed
            means = None
    if means is None:
        means = channel_means(model, images)
        remove_stale_temporaries(path.parent)
        write_atomic(path, lambda temp: torch.save(means, temp))
    return normalise(model, means, gain_limit)
