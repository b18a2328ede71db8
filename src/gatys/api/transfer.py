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
from gatys.core.config import TransferSettings
from gatys.core.features import FeatureModel
from gatys.core.memory import check_run_fits
from gatys.core.normalisation import normalised_vgg
from gatys.core.objective import LOSS_CONVENTIONS, make_objective
from gatys.core.optimize import SynthesisResult, synthesize
from gatys.core.start import INITS, ImageLike, as_image, initial_image, planned_shape
from gatys.core.vgg import ARCHITECTURES, validate_layers
from gatys.core.weights import load_vgg, parse_model
from gatys.io.errors import SettingError
from gatys.io.images import load_mask
from gatys.io.settings import resolve_device

# What synthesize takes besides the settings: how a run is watched, not what it computes.
HOOKS = ("callback", "until", "snapshot_every", "snapshot_dir", "progress", "description")

__all__ = ["TransferSettings", "LOSS_CONVENTIONS", "INITS", "make_objective", "initial_image",
           "style_transfer", "reconstruct_content", "synthesize_texture"]


def style_transfer(
    content: ImageLike,
    styles: ImageLike | Sequence[ImageLike],
    settings: TransferSettings | None = None,
    *,
    model: FeatureModel | None = None,
    masks: Sequence[ImageLike] | None = None,
    **options,
) -> SynthesisResult:
    """Render ``content`` in the style of ``styles`` (the paper's Fig. 2/3).

    ``settings`` (:class:`~gatys.core.config.TransferSettings`, default: the defaults), with
    any of its fields given as keyword arguments (``ratio=0.3``): ``size`` is the long side of
    the result in pixels (None keeps the content's size); each style image is resized so its long
    side is ``style_scale`` times the content's (the paper: the same size); ``ratio`` is α/β, read
    under ``convention`` (default: the recipe of ``model``'s network; ``"paper"`` for the literal
    equations). Without ``model``, the default weights normalised over the content and style
    images (:func:`~gatys.core.normalisation.normalised_vgg`). :data:`HOOKS` go to
    :func:`~gatys.core.optimize.synthesize`.

    Controls beyond the paper (Gatys et al. 2017; see :mod:`gatys.controls.colour`):
    ``preserve_colour="luminance"`` transfers on the luminance channel and gives the result the
    content's I and Q channels; ``"histogram"`` first maps each style's colours to the content's
    mean and covariance. ``style_layers_per_style``: a layer list (or None) per style image.
    ``masks``: one per style image (file, Pillow image or tensor; resized to the content), each
    confining its style to the white region. ``tv_weight``: total-variation regularisation.
    """
    hooks = {key: options.pop(key) for key in HOOKS if key in options}
    settings = TransferSettings.of(settings, **options)
    single = isinstance(styles, (str, os.PathLike, Image.Image, torch.Tensor))
    style_sources = [styles] if single else list(styles)
    settings.for_styles(len(style_sources))
    if masks is not None and len(masks) != len(style_sources):
        raise SettingError(f"got {len(masks)} mask(s) for {len(style_sources)} style "
                           f"image(s); give one mask per style image, in the same order")
    content_image, style_images, spec = _images(content, style_sources, model, settings)
    mask_images = None if masks is None else [
        load_mask(mask, tuple(content_image.shape[-2:])) for mask in masks]
    if model is None:  # the paper's network, once every input has been read
        model = load_vgg(spec, pooling=settings.pooling)
        if settings.normalise:
            model = normalised_vgg(model, [content_image, *style_images])
    colour_source = content_image
    content_image, style_images = _colour_inputs(settings.preserve_colour, content_image,
                                                 style_images)
    objective = make_objective(
        model, content=content_image, styles=style_images, content_layers=settings.content_layers,
        style_layers=settings.style_layers, ratio=settings.ratio, style_blend=settings.style_blend,
        style_layer_weights=settings.style_layer_weights, convention=settings.convention,
        style_layers_per_style=settings.style_layers_per_style, masks=mask_images,
        tv_weight=settings.tv_weight,
    )
    start = initial_image(settings.init, content_image.shape, content=content_image,
                          style=style_images[0], seed=settings.seed)
    hooks.setdefault("description", "style transfer")
    result = synthesize(objective, start, settings, **hooks)
    if settings.preserve_colour == "luminance":
        # The optimised image's luminance with the photograph's chroma (I, Q).
        result.image = colour.with_colours_of(result.image, colour_source).clamp(0, 1)
    return result


def _images(content: ImageLike, styles: list[ImageLike], model: FeatureModel | None,
            settings: TransferSettings):
    """The images at their sizes, and the default network's spec when ``model`` is None; the
    run is checked before anything is decoded or loaded."""
    spec = parse_model() if model is None else None
    _check_run(spec.arch if spec else model.arch, model, content, styles, settings)
    content_image = as_image(content, size=settings.size)
    style_size = max(1, round(max(content_image.shape[-2:]) * settings.style_scale))
    return content_image, [as_image(style, size=style_size) for style in styles], spec


def _colour_inputs(method: str | None, content: torch.Tensor, styles: list[torch.Tensor]
                   ) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """The images the objective matches when the photograph's colours are kept (Gatys et al.
    2017): the styles' colours mapped to the content's, or both in luminance alone."""
    if method == "histogram":
        return content, [colour.match_colour_histogram(style, content) for style in styles]
    if method == "luminance":
        content_luminance = colour.luminance(content)
        return colour.grey_rgb(content_luminance), [
            colour.grey_rgb(colour.match_luminance(colour.luminance(style), content_luminance))
            for style in styles]
    return content, styles


def _check_run(arch: str, model: FeatureModel | None, content: ImageLike,
               styles: Sequence[ImageLike], settings: TransferSettings) -> None:
    """Before any image is decoded or network loaded: the layers exist in ``arch``, and the
    whole run (the normalisation pass too, when ``model`` is None) fits in memory."""
    if arch not in ARCHITECTURES:
        return  # a feature model of its own (random filters): synthesize checks its memory
    layers = [*settings.content_layers, *settings.style_layers, *(
        layer for group in settings.style_layers_per_style or [] if group for layer in group)]
    validate_layers(layers, arch)
    content_shape = planned_shape(content, settings.size)
    style_size = max(1, round(max(content_shape) * settings.style_scale))
    device = resolve_device() if model is None else next(model.parameters()).device
    history = settings.history_size if settings.optimizer == "lbfgs" else 0
    check_run_fits(arch, list(dict.fromkeys(layers)), content_shape,
                   [planned_shape(style, style_size) for style in styles], device,
                   normalise=model is None and settings.normalise, lbfgs_history=history)


def reconstruct_content(
    image: ImageLike,
    settings: TransferSettings | None = None,
    *,
    model: FeatureModel | None = None,
    layers: Sequence[str] | None = None,
    **options,
) -> SynthesisResult:
    """An image whose features at ``layers`` (default: the settings' content layers) match
    ``image``'s, from white noise (Fig. 1, top)."""
    hooks = {key: options.pop(key) for key in HOOKS if key in options}
    settings = TransferSettings.of(settings, **options)
    model = model if model is not None else load_vgg()
    target = as_image(image, size=settings.size)
    objective = make_objective(model, content=target, convention=settings.convention,
                               content_layers=settings.content_layers if layers is None else layers)
    start = initial_image(settings.init, target.shape, content=target, seed=settings.seed)
    hooks.setdefault("description", "content reconstruction")
    return synthesize(objective, start, settings, **hooks)


def synthesize_texture(
    style: ImageLike,
    settings: TransferSettings | None = None,
    *,
    model: FeatureModel | None = None,
    layers: Sequence[str] | None = None,
    shape: Sequence[int] | None = None,
    **options,
) -> SynthesisResult:
    """An image whose Gram matrices at ``layers`` (default: the settings' style layers) match
    ``style``'s (Fig. 1, bottom; NIPS 2015).

    ``size`` sizes the style image (long side); the result has ``shape`` (H, W), by default the
    style image's.
    """
    hooks = {key: options.pop(key) for key in HOOKS if key in options}
    settings = TransferSettings.of(settings, **options)
    model = model if model is not None else load_vgg()
    style_image = as_image(style, size=settings.size)
    objective = make_objective(model, styles=[style_image],
                               style_layers=settings.style_layers if layers is None else layers,
                               style_layer_weights=settings.style_layer_weights,
                               convention=settings.convention)
    out_shape = (1, 3, *(shape or style_image.shape[-2:]))
    start = initial_image(settings.init, out_shape, style=style_image, seed=settings.seed)
    hooks.setdefault("description", "style reconstruction")
    return synthesize(objective, start, settings, **hooks)
