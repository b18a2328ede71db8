"""The paper's experiments, one function per figure; the notebooks call these and show the result.

Each function runs its panels through the on-disk panel cache (so an interrupted run resumes and
a finished panel is never recomputed), composes the figure, writes ``figures/<name>.png`` and a
metrics file ``figures/<name>.json`` (settings, network, device, profile, seconds, final losses
and the figure's measures), and returns a :class:`FigureResult` with the figure and a table.
"""

from __future__ import annotations

import itertools
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from gatys import __version__

from gatys.experiments import recipes
from gatys.io.data import load_paper_image
from gatys.io.files import write_json
from gatys.io.images import save_image
from gatys.experiments.measures import psnr, ssim
from gatys.core.normalisation import fingerprint, normalised_vgg
from gatys.io.settings import cache_dir
from gatys.experiments.panels import Panel, PanelCache
from gatys.ui.plotting import image_grid, line_plot, markdown_table, save_figure
from gatys.io.settings import resolve_device
from gatys.core.transfer import reconstruct_content, style_transfer, synthesize_texture
from gatys.core.vgg import VGGFeatures
from gatys.io.weights import load_vgg


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
    started: float = field(default_factory=time.perf_counter)

    def image(self, key: str, size: int | None = None) -> torch.Tensor:
        """A paper image (data.PAPER_IMAGES key) with long side ``size`` (default: the profile's)."""
        return load_paper_image(key, size=size or self.profile.size, data_dir=self.data_dir)

    def base_settings(self) -> dict:
        return {"model": self.model_key, "size": self.profile.size,
                "iterations": self.profile.iterations, "device": self.device.type,
                "gatys": __version__}

    def describe(self) -> dict:
        return {"network": self.model.description, "device": str(self.device),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                           f"{torch.get_num_threads()} torch threads",
                "torch": torch.__version__, "profile": vars(self.profile),
                "convention": recipes.CONVENTION, "gatys": __version__}


@dataclass
class FigureResult:
    """A composed figure, its rows of numbers and where both were written."""

    name: str
    figure: object
    rows: list[dict]
    path: Path
    seconds: float
    extra_figures: list = field(default_factory=list)

    def table(self, digits: int = 4) -> str:
        return markdown_table(self.rows, digits)

    def _repr_markdown_(self) -> str:
        return f"**{self.name}** → `{self.path}` ({self.seconds:.0f} s)\n\n" + self.table()


def setup(
    profile: str = "smoke",
    device: str | None = None,
    output_dir: str | os.PathLike = "figures",
    data_dir: str | None = None,
    cache: str | os.PathLike | None = None,
    model: str | None = None,
    weights: str | None = None,
    normalised: bool = recipes.NORMALISED,
    pooling: str = recipes.POOLING,
    progress: bool = True,
) -> Context:
    """Load the network the settings name, normalise it over the paper's images if asked, and
    prepare the output directory and the panel cache."""
    device = resolve_device(device)
    chosen = recipes.profile(profile, device.type)
    network = load_vgg(model, weights, pooling=pooling, device=device)
    size = chosen.normalisation_size
    images = [load_paper_image(key, size=size, data_dir=data_dir)
              for key in ("tubingen", *(recipe.image for recipe in recipes.FIVE_STYLES))]
    model_key = fingerprint(network, images if normalised else [])
    if normalised:
        network = normalised_vgg(network, images, cache)
    model_key += "-normalised" if normalised else ""
    root = cache_dir(cache) / "panels"
    return Context(network, model_key, device, chosen, Path(output_dir), PanelCache(root),
                   data_dir, progress)


def _panel(ctx: Context, settings: dict, run) -> Panel:
    panel = ctx.panels.get_or_run({**ctx.base_settings(), **settings}, run)
    # A plain line per panel: visible in papermill's log, where a notebook progress bar is not.
    label = ", ".join(f"{key}={value}" for key, value in settings.items() if key != "kind")
    state = "from cache" if panel.cached else f"computed in {panel.seconds:.0f} s"
    print(f"panel {settings['kind']} ({label}): {state}", flush=True)
    return panel


def _finish(ctx: Context, name: str, figure, rows: list[dict], settings: dict,
            panels: Sequence[Panel], start: float, extra: dict | None = None) -> FigureResult:
    path = ctx.output_dir / f"{name}.png"
    save_figure(figure, path)
    seconds = time.perf_counter() - start
    write_json(ctx.output_dir / f"{name}.json", {
        "figure": name, **ctx.describe(), "settings": settings,
        "seconds": {"figure": seconds,
                    "panels_computed": sum(p.seconds for p in panels if not p.cached),
                    "panels_total": sum(p.seconds for p in panels),
                    "panels_from_cache": sum(1 for p in panels if p.cached)},
        "rows": rows, **(extra or {}),
    })
    return FigureResult(name, figure, rows, path, seconds)


def _style_share(values: dict[str, float], alpha: float) -> float:
    """β L_style / L_total at the end of a run: how much of the loss is style."""
    total = values["total"]
    return 1.0 - alpha * values["content"] / total if total > 0 else float("nan")


# ---------------------------------------------------------------------------------------------
# arXiv Fig. 1 (top) / CVPR Fig. 1: content reconstructions


def content_reconstructions(ctx: Context, variant: str = "arxiv") -> FigureResult:
    """Reconstruct the Neckarfront from white noise at each content layer; measure PSNR/SSIM."""
    start = time.perf_counter()
    layers = recipes.CONTENT_LAYERS[variant]
    original = ctx.image(recipes.CONTENT_IMAGE)
    cells, rows, panels = [(original, "original")], [], []
    for layer in layers:
        panel = _panel(ctx, {"kind": "content", "image": recipes.CONTENT_IMAGE, "layer": layer},
                       lambda layer=layer: reconstruct_content(
                           original, model=ctx.model, layers=[layer], size=None,
                           iterations=ctx.profile.iterations, progress=ctx.progress,
                           description=f"content {layer}"))
        first = panel.record["history"]["losses"][0]["content"]
        row = {"layer": layer, "content loss start": first,
               "content loss end": panel.final_losses["content"],
               "PSNR dB": psnr(panel.image, original), "SSIM": ssim(panel.image, original),
               "seconds": panel.seconds}
        rows.append(row)
        panels.append(panel)
        cells.append((panel.image, f"{layer}\nPSNR {row['PSNR dB']:.1f} dB, SSIM {row['SSIM']:.2f}"))
    figure = image_grid([cells], title=f"Content reconstructions ({variant} layers)")
    return _finish(ctx, f"fig1_content_{variant}", figure, rows, {"layers": layers}, panels, start)


# ---------------------------------------------------------------------------------------------
# arXiv Fig. 1 (bottom): style reconstructions over growing layer sets


def style_reconstructions(ctx: Context, images: Sequence[str] = recipes.TEXTURE_IMAGES) -> FigureResult:
    """Texture synthesis from white noise for each style layer set and painting."""
    start = time.perf_counter()
    grid, rows, panels = [], [], []
    for key in images:
        style = ctx.image(key)
        cells = [(style, key)]
        for layers in recipes.STYLE_LAYER_SETS:
            panel = _panel(ctx, {"kind": "texture", "image": key, "layers": layers},
                           lambda layers=layers, style=style, key=key: synthesize_texture(
                               style, model=ctx.model, layers=layers, size=None,
                               iterations=ctx.profile.iterations, progress=ctx.progress,
                               description=f"texture {key} ×{len(layers)}"))
            losses = panel.record["history"]["losses"]
            row = {"painting": key, "layers": f"relu1_1..{layers[-1]}",
                   "style loss start": losses[0]["style"], "style loss end": losses[-1]["style"],
                   "E_l deepest, start": losses[0][f"style/{layers[-1]}"],
                   "E_l deepest, end": losses[-1][f"style/{layers[-1]}"]}
            rows.append(row)
            panels.append(panel)
            cells.append((panel.image, f"up to {layers[-1]}"))
        grid.append(cells)
    figure = image_grid(grid, title="Style reconstructions: layer sets conv1_1 … convN_1")
    return _finish(ctx, "fig1_style", figure, rows, {"layer_sets": recipes.STYLE_LAYER_SETS},
                   panels, start)


# ---------------------------------------------------------------------------------------------
# Style transfer panels (Fig. 2, 3, 5, 6 and the calibration)


def transfer_panel(ctx: Context, style: str, ratio: float, *,
                   style_layers: Sequence[str] = recipes.STYLE_LAYERS,
                   content_layer: str = recipes.CONTENT_LAYER, init: str = "noise",
                   seed: int = 0, convention: str = recipes.CONVENTION) -> Panel:
    """The Neckarfront in the style of ``style`` at α/β = ``ratio``, cached."""
    settings = {"kind": "transfer", "content": recipes.CONTENT_IMAGE, "style": style,
                "ratio": ratio, "style_layers": list(style_layers),
                "content_layer": content_layer, "init": init, "seed": seed,
                "convention": convention}

    def run():
        return style_transfer(ctx.image(recipes.CONTENT_IMAGE), ctx.image(style), model=ctx.model,
                              size=None, ratio=ratio, content_layers=[content_layer],
                              style_layers=style_layers, init=init, seed=seed,
                              convention=convention, iterations=ctx.profile.iterations,
                              progress=ctx.progress, description=f"{style} {ratio:g}")

    return _panel(ctx, settings, run)


def _transfer_row(panel: Panel, **labels) -> dict:
    ratio = panel.record["settings"]["ratio"]
    final = panel.final_losses
    return {**labels, "content loss": final["content"], "style loss": final["style"],
            "style share": _style_share(final, ratio), "seconds": panel.seconds}


def five_styles(ctx: Context, variant: str = "arxiv") -> FigureResult:
    """arXiv Fig. 2 / CVPR Fig. 3: the Neckarfront in five styles at the paper's α/β."""
    start = time.perf_counter()
    content = ctx.image(recipes.CONTENT_IMAGE)
    cells, rows, panels = [(content, "Neckarfront")], [], []
    for recipe in recipes.FIVE_STYLES:
        ratio = recipe.arxiv_ratio if variant == "arxiv" else recipe.cvpr_ratio
        panel = transfer_panel(ctx, recipe.image, ratio)
        panels.append(panel)
        rows.append(_transfer_row(panel, style=recipe.image, ratio=ratio))
        cells.append((panel.image, f"{recipe.image}, α/β={ratio:g}"))
    styles = [(ctx.image(recipe.image, size=ctx.profile.size // 2), "") for recipe in recipes.FIVE_STYLES]
    figure = image_grid([cells, [(None, "styles:")] + styles],
                        title=f"Neckarfront in five styles ({variant} ratios, {recipes.CONVENTION})")
    return _finish(ctx, f"fig2_five_styles_{variant}", figure, rows,
                   {"variant": variant, "content_layer": recipes.CONTENT_LAYER,
                    "style_layers": recipes.STYLE_LAYERS}, panels, start)


def tradeoff_panel_path(output_dir: str | os.PathLike, deepest_layer: str, ratio: float) -> Path:
    """Where one panel of the trade-off grid is kept (the walkthrough's browser reads these)."""
    return Path(output_dir) / "fig3_tradeoff_panels" / f"{deepest_layer}_{ratio:g}.png"


def tradeoff_grid(ctx: Context) -> FigureResult:
    """arXiv Fig. 3 / CVPR Fig. 4: style layer sets × α/β on Composition VII."""
    start = time.perf_counter()
    grid, rows, panels = [], [], []
    for layers in recipes.STYLE_LAYER_SETS:
        cells = []
        for ratio in recipes.TRADEOFF_RATIOS:
            panel = transfer_panel(ctx, recipes.TRADEOFF_IMAGE, ratio, style_layers=layers)
            save_image(panel.image, tradeoff_panel_path(ctx.output_dir, layers[-1], ratio))
            panels.append(panel)
            rows.append(_transfer_row(panel, layers=f"relu1_1..{layers[-1]}", ratio=ratio))
            cells.append((panel.image, f"α/β={ratio:g}"))
        grid.append(cells)
    figure = image_grid(grid, row_labels=[f"..{layers[-1]}" for layers in recipes.STYLE_LAYER_SETS],
                        title=f"{recipes.TRADEOFF_IMAGE}: style layers (rows) × α/β (columns)")
    return _finish(ctx, "fig3_tradeoff", figure, rows,
                   {"ratios": recipes.TRADEOFF_RATIOS, "layer_sets": recipes.STYLE_LAYER_SETS},
                   panels, start)


def content_layer_choice(ctx: Context) -> FigureResult:
    """CVPR Fig. 5: content matched at conv2_2 versus conv4_2."""
    start = time.perf_counter()
    cells, rows, panels = [], [], []
    for layer in recipes.CONTENT_LAYER_CHOICE:
        panel = transfer_panel(ctx, recipes.CONTENT_LAYER_CHOICE_STYLE,
                               recipes.CONTENT_LAYER_CHOICE_RATIO, content_layer=layer)
        panels.append(panel)
        rows.append(_transfer_row(panel, content_layer=layer))
        rows[-1]["SSIM to photo"] = ssim(panel.image, ctx.image(recipes.CONTENT_IMAGE))
        cells.append((panel.image, f"content at {layer}"))
    figure = image_grid([cells], panel_size=2.6, title="Content layer choice")
    return _finish(ctx, "fig5_content_layer", figure, rows,
                   {"layers": recipes.CONTENT_LAYER_CHOICE}, panels, start)


def initialisation(ctx: Context) -> FigureResult:
    """CVPR Fig. 6: start from the content, the style, and four noise seeds."""
    start = time.perf_counter()
    inits = [("content", 0), ("style", 0)] + [("noise", seed) for seed in recipes.INIT_NOISE_SEEDS]
    cells, rows, panels = [], [], []
    for init, seed in inits:
        panel = transfer_panel(ctx, recipes.INIT_STYLE, recipes.INIT_RATIO, init=init, seed=seed)
        panels.append(panel)
        label = init if init != "noise" else f"noise seed {seed}"
        rows.append(_transfer_row(panel, init=label))
        cells.append((panel.image, label))
    noise = [p.image for p, (init, _) in zip(panels, inits) if init == "noise"]
    pairwise = [float((a - b).abs().mean()) for a, b in itertools.combinations(noise, 2)]
    to_content = float((noise[0] - panels[0].image).abs().mean())
    figure = image_grid([cells[:3], cells[3:]], panel_size=2.2, title="Initialisation")
    measures = {"mean abs pixel difference between noise seeds": sum(pairwise) / len(pairwise),
                "mean abs pixel difference noise seed 0 vs content init": to_content}
    return _finish(ctx, "fig6_initialisation", figure, rows, {"inits": inits}, panels, start,
                   {"measures": measures})


def calibration(ctx: Context, conventions: Sequence[str] = ("paper", "gatys-code")) -> FigureResult:
    """The α/β calibration: a sweep of ratios under each convention, with the style share."""
    start = time.perf_counter()
    grid, rows, panels, shares = [], [], [], {}
    for convention in conventions:
        cells = []
        for ratio in recipes.CALIBRATION_RATIOS:
            panel = transfer_panel(ctx, recipes.CALIBRATION_STYLE, ratio, convention=convention)
            panels.append(panel)
            rows.append(_transfer_row(panel, convention=convention, ratio=ratio))
            cells.append((panel.image, f"{ratio:g}"))
        shares[convention] = [row["style share"] for row in rows[-len(recipes.CALIBRATION_RATIOS):]]
        grid.append(cells)
    figure = image_grid(grid, row_labels=list(conventions), panel_size=1.5,
                        title="α/β sweep (columns) under each convention (rows)")
    result = _finish(ctx, "calibration_sweep", figure, rows,
                     {"ratios": recipes.CALIBRATION_RATIOS, "style": recipes.CALIBRATION_STYLE},
                     panels, start)
    curve = line_plot(recipes.CALIBRATION_RATIOS, shares, xlabel="α/β",
                      ylabel="style share of the final loss", log_x=True, log_y=False,
                      marker="o", title=f"{recipes.CALIBRATION_STYLE}: where style takes over")
    curve.axes[0].axvline(1e-3, color="grey", lw=0.8, ls="--")
    save_figure(curve, ctx.output_dir / "calibration_share.png")
    result.extra_figures = [curve]
    return result
