"""VGG feature extraction with the layer names the paper uses.

The paper works with the 16 convolutional and 5 pooling layers of VGG-19 (no fully connected
layers) and calls a layer by its block and position: ``conv1_1, relu1_1, conv1_2, relu1_2, pool1,
conv2_1, ... relu5_4, pool5``. VGG-16 has the same blocks with three convolutions in blocks 3-5.

``conv*`` names are the convolution outputs before the ReLU, ``relu*`` names the same features
after it. The paper writes "conv4_2"; the authors' code takes the features after the ReLU, so the
recipes in this package use ``relu*`` names and the choice stays visible.

:class:`VGGFeatures` returns the requested layers from one forward pass that stops at the deepest
of them, applies the input convention of its weights itself (callers always pass RGB in 0..1), and
replaces max pooling by average pooling when asked (the paper's choice: "improves the gradient
flow and one obtains slightly more appealing results").

Weights and activations are kept channels-last (NHWC) on CPU and CUDA unless a run's route says
otherwise (:mod:`gatys.core.route`: the same numbers up to rounding, by other convolution kernels;
which is faster depends on the machine and the size, so ``auto`` measures it).
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass

import torch
from torch import nn

from gatys.core import architecture
from gatys.core.architecture import (  # noqa: F401 - the tables, re-exported
    ARCHITECTURES, POOLINGS, config, layer_names, validate_layers,
)
from gatys.core.architecture import min_size as _min_size
from gatys.io.errors import LayerError, SettingError



@dataclass(frozen=True)
class InputConvention:
    """How a set of weights expects its input: ``(rgb * scale - mean) / std`` per channel.

    ``rgb`` is the image in 0..1. Keep the convention with the weights: feeding one
    convention's input to the other's weights gives wrong features.
    """

    name: str
    scale: float
    mean: tuple[float, float, float]
    std: tuple[float, float, float]

    def apply(self, rgb: torch.Tensor) -> torch.Tensor:
        mean = rgb.new_tensor(self.mean).view(1, 3, 1, 1)
        std = rgb.new_tensor(self.std).view(1, 3, 1, 1)
        return (rgb * self.scale - mean) / std


CONVENTIONS: dict[str, InputConvention] = {
    # torchvision's ImageNet weights: mean/std-normalised RGB in 0..1.
    "torchvision": InputConvention("torchvision", 1.0, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    # The original Caffe release (as used by Gatys et al.): RGB in 0..255 minus the channel means.
    "caffe": InputConvention("caffe", 255.0, (123.68, 116.779, 103.939), (1.0, 1.0, 1.0)),
}


def build_features(arch: str = "vgg19", pooling: str = "avg") -> nn.Sequential:
    """The convolutional part of VGG as an ``nn.Sequential`` indexed like torchvision's.

    Module ``i`` is layer ``layer_names(arch)[i]``, so a torchvision ``features`` state dict loads
    into it unchanged. ReLUs are not in-place, so that a ``conv*`` output stays pre-activation.
    """
    if pooling not in POOLINGS:
        raise SettingError(f"unknown pooling {pooling!r}; choose 'avg' or 'max'")
    modules: list[nn.Module] = []
    in_channels = 3
    for item in config(arch):
        if item == "M":
            pool = nn.AvgPool2d if pooling == "avg" else nn.MaxPool2d
            modules.append(pool(kernel_size=2, stride=2))
        else:
            modules += [nn.Conv2d(in_channels, int(item), kernel_size=3, padding=1), nn.ReLU()]
            in_channels = int(item)
    return nn.Sequential(*modules)


class VGGFeatures(nn.Module):
    """Frozen VGG-16/19 convolutional network that returns named feature maps.

    ``model(image, ["relu1_1", "relu4_2"])`` runs the network on ``image`` (B, 3, H, W), RGB in
    0..1, only as far as ``relu4_2`` and returns ``{"relu1_1": (B, 64, H, W), "relu4_2":
    (B, 512, H/8, W/8)}``.

    Args:
        arch: ``"vgg16"`` or ``"vgg19"``.
        pooling: ``"avg"`` (the paper) or ``"max"`` (the trained network).
        convention: the input convention of the weights, ``"torchvision"`` or ``"caffe"``.
        state_dict: weights keyed like torchvision's ``features`` (``"0.weight"`` ...); None
            leaves PyTorch's default initialisation (use :mod:`gatys.core.weights` to choose).
        spec: the :class:`~gatys.io.models.ModelSpec` the weights came from, for
            :attr:`description` (None: "given weights").

    It implements :class:`gatys.core.features.FeatureModel`; :meth:`normalised_copy` is the one
    way to mark a copy as normalised (:mod:`gatys.core.normalisation` rescales its weights).
    """

    layouts = ("channels-last", "contiguous")

    def __init__(
        self,
        arch: str = "vgg19",
        pooling: str = "avg",
        convention: str = "torchvision",
        state_dict: dict[str, torch.Tensor] | None = None,
        spec=None,
    ) -> None:
        super().__init__()
        if convention not in CONVENTIONS:
            raise SettingError(
                f"unknown input convention {convention!r}; choose one of {', '.join(CONVENTIONS)}"
            )
        self.arch = arch
        self.pooling = pooling
        self.convention = CONVENTIONS[convention]
        self.features = build_features(arch, pooling)
        self.names = layer_names(arch)
        self.spec = spec
        self.normalised = False
        if state_dict is not None:
            self.features.load_state_dict(state_dict)
        self.use_memory_format(torch.channels_last)
        self.requires_grad_(False)
        self.eval()

    @property
    def description(self) -> str:
        """The network in words, for metrics files: weights, pooling, normalisation."""
        weights = self.spec.description if self.spec is not None else f"{self.arch}, given weights"
        return (f"{weights}; {self.pooling} pooling"
                f"{'; normalised (mean activation 1)' if self.normalised else ''}")

    def normalised_copy(self) -> VGGFeatures:
        """A deep copy marked normalised, whose weights the caller rescales."""
        copy = deepcopy(self)
        copy.normalised = True
        return copy

    def use_memory_format(self, memory_format: torch.memory_format) -> VGGFeatures:
        """Keep weights and activations in ``memory_format`` (default: channels-last)."""
        self.memory_format = memory_format
        self.features.to(memory_format=memory_format)
        return self

    def extra_repr(self) -> str:
        return f"arch={self.arch}, pooling={self.pooling}, convention={self.convention.name}"

    def known_layers(self, layers: Sequence[str]) -> list[str]:
        """``layers`` as a list, or a :class:`LayerError` naming the unknown ones."""
        return validate_layers(layers, self.arch)

    def channels(self, layer: str) -> int:
        """N_l, the number of feature maps of ``layer``."""
        index = self.names.index(validate_layers([layer], self.arch)[0])
        convs = [m for m in self.features[: index + 1] if isinstance(m, nn.Conv2d)]
        return convs[-1].out_channels if convs else 3

    def min_size(self, layers: Sequence[str]) -> int:
        """The smallest image side (px) for which every layer in ``layers`` has >= 1 position."""
        return _min_size(self.arch, layers)

    def activation_elements(self, layers: Sequence[str], height: int, width: int) -> int:
        """Floats of every feature map up to the deepest of ``layers``, per image."""
        return architecture.activation_elements(self.arch, self._deepest(layers), height, width)

    def parameter_elements(self, layers: Sequence[str]) -> int:
        """Floats of the weights up to the deepest of ``layers``."""
        return architecture.parameter_count(self.arch, self._deepest(layers))

    def _deepest(self, layers: Sequence[str]) -> str:
        return max(validate_layers(layers, self.arch), key=self.names.index)

    def forward(self, image: torch.Tensor, layers: Sequence[str]) -> dict[str, torch.Tensor]:
        layers = validate_layers(layers, self.arch)
        if not layers:
            return {}
        if image.dim() != 4 or image.shape[1] != 3:
            raise SettingError(
                f"expected an image batch shaped (B, 3, H, W), got {tuple(image.shape)}"
            )
        smallest = self.min_size(layers)
        if min(image.shape[-2:]) < smallest:
            raise LayerError(
                f"an image of {image.shape[-2]}×{image.shape[-1]} px is too small for layer "
                f"{max(layers, key=self.names.index)}: it needs at least {smallest} px on each "
                f"side; use a larger size or shallower layers"
            )
        wanted = set(layers)
        deepest = max(self.names.index(name) for name in layers)
        outputs: dict[str, torch.Tensor] = {}
        x = self.convention.apply(image)
        if x.device.type in ("cpu", "cuda"):
            x = x.contiguous(memory_format=self.memory_format)
        for name, module in zip(self.names[: deepest + 1], self.features):
            x = module(x)
            if name in wanted:
                outputs[name] = x
        return outputs
