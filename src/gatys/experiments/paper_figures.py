"""The paper's experiments, one function per figure; the notebooks call these and show the result.

Fig. 1 (content and style reconstructions), Fig. 2 (five styles), Fig. 3 (style layers × α/β),
CVPR Fig. 5 (the content layer) and Fig. 6 (the start), the start's amplitude and the α/β
calibration. Each takes its panels from a :class:`~gatys.experiments.context.Context` and
finishes a :class:`~gatys.experiments.context.Figure` (see :mod:`gatys.experiments.context`).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from gatys.core.objective import resolve_convention
from gatys.core.start import NOISE_STD, uniform_noise, white_noise
from gatys.experiments import recipes, settling
from gatys.experiments.context import Context, Figure, FigureResult
from gatys.experiments.measures import look, pixel_noise, psnr, ssim
from gatys.experiments.panels import Panel
from gatys.experiments.plotting import image_grid, line_plot
from gatys.io.images import save_image


def style_share(values: dict[str, float], alpha: float) -> float:
    """β L_style / L_total at the end of a run: how much of the loss is style."""
    total = values["total"]
    return 1.0 - alpha * values["content"] / total if total > 0 else float("nan")


# ---------------------------------------------------------------------------------------------
# arXiv Fig. 1 (top) / CVPR Fig. 1: content reconstructions


def content_panel(ctx: Context, layer: str, *, start: Callable | None = None,
                  start_label: str | float | None = None) -> Panel:
    """The Neckarfront reconstructed at ``layer`` (Fig. 1, top), cached: from the paper's white
    noise, or from ``start(shape)``, a start the panel key names by ``start_label``. In
    :data:`recipes.RECONSTRUCTION_PRECISION`, whatever route the transfers take."""
    settings = ctx.settings(content_layers=(layer,), precision=recipes.RECONSTRUCTION_PRECISION)
    if start is None:
        return ctx.content(settings)
    shape = ctx.image(recipes.CONTENT_IMAGE).shape
    return ctx.content(ctx.settings(settings, init=start(shape)), start=start_label)


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
            panel = fig.add(ctx.texture(key, ctx.settings(style_layers=layers)))
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
                   content_layer: str = recipes.CONTENT_LAYER, init="noise",
                   seed: int = 0, convention: str | None = None,
                   start_label: str | float | None = None) -> Panel:
    """The Neckarfront in the style of ``style`` at α/β = ``ratio``, cached, run until its look
    has settled (:mod:`gatys.experiments.settling`) within the profile's ``settle_budget``.
    ``init`` a start by name, or a tensor that ``start_label`` names in the panel's key."""
    names = {} if start_label is None else {"start": start_label}
    return ctx.transfer([style], ctx.settings(
        ratio=ratio, style_layers=style_layers, content_layers=(content_layer,), init=init,
        seed=seed, convention=convention, iterations=ctx.profile.settle_budget), settle=True,
        **names)


def _transfer_row(ctx: Context, panel: Panel, **labels) -> dict:
    """Losses, the style share and the look measures (:func:`gatys.experiments.measures.look`)
    of a transfer panel of one painting."""
    (style,), ratio = panel.names["styles"], panel.settings["ratio"]
    final = panel.final_losses
    measured = look(panel.image, ctx.image(recipes.CONTENT_IMAGE), ctx.image(style),
                    ctx.reference)
    return {**labels, "content loss": final["content"], "style loss": final["style"],
            "style share": style_share(final, ratio),
            "texture relu1_1": measured.fine_texture, "deep texture": measured.deep_texture,
            "palette": measured.palette, "scene": measured.scene,
            "scene SSIM": measured.scene_ssim, "noise ×photo": measured.noise_ratio,
            "paper's look": measured.passes(), "iterations": panel.record["iterations"],
            "stopped": panel.settled, "seconds": panel.seconds}


FIVE_STYLES_VARIANTS = ("arxiv", "cvpr", "one_ratio")


def five_styles(ctx: Context, variant: str = "arxiv") -> FigureResult:
    """arXiv Fig. 2 / CVPR Fig. 3: the Neckarfront in five styles at the paper's α/β.

    ``variant`` ``"arxiv"`` or ``"cvpr"``: each painting at the ratio that paper prints for it;
    ``"one_ratio"`` (not in the paper): every painting at the headline
    :data:`recipes.PRINTED_RATIO`. Each panel runs until its look has settled."""
    if variant not in FIVE_STYLES_VARIANTS:
        raise ValueError(f"five_styles: unknown variant {variant!r}; "
                         f"use one of {', '.join(FIVE_STYLES_VARIANTS)}")
    fig = Figure(ctx, f"fig2_five_styles_{variant}")
    content = ctx.image(recipes.CONTENT_IMAGE)
    cells, rows = [(content, "Neckarfront")], []
    for recipe in recipes.FIVE_STYLES:
        printed = {"arxiv": recipe.arxiv_ratio, "cvpr": recipe.cvpr_ratio,
                   "one_ratio": recipes.PRINTED_RATIO}[variant]
        ratio = recipes.calibrated(printed)
        panel = fig.add(transfer_panel(ctx, recipe.image, ratio))
        rows.append(_transfer_row(ctx, panel, style=recipe.image, printed=printed, ratio=ratio))
        cells.append((panel.image, f"{recipe.image}, α/β={ratio:g} (paper {printed:g})"))
    styles = [(ctx.image(recipe.image, size=ctx.profile.size // 2), "") for recipe in recipes.FIVE_STYLES]
    ratios = "one ratio" if variant == "one_ratio" else f"{variant} ratios"
    figure = image_grid([cells, [(None, "styles:")] + styles],
                        title=f"Neckarfront in five styles ({ratios}, each run until settled, "
                              f"{resolve_convention(ctx.model)})")
    return fig.finish(figure, rows, {"variant": variant, "content_layer": recipes.CONTENT_LAYER,
                                     "style_layers": recipes.STYLE_LAYERS,
                                     "settle_budget": ctx.profile.settle_budget,
                                     "settle_rule": settling.rule()})


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
    starts = [(f"σ = {std * 255:.3g}/255", std) for std in recipes.START_NOISE_STDS]
    starts.append(("uniform 0..1", None))
    grid, rows = [], []
    for label, std in starts:
        default = std is not None and abs(std - NOISE_STD) < 1e-12
        start_label = "uniform" if std is None else std

        def start(shape, std=std):
            return uniform_noise(shape, 0) if std is None else white_noise(shape, 0, std=std)

        cells = []
        for layer in recipes.START_CONTENT_LAYERS:
            panel = fig.add(content_panel(ctx, layer, start=None if default else start,
                                          start_label=start_label))
            row = {"start": label, "run": f"content {layer}", "PSNR dB": psnr(panel.image, original),
                   "SSIM": ssim(panel.image, original),
                   "noise ×photo": pixel_noise(panel.image) / pixel_noise(original),
                   "loss end": panel.final_losses["content"], "seconds": panel.seconds}
            rows.append(row)
            cells.append((panel.image, f"{layer}: {row['PSNR dB']:.1f} dB"))
        if default:
            panel = fig.add(transfer_panel(ctx, recipes.INIT_STYLE, recipes.INIT_RATIO))
        else:
            panel = fig.add(transfer_panel(ctx, recipes.INIT_STYLE, recipes.INIT_RATIO,
                                           init=start(original.shape), start_label=start_label))
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
