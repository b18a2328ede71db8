"""VGG's layers as data: names, channels and sizes, without torch.

Everything the command line checks before it starts (layer names, the smallest image a layer
accepts, how many floats a run's feature maps take) follows from the architecture alone, so it is
answered here without importing torch: a refusal comes in a fraction of a second, not after the
seconds torch takes to import. :mod:`gatys.core.vgg` builds the network from the same tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gatys.core import defaults
from gatys.io.errors import LayerError, SettingError

# Channels per convolution, "M" for a pooling layer: the configurations of Simonyan & Zisserman
# (and torchvision's ``vgg16().features`` / ``vgg19().features``, whose indices we keep).
ARCHITECTURES: dict[str, list[int | str]] = {
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"],
    "vgg19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
              512, 512, 512, 512, "M"],
}

POOLINGS = defaults.POOLINGS


def config(arch: str) -> list[int | str]:
    """The configuration of ``arch``; :class:`SettingError` naming the known ones."""
    try:
        return ARCHITECTURES[arch]
    except KeyError:
        raise SettingError(
            f"unknown architecture {arch!r}; choose one of {', '.join(ARCHITECTURES)}"
        ) from None


def layer_names(arch: str = "vgg19") -> list[str]:
    """All layer names of ``arch`` in network order, one per module of ``features``."""
    names: list[str] = []
    block, position = 1, 1
    for item in config(arch):
        if item == "M":
            names.append(f"pool{block}")
            block, position = block + 1, 1
        else:
            names += [f"conv{block}_{position}", f"relu{block}_{position}"]
            position += 1
    return names


def layer_shapes(arch: str) -> list[tuple[str, int, int]]:
    """``(name, channels, downsampling)`` of every layer: a pool halves the side."""
    shapes, channels, factor = [], 3, 1
    names = iter(layer_names(arch))
    for item in config(arch):
        if item == "M":
            factor *= 2
            shapes.append((next(names), channels, factor))
        else:
            channels = int(item)
            shapes += [(next(names), channels, factor), (next(names), channels, factor)]
    return shapes


def validate_layers(layers: Iterable[str], arch: str = "vgg19") -> list[str]:
    """Return ``layers`` as a list, or raise :class:`LayerError` naming the unknown ones."""
    known = layer_names(arch)
    layers = list(layers)
    unknown = [name for name in layers if name not in known]
    if unknown:
        raise LayerError(
            f"unknown layer name(s) {', '.join(map(repr, unknown))} for {arch}; "
            f"valid names are {known[0]} ... {known[-1]} (e.g. relu4_2, conv3_1, pool2)"
        )
    return layers


def min_size(arch: str, layers: Sequence[str]) -> int:
    """The smallest image side (px) for which every layer in ``layers`` has >= 1 position."""
    names = layer_names(arch)
    deepest = max(names.index(name) for name in validate_layers(layers, arch))
    return 2 ** sum(1 for name in names[: deepest + 1] if name.startswith("pool"))


def activation_elements(arch: str, deepest: str, height: int, width: int) -> int:
    """Floats of every feature map from the input up to ``deepest``, for one image."""
    total = 0
    for name, channels, factor in layer_shapes(arch):
        total += channels * (height // factor) * (width // factor)
        if name == deepest:
            break
    return total


def parameter_count(arch: str, deepest: str) -> int:
    """Weights and biases of the convolutions up to ``deepest``."""
    count, in_channels = 0, 3
    for name, channels, _ in layer_shapes(arch):
        if name.startswith("conv"):
            count += channels * in_channels * 9 + channels
            in_channels = channels
        if name == deepest:
            break
    return count
