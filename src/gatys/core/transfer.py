"""The paper's three syntheses from images and settings: style transfer, content reconstruction
and style reconstruction (texture synthesis).

Each builds an :class:`~gatys.core.synthesis.Objective` from its images and runs
:func:`~gatys.core.synthesis.synthesize`. Layer defaults are the paper's: content at conv4_2, style at
conv1_1 ... conv5_1 with w_l = 1/5, both taken after the ReLU as in the authors' code.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from PIL import Image

from gatys.controls import colour

from gatys.core import defaults
from gatys.io.errors import LayerError, SettingError
from gatys.io.images import load_image, load_mask
from gatys.core.synthesis import Objective, SynthesisResult, content_targets, noise_image, style_targets
from gatys.core.synthesis import synthesize
from gatys.core.vgg import VGGFeatures, validate_layers
from gatys.io.weights import load_vgg

@dataclass(frozen=True)
class LossConvention:
    """How to read α/β: the constants in front of the two terms, named.

    ``paper``: the literal equations, L_content = ½ Σ (F − P)², w_l = 1/L.
    ``gatys-code``: the authors' released code: content Σ (F − P)² / (N_l M_l) (an MSE), style
    Σ_l (1/N_l²) · MSE(G/M, A/M) = Σ_l (4/N_l²) E_l; their "style weight 1e3" is α/β = 1e-3.
    Unlike ``paper``, it does not grow with the image size (the content sum grows with M_l).
    """

    name: str
    content_reduction: str
    content_factor: float
    style_weighting: str  # "uniform" (1/L) or "inverse-square" (4/N_l²)

    def style_layer_weights(self, model: VGGFeatures, layers: Sequence[str]) -> dict[str, float]:
        if self.style_weighting == "uniform":
            return {layer: 1.0 / len(layers) for layer in layers}
        return {layer: 4.0 / model.channels(layer) ** 2 for layer in layers}


LOSS_CONVENTIONS = {
    "paper": LossConvention("paper", "sum", 1.0, "uniform"),
    "gatys-code": LossConvention("gatys-code", "mean", 2.0, "inverse-square"),
}

DEFAULT_CONTENT_LAYERS = defaults.CONTENT_LAYERS
DEFAULT_STYLE_LAYERS = defaults.STYLE_LAYERS
INITS = ("noise", "content", "style")

ImageLike = torch.Tensor | str | os.PathLike | Image.Image


def _as_image(source: ImageLike, size: int | None = None, shape=None) -> torch.Tensor:
    """A (1, 3, H, W) tensor in 0..1: tensors pass through (resized if asked), the rest load."""
    if isinstance(source, torch.Tensor):
        image = source if source.dim() == 4 else source.unsqueeze(0)
        if shape is not None and tuple(image.shape[-2:]) != tuple(shape):
            image = torch.nn.functional.interpolate(
                image, size=tuple(shape), mode="bilinear", antialias=True, align_corners=False
            )
        elif size is not None and max(image.shape[-2:]) != size:
            scale = size / max(image.shape[-2:])
            new = tuple(max(1, round(side * scale)) for side in image.shape[-2:])
            image = torch.nn.functional.interpolate(
                image, size=new, mode="bilinear", antialias=True, align_corners=False
            )
        return image.float()
    return load_image(source, size=size, shape=shape)


def _check_positive(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise SettingError(f"{name} must be a positive finite number, got {value!r}")


def make_objective(
    model: VGGFeatures,
    *,
    content: torch.Tensor | None = None,
    styles: Sequence[torch.Tensor] = (),
    content_layers: Sequence[str] = DEFAULT_CONTENT_LAYERS,
    style_layers: Sequence[str] = DEFAULT_STYLE_LAYERS,
    ratio: float = 1e-3,
    style_blend: Sequence[float] | None = None,
    style_layer_weights: dict[str, float] | None = None,
    convention: str = "paper",
    style_layers_per_style: Sequence[Sequence[str] | None] | None = None,
    masks: Sequence[torch.Tensor] | None = None,
    tv_weight: float = 0.0,
) -> Objective:
    """The objective α L_content + β L_style with β = 1 and α = ``ratio`` (the paper's α/β).

    Without ``content`` it is L_style alone (α = 0); without ``styles``, L_content alone (β = 0).
    ``style_blend``: one weight per style image, normalised to sum to 1 (default: equal).
    ``convention`` names how the ratio is read (:data:`LOSS_CONVENTIONS`); explicit
    ``style_layer_weights`` replace the convention's w_l.

    Beyond the paper (Gatys et al. 2017): ``style_layers_per_style`` gives each style image its
    own layers (None in the list: ``style_layers``), e.g. one painting's fine scales (relu1_1,
    relu2_1) with another's coarse ones; ``masks``, one (1, 1, H, W) mask per style at the
    content's size, confine each style to its region (guided Gram matrices; see
    :class:`~gatys.core.synthesis.Objective`); ``tv_weight`` adds λ_TV · TV(x)
    (:func:`~gatys.core.losses.total_variation`, not in the paper).
    """
    if convention not in LOSS_CONVENTIONS:
        raise SettingError(
            f"unknown loss convention {convention!r}; choose one of {', '.join(LOSS_CONVENTIONS)}"
        )
    rule = LOSS_CONVENTIONS[convention]
    device = next(model.parameters()).device
    content_layers = validate_layers(content_layers, model.arch) if content is not None else []
    style_layers = validate_layers(style_layers, model.arch) if styles else []
    if content is not None and not content_layers:
        raise SettingError("a content image needs at least one content layer")
    if styles and not style_layers:
        raise SettingError("a style image needs at least one style layer")
    layers_of_style = _layers_per_style(model, style_layers, style_layers_per_style, len(styles))
    style_layers = list(dict.fromkeys(layer for layers in layers_of_style for layer in layers))
    if not (isinstance(tv_weight, (int, float)) and math.isfinite(tv_weight) and tv_weight >= 0):
        raise SettingError(f"tv_weight must be a finite number >= 0, got {tv_weight!r}")
    if content is None and not styles:
        raise SettingError("nothing to match: give a content image, a style image or both")
    smallest = model.min_size([*content_layers, *style_layers])
    for name, image in [("content", content), *(("style", style) for style in styles)]:
        if image is not None and min(image.shape[-2:]) < smallest:
            raise LayerError(
                f"the {name} image is {image.shape[-2]}×{image.shape[-1]} px, too small for the "
                f"layers asked for: they need at least {smallest} px on each side; use a larger "
                f"size or shallower layers"
            )
    blend = _normalised_blend(style_blend, len(styles))
    if style_layer_weights is None:
        style_layer_weights = rule.style_layer_weights(model, style_layers)
    else:
        missing = [layer for layer in style_layers if layer not in style_layer_weights]
        if missing:
            raise SettingError(f"style_layer_weights lacks a weight for {', '.join(missing)}")
        style_layer_weights = {layer: float(style_layer_weights[layer]) for layer in style_layers}
    if content is not None and styles:
        _check_positive("the ratio α/β", ratio)
        alpha, beta = float(ratio), 1.0
    else:
        alpha, beta = (1.0, 0.0) if content is not None else (0.0, 1.0)
    guides = positions = None
    if masks is not None:
        guides = _style_guides(model, content, masks, layers_of_style, device)
        positions = [_positions(model, style, layers) for style, layers in
                     zip(styles, layers_of_style)]
    return Objective(
        model=model,
        content_targets=(
            content_targets(model, content.to(device), content_layers) if content is not None else {}
        ),
        style_targets=[style_targets(model, style.to(device), layers)
                       for style, layers in zip(styles, layers_of_style)],
        style_blend=blend,
        style_layer_weights=style_layer_weights,
        alpha=alpha,
        beta=beta,
        content_reduction=rule.content_reduction,
        content_factor=rule.content_factor,
        style_guides=guides,
        style_positions=positions,
        tv_weight=float(tv_weight),
    )


def _layers_per_style(model: VGGFeatures, default: Sequence[str],
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
        chosen.append(list(default) if layers is None else validate_layers(layers, model.arch))
    return chosen


def _positions(model: VGGFeatures, image: torch.Tensor, layers: Sequence[str]) -> dict[str, int]:
    """M_l: the number of positions of ``image``'s feature maps at each layer."""
    with torch.no_grad():
        features = model(image.to(next(model.parameters()).device), list(layers))
    return {layer: int(features[layer].shape[2] * features[layer].shape[3]) for layer in layers}


def _style_guides(model: VGGFeatures, content: torch.Tensor | None, masks: Sequence[torch.Tensor],
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


def _normalised_blend(weights: Sequence[float] | None, count: int) -> list[float]:
    if count == 0:
        return []
    if weights is None:
        return [1.0 / count] * count
    weights = [float(w) for w in weights]
    if len(weights) != count:
        raise SettingError(f"got {len(weights)} style weights for {count} style image(s)")
    if any(not math.isfinite(w) or w < 0 for w in weights) or sum(weights) <= 0:
        raise SettingError(f"style weights must be >= 0 with a positive sum, got {weights}")
    return [w / sum(weights) for w in weights]


def initial_image(
    init: str | ImageLike,
    shape: Sequence[int],
    *,
    content: torch.Tensor | None = None,
    style: torch.Tensor | None = None,
    seed: int = 0,
) -> torch.Tensor:
    """The starting image, shaped ``shape`` (B, 3, H, W): ``"noise"`` (white noise from
    ``seed``), ``"content"``, ``"style"`` (resized to the shape) or an image/path of one's own."""
    height, width = shape[-2:]
    if isinstance(init, str) and init in INITS:
        if init == "noise":
            return noise_image(shape, seed)
        chosen = content if init == "content" else style
        if chosen is None:
            raise SettingError(f"init={init!r} needs a {init} image")
        return _as_image(chosen.cpu(), shape=(height, width)).expand(*shape).clone()
    return _as_image(init, shape=(height, width)).expand(*shape).clone()


def style_transfer(
    content: ImageLike,
    styles: ImageLike | Sequence[ImageLike],
    *,
    model: VGGFeatures | None = None,
    size: int | None = 512,
    style_scale: float = 1.0,
    ratio: float = 1e-3,
    content_layers: Sequence[str] = DEFAULT_CONTENT_LAYERS,
    style_layers: Sequence[str] = DEFAULT_STYLE_LAYERS,
    style_blend: Sequence[float] | None = None,
    style_layer_weights: dict[str, float] | None = None,
    convention: str = defaults.CONVENTION,
    init: str | ImageLike = "noise",
    seed: int = 0,
    preserve_colour: str | None = None,
    style_layers_per_style: Sequence[Sequence[str] | None] | None = None,
    masks: Sequence[ImageLike] | None = None,
    tv_weight: float = 0.0,
    **synthesis_options,
) -> SynthesisResult:
    """Render ``content`` in the style of ``styles`` (the paper's Fig. 2/3).

    ``size`` is the long side of the result in pixels (None keeps the content's size); each style
    image is resized so its long side is ``style_scale`` times the content's (the paper: the same
    size). ``ratio`` is α/β, read under ``convention`` (default: the notebooks' choice,
    :data:`gatys.core.defaults.CONVENTION`; ``"paper"`` for the literal equations). Pass a normalised
    ``model`` (:func:`gatys.core.normalisation.normalised_vgg`) for the paper's network. Other keyword
    arguments go to :func:`~gatys.core.synthesis.synthesize`.

    Controls beyond the paper (Gatys et al. 2017; see :mod:`gatys.controls.colour`):
    ``preserve_colour="luminance"`` transfers on the luminance channel (the style's luminance
    matched to the content's mean and variance) and gives the result the content's I and Q
    channels; ``"histogram"`` first maps each style's colours to the content's mean and
    covariance. ``style_layers_per_style``: a layer list (or None) per style image.
    ``masks``: one per style image (file, Pillow image or tensor; resized to the content), each
    confining its style to the white region. ``tv_weight``: total-variation regularisation.
    """
    if size is not None:
        _check_positive("size", size)
    _check_positive("style_scale", style_scale)
    colour.check_method(preserve_colour)
    content_image = _as_image(content, size=size)
    single = isinstance(styles, (str, os.PathLike, Image.Image, torch.Tensor))
    style_sources = [styles] if single else list(styles)
    mask_images = None
    if masks is not None:
        if len(masks) != len(style_sources):
            raise SettingError(f"got {len(masks)} mask(s) for {len(style_sources)} style "
                               f"image(s); give one mask per style image, in the same order")
        mask_images = [load_mask(mask, tuple(content_image.shape[-2:])) for mask in masks]
    model = model if model is not None else load_vgg()
    style_size = max(1, round(max(content_image.shape[-2:]) * style_scale))
    style_images = [_as_image(style, size=style_size) for style in style_sources]
    colour_source = content_image
    if preserve_colour == "histogram":
        style_images = [colour.match_colour_histogram(style, content_image)
                        for style in style_images]
    elif preserve_colour == "luminance":
        content_luminance = colour.luminance(content_image)
        style_images = [colour.grey_rgb(colour.match_luminance(colour.luminance(style),
                                                               content_luminance))
                        for style in style_images]
        content_image = colour.grey_rgb(content_luminance)
    objective = make_objective(
        model, content=content_image, styles=style_images, content_layers=content_layers,
        style_layers=style_layers, ratio=ratio, style_blend=style_blend,
        style_layer_weights=style_layer_weights, convention=convention,
        style_layers_per_style=style_layers_per_style, masks=mask_images, tv_weight=tv_weight,
    )
    start = initial_image(init, content_image.shape, content=content_image,
                          style=style_images[0], seed=seed)
    synthesis_options.setdefault("description", "style transfer")
    result = synthesize(objective, start, **synthesis_options)
    if preserve_colour == "luminance":
        # The optimised image's luminance with the photograph's chroma (I, Q).
        result.image = colour.with_colours_of(result.image, colour_source).clamp(0, 1)
    return result


def reconstruct_content(
    image: ImageLike,
    *,
    model: VGGFeatures | None = None,
    layers: Sequence[str] = DEFAULT_CONTENT_LAYERS,
    size: int | None = 512,
    convention: str = "paper",
    seed: int = 0,
    init: str | ImageLike = "noise",
    **synthesis_options,
) -> SynthesisResult:
    """An image whose features at ``layers`` match ``image``'s, from white noise (Fig. 1, top)."""
    model = model if model is not None else load_vgg()
    target = _as_image(image, size=size)
    objective = make_objective(model, content=target, content_layers=layers,
                               convention=convention)
    start = initial_image(init, target.shape, content=target, seed=seed)
    synthesis_options.setdefault("description", "content reconstruction")
    return synthesize(objective, start, **synthesis_options)


def synthesize_texture(
    style: ImageLike,
    *,
    model: VGGFeatures | None = None,
    layers: Sequence[str] = DEFAULT_STYLE_LAYERS,
    size: int | None = 512,
    shape: Sequence[int] | None = None,
    style_layer_weights: dict[str, float] | None = None,
    seed: int = 0,
    init: str | ImageLike = "noise",
    **synthesis_options,
) -> SynthesisResult:
    """An image whose Gram matrices at ``layers`` match ``style``'s (Fig. 1, bottom; NIPS 2015).

    ``size`` sizes the style image (long side); the result has ``shape`` (H, W), by default the
    style image's.
    """
    model = model if model is not None else load_vgg()
    style_image = _as_image(style, size=size)
    objective = make_objective(model, styles=[style_image], style_layers=layers,
                               style_layer_weights=style_layer_weights)
    out_shape = (1, 3, *(shape or style_image.shape[-2:]))
    start = initial_image(init, out_shape, style=style_image, seed=seed)
    synthesis_options.setdefault("description", "style reconstruction")
    return synthesize(objective, start, **synthesis_options)
