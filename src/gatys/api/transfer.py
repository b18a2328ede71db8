"""The paper's three syntheses from images and settings: style transfer, content reconstruction
and style reconstruction (texture synthesis).

Each builds an :class:`~gatys.core.objective.Objective` from its images (:func:`make_objective`),
picks a start (:mod:`gatys.core.start`; the paper's white noise by default) and runs
:func:`~gatys.core.optimize.synthesize`. Defaults come from :mod:`gatys.core.defaults`: content at
conv4_2, style at conv1_1 … conv5_1, both after the ReLU as in the authors' code, and α/β read
as in the authors' code for the normalised network (``gatys-code-normalised``: an MSE content
term, w_l = 1/L on the MSE of G/M); the network passed must be the one those weights belong to
(:meth:`~gatys.core.objective.LossConvention.check_network`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import torch
from PIL import Image

from gatys.controls import colour
from gatys.core import defaults
from gatys.core.normalisation import normalised_vgg
from gatys.core.objective import LOSS_CONVENTIONS, check_positive, make_objective
from gatys.core.optimize import SynthesisResult, synthesize
from gatys.core.start import INITS, ImageLike, as_image, initial_image, planned_shape
from gatys.core.vgg import ARCHITECTURES, VGGFeatures, validate_layers
from gatys.io.errors import SettingError
from gatys.io.images import load_mask
from gatys.core.memory import check_run_fits
from gatys.io.settings import resolve_device
from gatys.core.weights import load_vgg, parse_model

__all__ = ["LOSS_CONVENTIONS", "INITS", "make_objective", "initial_image", "style_transfer",
           "reconstruct_content", "synthesize_texture"]


def style_transfer(
    content: ImageLike,
    styles: ImageLike | Sequence[ImageLike],
    *,
    model: VGGFeatures | None = None,
    size: int | None = 512,
    style_scale: float = 1.0,
    ratio: float = defaults.RATIO,
    content_layers: Sequence[str] = defaults.CONTENT_LAYERS,
    style_layers: Sequence[str] = defaults.STYLE_LAYERS,
    style_blend: Sequence[float] | None = None,
    style_layer_weights: dict[str, float] | None = None,
    convention: str | None = None,
    init: str | ImageLike = defaults.INIT,
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
    size). ``ratio`` is α/β, read under ``convention`` (default: the recipe of ``model``'s
    network, :func:`gatys.core.objective.resolve_convention`; ``"paper"`` for the literal
    equations). Without ``model``, the paper's network: the default weights
    (:func:`~gatys.core.weights.load_vgg`) normalised over the content and style images
    (:func:`~gatys.core.normalisation.normalised_vgg`). Other keyword arguments go to
    :func:`~gatys.core.optimize.synthesize`.

    Controls beyond the paper (Gatys et al. 2017; see :mod:`gatys.controls.colour`):
    ``preserve_colour="luminance"`` transfers on the luminance channel (the style's luminance
    matched to the content's mean and variance) and gives the result the content's I and Q
    channels; ``"histogram"`` first maps each style's colours to the content's mean and
    covariance. ``style_layers_per_style``: a layer list (or None) per style image.
    ``masks``: one per style image (file, Pillow image or tensor; resized to the content), each
    confining its style to the white region. ``tv_weight``: total-variation regularisation.
    """
    if size is not None:
        check_positive("size", size)
    check_positive("style_scale", style_scale)
    colour.check_method(preserve_colour)
    single = isinstance(styles, (str, os.PathLike, Image.Image, torch.Tensor))
    style_sources = [styles] if single else list(styles)
    if masks is not None and len(masks) != len(style_sources):
        raise SettingError(f"got {len(masks)} mask(s) for {len(style_sources)} style "
                           f"image(s); give one mask per style image, in the same order")
    spec = parse_model() if model is None else None
    _check_run(spec.arch if spec else getattr(model, "arch", None), model, content, size,
               style_sources, style_scale, [*content_layers, *style_layers, *(
                   layer for group in style_layers_per_style or [] if group for layer in group)],
               synthesis_options.get("history_size", defaults.HISTORY_SIZE))
    content_image = as_image(content, size=size)
    mask_images = None if masks is None else [
        load_mask(mask, tuple(content_image.shape[-2:])) for mask in masks]
    style_size = max(1, round(max(content_image.shape[-2:]) * style_scale))
    style_images = [as_image(style, size=style_size) for style in style_sources]
    if model is None:
        model = normalised_vgg(load_vgg(spec), [content_image, *style_images])
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


def _check_run(arch: str | None, model: VGGFeatures | None, content: ImageLike,
               size: int | None, styles: Sequence[ImageLike], style_scale: float,
               layers: Sequence[str], history_size: int) -> None:
    """Before any image is decoded or network loaded: the layers exist in ``arch``, and the
    whole run (the normalisation pass too, when ``model`` is None) fits in memory."""
    if arch not in ARCHITECTURES:
        return  # a feature model of its own (random filters): synthesize checks its memory
    validate_layers(layers, arch)
    content_shape = planned_shape(content, size)
    style_size = max(1, round(max(content_shape) * style_scale))
    device = resolve_device() if model is None else next(model.parameters()).device
    check_run_fits(arch, list(dict.fromkeys(layers)), content_shape,
                   [planned_shape(style, style_size) for style in styles], device,
                   normalise=model is None, lbfgs_history=history_size)


def reconstruct_content(
    image: ImageLike,
    *,
    model: VGGFeatures | None = None,
    layers: Sequence[str] = defaults.CONTENT_LAYERS,
    size: int | None = 512,
    convention: str | None = None,
    seed: int = 0,
    init: str | ImageLike = defaults.INIT,
    **synthesis_options,
) -> SynthesisResult:
    """An image whose features at ``layers`` match ``image``'s, from white noise (Fig. 1, top)."""
    model = model if model is not None else load_vgg()
    target = as_image(image, size=size)
    objective = make_objective(model, content=target, content_layers=layers,
                               convention=convention)
    start = initial_image(init, target.shape, content=target, seed=seed)
    synthesis_options.setdefault("description", "content reconstruction")
    return synthesize(objective, start, **synthesis_options)


def synthesize_texture(
    style: ImageLike,
    *,
    model: VGGFeatures | None = None,
    layers: Sequence[str] = defaults.STYLE_LAYERS,
    size: int | None = 512,
    shape: Sequence[int] | None = None,
    style_layer_weights: dict[str, float] | None = None,
    seed: int = 0,
    init: str | ImageLike = defaults.INIT,
    **synthesis_options,
) -> SynthesisResult:
    """An image whose Gram matrices at ``layers`` match ``style``'s (Fig. 1, bottom; NIPS 2015).

    ``size`` sizes the style image (long side); the result has ``shape`` (H, W), by default the
    style image's.
    """
    model = model if model is not None else load_vgg()
    style_image = as_image(style, size=size)
    objective = make_objective(model, styles=[style_image], style_layers=layers,
                               style_layer_weights=style_layer_weights)
    out_shape = (1, 3, *(shape or style_image.shape[-2:]))
    start = initial_image(init, out_shape, style=style_image, seed=seed)
    synthesis_options.setdefault("description", "style reconstruction")
    return synthesize(objective, start, **synthesis_options)
