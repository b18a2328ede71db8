"""The ``gatys`` command: neural style transfer from the command line (also ``python -m gatys``)."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

from gatys import __version__

# Only modules that do not import torch, so that bad input is refused at once: torch, the
# network and the optimiser are imported by run_transfer once the checks have passed.
from gatys.controls.levels import pyramid_sizes
from gatys.core import defaults, route
from gatys.core.architecture import layer_names
from gatys.core.config import TransferSettings
from gatys.core.conventions import LOSS_CONVENTIONS
from gatys.io.errors import GatysError
from gatys.io.files import write_json
from gatys.io.formats import BIT_DEPTHS, DEFAULT_MAX_PIXELS
from gatys.io.models import DEFAULT_MODEL, MODELS, model_entry, model_names, weights_present
from gatys.io.progress import progress_bar, progress_mode
from gatys.io.settings import DATA_ENV, DEVICE_ENV, MODEL_ENV, WEIGHTS_ENV
from gatys.ui import interrupts
from gatys.ui.interrupts import EXIT_INTERRUPTED
from gatys.ui.preflight import TransferPlan, check_device_memory, check_transfer

SNAPSHOT_EVERY = 50  # iterations between snapshots, when --snapshots asks for them
ANIMATION_FRAMES = 40  # frames of --animate when --snapshot-every does not say
EXIT_ERROR = 2
EXIT_SAVED_ELSEWHERE = 3

DESCRIPTION = """\
A reproduction of Gatys, Ecker & Bethge, "A Neural Algorithm of Artistic Style" (2015).
Renders a photograph in the style of one or more paintings by optimising its pixels so that
its VGG features match the photograph's (content) and its feature correlations, the Gram
matrices, match the painting's (style)."""

def _wrapped_model_names() -> str:
    """The registry's names (default first) for the epilog, wrapped under its first column."""
    names = model_names().replace(DEFAULT_MODEL, f"{DEFAULT_MODEL} (default)", 1)
    return textwrap.fill(names, width=98, subsequent_indent=" " * 17) + \
        "\n                 (`gatys models`: the weights each needs and whether they are here)"


TRANSFER_EPILOG = f"""\
losses (paper notation):
  L_content = 1/2 sum (F - P)^2 at the content layers
  E_l       = sum (G - A)^2 / (4 N_l^2 M_l^2) per style layer, L_style = sum_l w_l E_l, w_l = 1/L
              (a STYLE of another size: each Gram divided by its own number of positions)
  L_total   = alpha L_content + beta L_style, with --ratio = alpha/beta
  These are the paper's literal formulas (--convention paper). By default --ratio is read as
  in the authors' released code for the paper's normalised network (--convention
  {defaults.CONVENTION}: L_content an MSE, w_l = 1/L on the MSE of G/M, i.e. 4/L on E_l; their
  content weight 1e6 and style weight 1e9 make alpha/beta = 1e-3), on the network normalised
  so that each channel's mean activation over CONTENT and the STYLEs is 1. With --no-normalise
  the default is their original-network recipe (gatys-code-original: w_l = 4/N_l^2 on E_l).
  Notebook 06 shows the calibration.

layers:
  Names are conv1_1 ... conv5_4 (before the ReLU), relu1_1 ... relu5_4 (after it) and
  pool1 ... pool5; VGG-16 ends its blocks at conv3_3, conv4_3, conv5_3. `gatys layers` lists them.

environment (flags override them):
  {MODEL_ENV}    {_wrapped_model_names()}
  {WEIGHTS_ENV}  a local weights file for that model (needed offline and for *-caffe)
  {DEVICE_ENV}   cpu, cuda, cuda:N, mps or auto (default: the best available)
  {DATA_ENV}     the directory of the paper's images (used by the notebooks)

exit status:
  0 the output image was written; {EXIT_ERROR} bad input or settings (nothing written; every
  check runs before any work); {EXIT_SAVED_ELSEWHERE} the result could not be written where asked
  (disk full, permissions changed during the run) and went to the fallback file the message
  names; {EXIT_INTERRUPTED} interrupted with Ctrl-C (the last good image is written and named;
  before the optimisation started, nothing is written).

examples (the paper's images, after `make data`, are in data/; any photo and painting will do):
  gatys transfer data/tubingen.jpg data/starry_night.jpg -o out.png
  gatys transfer data/tubingen.jpg data/starry_night.jpg --size 256 --animate forming.gif \\
      -o small.png
  gatys transfer data/tubingen.jpg data/the_scream.jpg data/starry_night.jpg \\
      --style-weights 0.7,0.3 -o mix.png
  gatys transfer data/tubingen.jpg data/starry_night.jpg --size 1024 --coarse-to-fine 256 \\
      -o large.png
  gatys transfer data/tubingen.jpg data/the_scream.jpg --preserve-colour luminance -o own.png
  gatys transfer data/tubingen.jpg data/starry_night.jpg data/the_scream.jpg \\
      --style-layers-of 1=relu1_1,relu2_1 --style-layers-of 2=relu3_1,relu4_1,relu5_1 -o fine.png
  {MODEL_ENV}=vgg16-caffe {WEIGHTS_ENV}=vgg16-imagenet-caffe.pth \\
      gatys transfer data/tubingen.jpg data/shipwreck.jpg --size 256 --iterations 200 -o s.png
  Masks (--masks, one painted per STYLE): docs/beyond-the-paper.md.
"""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


# The settings' flags are only converted here; gatys.core.config checks their values, with the
# message the API gives.
def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _names(choices) -> str:
    """The metavar of a setting with named values (gatys.core.config checks the value)."""
    return "{" + ",".join(choices) + "}"


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _layer_list(text: str) -> list[str]:
    layers = [name.strip() for name in text.split(",") if name.strip()]
    if not layers:
        raise argparse.ArgumentTypeError("expected comma-separated layer names, e.g. relu4_2")
    return layers


def _float_list(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers, e.g. 0.7,0.3, got {text!r}"
        ) from None


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other refusal: what is
    wrong, and where the options are explained (instead of the whole usage block)."""

    def error(self, message: str):
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="gatys", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run `gatys transfer --help` for the options of a transfer.",
    )
    parser.add_argument("--version", action="version", version=f"gatys {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     parser_class=OneLineParser)

    transfer = commands.add_parser(
        "transfer", help="render a content image in the style of one or more style images",
        description="Render CONTENT in the style of STYLE (several STYLEs are blended).",
        epilog=TRANSFER_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    transfer.add_argument("content", metavar="CONTENT", help="the photograph (any image file)")
    transfer.add_argument("styles", metavar="STYLE", nargs="+", help="one or more style images")
    transfer.add_argument("-o", "--output", required=True, metavar="OUT",
                          help="where to write the result (.png, .jpg, ...)")
    _add_images_options(transfer)
    _add_losses_options(transfer)
    _add_control_options(transfer)
    _add_network_options(transfer)
    _add_optimisation_options(transfer)
    _add_output_options(transfer)
    layers = commands.add_parser("layers", help="list the layer names of a network")
    layers.add_argument("--model", metavar="NAME",
                        help=f"the network whose layers to list (default: ${MODEL_ENV} or "
                             f"{DEFAULT_MODEL}; `gatys models` lists the names)")
    layers.add_argument("--arch", choices=("vgg16", "vgg19"),
                        help="the architecture, instead of a model name")
    commands.add_parser("models", help="list the model names, their weights and whether they "
                                       "are present here")
    return parser


def _add_images_options(transfer: argparse.ArgumentParser) -> None:
    """The result's size, the inputs' limits and the start."""
    images = transfer.add_argument_group("image")
    images.add_argument("--size", type=_whole_number, default=defaults.SIZE, metavar="PX",
                        help=f"long side of the result in pixels (default: {defaults.SIZE}, as "
                             f"in the paper)")
    images.add_argument("--style-scale", type=_number, default=1.0, metavar="S",
                        help="style images' long side relative to the result's (default: 1)")
    images.add_argument("--max-pixels", type=_positive_int, default=DEFAULT_MAX_PIXELS,
                        metavar="N", help=f"refuse input files of more than N pixels, before "
                                          f"decoding them (default: {DEFAULT_MAX_PIXELS:,}; a "
                                          f"guard against decompression bombs)")
    images.add_argument("--init", default=defaults.INIT, metavar="INIT",
                        help="where the optimisation starts: noise (default: the paper's white "
                             "noise, std 1/255 around the mean pixel, as in the authors' code), "
                             "uniform-noise (full amplitude), content, style or an image file "
                             "PATH; a content start keeps the photograph's look")


def _add_losses_options(transfer: argparse.ArgumentParser) -> None:
    """The paper's objective: α/β, the layers, the blend and how α/β is read."""
    losses = transfer.add_argument_group("losses")
    losses.add_argument("--ratio", type=_number, default=defaults.RATIO, metavar="A/B",
                        help=f"alpha/beta, the weight of content relative to style (default: "
                             f"{defaults.RATIO:g}: from the white-noise start the balance of the "
                             f"paper's Fig. 2, printed there as 1e-3; docs/conventions.md calibrates "
                             f"it)")
    losses.add_argument("--content-layers", type=_layer_list,
                        default=list(defaults.CONTENT_LAYERS), metavar="L1,L2",
                        help=f"content layers (default: {','.join(defaults.CONTENT_LAYERS)})")
    losses.add_argument("--style-layers", type=_layer_list,
                        default=list(defaults.STYLE_LAYERS), metavar="L1,L2",
                        help=f"style layers (default: {','.join(defaults.STYLE_LAYERS)})")
    losses.add_argument("--style-weights", type=_float_list, metavar="W1,W2",
                        help="blend weights, one per STYLE (default: equal)")
    losses.add_argument("--convention", metavar=_names(sorted(LOSS_CONVENTIONS)),
                        help=f"how --ratio is read: {defaults.CONVENTION} (the authors' code for "
                             f"the normalised network: MSE terms, w_l = 1/L on MSE(G/M); the "
                             f"default), gatys-code-original (their code for the original "
                             f"network, w_l = 4/N_l^2; the default with --no-normalise) or "
                             f"paper (the literal equations, normalised network)")


def _add_control_options(transfer: argparse.ArgumentParser) -> None:
    """Gatys et al. 2017: colour, per-style layers, masks; and total variation."""
    control = transfer.add_argument_group(
        "beyond the paper (Gatys et al. 2017, 'Controlling Perceptual Factors')")
    control.add_argument("--preserve-colour", "--preserve-color", dest="preserve_colour",
                         metavar=_names(defaults.COLOUR_METHODS),
                         help="keep the photograph's colours: luminance (transfer on the YIQ "
                              "luminance, the style's matched to the content's mean and "
                              "variance, then the content's I and Q channels) or histogram "
                              "(map each STYLE's colours to the content's mean and covariance "
                              "first)")
    control.add_argument("--style-layers-of", action="append", default=[], metavar="K=L1,L2",
                         help="the style layers of the K-th STYLE (1 = the first), e.g. "
                              "1=relu1_1,relu2_1 for its fine scales only; repeat per STYLE; "
                              "a STYLE without it uses --style-layers")
    control.add_argument("--masks", nargs="+", metavar="MASK",
                         help="one mask image per STYLE, in the same order: white where that "
                              "STYLE applies, black elsewhere (resized to the result); a region "
                              "in no mask gets no style (guided Gram matrices)")
    control.add_argument("--tv-weight", type=_number, default=0.0, metavar="W",
                         help="weight of a total-variation term that smooths pixel noise "
                              "(not in the paper; default 0: off; try 1e-3 .. 1e-1)")


def _add_network_options(transfer: argparse.ArgumentParser) -> None:
    """Which network, its weights, pooling, normalisation, device and route."""
    network = transfer.add_argument_group("network")
    network.add_argument("--model", metavar="NAME",
                         help=f"network and weight source, e.g. vgg16-caffe, or "
                              f"vgg16-caffe-bgr for jcjohnson's vgg16-00b39a1b.pth "
                              f"(default: ${MODEL_ENV} or vgg19)")
    network.add_argument("--weights", metavar="FILE",
                         help=f"local weights file (default: ${WEIGHTS_ENV})")
    network.add_argument("--pooling", metavar=_names(defaults.POOLINGS), default=defaults.POOLING,
                         help="avg (the paper, default) or max (the trained network)")
    network.add_argument("--normalise", action=argparse.BooleanOptionalAction, default=True,
                         help="rescale the network so that each channel's mean activation over "
                              "CONTENT and the STYLEs is 1, as the paper did over ImageNet "
                              "(default: on; the means are cached in $GATYS_CACHE)")
    network.add_argument("--device", metavar="DEV",
                         help=f"cpu, cuda, cuda:N, mps or auto (default: ${DEVICE_ENV} or auto)")
    network.add_argument("--precision", metavar=_names(defaults.PRECISIONS), default=None,
                         help="arithmetic of the network's pass: fp32, bf16 (bfloat16 autocast; "
                              "the Gram matrices, losses and image stay float32) or auto, the "
                              "faster of the two here, measured once and cached (default: "
                              f"${route.PRECISION_ENV} or auto)")
    network.add_argument("--layout", metavar=_names(defaults.LAYOUTS), default=None,
                         help="memory layout of the network's weights and activations, or auto, "
                              f"measured with --precision (default: ${route.LAYOUT_ENV} or auto)")


def _add_optimisation_options(transfer: argparse.ArgumentParser) -> None:
    """The optimiser, its length and the coarse-to-fine levels."""
    optimisation = transfer.add_argument_group("optimisation")
    optimisation.add_argument("--optimizer", metavar=_names(defaults.OPTIMIZERS),
                              default=defaults.OPTIMIZER,
                              help="lbfgs (the paper, default) or adam")
    optimisation.add_argument("--iterations", type=_whole_number, default=defaults.ITERATIONS,
                              metavar="N", help=f"optimiser iterations (default: "
                                                f"{defaults.ITERATIONS}, as in the paper)")
    optimisation.add_argument("--learning-rate", type=_number, metavar="LR",
                              help="step size (default: 1 for lbfgs, 0.02 for adam)")
    optimisation.add_argument("--history-size", type=_whole_number,
                              default=defaults.HISTORY_SIZE, metavar="N",
                              help=f"(step, gradient) pairs L-BFGS keeps (default: "
                                   f"{defaults.HISTORY_SIZE}, as the authors' code); each pair "
                                   f"holds two image-sized vectors, so 20 keeps 160 fewer: "
                                   f"0.47 GiB less at 512x512 px, 1.9 GiB at 1024x1024")
    optimisation.add_argument("--coarse-to-fine", type=_positive_int, metavar="PX",
                              help="optimise first at a long side of at least PX (--size "
                                   "halved while it stays >= PX), then at twice that, up to "
                                   "--size, each level starting from the previous one "
                                   "upsampled: --iterations at the first level, "
                                   "--refine-iterations at each further one (not in the paper)")
    optimisation.add_argument("--refine-iterations", type=_whole_number, default=100,
                              metavar="N", help="iterations per finer level (default: 100)")
    optimisation.add_argument("--seed", type=int, default=None,
                              help="seed of a noise start (default: 0); no effect otherwise")


def _add_output_options(transfer: argparse.ArgumentParser) -> None:
    """Snapshots, the animation, the history and what is said while it runs."""
    output = transfer.add_argument_group("output")
    output.add_argument("--snapshots", metavar="DIR",
                        help="save the image every --snapshot-every iterations into DIR")
    output.add_argument("--snapshot-every", type=_positive_int, default=None, metavar="K",
                        help=f"snapshot interval, with --snapshots (default: "
                             f"{SNAPSHOT_EVERY})")
    output.add_argument("--animate", metavar="FILE.gif",
                        help=f"write an animation of the image forming (.gif or .webp): a frame "
                             f"every --snapshot-every iterations (default: about "
                             f"{ANIMATION_FRAMES} frames), each labelled with its iteration")
    output.add_argument("--history", metavar="FILE.json",
                        help="write the settings and per-iteration losses and times as JSON")
    output.add_argument("--bit-depth", type=int, choices=BIT_DEPTHS, default=8,
                        help="bits per channel of OUT: 8 (default) or 16 (a .tif file)")
    output.add_argument("--print-every", type=_non_negative_int, default=None, metavar="N",
                        help="a log line (iteration, losses, seconds) every N iterations; 0: "
                             "none (default: 0 on a terminal, 50 when stderr is a log file "
                             "or pipe)")
    output.add_argument("-q", "--quiet", action="store_true",
                        help="no start-up line, progress bar or log lines")


def list_layers(args: argparse.Namespace) -> str:
    """``gatys layers``: the layer names of --arch, else of the model --model / $GATYS_MODEL
    names."""
    arch = args.arch or model_entry(args.model).arch
    return f"{arch}:\n" + textwrap.fill(" ".join(layer_names(arch)), width=88)


def list_models() -> str:
    """``gatys models``: the registry as a table, with whether each one's weights are here."""
    rows = [("name", "architecture", "input", "weights", "here")]
    rows += [(entry.name + (" (default)" if entry.name == DEFAULT_MODEL else ""), entry.arch,
              entry.convention, entry.weights, weights_present(entry)) for entry in MODELS]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return "\n".join("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)),
                                row[4]]).rstrip() for row in rows)


def run_transfer(args: argparse.Namespace) -> int:
    plan = check_transfer(args)  # everything that can be refused, before torch is imported
    if args.seed is not None and not plan.noise_start:
        _say(f"warning: --seed {args.seed} has no effect: the start is {args.init}, not noise")
    from gatys.core.normalisation import normalised_vgg
    from gatys.core.weights import load_vgg
    from gatys.io.images import load_image, load_mask
    from gatys.io.settings import resolve_device

    device = resolve_device(args.device)
    if not plan.memory_checked:
        check_device_memory(args, plan, device)
    content = load_image(args.content, size=args.size, max_pixels=args.max_pixels)
    masks = None if args.masks is None else [
        load_mask(path, tuple(content.shape[-2:]), max_pixels=args.max_pixels)
        for path in args.masks]
    styles = [load_image(path, shape=shape, max_pixels=args.max_pixels)
              for path, shape in zip(args.styles, plan.style_shapes)]
    total = args.iterations
    if args.coarse_to_fine:
        total += args.refine_iterations * (len(pyramid_sizes(args.size, args.coarse_to_fine)) - 1)
    if not args.quiet:
        _say(_startup_line(args, plan.spec.description, device, tuple(content.shape[-2:]),
                           total, plan.noise_start))
    model = load_vgg(plan.spec, pooling=args.pooling, device=device)
    if args.normalise:
        model = normalised_vgg(model, [content, *styles])
    chosen = route.resolve(model, plan.layers, device, args.precision, args.layout,
                           side=max(content.shape[-2:]))
    if not args.quiet:
        _say(f"route: {chosen.describe()}")
    frame_every = (args.snapshot_every or max(1, total // ANIMATION_FRAMES)) if args.animate else 0
    run_log = RunLog(total, args.print_every, quiet=args.quiet, frame_every=frame_every)
    settings = TransferSettings.of(plan.settings, precision=chosen.precision,
                                   layout=chosen.layout)
    hooks = dict(model=model, masks=masks, progress=False, callback=run_log,
                 snapshot_every=(args.snapshot_every or SNAPSHOT_EVERY) if args.snapshots else 0,
                 snapshot_dir=args.snapshots)
    # Once the run has returned, a second Ctrl-C waits until its image is written; the
    # deferral encloses the run so that no moment lies between the two.
    with interrupts.deferred() as ctrl_c:
        try:
            with interrupts.raising():  # from here Ctrl-C keeps the last good image
                result = _run(args, content, styles, settings, hooks)
        finally:
            run_log.close()
        result.route = chosen  # with how it was chosen, for the history
        status = _report(args, plan, str(device), result, run_log)
    if ctrl_c.asked and status == 0:
        _say("Ctrl-C while the result was written: it was written first")
        return EXIT_INTERRUPTED
    return status


def _run(args: argparse.Namespace, content, styles, settings: TransferSettings, hooks: dict):
    """The transfer itself, single-size or coarse to fine."""
    from gatys.api.pyramid import coarse_to_fine
    from gatys.api.transfer import style_transfer

    if args.coarse_to_fine:
        return coarse_to_fine(content, styles, settings, size=args.size,
                              smallest=args.coarse_to_fine,
                              refine_iterations=args.refine_iterations, **hooks)
    return style_transfer(content, styles, settings, **hooks)


def _report(args: argparse.Namespace, plan: TransferPlan, device: str, result,
            run_log: RunLog) -> int:
    """Write the image and the history (each to a fallback file if its path fails now) and
    say how the run ended; the exit status."""
    from gatys.io.images import save_image

    written, image_moved = _write_or_fall_back(
        lambda path: save_image(result.image, path, bit_depth=args.bit_depth), args.output,
        "image")
    animation_moved = False
    if args.animate:
        from gatys.io.animation import write_animation

        run_log.add_frame(result.image, f"iteration {result.iterations} (result)")
        _, animation_moved = _write_or_fall_back(
            lambda path: write_animation(run_log.frames, path), args.animate, "animation")
    history_moved = False
    if args.history:
        record = _history_record(args, plan, device, result)
        _, history_moved = _write_or_fall_back(lambda path: write_json(path, record),
                                               args.history, "history")
    final = result.final_losses
    print(f"{written}: {result.stop_reason}; content {final['content']:.4g}, "
          f"style {final['style']:.4g}, {result.history.seconds[-1]:.1f} s", file=sys.stderr)
    if result.interrupted:
        print(f"interrupted: the last good image is in {written}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_SAVED_ELSEWHERE if image_moved or history_moved or animation_moved else 0


def fallback_path(path: str | Path) -> Path:
    """Where a result goes when ``path`` cannot be written at the end of a run: a new file in
    the working directory (else the system's temporary folder) named after the time and
    ``path``, so that nothing computed is lost and nothing is overwritten."""
    import tempfile

    name = f"gatys-unsaved-{time.strftime('%Y%m%d-%H%M%S')}-{Path(path).name or 'result'}"
    for folder in (Path.cwd(), Path(tempfile.gettempdir())):
        candidate = folder / name
        if os.access(folder, os.W_OK | os.X_OK) and not candidate.exists():
            return candidate.absolute()
    return (Path(tempfile.gettempdir()) / f"{os.getpid()}-{name}").absolute()


def _write_or_fall_back(write, path: str, what: str) -> tuple[Path, bool]:
    """``write(path)``; if that fails now (the checks passed at the start), ``write`` a fallback
    file instead and say where. Returns the path written and whether it is the fallback."""
    try:
        return Path(write(path)), False
    except (GatysError, OSError) as exc:
        fallback = fallback_path(path)
        write(fallback)
        _say(f"error: could not write the {what} to {Path(path).absolute()} ({exc}); it is in "
             f"{fallback} instead")
        return fallback, True


def _say(line: str) -> None:
    print(f"gatys: {line}", file=sys.stderr, flush=True)


def _startup_line(args, weights: str, device, shape: tuple[int, int], total: int,
                  noise_start: bool) -> str:
    """What the run will do, in one line: device, network and weights, size, iterations, start."""
    network = f"{weights}; {args.pooling} pooling{', normalised' if args.normalise else ''}"
    size = f"{shape[1]}x{shape[0]} px"
    if args.coarse_to_fine:
        levels = pyramid_sizes(args.size, args.coarse_to_fine)
        size += f" (coarse to fine: {', '.join(str(level) for level in levels)} px)"
    start = f"{args.init} (seed {args.seed or 0})" if noise_start else args.init
    return (f"{device} | {network} | {size} | {total} {args.optimizer} iterations | "
            f"start: {start}")


class RunLog:
    """The command line's account of a run, fed by the optimiser's callback.

    A progress bar on a terminal that stays after the run (plain text: tqdm.std), and a log
    line every ``print_every`` iterations for log files and non-interactive shells (default: 50
    when stderr is not a terminal, else none). Iterations count across coarse-to-fine levels.
    """

    def __init__(self, total: int, print_every: int | None, quiet: bool = False,
                 frame_every: int = 0) -> None:
        interactive = sys.stderr.isatty()
        self.frame_every, self.frames = frame_every, []  # --animate's labelled pictures
        if print_every is None:
            print_every = 0 if interactive else 50
        self.total, self.print_every = total, 0 if quiet else max(0, print_every)
        show_bar = not quiet and (interactive or progress_mode() == "text")
        self.bar = progress_bar(total, disable=not show_bar, desc="gatys", unit="it",
                                leave=True, file=sys.stderr, dynamic_ncols=True)
        self.count = 0
        self.start = time.perf_counter()

    def __call__(self, iteration: int, image, losses: dict[str, float]) -> None:
        self.count += 1
        if self.frame_every and self.count % self.frame_every == 0:
            self.add_frame(image, f"iteration {self.count}")
        self.bar.update(1)
        self.bar.set_postfix(content=f"{losses['content']:.3g}", style=f"{losses['style']:.3g}",
                             refresh=False)
        if self.print_every and (self.count % self.print_every == 0 or self.count == self.total):
            line = (f"gatys: iteration {self.count}/{self.total}: total {losses['total']:.4g}, "
                    f"content {losses['content']:.4g}, style {losses['style']:.4g}, "
                    f"{time.perf_counter() - self.start:.1f} s")
            self.bar.write(line, file=sys.stderr)

    def add_frame(self, image, label: str) -> None:
        from gatys.io.animation import labelled_frame
        from gatys.io.images import to_pil

        self.frames.append(labelled_frame(to_pil(image), label))

    def close(self) -> None:
        self.bar.close()


def _history_record(args: argparse.Namespace, plan: TransferPlan, device: str,
                    result) -> dict:
    return {
        "settings": {**{key: value for key, value in vars(args).items() if key != "command"},
                     **TransferSettings.of(plan.settings, size=args.size).as_dict()},
        "model": plan.spec.description,
        "device": device,
        "stop_reason": result.stop_reason,
        "route": result.route.as_dict(),
        "levels": result.levels,
        "history": result.history.as_dict(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # named with the command whose options they are not
        prog = f"{parser.prog} {args.command}" if args.command else parser.prog
        parser.exit(EXIT_ERROR, f"{prog}: error: unrecognized arguments: {' '.join(unknown)} "
                                f"(see {prog} --help)\n")
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    if args.command in ("layers", "models"):
        try:
            print(list_layers(args) if args.command == "layers" else list_models(), flush=True)
        except GatysError as exc:
            print(f"gatys: error: {exc}", file=sys.stderr)
            return EXIT_ERROR
        except BrokenPipeError:  # `gatys layers | head -1`: the reader had enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            return run_transfer(args)
    except GatysError as exc:
        print(f"gatys: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:  # while the objective was built, before a first iterate
        print(interrupts.BEFORE_OPTIMISATION, file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
