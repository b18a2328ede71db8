"""The paper's experiments, one function per figure; the notebooks call these and show the result.

Every figure function is built the same way, by a :class:`Figure`: its panels come from the
on-disk panel cache (:meth:`Context.panel`; an interrupted run resumes and a finished panel is
never recomputed), then it composes the figure and :meth:`Figure.finish` writes
``<output_dir>/<name>.png`` and the metrics file ``<name>.json`` (settings, network, device,
profile, seconds, the rows of numbers and the figure's measures) and returns a
:class:`FigureResult`. :mod:`gatys.experiments.pros` and :mod:`gatys.experiments.beyond` build
their figures with the same two pieces.
"""

from __future__ import annotations

import itertools
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from gatys import __version__
from gatys.api.transfer import reconstruct_content, style_transfer, synthesize_texture
from gatys.core.normalisation import GAIN_LIMIT, fingerprint, normalised_vgg
from gatys.core.objective import resolve_convention
from gatys.core.start import NOISE_STD, uniform_noise, white_noise
from gatys.core.vgg import VGGFeatures
from gatys.core.weights import load_vgg
from gatys.experiments import recipes
from gatys.experiments.look import look, pixel_noise, reference_network
from gatys.experiments.measures import psnr, ssim
from gatys.experiments.panels import Panel, PanelCache
from gatys.experiments.plotting import image_grid, line_plot, markdown_table, save_figure
from gatys.io.data import load_paper_image
from gatys.io.files import remove_stale_temporaries, write_json
from gatys.io.images import save_image
from gatys.io.settings import cache_dir, project_root, resolve_device


@dataclass
class Context:
    """What every experiment shares: the network, the profile, where results go."""

    model: VGGFeatures
    model_key: str
    device: torch.device
    profile: recipes.Profile
    output_dir: Path
    panels: PanelCache
    data_dir: str | None = None
    progress: bool = True
    reference: VGGFeatures | None = None  # the look's reference network (look.reference_network)

    def image(self, key: str, size: int | None = None) -> torch.Tensor:
        """A paper image (data.PAPER_IMAGES key) with long side ``size`` (default: the profile's)."""
        return load_paper_image(key, size=size or self.profile.size, data_dir=self.data_dir)

    def base_settings(self) -> dict:
        return {"model": self.model_key, "size": self.profile.size,
                "iterations": self.profile.iterations, "device": self.device.type,
                "gatys": __version__}

    def panel(self, settings: dict, run: Callable) -> Panel:
        """The cached panel for ``settings`` (with :meth:`base_settings`), or ``run()`` it."""
        panel = self.panels.get_or_run({**self.base_settings(), **settings}, run)
        # A plain line per panel: visible in papermill's log, where a notebook progress bar is not.
        label = ", ".join(f"{key}={value}" for key, value in settings.items() if key != "kind")
        state = "from cache" if panel.cached else f"computed in {panel.seconds:.0f} s"
        print(f"panel {settings['kind']} ({label}): {state}", flush=True)
        return panel

    def describe(self) -> dict:
        return {"network": self.model.description, "device": str(self.device),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                           f"{torch.get_num_threads()} torch threads",
                "torch": torch.__version__, "profile": vars(self.profile),
                "convention": resolve_convention(self.model), "gatys": __version__}


@dataclass(frozen=True)
class FigureResult:
    """A composed figure, its metrics (as written to ``<name>.json``) and where both were written."""

    name: str
    figure: object
    path: Path
    metrics: dict
    extra_figures: tuple = ()

    @property
    def rows(self) -> list[dict]:
        return self.metrics["rows"]

    @property
    def measures(self) -> dict:
        return self.metrics.get("measures", {})

    @property
    def seconds(self) -> float:
        return self.metrics["seconds"]["figure"]

    def table(self, key: str = "rows", digits: int = 4) -> str:
        """The rows (or another list of rows in the metrics, e.g. ``"combination"``) as markdown."""
        return markdown_table(self.metrics[key], digits)

    def _repr_markdown_(self) -> str:
        return f"**{self.name}** → `{self.path}` ({self.seconds:.0f} s)\n\n" + self.table()


def default_output_dir(profile: str) -> Path:
    """Where a profile's figures go: the checkout's committed ``figures/`` for a real profile,
    ``build/<profile>/figures`` for ``quick`` and ``smoke`` (so that a first look or a smoke run
    never overwrites committed figures); relative to the working directory when not running
    from a checkout."""
    root = project_root() or Path(".")
    side = profile in ("quick", "smoke")
    return root / "build" / profile / "figures" if side else root / "figures"


def setup(
    profile: str = "auto",
    device: str | None = None,
    output_dir: str | os.PathLike | None = None,
    data_dir: str | None = None,
    cache: str | os.PathLike | None = None,
    model: str | None = None,
    weights: str | None = None,
    normalised: bool = recipes.NORMALISED,
    pooling: str = recipes.POOLING,
    progress: bool = True,
) -> Context:
    """Load the network the settings name, normalise it over the paper's images if asked, and
    prepare the output directory (default: :func:`default_output_dir`) and the panel cache."""
    device = resolve_device(device)
    chosen = recipes.profile(profile, device.type)
    network = load_vgg(model, weights, pooling=pooling, device=device)
    size = chosen.normalisation_size
    images = [load_paper_image(key, size=size, data_dir=data_dir)
              for key in ("tubingen", *(recipe.image for recipe in recipes.FIVE_STYLES))]
    model_key = fingerprint(network, images if normalised else [])
    if normalised:
        network = normalised_vgg(network, images, cache)
    model_key += f"-normalised-gain{GAIN_LIMIT:g}" if normalised else ""
    root = cache_dir(cache) / "panels"
    output = Path(output_dir) if output_dir is not None else default_output_dir(chosen.name)
    remove_stale_temporaries(output)  # a killed run's half-written figure, if any
    return Context(network, model_key, device, chosen, output, PanelCache(root), data_dir,
                   progress, reference_network(model, weights, device))


class Figure:
    """One figure in the making: started when created, it collects the panels it shows and, on
    :meth:`finish`, saves the composed figure as ``<name>.png`` and its metrics as ``<name>.json``
    (settings, network, device, profile, seconds, rows and any further measures)."""

    def __init__(self, ctx: Context, name: str) -> None:
        self.ctx, self.name = ctx, name
        self.panels: list[Panel] = []
        self.extra_figures: list = []
        self.started = time.perf_counter()

    def add(self, panel: Panel) -> Panel:
        """Count ``panel`` (from :meth:`Context.panel` or a helper) among this figure's panels."""
        self.panels.append(panel)
        return panel

    def also(self, figure, name: str) -> None:
        """Save a further figure (a curve, say) as ``<name>.png`` beside the main one."""
        save_figure(figure, self.ctx.output_dir / f"{name}.png")
        self.extra_figures.append(figure)

    def finish(self, figure, rows: list[dict], settings: dict, **extra) -> FigureResult:
        """Save ``figure`` and the metrics; ``extra`` are further top-level entries (measures…)."""
        path = self.ctx.output_dir / f"{self.name}.png"
        save_figure(figure, path)
        seconds = time.perf_counter() - self.started
        panels = self.panels
        metrics = {
            "figure": self.name, **self.ctx.describe(), "settings": settings,
            "seconds": {"figure": seconds,
                        "panels_computed": sum(p.seconds for p in panels if not p.cached),
                        "panels_total": sum(p.seconds for p in panels),
                        "panels_from_cache": sum(1 for p in panels if p.cached)},
            "routes": panel_routes(panels),
            "rows": rows, **extra,
        }
        write_json(self.ctx.output_dir / f"{self.name}.json", metrics)
        return FigureResult(self.name, figure, path, metrics, tuple(self.extra_figures))


def panel_routes(panels: list[Panel]) -> list[dict | None]:
    """How the panels' network passes were computed (:mod:`gatys.core.route`), each route once;
    None for a panel cached before routes were recorded."""
    routes: list[dict | None] = []
    for panel in panels:
        if panel.record.get("route") not in routes:
            routes.append(panel.record.get("route"))
    return routes


def style_share(values: dict[str, float], alpha: float) -> float:
    """β L_style / L_total at the end of a run: how much of the loss is style."""
    total = values["total"]
    return 1.0 - alpha * values["content"] / total if total > 0 else float("nan")


# ---------------------------------------------------------------------------------------------
# arXiv Fig. 1 (top) / CVPR Fig. 1: content reconstructions


def content_panel(ctx: Context, layer: str, *, start: Callable | None = None,
                  start_key: str | float | None = None, label: str = "") -> Panel:
    """The Neckarfront reconstructed at ``layer`` (Fig. 1, top), cached: from the paper's white
    noise, or from ``start(shape)``, a start the panel key names by ``start_key``. In
    :data:`recipes.RECONSTRUCTION_PRECISION`, whatever route the transfers take."""
    original = ctx.image(recipes.CONTENT_IMAGE)
    settings = {"kind": "content", "image": recipes.CONTENT_IMAGE, "layer": layer,
                "precision": recipes.RECONSTRUCTION_PRECISION}
    if start_key is not None:
        settings["start"] = start_key
    return ctx.panel(settings, lambda: reconstruct_content(
        original, model=ctx.model, layers=[layer], size=None,
        init="noise" if start is None else start(original.shape),
        iterations=ctx.profile.iterations, precision=recipes.RECONSTRUCTION_PRECISION,
        progress=ctx.progress, description=f"content {layer}" + (f", {label}" if label else "")))


def content_reconstructions(ctx: Context, variant: str = "arxiv") -> FigureResult:
    """Reconstruct the Neckarfront from white noise at each content layer; measure PSNR/SSIM."""
    fig = Figure(ctx, f"fig1_content_{variant}")
    layers = recipes.CONTENT_LAYERS[variant]
    original = ctx.image(recipes.CONTENT_IMAGE)
    cells, rows = [(original, "original")], []
    for layer in layers:
        panel = fig.add(content_panel(ctx, layer))
        first = panel.record["history"]["losses"][0]["content"]
        row = {"layer": layer, "content loss start": first,
               "content loss end": panel.final_losses["content"],
               "PSNR dB": psnr(panel.image, original), "SSIM": ssim(panel.image, original),
               "noise ×photo": pixel_noise(panel.image) / pixel_noise(original),
               "seconds": panel.seconds}
        rows.append(row)
        cells.append((panel.image, f"{layer}\nPSNR {row['PSNR dB']:.1f} dB, SSIM {row['SSIM']:.2f}"))
    figure = image_grid([cells], title=f"Content reconstructions ({variant} layers)")
    return fig.finish(figure, rows, {"layers": layers})


# ---------------------------------------------------------------------------------------------
# arXiv Fig. 1 (bottom): style reconstructions over growing layer sets


def style_reconstructions(ctx: Context, images: Sequence[str] = recipes.TEXTURE_IMAGES) -> FigureResult:
    """Texture synthesis from white noise for each style layer set and painting."""
    fig = Figure(ctx, "fig1_style")
    grid, rows = [], []
    for key in images:
        style = ctx.image(key)
        cells = [(style, key)]
        for layers in recipes.STYLE_LAYER_SETS:
            panel = fig.add(ctx.panel(
                {"kind": "texture", "image": key, "layers": layers},
                lambda layers=layers, style=style, key=key: synthesize_texture(
                    style, model=ctx.model, layers=layers, size=None,
                    iterations=ctx.profile.iterations, progress=ctx.progress,
                    description=f"texture {key} ×{len(layers)}")))
            losses = panel.record["history"]["losses"]
            rows.append({"painting": key, "layers": f"relu1_1..{layers[-1]}",
                         "style loss start": losses[0]["style"], "style loss end": losses[-1]["style"],
                         "E_l deepest, start": losses[0][f"style/{layers[-1]}"],
                         "E_l deepest, end": losses[-1][f"style/{layers[-1]}"],
                         "noise ×painting": pixel_noise(panel.image) / pixel_noise(style)})
            cells.append((panel.image, f"up to {layers[-1]}"))
        grid.append(cells)
    figure = image_grid(grid, title="Style reconstructions: layer sets conv1_1 … convN_1")
    return fig.finish(figure, rows, {"layer_sets": recipes.STYLE_LAYER_SETS})


# ---------------------------------------------------------------------------------------------
# Style transfer panels (Fig. 2, 3, 5, 6 and the calibration)


def transfer_panel(ctx: Context, style: str, ratio: float, *,
                   style_layers: Sequence[str] = recipes.STYLE_LAYERS,
                   content_layer: str = recipes.CONTENT_LAYER, init: str = "noise",
                   seed: int = 0, convention: str | None = None) -> Panel:
    """The Neckarfront in the style of ``style`` at α/β = ``ratio``, cached."""
    settings = {"kind": "transfer", "content": recipes.CONTENT_IMAGE, "style": style,
                "ratio": ratio, "style_layers": list(style_layers),
                "content_layer": content_layer, "init": init, "seed": seed,
                "convention": resolve_convention(ctx.model, convention)}

    def run():
        return style_transfer(ctx.image(recipes.CONTENT_IMAGE), ctx.image(style), model=ctx.model,
                              size=None, ratio=ratio, content_layers=[content_layer],
                              style_layers=style_layers, init=init, seed=seed,
                              convention=convention, iterations=ctx.profile.iterations,
                              progress=ctx.progress, description=f"{style} {ratio:g}")

    return ctx.panel(settings, run)


def _transfer_row(ctx: Context, panel: Panel, **labels) -> dict:
    """Losses, the style share and the look measures (:mod:`gatys.experiments.look`) of a panel."""
    settings = panel.record["settings"]
    final = panel.final_losses
    measured = look(panel.image, ctx.image(recipes.CONTENT_IMAGE), ctx.image(settings["style"]),
                    ctx.reference)
    return {**labels, "content loss": final["content"], "style loss": final["style"],
            "style share": style_share(final, settings["ratio"]),
            "texture relu1_1": measured.fine_texture, "deep texture": measured.deep_texture,
            "palette": measured.palette, "scene SSIM": measured.scene,
            "noise ×photo": measured.noise_ratio, "paper's look": measured.passes(),
            "seconds": panel.seconds}


def five_styles(ctx: Context, variant: str = "arxiv") -> FigureResult:
    """arXiv Fig. 2 / CVPR Fig. 3: the Neckarfront in five styles at the paper's α/β."""
    fig = Figure(ctx, f"fig2_five_styles_{variant}")
    content = ctx.image(recipes.CONTENT_IMAGE)
    cells, rows = [(content, "Neckarfront")], []
    for recipe in recipes.FIVE_STYLES:
        printed = recipe.arxiv_ratio if variant == "arxiv" else recipe.cvpr_ratio
        ratio = recipes.calibrated(printed)
        panel = fig.add(transfer_panel(ctx, recipe.image, ratio))
        rows.append(_transfer_row(ctx, panel, style=recipe.image, printed=printed, ratio=ratio))
        cells.append((panel.image, f"{recipe.image}, α/β={ratio:g} (paper {printed:g})"))
    styles = [(ctx.image(recipe.image, size=ctx.profile.size // 2), "") for recipe in recipes.FIVE_STYLES]
    figure = image_grid([cells, [(None, "styles:")] + styles],
                        title=f"Neckarfront in five styles ({variant} ratios, "
                              f"{resolve_convention(ctx.model)})")
    return fig.finish(figure, rows, {"variant": variant, "content_layer": recipes.CONTENT_LAYER,
                                     "style_layers": recipes.STYLE_LAYERS})


def tradeoff_panel_path(output_dir: str | os.PathLike, deepest_layer: str, ratio: float) -> Path:
    """Where one panel of the trade-off grid is kept (the walkthrough's browser reads these)."""
    return Path(output_dir) / "fig3_tradeoff_panels" / f"{deepest_layer}_{ratio:g}.png"


def tradeoff_grid(ctx: Context) -> FigureResult:
    """arXiv Fig. 3 / CVPR Fig. 4: style layer sets × α/β on Composition VII."""
    fig = Figure(ctx, "fig3_tradeoff")
    grid, rows = [], []
    for layers in recipes.STYLE_LAYER_SETS:
        cells = []
        for printed, ratio in zip(recipes.TRADEOFF_PRINTED_RATIOS, recipes.TRADEOFF_RATIOS):
            panel = fig.add(transfer_panel(ctx, recipes.TRADEOFF_IMAGE, ratio, style_layers=layers))
            save_image(panel.image, tradeoff_panel_path(ctx.output_dir, layers[-1], ratio))
            rows.append(_transfer_row(ctx, panel, layers=f"relu1_1..{layers[-1]}",
                                      printed=printed, ratio=ratio))
            cells.append((panel.image, f"α/β={ratio:g} (paper {printed:g})"))
        grid.append(cells)
    figure = image_grid(grid, row_labels=[f"..{layers[-1]}" for layers in recipes.STYLE_LAYER_SETS],
                        title=f"{recipes.TRADEOFF_IMAGE}: style layers (rows) × α/β (columns)")
    return fig.finish(figure, rows, {"ratios": recipes.TRADEOFF_RATIOS,
                                     "printed_ratios": recipes.TRADEOFF_PRINTED_RATIOS,
                                     "layer_sets": recipes.STYLE_LAYER_SETS})


def content_layer_choice(ctx: Context) -> FigureResult:
    """CVPR Fig. 5: content matched at conv2_2 versus conv4_2."""
    fig = Figure(ctx, "fig5_content_layer")
    cells, rows = [], []
    for layer in recipes.CONTENT_LAYER_CHOICE:
        panel = fig.add(transfer_panel(ctx, recipes.CONTENT_LAYER_CHOICE_STYLE,
                                       recipes.CONTENT_LAYER_CHOICE_RATIO, content_layer=layer))
        rows.append(_transfer_row(ctx, panel, content_layer=layer))
        rows[-1]["SSIM to photo"] = ssim(panel.image, ctx.image(recipes.CONTENT_IMAGE))
        cells.append((panel.image, f"content at {layer}"))
    figure = image_grid([cells], panel_size=2.6, title="Content layer choice")
    return fig.finish(figure, rows, {"layers": recipes.CONTENT_LAYER_CHOICE})


def initialisation(ctx: Context) -> FigureResult:
    """CVPR Fig. 6: start from the content, the style, and four noise seeds."""
    fig = Figure(ctx, "fig6_initialisation")
    inits = [("content", 0), ("style", 0)] + [("noise", seed) for seed in recipes.INIT_NOISE_SEEDS]
    cells, rows = [], []
    for init, seed in inits:
        panel = fig.add(transfer_panel(ctx, recipes.INIT_STYLE, recipes.INIT_RATIO, init=init,
                                       seed=seed))
        label = init if init != "noise" else f"noise seed {seed}"
        rows.append(_transfer_row(ctx, panel, init=label))
        cells.append((panel.image, label))
    noise = [p.image for p, (init, _) in zip(fig.panels, inits) if init == "noise"]
    pairwise = [float((a - b).abs().mean()) for a, b in itertools.combinations(noise, 2)]
    to_content = float((noise[0] - fig.panels[0].image).abs().mean())
    figure = image_grid([cells[:3], cells[3:]], panel_size=2.2, title="Initialisation")
    measures = {"mean abs pixel difference between noise seeds": sum(pairwise) / len(pairwise),
                "mean abs pixel difference noise seed 0 vs content init": to_content}
    return fig.finish(figure, rows, {"inits": inits}, measures=measures)


def start_amplitude(ctx: Context) -> FigureResult:
    """The white-noise start's amplitude as a measured factor (the paper does not give it).

    Rows: the authors' σ = 1/255 around the mean pixel (:func:`gatys.core.start.white_noise`),
    larger Gaussian amplitudes, and full-amplitude uniform noise. Columns: content
    reconstructions at ``START_CONTENT_LAYERS`` (PSNR, SSIM, pixel noise) and one transfer (the
    look measures). The σ = 1/255 panels are the ones of Fig. 1 and Fig. 6 (same cache keys).
    """
    fig = Figure(ctx, "fig6_start_amplitude")
    original = ctx.image(recipes.CONTENT_IMAGE)
    style = ctx.image(recipes.INIT_STYLE)
    starts = [(f"σ = {std * 255:.3g}/255", std) for std in recipes.START_NOISE_STDS]
    starts.append(("uniform 0..1", None))
    grid, rows = [], []
    for label, std in starts:
        default = std is not None and abs(std - NOISE_STD) < 1e-12
        key = {} if default else {"start": "uniform" if std is None else std}

        def start(shape, std=std):
            return uniform_noise(shape, 0) if std is None else white_noise(shape, 0, std=std)

        cells = []
        for layer in recipes.START_CONTENT_LAYERS:
            panel = fig.add(content_panel(ctx, layer, start=None if default else start,
                                          start_key=key.get("start"), label=label))
            row = {"start": label, "run": f"content {layer}", "PSNR dB": psnr(panel.image, original),
                   "SSIM": ssim(panel.image, original),
                   "noise ×photo": pixel_noise(panel.image) / pixel_noise(original),
                   "loss end": panel.final_losses["content"], "seconds": panel.seconds}
            rows.append(row)
            cells.append((panel.image, f"{layer}: {row['PSNR dB']:.1f} dB"))
        if default:
            panel = fig.add(transfer_panel(ctx, recipes.INIT_STYLE, recipes.INIT_RATIO))
        else:
            settings = {"kind": "transfer", "content": recipes.CONTENT_IMAGE,
                        "style": recipes.INIT_STYLE, "ratio": recipes.INIT_RATIO, **key}
            panel = fig.add(ctx.panel(settings, lambda start=start: style_transfer(
                original, style, model=ctx.model, size=None, ratio=recipes.INIT_RATIO,
                init=start(original.shape), iterations=ctx.profile.iterations,
                progress=ctx.progress, description=f"transfer, {label}")))
        row = _transfer_row(ctx, panel, start=label, run="transfer")
        row["loss end"] = panel.final_losses["total"]
        rows.append(row)
        cells.append((panel.image, f"transfer: noise {row['noise ×photo']:.1f}× photo"))
        grid.append(cells)
    figure = image_grid(grid, row_labels=[label for label, _ in starts], panel_size=1.8,
                        title="The white-noise start's amplitude: content reconstructions and a "
                              f"transfer ({recipes.INIT_STYLE}, α/β={recipes.INIT_RATIO:g})")
    return fig.finish(figure, rows, {"noise_stds": recipes.START_NOISE_STDS,
                                     "content_layers": recipes.START_CONTENT_LAYERS})


def calibration(ctx: Context,
                conventions: Sequence[str] = ("paper", recipes.CONVENTION)) -> FigureResult:
    """The α/β calibration: a sweep of ratios under each convention, with the style share."""
    fig = Figure(ctx, "calibration_sweep")
    grid, rows, shares, looks = [], [], {}, {}
    for convention in conventions:
        cells = []
        for ratio in recipes.CALIBRATION_RATIOS:
            panel = fig.add(transfer_panel(ctx, recipes.CALIBRATION_STYLE, ratio,
                                           convention=convention))
            rows.append(_transfer_row(ctx, panel, convention=convention, ratio=ratio))
            cells.append((panel.image, f"{ratio:g}"))
        shares[convention] = [row["style share"] for row in rows[-len(recipes.CALIBRATION_RATIOS):]]
        looks[convention] = [row["ratio"] for row in rows[-len(recipes.CALIBRATION_RATIOS):]
                             if row["paper's look"]]
        grid.append(cells)
    curve = line_plot(recipes.CALIBRATION_RATIOS, shares, xlabel="α/β",
                      ylabel="style share of the final loss", log_x=True, log_y=False,
                      marker="o", title=f"{recipes.CALIBRATION_STYLE}: where style takes over")
    curve.axes[0].axvline(1e-3, color="grey", lw=0.8, ls="--")
    fig.also(curve, "calibration_share")
    figure = image_grid(grid, row_labels=list(conventions), panel_size=1.5,
                        title="α/β sweep (columns) under each convention (rows)")
    return fig.finish(figure, rows, {"ratios": recipes.CALIBRATION_RATIOS,
                                     "style": recipes.CALIBRATION_STYLE},
                      measures={"ratios with the paper's look": looks})
