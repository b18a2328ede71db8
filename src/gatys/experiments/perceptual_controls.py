"""Beyond the paper: the controls of Gatys et al. 2017 ("Controlling Perceptual Factors in Neural
Style Transfer": colour, scale, space), coarse-to-fine and total variation, one function per
figure of notebook 11.

Like :mod:`gatys.experiments.paper_figures`, each function takes its panels from a
:class:`~gatys.experiments.context.Context`, composes a figure, writes ``figures/<name>.png`` and
``figures/<name>.json`` and returns a :class:`~gatys.experiments.context.FigureResult`. Panels
use the profile's ``extension_size`` and ``extension_iterations`` (:meth:`Context.extension`)
and the settings in the "Beyond the paper" section of :mod:`gatys.experiments.recipes`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from gatys.api.pyramid import coarse_to_fine, finest_level, seconds_to_reach
from gatys.controls import colour
from gatys.core import losses
from gatys.core.config import TransferSettings
from gatys.core.optimize import History
from gatys.experiments import recipes
from gatys.experiments.context import Context, Figure, FigureResult
from gatys.experiments.measures import pixel_noise, region_style_loss, spectral_period, style_loss_on
from gatys.experiments.panels import Panel
from gatys.experiments.plotting import image_grid
from gatys.io.images import load_mask, save_image

SKY_RULE = ("sky: pixels whose blue exceeds their red by more than 0.1 and whose blue exceeds 0.4, "
            "kept where they connect to the top edge of the photograph")


def sky_mask(image: torch.Tensor) -> torch.Tensor:
    """A mask (1, 1, H, W) of the sky of a daylight photograph, by the rule :data:`SKY_RULE`:
    blue-dominant bright pixels, in the connected regions that touch the top edge."""
    from skimage.measure import label  # scikit-image: a dependency already (metrics.ssim)

    red, blue = image[0, 0], image[0, 2]
    candidate = ((blue - red) > 0.1) & (blue > 0.4)
    regions = label(candidate.numpy(), connectivity=1)
    touching = set(np.unique(regions[0])) - {0}
    sky = np.isin(regions, list(touching))
    return torch.from_numpy(sky).float().view(1, 1, *sky.shape)


# ---------------------------------------------------------------------------------------------
# Panels


def _size(ctx: Context) -> int:
    return ctx.profile.extension_size


def beyond_panel(ctx: Context, styles: Sequence[str], *, masks: Sequence[torch.Tensor] | None = None,
                 mask_rule: str | None = None, **options) -> Panel:
    """The Neckarfront in ``styles`` at the extension size, iterations and α/β with the controls
    in ``options`` (settings: ``style_scale``, ``preserve_colour``, ``tv_weight``, …), cached;
    ``masks`` are named in the key by ``mask_rule``."""
    return ctx.extension().transfer(styles, _panel_settings(ctx, **options), masks=masks,
                                    kind="beyond", masks_rule=mask_rule)


def _panel_settings(ctx: Context, **options) -> TransferSettings:
    """Every panel's settings here: the extension size, iterations and α/β, and ``options``."""
    return ctx.extension().settings(ratio=ctx.profile.extension_ratio, **options)


def _grid(rows, title: str, panel_size: float = 2.0, row_labels=None):
    return image_grid(rows, row_labels=row_labels, panel_size=panel_size, title=title)


def _settings(ctx: Context, **settings) -> dict:
    """A figure's settings, with the extension iterations every panel here runs."""
    return {**settings, "iterations": ctx.profile.extension_iterations}


def _losses(panel: Panel) -> dict:
    final = panel.final_losses
    return {"content loss": final["content"], "style loss": final["style"],
            "seconds": panel.seconds}


# ---------------------------------------------------------------------------------------------
# 1. Colour preservation (2017, Sec. 5)


def colour_preservation(ctx: Context) -> FigureResult:
    """Plain transfer, luminance-only transfer and colour histogram matching, with the result's
    colour statistics and chroma measured against the photograph's."""
    fig = Figure(ctx, "beyond_colour")
    content = ctx.image(recipes.CONTENT_IMAGE, _size(ctx))
    style = ctx.image(recipes.COLOUR_STYLE, _size(ctx))
    rows, cells = [], []
    for method in (None, "luminance", "histogram"):
        # No key for the plain run, so that it is the same cached panel as the scale ×1 and
        # the TV-weight-0 runs.
        panel = fig.add(beyond_panel(ctx, [recipes.COLOUR_STYLE],
                                     **({"preserve_colour": method} if method else {})))
        distance = colour.colour_distance(panel.image, content)
        rows.append({"colour": method or "plain (the paper)", **distance, **_losses(panel)})
        cells.append((panel.image, f"{method or 'plain'}\nchroma diff {distance['chroma difference']:.3f}"))
    # For scale: how far the painting's own colours are from the photograph's.
    rows.append({"colour": "the painting itself", **colour.colour_distance(style, content),
                 "content loss": float("nan"),
                 "style loss": float("nan"), "seconds": float("nan")})
    matched = colour.match_colour_histogram(style, content).clamp(0, 1)
    figure = _grid([[(content, "Neckarfront"), (style, recipes.COLOUR_STYLE),
                     (matched, "style, histogram-matched")], cells],
                   title=f"Colour preservation ({recipes.COLOUR_STYLE}, "
                         f"α/β={ctx.profile.extension_ratio:g})")
    return fig.finish(figure, rows, _settings(ctx, style=recipes.COLOUR_STYLE,
                                              ratio=ctx.profile.extension_ratio, size=_size(ctx),
                                              **{"histogram root": "eigen (symmetric square roots)"}))


# ---------------------------------------------------------------------------------------------
# 2. Scale control (2017, Sec. 6): the style image's scale, and two styles' scales combined


def scale_control(ctx: Context) -> FigureResult:
    """The style image at several scales relative to the content; then one painting's fine
    layers with another's coarse ones, each measured against both paintings at both layer sets."""
    fig = Figure(ctx, "beyond_scale")
    size = _size(ctx)
    rows = []
    scale_cells = [(ctx.image(recipes.CONTENT_IMAGE, size), "Neckarfront")]
    smallest = ctx.model.min_size(list(recipes.STYLE_LAYERS))
    for scale in recipes.STYLE_SCALES:
        if min(ctx.image(recipes.STYLE_SCALE_STYLE, round(size * scale)).shape[-2:]) < smallest:
            print(f"style scale ×{scale:g} skipped: the painting would be smaller than the "
                  f"{smallest} px the style layers need at this profile's size")
            continue
        panel = fig.add(beyond_panel(ctx, [recipes.STYLE_SCALE_STYLE], style_scale=scale))
        period = spectral_period(panel.image)
        rows.append({"run": f"{recipes.STYLE_SCALE_STYLE} ×{scale:g}", "style scale": scale,
                     "mean spatial period px": period, **_losses(panel)})
        scale_cells.append((panel.image, f"style scale ×{scale:g}\nperiod {period:.1f} px"))

    fine_layers, coarse_layers = list(recipes.FINE_LAYERS), list(recipes.COARSE_LAYERS)
    paintings = {key: ctx.image(key, size) for key in recipes.SCALE_PAIR}
    combination_rows, combination_cells = [], []
    for fine, coarse in (recipes.SCALE_PAIR, recipes.SCALE_PAIR[::-1]):
        panel = fig.add(beyond_panel(ctx, [fine, coarse],
                                     style_layers_per_style=[fine_layers, coarse_layers]))
        row = {"fine layers from": fine, "coarse layers from": coarse}
        for key, painting in paintings.items():
            row[f"fine L_style vs {key}"] = style_loss_on(ctx.model, panel.image, painting,
                                                         fine_layers)
        for key, painting in paintings.items():
            row[f"coarse L_style vs {key}"] = style_loss_on(ctx.model, panel.image, painting,
                                                           coarse_layers)
        row["seconds"] = panel.seconds
        combination_rows.append(row)
        combination_cells.append((panel.image, f"fine: {fine}\ncoarse: {coarse}"))
    combination_cells += [(painting, key) for key, painting in paintings.items()]
    figure = _grid([scale_cells, combination_cells],
                   title=f"Scale control: style scale (top), fine × coarse scales of two "
                         f"paintings (bottom), α/β={ctx.profile.extension_ratio:g}")
    return fig.finish(figure, rows,
                      _settings(ctx, style=recipes.STYLE_SCALE_STYLE, scales=recipes.STYLE_SCALES,
                                pair=recipes.SCALE_PAIR, ratio=ctx.profile.extension_ratio, size=size,
                                **{"fine layers": fine_layers, "coarse layers": coarse_layers}),
                      combination=combination_rows)


# ---------------------------------------------------------------------------------------------
# 3. Coarse-to-fine: time to reach the single-scale loss at the final size


def coarse_to_fine_speed(ctx: Context) -> FigureResult:
    """A single-scale run at the extension size against the coarse-to-fine pipeline (half the
    size, then the final size), both scored by the same objective at the final size: how long
    the pipeline takes to reach the single-scale run's final loss. (Where half the size is too
    small for the style layers, as in the smoke profile, the pipeline has a single level.)"""
    fig = Figure(ctx, "beyond_coarse_to_fine")
    size = _size(ctx)
    half = ctx.image(recipes.CONTENT_IMAGE, size // 2)
    fits = min(half.shape[-2:]) >= ctx.model.min_size(list(recipes.STYLE_LAYERS))
    smallest = size // 2 if fits else size
    iterations = ctx.profile.extension_iterations
    refine = max(1, iterations // 2)
    style_key = recipes.COARSE_TO_FINE_STYLE
    content, style = ctx.image(recipes.CONTENT_IMAGE, size), ctx.image(style_key, size)
    single = fig.add(beyond_panel(ctx, [style_key]))
    settings = _panel_settings(ctx)
    ladder = fig.add(ctx.panel(
        "beyond-coarse-to-fine", settings,
        lambda: coarse_to_fine(content, style, settings, smallest=smallest,
                               refine_iterations=refine, model=ctx.model, progress=ctx.progress),
        content=recipes.CONTENT_IMAGE, styles=[style_key], smallest=smallest,
        refine_iterations=refine))
    single_history = History(**single.record["history"])
    finest = finest_level(History(**ladder.record["history"]), ladder.record["levels"])
    target = single.final_losses["total"]
    reach = seconds_to_reach(finest, target)
    single_reach = seconds_to_reach(single_history, ladder.final_losses["total"])
    rows = [
        {"run": f"single scale {size} px", "iterations": iterations,
         "seconds": single.seconds, "final loss": target,
         "seconds to reach the single-scale loss": single.seconds},
        {"run": f"coarse-to-fine {smallest} → {size} px", "iterations": f"{iterations} + {refine}",
         "seconds": ladder.seconds, "final loss": ladder.final_losses["total"],
         "seconds to reach the single-scale loss": float("nan") if reach is None else reach},
    ]
    measures = {
        "single-scale final loss": target,
        "coarse-to-fine final loss": ladder.final_losses["total"],
        "coarse-to-fine final loss / single-scale": ladder.final_losses["total"] / target,
        "coarse-to-fine seconds to reach the single-scale loss": reach,
        "that time / single-scale seconds": None if reach is None else reach / single.seconds,
        "single-scale seconds to reach the coarse-to-fine final loss": single_reach,
        "coarse-to-fine seconds below the final size": sum(
            level["seconds"] for level in ladder.record["levels"][:-1]),
        "levels": ladder.record["levels"],
    }
    figure = _grid([[(content, "Neckarfront"), (single.image, f"single scale, {single.seconds:.0f} s"),
                     (ladder.image, f"coarse-to-fine, {ladder.seconds:.0f} s")]],
                   title=f"{size} px: single scale against coarse-to-fine ({style_key})",
                   panel_size=2.6)
    fig.also(_time_to_quality_curve(single_history, finest, target, size),
             "beyond_coarse_to_fine_curve")
    return fig.finish(figure, rows, {"style": style_key, "size": size, "smallest": smallest,
                                     "iterations": iterations, "refine_iterations": refine,
                                     "ratio": settings.ratio}, measures=measures)


def _time_to_quality_curve(single: History, finest: History, target: float, size: int):
    """The total loss at the final size over the seconds, of both runs."""
    curve, axis = plt.subplots(figsize=(5, 3.2))
    axis.plot(single.seconds, single.series("total"), label="single scale")
    axis.plot(finest.seconds, finest.series("total"), label=f"coarse-to-fine, {size} px level")
    axis.axhline(target, color="grey", lw=0.8, ls="--")
    axis.set_xlabel("seconds from the start (coarse levels included)")
    axis.set_ylabel(f"total loss at {size} px")
    axis.set_yscale("log")
    axis.legend(fontsize=7)
    axis.set_title("Time to quality", fontsize=9)
    curve.tight_layout()
    return curve


# ---------------------------------------------------------------------------------------------
# 4. Spatial control (2017, Sec. 4): guided Gram matrices


def spatial_control(ctx: Context) -> FigureResult:
    """The sky in one painting and the rest in another, by masks loaded from files; each region's
    style loss against both paintings, before (the photograph) and after."""
    fig = Figure(ctx, "beyond_spatial")
    size = _size(ctx)
    content = ctx.image(recipes.CONTENT_IMAGE, size)
    shape = tuple(content.shape[-2:])
    sky = sky_mask(content)
    sky_path, ground_path = ctx.output_dir / "beyond_sky_mask.png", ctx.output_dir / "beyond_ground_mask.png"
    save_image(sky.expand(-1, 3, -1, -1), sky_path)
    save_image((1 - sky).expand(-1, 3, -1, -1), ground_path)
    masks = [load_mask(sky_path, shape), load_mask(ground_path, shape)]
    styles = [recipes.SKY_STYLE, recipes.GROUND_STYLE]
    panel = fig.add(beyond_panel(ctx, styles, masks=masks, mask_rule=SKY_RULE))
    paintings = {key: ctx.image(key, size) for key in styles}
    rows = []
    for region, mask in zip(("sky", "ground"), masks):
        for key, painting in paintings.items():
            rows.append({"region": region, "share of the image": float(mask.mean()),
                         "against": key,
                         "assigned": key == styles[0 if region == "sky" else 1],
                         "L_style photograph": region_style_loss(ctx.model, content, painting,
                                                                 mask, recipes.STYLE_LAYERS),
                         "L_style result": region_style_loss(ctx.model, panel.image, painting,
                                                             mask, recipes.STYLE_LAYERS)})
    figure = _grid([[(content, "Neckarfront"), (sky.expand(-1, 3, -1, -1), "sky mask (rule)"),
                     (panel.image, f"sky: {styles[0]}\nground: {styles[1]}")]
                    + [(painting, key) for key, painting in paintings.items()]],
                   title=f"Spatial control: guided Gram matrices, "
                         f"α/β={ctx.profile.extension_ratio:g}")
    return fig.finish(figure, rows, _settings(ctx, styles=styles, ratio=ctx.profile.extension_ratio,
                                              size=size, **{"mask rule": SKY_RULE}),
                      seconds_panel=panel.seconds)


# ---------------------------------------------------------------------------------------------
# 5. Total variation (not in the paper)


def total_variation_sweep(ctx: Context) -> FigureResult:
    """The opt-in total-variation term at several weights: the result's TV, its pixel noise
    (median residual) and what it costs in content and style loss."""
    fig = Figure(ctx, "beyond_tv")
    rows, cells = [], []
    for weight in recipes.TV_WEIGHTS:
        panel = fig.add(beyond_panel(ctx, [recipes.TV_STYLE],
                                     **({"tv_weight": weight} if weight else {})))
        tv = float(losses.total_variation(panel.image))
        noise = pixel_noise(panel.image)
        rows.append({"TV weight": weight, "TV": tv, "median residual": noise, **_losses(panel)})
        cells.append((panel.image, f"λ_TV={weight:g}\nTV {tv:.3f}, noise {noise:.3f}"))
    content = ctx.image(recipes.CONTENT_IMAGE, _size(ctx))
    rows.append({"TV weight": float("nan"), "TV": float(losses.total_variation(content)),
                 "median residual": pixel_noise(content), "content loss": float("nan"),
                 "style loss": float("nan"), "seconds": float("nan")})
    figure = _grid([cells], title="Total variation (not in the paper): weight sweep")
    return fig.finish(figure, rows, _settings(ctx, style=recipes.TV_STYLE,
                                              weights=recipes.TV_WEIGHTS,
                                              ratio=ctx.profile.extension_ratio, size=_size(ctx),
                                              **{"last row": "the photograph itself"}))
