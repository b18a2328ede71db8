"""A texture model with one layer of random filters at several scales (Ustyuzhaninov, Brendel,
Gatys & Bethge, "What does it take to generate natural textures?", ICLR 2017).

The model asks whether a texture needs a deep, trained network at all. It has a single
convolutional layer: K scales with filter sizes k_s (3, 5, 7, 11, 15, 23, 37, 55), N_s random
filters at each (128, so N = 1024 feature maps), a ReLU, and the Gram matrix of that one layer:

    F = ReLU([W_1 * x, ..., W_K * x])      N feature maps of M = H × W positions
    G_ij = Σ_k F_ik F_jk
    L_style = E = 1 / (4 N² M²) Σ_ij (G_ij − A_ij)²

the paper's E_l (:func:`gatys.core.losses.style_layer_loss`) on one layer with w = 1, minimised over the
pixels from white noise with L-BFGS, exactly like the VGG textures: the objective comes from the
same builder (:func:`gatys.core.objective.make_objective`, with :func:`texture_settings`).

:class:`RandomFilterFeatures` is a :class:`~gatys.core.features.FeatureModel` like the VGG network:
``model(image, ["relu"])`` returns the feature maps; ``"conv"`` names them before the ReLU.

Choices where we do not follow the original exactly, each named:

- Weights: uniform in [−1, 1], each filter made zero-mean over its taps and input channels (a
  filter then does not respond to the image's mean colour) and scaled to unit L2 norm, so that a
  55 × 55 filter does not dominate the Gram loss by its size alone (the unit norm is our choice).
- Convolutions are zero-padded to keep the image size ("same"), so every scale has the same M
  positions and one Gram matrix spans all scales; pixels enter as in torchvision's convention
  (mean/std-normalised RGB).
- No bias. The seed fixes every filter.
- On a CPU the notebooks run fewer scales and filters (see ``gatys.experiments.recipes.RANDOM_FILTERS``): a
  55 × 55 convolution of a 96 px image costs seconds per evaluation on two cores.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from gatys.core.config import TransferSettings
from gatys.core.vgg import CONVENTIONS
from gatys.io.errors import LayerError, SettingError

SIZES = (3, 5, 7, 11, 15, 23, 37, 55)  # the multi-scale model's filter sizes (px)
FILTERS_PER_SCALE = 128  # 8 scales × 128 = 1024 feature maps
LAYERS = ("conv", "relu")  # before and after the ReLU


class RandomFilterFeatures(nn.Module):
    """One convolutional layer of frozen random filters at several scales, then a ReLU.

    ``model(image, ["relu"])`` takes RGB in 0..1, (B, 3, H, W), and returns
    ``{"relu": (B, N, H, W)}`` with N = ``len(sizes) * filters_per_scale``, the scales
    concatenated in the order of ``sizes``.
    """

    arch = "random-filters"
    normalised = False  # the constants of the normalised network do not apply
    layouts = ("contiguous",)  # plain tensors: one layout, nothing to switch
    memory_format = torch.contiguous_format

    def __init__(self, sizes: Sequence[int] = SIZES, filters_per_scale: int = FILTERS_PER_SCALE,
                 seed: int = 0) -> None:
        super().__init__()
        sizes = tuple(int(size) for size in sizes)
        if not sizes or any(size < 1 or size % 2 == 0 for size in sizes):
            raise SettingError(f"filter sizes must be odd and positive, got {sizes}")
        if filters_per_scale < 1:
            raise SettingError(f"filters_per_scale must be at least 1, got {filters_per_scale}")
        self.sizes, self.filters_per_scale, self.seed = sizes, int(filters_per_scale), int(seed)
        self.convention = CONVENTIONS["torchvision"]
        generator = torch.Generator().manual_seed(self.seed)
        self.convs = nn.ModuleList()
        for size in sizes:
            conv = nn.Conv2d(3, filters_per_scale, size, padding=size // 2, bias=False)
            weight = torch.rand(conv.weight.shape, generator=generator) * 2 - 1
            weight = weight - weight.mean(dim=(1, 2, 3), keepdim=True)  # zero mean per filter
            weight = weight / weight.flatten(1).norm(dim=1).view(-1, 1, 1, 1)  # unit norm
            with torch.no_grad():
                conv.weight.copy_(weight)
            self.convs.append(conv)
        self.requires_grad_(False)
        self.eval()

    @property
    def description(self) -> str:
        return (f"one layer of random filters (Ustyuzhaninov et al. 2017), sizes "
                f"{', '.join(map(str, self.sizes))}, {self.filters_per_scale} per scale, "
                f"seed {self.seed}")

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}, filters_per_scale={self.filters_per_scale}, seed={self.seed}"

    def known_layers(self, layers: Sequence[str]) -> list[str]:
        """``layers`` as a list, or a :class:`LayerError` naming the two there are."""
        layers = list(layers)
        unknown = [layer for layer in layers if layer not in LAYERS]
        if unknown:
            raise LayerError(f"unknown layer name(s) {', '.join(map(repr, unknown))} for the "
                             f"random-filter model; it has 'conv' (before the ReLU) and 'relu'")
        return layers

    def channels(self, layer: str) -> int:
        """N, the number of feature maps (all scales together)."""
        self.known_layers([layer])
        return len(self.sizes) * self.filters_per_scale

    def min_size(self, layers: Sequence[str]) -> int:
        """Any image of at least 1 px has features: the convolutions keep the size."""
        self.known_layers(layers)
        return 1

    def activation_elements(self, layers: Sequence[str], height: int, width: int) -> int:
        """Floats held for the backward pass per image: the maps before and after the ReLU."""
        self.known_layers(layers)
        return 2 * len(self.sizes) * self.filters_per_scale * height * width

    def parameter_elements(self, layers: Sequence[str]) -> int:
        """Floats of the filters (every scale runs for every layer)."""
        self.known_layers(layers)
        return sum(parameter.numel() for parameter in self.parameters())

    def use_memory_format(self, memory_format: torch.memory_format) -> RandomFilterFeatures:
        """One layout only: nothing to switch."""
        return self

    def forward(self, image: torch.Tensor, layers: Sequence[str]) -> dict[str, torch.Tensor]:
        layers = self.known_layers(layers)
        if image.dim() != 4 or image.shape[1] != 3:
            raise SettingError(
                f"expected an image batch shaped (B, 3, H, W), got {tuple(image.shape)}")
        x = self.convention.apply(image)
        # (B, 3, H, W) -> (B, N, H, W): every scale keeps the size ("same" zero padding).
        responses = torch.cat([conv(x) for conv in self.convs], dim=1)
        outputs = {"conv": responses, "relu": torch.relu(responses)}
        return {layer: outputs[layer] for layer in layers}


def texture_settings(layer: str = "relu", **fields) -> TransferSettings:
    """The settings of this model's texture (the ICLR 2017 objective): L_style = E on its one
    layer with w = 1, the image at the style's size. ``fields`` are further settings
    (``iterations``, ``seed``, ...). Run it like a VGG texture, through the one builder:
    ``gatys.synthesize_texture(style, texture_settings(), model=RandomFilterFeatures())``."""
    return TransferSettings.of(size=None, style_layers=(layer,),
                               style_layer_weights={layer: 1.0}, **fields)
