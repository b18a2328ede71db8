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
at hand (the paper's six in the notebooks) with the pooling the run uses. The means are cached on
disk, keyed by the weights, pooling, convention and images, so they are computed once.
"""

from __future__ import annotations

import copy
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from gatys.core.vgg import VGGFeatures
from gatys.io.settings import cache_dir

DEAD_CHANNEL = 1e-8


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
    return {layer: (total / len(images)).float() for layer, total in totals.items()}


def normalise(model: VGGFeatures, means: dict[str, torch.Tensor]) -> VGGFeatures:
    """A copy of ``model`` whose every channel has mean activation 1 on the measured images."""
    normalised = copy.deepcopy(model)
    convs = [module for module in normalised.features if isinstance(module, nn.Conv2d)]
    previous = torch.ones(3)
    with torch.no_grad():
        for conv, layer in zip(convs, _relu_after(model)):
            scale = means[layer].clone()
            scale[scale < DEAD_CHANNEL] = 1.0
            device = conv.weight.device
            conv.weight.mul_((previous.view(1, -1, 1, 1) / scale.view(-1, 1, 1, 1)).to(device))
            conv.bias.div_(scale.to(device))
            previous = scale
    normalised.normalised = True
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
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        torch.save(means, temp)
        os.replace(temp, path)
    return normalise(model, means)
