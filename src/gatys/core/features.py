"""What the objective and the optimiser need of a feature model, declared once.

:class:`~gatys.core.vgg.VGGFeatures` (the paper's network) and
:class:`~gatys.controls.random_filters.RandomFilterFeatures` (one layer of random filters) both
implement it; nothing else reads a model's attributes, so a third model needs only these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import torch


@runtime_checkable
class FeatureModel(Protocol):
    """A frozen network that returns named feature maps of an RGB image in 0..1."""

    arch: str  # the layer table it names layers from ("vgg16", "vgg19", "random-filters")
    normalised: bool  # each channel's mean activation rescaled to 1 (the loss weights depend on it)
    layouts: tuple[str, ...]  # the memory layouts it can run in (gatys.core.route)

    @property
    def description(self) -> str:
        """The network in words, for metrics files and the command line's start-up line."""

    def __call__(self, image: torch.Tensor, layers: Sequence[str]) -> dict[str, torch.Tensor]:
        """{layer: (B, N_l, H_l, W_l)} for an image batch (B, 3, H, W)."""

    def known_layers(self, layers: Sequence[str]) -> list[str]:
        """``layers`` as a list, or one :class:`~gatys.io.errors.LayerError` naming the unknown
        ones and the names there are."""

    def channels(self, layer: str) -> int:
        """N_l, the number of feature maps of ``layer``."""

    def min_size(self, layers: Sequence[str]) -> int:
        """The smallest image side (px) for which every layer has at least one position."""

    def activation_elements(self, layers: Sequence[str], height: int, width: int) -> int:
        """Floats a forward pass up to ``layers`` keeps for the backward pass, per image."""

    def parameter_elements(self, layers: Sequence[str]) -> int:
        """Floats of the weights that pass uses."""

    def use_memory_format(self, memory_format: torch.memory_format) -> FeatureModel:
        """Keep weights and activations in ``memory_format`` (a no-op with one layout)."""
