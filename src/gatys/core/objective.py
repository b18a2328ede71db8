"""The objective the paper minimises, assembled from its equations (Gatys et al. 2015/2016).

    L_total(p, a, x) = α L_content(p, x) + β L_style(a, x)                        (eq. 7)
    L_content(p, x)  = Σ_l c · L_content(p, x, l),  L_content(p, x, l) = ½ Σ (F^l − P^l)²   (eq. 1)
    L_style(a, x)    = Σ_l w_l E_l                                                   (eq. 5)
    E_l = 1/(4 N_l² M_l²) Σ_ij (G^l_ij − A^l_ij)²                                   (eq. 4)

The targets P^l and A^l are computed once from the content image p and the style image a. How
α/β is read depends on the constants c (½ Σ or an MSE) and w_l (1/L or 4/N_l²): both are named
together as a :class:`LossConvention` with the network they belong to (the authors' released code
has one set for the normalised network and one for the original; ``paper`` is the literal
equations); the default is :data:`gatys.core.defaults.CONVENTION`.

One deviation from the literal eq. 4, named: the style image may have another size than x (the
project keeps each image's aspect ratio), so A^l is summed over M_s positions and G^l over M_l.
Each Gram is normalised by its own number of positions, E_l = 1/(4 N_l²) Σ (G^l/M_l − A^l/M_s)²,
which equals eq. 4 when M_s = M_l and keeps the style's strength independent of the style image's
size and aspect ratio (see :func:`gatys.core.losses.style_layer_loss`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from gatys.core import config, defaults, losses
from gatys.core.conventions import (  # noqa: F401 - re-exported
    LOSS_CONVENTIONS, LossConvention, blend_weights, resolve_convention,
)
from gatys.core.features import FeatureModel
from gatys.io.errors import LayerError, SettingError

def content_targets(
    model: FeatureModel, image: torch.Tensor, layers: Sequence[str]
) -> dict[str, torch.Tensor]:
    """P^l: the content image's features at each of ``layers`` (computed once, no gradient)."""
    with torch.no_grad():
        return {k: v.detach() for k, v in model(image, model.known_layers(layers)).items()}


def style_statistics(
    model: FeatureModel, image: torch.Tensor, layers: Sequence[str]
) -> tuple[dict[str, torch.Tensor], dict[str, int]]:
    """A^l and M_s^l: the style image's Gram matrices and its number of positions per layer."""
    with torch.no_grad():
        features = model(image, model.known_layers(layers))
    grams = {layer: losses.gram_matrix(features[layer]) for layer in layers}
    positions = {layer: int(features[layer].shape[2] * features[layer].shape[3])
                 for layer in layers}
    return grams, positions


@dataclass
class Objective:
    """α L_content + β L_style for fixed targets, evaluated on a batch of images.

    Attributes:
        model: the frozen feature extractor.
        content_targets: P^l per content layer, (1, N_l, H_l, W_l).
        style_targets: one dict of Gram matrices A^l (1, N_l, N_l) per style image.
        style_blend: one weight per style image, summing to 1.
        style_layer_weights: w_l per style layer (the paper: 1 / number of layers).
        alpha, beta: the weights of the two terms.
        content_reduction: ``"sum"`` (the paper) or ``"mean"`` (see :func:`losses.content_loss`).
        content_factor: a constant in front of L_content (2 turns ½ Σ into Σ, as an MSE has it).
        style_guides: per style image, its region's mask T^l (1, 1, H_l, W_l) at each of its
            layers (spatial control, Gatys et al. 2017); None: every style covers the whole image.
        style_positions: per style image, M_s^l, the number of positions its Gram matrices were
            summed over; each Gram is normalised by its own M (see the module docstring).
            None: the style images have the result's size (the paper's eq. 4, M_s = M_l);
            needed with ``style_guides``.
        tv_weight: the weight of the total-variation term (not in the paper; 0 = off).

    Each style image has its own layers (the keys of its ``style_targets`` dict; the paper: all
    styles at the same layers). E_l at a layer is the blend-weighted mean over the styles that
    have the layer, Σ_s b_s E_l^s / Σ_s b_s; with the same layers for every style that is the
    blend Σ_s b_s E_l^s, and a layer that only style A has depends on style A alone (so fine
    scales can come from one painting and coarse ones from another). With ``style_guides``,
    E_l = Σ_s (m_s^l / M_l) E_l,s over the styles that have the layer, with E_l,s the guided loss
    of style s on its region (:func:`losses.guided_style_layer_loss`) weighted by the region's
    share of the image; the blend is not used.
    """

    model: FeatureModel
    content_targets: dict[str, torch.Tensor]
    style_targets: list[dict[str, torch.Tensor]]
    style_blend: list[float]
    style_layer_weights: dict[str, float]
    alpha: float
    beta: float
    content_reduction: str = "sum"
    content_factor: float = 1.0
    style_guides: list[dict[str, torch.Tensor]] | None = None
    style_positions: list[dict[str, int]] | None = None
    tv_weight: float = 0.0

    @property
    def layers(self) -> list[str]:
        style_layers = [layer for grams in self.style_targets for layer in grams]
        return list(dict.fromkeys([*self.content_targets, *style_layers]))

    def _positions(self, style: int, layer: str) -> int | None:
        return None if self.style_positions is None else self.style_positions[style][layer]

    def _style_layer_loss(self, layer: str, features: torch.Tensor) -> torch.Tensor:
        """E_l over the styles that have ``layer`` (see the class docstring). Returns (B,)."""
        styles = [s for s, grams in enumerate(self.style_targets) if layer in grams]
        if self.style_guides is None:
            weight = sum(self.style_blend[s] for s in styles)
            if weight == 0:  # only styles blended in with weight 0 have this layer
                return features.new_zeros(features.shape[0])
            return sum(self.style_blend[s] / weight
                       * losses.style_layer_loss(features, self.style_targets[s][layer],
                                                 self._positions(s, layer))
                       for s in styles)
        positions = features.shape[2] * features.shape[3]
        total = features.new_zeros(features.shape[0])
        for s in styles:
            guide = self.style_guides[s][layer]
            share = guide.pow(2).sum() / positions  # a tensor: no host sync per evaluation
            total = total + share * losses.guided_style_layer_loss(
                features, guide, self.style_targets[s][layer], self.style_positions[s][layer])
        return total

    def region_style_losses(self, image: torch.Tensor) -> list[float]:
        """Σ_l w_l E_l,s for each style s on its own region (guided Gram matrices, Gatys et al.
        2017), not weighted by the region's share: a region's loss whatever its area. Needs
        ``style_guides``."""
        if self.style_guides is None:
            raise SettingError("region style losses need masks: build the objective with masks=")
        with torch.no_grad():
            features = {layer: value.float()
                        for layer, value in self.model(image, self.layers).items()}
        return [float(sum(
            self.style_layer_weights[layer] * losses.guided_style_layer_loss(
                features[layer], guides[layer], self.style_targets[s][layer],
                self.style_positions[s][layer]).sum()
            for layer in guides)) for s, guides in enumerate(self.style_guides)]

    def __call__(self, image: torch.Tensor) -> LossTerms:
        # F^l at every layer a term needs, as float32 whatever precision the pass ran in; the
        # losses below stay float32 under a bfloat16 route (gatys.core.route says why).
        features = {layer: value.float()
                    for layer, value in self.model(image, self.layers).items()}
        with torch.autocast(image.device.type, enabled=False):
            return self._terms(image, features)

    def _terms(self, image: torch.Tensor, features: dict[str, torch.Tensor]) -> LossTerms:
        content = image.new_zeros(image.shape[0])
        for layer, target in self.content_targets.items():
            # L_content = Σ_l c · L_content(p, x, l)   (eq. 1; c and the reduction: the convention)
            content = content + self.content_factor * losses.content_loss(
                features[layer], target, self.content_reduction
            )
        # E_l per style layer   (eq. 4, blended over the styles that have the layer)
        style_per_layer = {
            layer: self._style_layer_loss(layer, features[layer])
            for layer in self.style_layer_weights
        }
        # L_style = Σ_l w_l E_l   (eq. 5)
        style = (losses.style_loss(style_per_layer, self.style_layer_weights) if style_per_layer
                 else image.new_zeros(image.shape[0]))
        # L_total = α L_content + β L_style   (eq. 7)
        total = losses.total_loss(content, style, self.alpha, self.beta)
        tv = None
        if self.tv_weight:
            tv = losses.total_variation(image)
            total = total + self.tv_weight * tv  # not in the paper: opt-in smoothing
        return LossTerms(total.sum(), content.sum(), style.sum(),
                         {layer: value.sum() for layer, value in style_per_layer.items()},
                         None if tv is None else tv.sum())


@dataclass
class LossTerms:
    """The terms of one evaluation, summed over the batch."""

    total: torch.Tensor
    content: torch.Tensor
    style: torch.Tensor
    style_per_layer: dict[str, torch.Tensor]
    tv: torch.Tensor | None = None  # the total variation, when the objective has that term

    def detached(self) -> LossTerms:
        return LossTerms(self.total.detach(), self.content.detach(), self.style.detach(),
                         {layer: v.detach() for layer, v in self.style_per_layer.items()},
                         None if self.tv is None else self.tv.detach())

    def as_floats(self) -> dict[str, float]:
        values = {"total": self.total, "content": self.content, "style": self.style}
        values.update({f"style/{layer}": v for layer, v in self.style_per_layer.items()})
        if self.tv is not None:
            values["tv"] = self.tv
        return {key: float(value) for key, value in values.items()}



def make_objective(
    model: FeatureModel,
    *,
    content: torch.Tensor | None = None,
    styles: Sequence[torch.Tensor] = (),
    content_layers: Sequence[str] = defaults.CONTENT_LAYERS,
    style_layers: Sequence[str] = defaults.STYLE_LAYERS,
    ratio: float = defaults.RATIO,
    style_blend: Sequence[float] | None = None,
    style_layer_weights: dict[str, float] | None = None,
    convention: str | None = None,
    style_layers_per_style: Sequence[Sequence[str] | None] | None = None,
    masks: Sequence[torch.Tensor] | None = None,
    tv_weight: float = 0.0,
) -> Objective:
    """The objective α L_content + β L_style with β = 1 and α = ``ratio`` (the paper's α/β).

    Without ``content`` it is L_style alone (α = 0); without ``styles``, L_content alone (β = 0).
    ``style_blend``: one weight per style image, normalised to sum to 1 (default: equal).
    ``convention``: how the ratio is read (:data:`LOSS_CONVENTIONS`; default: the recipe of
    ``model``'s network, :func:`resolve_convention`; the other network's is refused). Explicit
    ``style_layer_weights`` replace the convention's w_l.

    Beyond the paper (Gatys et al. 2017): ``style_layers_per_style`` gives each style image its
    own layers (None in the list: ``style_layers``), e.g. one painting's fine scales (relu1_1,
    relu2_1) with another's coarse ones; ``masks``, one (1, 1, H, W) mask per style at the
    content's size, confine each style to its region (guided Gram matrices; see
    :class:`~gatys.core.objective.Objective`); ``tv_weight`` adds λ_TV · TV(x)
    (:func:`~gatys.core.losses.total_variation`, not in the paper).
    """
    rule = LOSS_CONVENTIONS[config.check("convention", resolve_convention(model, convention))]
    config.check("tv_weight", tv_weight)
    if content is None and not styles:
        raise SettingError("nothing to match: give a content image, a style image or both")
    if styles:  # the style layer weights are what belongs to one network or the other
        rule.check_network(model)
    content_layers = _checked_layers(model, "content_layers", content_layers, content is not None)
    style_layers = _checked_layers(model, "style_layers", style_layers, bool(styles))
    layers_of_style = _layers_per_style(model, style_layers, style_layers_per_style, len(styles))
    style_layers = list(dict.fromkeys(layer for layers in layers_of_style for layer in layers))
    _check_large_enough(model, content, styles, [*content_layers, *style_layers])
    blend = blend_weights(style_blend, len(styles))
    weights = _style_layer_weights(model, rule, style_layers, style_layer_weights)
    alpha, beta = _balance(content is not None, bool(styles), ratio)
    device = next(model.parameters()).device
    statistics = [style_statistics(model, style.to(device), layers)
                  for style, layers in zip(styles, layers_of_style)]
    guides = None if masks is None else _style_guides(model, content, masks, layers_of_style,
                                                      device)
    return Objective(
        model=model, content_targets={} if content is None else content_targets(
            model, content.to(device), content_layers),
        style_targets=[grams for grams, _ in statistics], style_blend=blend,
        style_layer_weights=weights, alpha=alpha, beta=beta,
        content_reduction=rule.content_reduction, content_factor=rule.content_factor,
        style_guides=guides, style_positions=[positions for _, positions in statistics],
        tv_weight=float(tv_weight),
    )


def _balance(has_content: bool, has_styles: bool, ratio: float) -> tuple[float, float]:
    """α and β: the ratio with both terms, else the one term alone."""
    if has_content and has_styles:
        return float(config.check("ratio", ratio)), 1.0
    return (1.0, 0.0) if has_content else (0.0, 1.0)


def _checked_layers(model: FeatureModel, name: str, layers: Sequence[str],
                    needed: bool) -> list[str]:
    """``layers`` known to ``model``, when the term they belong to is in the objective."""
    if not needed:
        return []
    return model.known_layers(config.check(name, layers))


def _check_large_enough(model: FeatureModel, content: torch.Tensor | None,
                        styles: Sequence[torch.Tensor], layers: Sequence[str]) -> None:
    smallest = model.min_size(layers)
    for name, image in [("content", content), *(("style", style) for style in styles)]:
        if image is not None and min(image.shape[-2:]) < smallest:
            raise LayerError(
                f"the {name} image is {image.shape[-2]}×{image.shape[-1]} px, too small for the "
                f"layers asked for: they need at least {smallest} px on each side; use a larger "
                f"size or shallower layers"
            )


def _style_layer_weights(model: FeatureModel, rule: LossConvention, layers: Sequence[str],
                         given: dict[str, float] | None) -> dict[str, float]:
    """w_l: the convention's, or those given (one for every style layer)."""
    if given is None:
        return rule.style_layer_weights(model, layers)
    missing = [layer for layer in layers if layer not in given]
    if missing:
        raise SettingError(f"style_layer_weights lacks a weight for {', '.join(missing)}")
    return {layer: float(given[layer]) for layer in layers}


def _layers_per_style(model: FeatureModel, default: Sequence[str],
                      per_style: Sequence[Sequence[str] | None] | None,
                      count: int) -> list[list[str]]:
    if per_style is None:
        return [list(default)] * count
    if len(per_style) != count:
        raise SettingError(f"got style layers for {len(per_style)} style image(s), but there "
                           f"are {count}; give one layer list (or None) per style image")
    chosen = []
    for index, layers in enumerate(per_style, 1):
        if layers is not None and not list(layers):
            raise SettingError(f"style image {index} has an empty layer list; give at least "
                               f"one layer, or None for the default style layers")
        chosen.append(list(default) if layers is None else model.known_layers(layers))
    return chosen


def _style_guides(model: FeatureModel, content: torch.Tensor | None, masks: Sequence[torch.Tensor],
                  layers_of_style: list[list[str]], device) -> list[dict[str, torch.Tensor]]:
    """T^l_s: each style's mask at the resolution of each of its layers (area-averaged, so a
    position outside the region stays exactly 0)."""
    if content is None:
        raise SettingError("masks place styles on the content image; give a content image")
    if len(masks) != len(layers_of_style):
        raise SettingError(f"got {len(masks)} mask(s) for {len(layers_of_style)} style image(s); "
                           f"give one mask per style image, in the same order")
    layers = list(dict.fromkeys(layer for group in layers_of_style for layer in group))
    with torch.no_grad():
        features = model(content.to(device), layers)
    guides = []
    for index, (mask, group) in enumerate(zip(masks, layers_of_style), 1):
        if tuple(mask.shape) != (1, 1, *content.shape[-2:]):
            raise SettingError(f"mask {index} is shaped {tuple(mask.shape)}; it must be "
                               f"(1, 1, {content.shape[-2]}, {content.shape[-1]}), the content's "
                               f"size (load it with gatys.io.images.load_mask)")
        mask = mask.to(device)
        guides.append({layer: torch.nn.functional.interpolate(
            mask, size=tuple(features[layer].shape[-2:]), mode="area") for layer in group})
    return guides
