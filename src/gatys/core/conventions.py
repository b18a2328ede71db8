"""How α/β is read: the constants of the two loss terms, named, with the network they belong to.

Plain data without torch, so that the command line can check a convention against the network
it will build before it imports anything heavy; :mod:`gatys.core.objective` applies them.
"""

from __future__ import annotations

from collections.abc import Sequence
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gatys.core import defaults
from gatys.io.errors import SettingError

if TYPE_CHECKING:
    from gatys.core.vgg import VGGFeatures


@dataclass(frozen=True)
class LossConvention:
    """A recipe's loss constants, named, with the network they belong to.

    How α/β reads depends on the constants in front of the two terms: the content term's
    reduction and factor c (eq. 1: ½ Σ, or a mean squared error) and the style layer weights w_l
    (eq. 5). The authors' released code has two sets, one per network, and a constant borrowed
    from one set means something else on the other network (a recipe is a whole):

    ``gatys-code-normalised`` (the default): the paper's normalised network.
        leongatys/NeuralImageSynthesis ``ExampleNotebooks/BasicStyleTransfer.ipynb``, model
        ``norm_pad``: style weight 1e9/5 on every layer's ``GramMSE`` (MSE of G/M), content weight
        1e6 on ``MSE`` (``LossLayers.lua``). So L_content = Σ (F − P)² / (N_l M_l),
        L_style = Σ_l (1/L) · MSE(G/M, A/M) = Σ_l (4/L) E_l, and α/β = 1e6 / 1e9 = 1e-3, the
        paper's value, with the paper's uniform w_l.
    ``gatys-code-original``: the original (unnormalised) VGG.
        The same notebook, model ``org_pad``, and leongatys/PytorchNeuralStyleTransfer: style
        weight 1e3/N_l² on ``GramMSE``, content weight 1: L_style = Σ_l (1/N_l²) MSE(G/M) =
        Σ_l (4/N_l²) E_l, α/β = 1e-3. On the normalised network, where every layer's G/M is of
        order one, these weights let relu1_1 outweigh relu5_1 64 : 1: the finest layer wins.
    ``paper``: the literal equations on the normalised network, L_content = ½ Σ (F − P)²,
        w_l = 1/L on E_l; the content sum grows with the image, so α/β moves with the size.
    """

    name: str
    content_reduction: str  # "sum" (½ Σ) or "mean" (½ Σ / (N_l M_l))
    content_factor: float  # c in front of each layer's content loss
    style_weighting: str  # "uniform" (style_factor / L) or "inverse-square" (4 / N_l²)
    style_factor: float  # with "uniform": 1 for E_l, 4 for MSE(G/M) = 4 E_l
    normalised: bool  # the network the constants belong to

    def style_layer_weights(self, model: VGGFeatures, layers: Sequence[str]) -> dict[str, float]:
        if self.style_weighting == "uniform":
            return {layer: self.style_factor / len(layers) for layer in layers}
        return {layer: 4.0 / model.channels(layer) ** 2 for layer in layers}

    def check_network(self, model: VGGFeatures) -> None:
        """Refuse a network these constants do not belong to, naming the fix."""
        normalised = bool(model.normalised)
        if normalised == self.normalised:
            return
        matching = [name for name, rule in LOSS_CONVENTIONS.items()
                    if rule.normalised == normalised]
        network = "a normalised" if normalised else "an unnormalised (original)"
        wanted = "normalised" if self.normalised else "original (unnormalised)"
        switch = ("normalise the network (gatys.normalised_vgg, --normalise)" if self.normalised
                  else "use the original network (--no-normalise)")
        raise SettingError(
            f"the {self.name} loss weights belong to the {wanted} network, but the model is "
            f"{network} network; choose the convention {' or '.join(matching)}, or {switch}"
        )


LOSS_CONVENTIONS = {
    "gatys-code-normalised": LossConvention("gatys-code-normalised", "mean", 2.0, "uniform", 4.0,
                                            normalised=True),
    "gatys-code-original": LossConvention("gatys-code-original", "mean", 2.0, "inverse-square",
                                          1.0, normalised=False),
    "paper": LossConvention("paper", "sum", 1.0, "uniform", 1.0, normalised=True),
}


def resolve_convention(model: VGGFeatures, name: str | None = None) -> str:
    """The loss convention for ``model``: ``name`` if given (checked against the network when
    the objective is built), else the recipe of that network, :data:`defaults.CONVENTION` for a
    normalised network and :data:`defaults.ORIGINAL_CONVENTION` for the original one."""
    if name is not None:
        return name
    if getattr(model, "normalised", False):
        return defaults.CONVENTION
    return defaults.ORIGINAL_CONVENTION


def blend_weights(weights: Sequence[float] | None, count: int) -> list[float]:
    """The weight of each of ``count`` style images in the blend, summing to 1 (default:
    equal); :class:`SettingError` for the wrong count or a negative weight."""
    if count == 0:
        return []
    if weights is None:
        return [1.0 / count] * count
    weights = [float(w) for w in weights]
    if len(weights) != count:
        raise SettingError(f"got {len(weights)} style weights for {count} style image(s); give "
                           f"one weight per style image, in the same order")
    if any(not math.isfinite(w) or w < 0 for w in weights) or sum(weights) <= 0:
        raise SettingError(f"style weights must be >= 0 with a positive sum, got {weights}")
    return [w / sum(weights) for w in weights]
