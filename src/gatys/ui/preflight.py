"""Everything a ``gatys transfer`` can be refused for, checked before any work, in one place.

The command line calls :func:`check_transfer` on its parsed arguments before it imports torch,
loads a network or decodes a pixel, so a run that cannot work ends in a fraction of a second with
one line naming the fix (exit status 2, nothing written), not after minutes. In order:

1. the settings (:class:`~gatys.core.config.TransferSettings`, each value checked by the same
   function as in the API, so the message is the same) and what only the command line has
   (``--snapshot-every`` without ``--snapshots``, ``--style-layers-of``, one mask per STYLE);
2. the environment (``$GATYS_PROGRESS``, ``$GATYS_DEVICE``, ``$GATYS_PRECISION``,
   ``$GATYS_LAYOUT``, ``$GATYS_MODEL``), the loss
   convention against the network, the weights file;
3. the layer names, for the architecture the model setting names;
4. every input file's header (readable, an image, within ``--max-pixels``; nothing decoded) and
   the image sizes they make at ``--size`` (and at the coarsest ``--coarse-to-fine`` level),
   against the smallest size the layers accept;
5. every output path (the image's format; the image, history and snapshot paths writable);
6. the memory the whole run needs (decoding, the normalisation pass, the synthesis;
   :mod:`gatys.core.memory`) against what is free: here for a CPU run, and once torch has said
   what the device has free (:func:`check_device_memory`) for any other.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gatys.controls.levels import pyramid_sizes
from gatys.core import architecture, config, defaults, memory, route
from gatys.core.config import TransferSettings
from gatys.core.conventions import LOSS_CONVENTIONS
from gatys.io.animation import animation_format
from gatys.io.errors import LayerError, SettingError
from gatys.io.files import check_writable
from gatys.io.formats import image_dimensions, long_side_shape, output_format
from gatys.io.models import ModelSpec, check_weights_file, parse_model
from gatys.io.progress import progress_mode
from gatys.io.settings import device_kind


@dataclass(frozen=True)
class TransferPlan:
    """What the checks resolved, for the run to use: nothing in it is computed twice."""

    spec: ModelSpec
    settings: TransferSettings  # what the API is given; its convention is the network's own
    layers: tuple[str, ...]  # every layer the objective reads
    content_shape: tuple[int, int]
    style_shapes: tuple[tuple[int, int], ...]
    layers_per_style: list[list[str] | None] | None
    noise_start: bool
    source_pixels: int  # the largest input file's, for the memory estimate
    memory_checked: bool  # against the CPU's free memory, here


def check_transfer(args: argparse.Namespace) -> TransferPlan:
    """Check ``gatys transfer``'s arguments (see the module docstring); the first problem raises
    a :class:`~gatys.io.errors.GatysError` whose message names the fix."""
    layers_per_style = _check_switches(args)
    progress_mode()  # the environment's settings, the convention and the weights
    kind = device_kind(args.device)
    convention = convention_for(args.convention, args.normalise)
    settings = settings_from_args(args, convention, layers_per_style)
    route.requested(args.precision, args.layout)  # and $GATYS_PRECISION, $GATYS_LAYOUT
    spec = parse_model(args.model, args.weights)
    if spec.source == "file":
        check_weights_file(spec.path)
    layers = [*args.content_layers, *args.style_layers,
              *(layer for group in layers_per_style or [] if group for layer in group)]
    architecture.validate_layers(layers, spec.arch)
    content, styles, others = _check_inputs(args)
    content_shape = long_side_shape(*content, args.size)
    style_shapes = _check_sizes(args, spec.arch, layers, layers_per_style, content, styles,
                                args.size, "")
    if args.coarse_to_fine:  # the coarsest level sees the smallest images
        _check_sizes(args, spec.arch, layers, layers_per_style, content, styles,
                     pyramid_sizes(args.size, args.coarse_to_fine)[0], " at the coarsest level")
    _check_outputs(args)
    plan = TransferPlan(spec, settings, tuple(dict.fromkeys(layers)), content_shape,
                        style_shapes, layers_per_style,
                        noise_start=args.init in defaults.INITS and "noise" in args.init,
                        source_pixels=max(h * w for h, w in [content, *styles, *others]),
                        memory_checked=kind == "cpu")
    if kind == "cpu":  # the memory the device has is known without torch
        check_device_memory(args, plan, "cpu")
    return plan


def _check_switches(args: argparse.Namespace) -> list[list[str] | None] | None:
    """What only the command line has; returns the layers of each style."""
    if args.snapshot_every is not None and not (args.snapshots or args.animate):
        raise SettingError(f"--snapshot-every {args.snapshot_every} needs something to take "
                           f"snapshots for: add --snapshots DIR or --animate FILE.gif")
    if args.masks is not None and len(args.masks) != len(args.styles):
        raise SettingError(f"got {len(args.masks)} mask(s) for {len(args.styles)} style image(s); "
                           f"give --masks one file per STYLE, in the same order")
    return layers_of_each_style(args.style_layers_of, len(args.styles))


def settings_from_args(args: argparse.Namespace, convention: str,
                       layers_per_style: list[list[str] | None] | None) -> TransferSettings:
    """The flags mapped onto :class:`~gatys.core.config.TransferSettings`, checked there; the
    images are resized once, when they are loaded, so the API keeps their size."""
    settings = TransferSettings(
        size=None, style_scale=args.style_scale, ratio=args.ratio,
        content_layers=args.content_layers, style_layers=args.style_layers,
        style_blend=args.style_weights, convention=convention, init=args.init,
        seed=0 if args.seed is None else args.seed, preserve_colour=args.preserve_colour,
        style_layers_per_style=layers_per_style, tv_weight=args.tv_weight,
        optimizer=args.optimizer, iterations=args.iterations, learning_rate=args.learning_rate,
        history_size=args.history_size, precision=args.precision, layout=args.layout,
        pooling=args.pooling, normalise=args.normalise)
    config.check("size", args.size)
    config.check("refine_iterations", args.refine_iterations)
    settings.for_styles(len(args.styles))
    return settings


def _check_inputs(args: argparse.Namespace):
    """Every input file's header: the content's and the styles' (height, width), and those of
    the masks and a start image."""
    content = image_dimensions(args.content, args.max_pixels)
    styles = [image_dimensions(path, args.max_pixels) for path in args.styles]
    others = [image_dimensions(path, args.max_pixels) for path in args.masks or []]
    if args.init not in defaults.INITS:
        others.append(image_dimensions(args.init, args.max_pixels))
    return content, styles, others


def _check_sizes(args: argparse.Namespace, arch: str, layers: Sequence[str], layers_per_style,
                 content: tuple[int, int], styles: Sequence[tuple[int, int]], size: int,
                 where: str) -> tuple[tuple[int, int], ...]:
    """The result at long side ``size`` and the styles beside it are large enough for their
    layers; returns the styles' shapes."""
    flag = "--coarse-to-fine" if where else "--size"
    result = long_side_shape(*content, size)
    _check_large_enough(arch, layers, result, f"the result{where}", flag)
    style_size = max(1, round(max(result) * args.style_scale))
    shapes = tuple(long_side_shape(*shape, style_size) for shape in styles)
    for path, shape, group in zip(args.styles, shapes, layers_per_style or [None] * len(styles)):
        _check_large_enough(arch, group or args.style_layers, shape,
                            f'the style "{Path(path).absolute()}"{where}',
                            flag if where else "--style-scale")
    return shapes


def _check_outputs(args: argparse.Namespace) -> None:
    """The image's format, and every path the run will write."""
    output_format(args.output, args.bit_depth)
    check_writable(args.output, "the output")
    if args.history:
        check_writable(args.history, "the history file", example="history.json")
    if args.snapshots:
        check_writable(args.snapshots, "the snapshot folder", folder=True)
    if args.animate:
        animation_format(args.animate)
        check_writable(args.animate, "the animation", example="forming.gif")


def check_device_memory(args: argparse.Namespace, plan: TransferPlan, device) -> int:
    """Refuse a run whose peak memory (:func:`gatys.core.memory.check_run_fits`) would not fit on
    ``device``, naming a size that does; return the estimate in bytes."""
    history = args.history_size if args.optimizer == "lbfgs" else 0
    return memory.check_run_fits(plan.spec.arch, plan.layers, plan.content_shape,
                                 plan.style_shapes, device, normalise=args.normalise,
                                 source_pixels=plan.source_pixels, lbfgs_history=history)


def _check_large_enough(arch: str, layers: Sequence[str], shape: tuple[int, int], what: str,
                        flag: str) -> None:
    smallest = architecture.min_size(arch, layers)
    if min(shape) < smallest:
        names = architecture.layer_names(arch)
        deepest = max(layers, key=names.index)
        raise LayerError(
            f"{what} would be {shape[1]}×{shape[0]} px, too small for layer {deepest}: it "
            f"needs at least {smallest} px on each side; use a larger {flag} or shallower layers"
        )


def convention_for(name: str | None, normalise: bool) -> str:
    """The loss convention that belongs to the network --normalise chooses (a recipe is a
    whole): the default for each network, or ``name`` if it belongs to that network."""
    if name is None:
        return defaults.CONVENTION if normalise else defaults.ORIGINAL_CONVENTION
    config.check("convention", name)
    if LOSS_CONVENTIONS[name].normalised != normalise:
        flag = "--normalise" if LOSS_CONVENTIONS[name].normalised else "--no-normalise"
        raise SettingError(f"--convention {name} belongs to the "
                           f"{'normalised' if normalise is False else 'original'} network; add "
                           f"{flag}, or leave --convention out for the recipe of this network")
    return name


def layers_of_each_style(assignments: Sequence[str], count: int
                         ) -> list[list[str] | None] | None:
    """``--style-layers-of K=L1,L2`` options as one layer list (or None) per style image."""
    if not assignments:
        return None
    chosen: list[list[str] | None] = [None] * count
    for text in assignments:
        index, _, layers = text.partition("=")
        if not index.strip().isdigit() or not layers.strip():
            raise SettingError(f"--style-layers-of {text!r}: write K=L1,L2 with K the style's "
                               f"position (1 = the first STYLE), e.g. 1=relu1_1,relu2_1")
        position = int(index)
        if not 1 <= position <= count:
            raise SettingError(f"--style-layers-of {text!r}: there is no style {position}; "
                               f"K runs from 1 to {count}, the number of STYLE images")
        chosen[position - 1] = [name.strip() for name in layers.split(",") if name.strip()]
    return chosen
