"""Variations on the paper's experiments "for the pros" (notebooks 07-10), one function per
figure like :mod:`gatys.experiments.paper_figures`: untrained networks and a one-layer
random-filter model, several styles at once, other layers, and max/average pooling with and
without the normalised network.

Every panel runs at the profile's ``extension_size`` / ``extension_iterations``
(:meth:`Context.extension`) and goes through the panel cache, keyed by its settings and the
network variant. Results made on different networks are compared with one **yardstick**: their
losses evaluated on the notebook's own network (the trained, normalised, average-pooling VGG of
:func:`experiments.setup`) with the paper's layers (:func:`yardstick`); for content, PSNR and
SSIM to the photograph as well.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Sequence

import torch

from gatys.controls.random_filters import RandomFilterFeatures, texture_settings
from gatys.core.normalisation import DEAD_CHANNEL, channel_means
from gatys.core.objective import LOSS_CONVENTIONS, resolve_convention
from gatys.core.start import uniform_noise
from gatys.experiments import recipes
from gatys.experiments.context import Context, Figure, FigureResult, setup
from gatys.experiments.measures import losses_on, psnr, ssim
from gatys.experiments.panels import Panel
from gatys.experiments.paper_figures import content_panel
from gatys.experiments.plotting import image_grid, line_plot
from gatys.io.data import load_paper_image


# ---------------------------------------------------------------------------------------------
# Networks, panels and the yardstick


def variant(ctx: Context, *, model=None, pooling: str = recipes.POOLING,
            normalised: bool = recipes.NORMALISED) -> Context:
    """An extension context on another network: other weights (``model``, e.g.
    ``"vgg16-random:1"``; default ``ctx``'s), pooling, or without normalisation. Normalisation
    follows :func:`experiments.setup`: the same six images, the same recipe, whatever the weights.
    """
    other = setup(profile=ctx.profile.name, device=ctx.device, output_dir=ctx.output_dir,
                  data_dir=ctx.data_dir, cache=ctx.panels.root.parent,
                  model=model if model is not None else ctx.model.spec,
                  normalised=normalised, pooling=pooling, progress=ctx.progress)
    # The look is measured with the trained reference network whatever network is optimised.
    return dataclasses.replace(other.extension(), reference=ctx.reference)


def random_vgg(ctx: Context, seed: int) -> Context:
    """The same architecture with random He-normal weights from ``seed``, not normalised.

    The paper's normalisation does not suit random weights: some of their channels barely fire
    on natural images (mean activation 1e-7 against a median of 1e-2, see
    :func:`normalisation_boost`), and rescaling those to mean 1 lets a handful of near-dead
    channels dominate the loss; the optimisation then stalls. He-normal weights keep the layers'
    scales comparable anyway, and the optimiser divides the objective by its starting value.
    """
    return variant(ctx, model=f"{ctx.model.arch}-random:{seed}", normalised=False)


def normalisation_boost(ctx: Context, layers: Sequence[str]) -> float:
    """How unevenly the normalisation would rescale ``ctx.model``'s channels: the largest ratio,
    over ``layers``, of a layer's median channel mean m_l to its smallest non-zero one (the
    factor by which the weakest live channel would gain on a typical one). Measured over the six
    images :func:`experiments.setup` normalises over."""
    size = ctx.profile.normalisation_size
    images = [load_paper_image(key, size=size, data_dir=ctx.data_dir)
              for key in (recipes.CONTENT_IMAGE, *(recipe.image for recipe in recipes.FIVE_STYLES))]
    means = channel_means(ctx.model, images)
    ratios = []
    for layer in layers:
        live = means[layer][means[layer] > DEAD_CHANNEL]
        ratios.append(float(live.median() / live.min()))
    return max(ratios)


def _unnormalised(ctx: Context) -> Context:
    return variant(ctx, normalised=False) if ctx.model.normalised else ctx


def random_filters(ctx: Context, seed: int) -> Context:
    """An extension context on the random-filter model of the profile (recipes.RANDOM_FILTERS)."""
    sizes, per_scale = recipes.RANDOM_FILTERS[ctx.profile.name]
    model = RandomFilterFeatures(sizes, per_scale, seed).to(ctx.device)
    key = f"random-filters:{','.join(map(str, sizes))}x{per_scale}:seed{seed}"
    return dataclasses.replace(ctx.extension(), model=model, model_key=key)


def yardstick(ctx: Context, image: torch.Tensor, *, content: torch.Tensor | None = None,
              style: torch.Tensor | None = None, convention: str | None = None) -> dict:
    """L_content (at recipes.CONTENT_LAYER) and L_style (recipes.STYLE_LAYERS, read under
    ``convention``) of ``image`` on ``ctx.model``, plus E_l per style layer: one scale for results
    made on any network (:func:`gatys.experiments.measures.losses_on`)."""
    return losses_on(ctx.model, image, content_layer=recipes.CONTENT_LAYER,
                     style_layers=recipes.STYLE_LAYERS, content=content, style=style,
                     convention=convention)


def _texture_panel(ctx: Context, key: str, layers: Sequence[str]) -> Panel:
    return ctx.texture(key, ctx.settings(style_layers=layers))


def _random_filter_panel(ctx: Context, key: str) -> Panel:
    return ctx.texture(key, ctx.settings(texture_settings()))


def transfer(ctx: Context, styles: dict[str, float], *,
             content_layer: str = recipes.CONTENT_LAYER,
             style_layers: Sequence[str] = recipes.STYLE_LAYERS,
             style_layer_weights: dict[str, float] | None = None, seed: int = 0) -> Panel:
    """The Neckarfront in a blend of ``styles`` ({painting: weight}) at the profile's extension
    α/β, cached. Styles of weight 0 are dropped (their loss term is zero), so the ends of a blend
    sweep are the single-style panels other figures share."""
    blend = {key: float(weight) for key, weight in styles.items() if weight > 0}
    total = sum(blend.values())
    blend = {key: weight / total for key, weight in blend.items()}
    return ctx.transfer(list(blend), ctx.settings(
        ratio=ctx.profile.extension_ratio, content_layers=(content_layer,),
        style_layers=style_layers, style_blend=list(blend.values()),
        style_layer_weights=style_layer_weights, seed=seed))


def _spread(values: Sequence[float]) -> dict:
    """Mean, standard deviation and their ratio (the coefficient of variation) over seeds."""
    mean = statistics.fmean(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return {"mean": mean, "std": std, "cv": std / mean if mean else float("nan")}


# ---------------------------------------------------------------------------------------------
# Notebook 07: trained against random networks


def random_network_content(ctx: Context) -> FigureResult:
    """Content reconstructions from white noise on the trained network and on random networks
    (several weight seeds), at the same layers; PSNR/SSIM to the photograph."""
    fig = Figure(ctx, "pros_random_content")
    trained = ctx.extension()
    photo = trained.image(recipes.CONTENT_IMAGE)
    networks = [("trained", trained)] + [(f"random seed {seed}", random_vgg(ctx, seed))
                                        for seed in recipes.RANDOM_SEEDS]
    grid, rows = [], []
    for name, net in networks:
        cells = []
        for layer in recipes.RANDOM_CONTENT_LAYERS:
            panel = fig.add(content_panel(net, layer))
            losses = panel.record["history"]["losses"]
            row = {"network": name, "layer": layer, "PSNR dB": psnr(panel.image, photo),
                   "SSIM": ssim(panel.image, photo),
                   "own content loss end/start": losses[-1]["content"] / losses[0]["content"],
                   "seconds": panel.seconds}
            rows.append(row)
            cells.append((panel.image, f"{layer}: {row['PSNR dB']:.1f} dB, SSIM {row['SSIM']:.2f}"))
        grid.append(cells)
    grid[0].insert(0, (photo, "photograph"))
    for cells in grid[1:]:
        cells.insert(0, (None, ""))
    layers = [*recipes.RANDOM_CONTENT_LAYERS, *recipes.RANDOM_TEXTURE_LAYERS]
    measures = {"normalisation boost (median / smallest live channel mean)": {
        name: normalisation_boost(net if name != "trained" else _unnormalised(ctx), layers)
        for name, net in networks}}
    for layer in recipes.RANDOM_CONTENT_LAYERS:
        randoms = [r for r in rows if r["layer"] == layer and r["network"] != "trained"]
        measures[layer] = {"random PSNR dB": _spread([r["PSNR dB"] for r in randoms]),
                           "random SSIM": _spread([r["SSIM"] for r in randoms])}
    figure = image_grid(grid, row_labels=[name for name, _ in networks], panel_size=2.0,
                        title="Content reconstructions: trained (top) vs random networks")
    return fig.finish(figure, rows,
                      {"layers": recipes.RANDOM_CONTENT_LAYERS, "seeds": recipes.RANDOM_SEEDS,
                       "size": trained.profile.size, "iterations": trained.profile.iterations},
                      measures=measures)


def random_network_textures(ctx: Context) -> FigureResult:
    """Textures of one painting on the trained VGG, random VGGs and the random-filter model
    (several seeds each), all scored by the trained network's L_style (paper weights 1/5)."""
    fig = Figure(ctx, "pros_random_textures")
    trained = ctx.extension()
    key = recipes.RANDOM_TEXTURE_IMAGE
    style = trained.image(key)
    # The scale of the scores: uniform noise at full amplitude (seed 0), an image with nothing of
    # the painting. (The textures themselves start from the paper's low-amplitude white noise.)
    noise_score = yardstick(ctx, uniform_noise(style.shape, 0), style=style,
                            convention="paper")["style"]
    families = [("trained VGG", [(0, trained)]),
                ("random VGG", [(seed, random_vgg(ctx, seed)) for seed in recipes.RANDOM_SEEDS]),
                ("random filters", [(seed, random_filters(ctx, seed))
                                    for seed in recipes.RANDOM_SEEDS])]
    grid, rows = [], []
    for family, members in families:
        cells = [(style, key)] if family == "trained VGG" else []
        for seed, net in members:
            if family == "random filters":
                panel = fig.add(_random_filter_panel(net, key))
            else:
                panel = fig.add(_texture_panel(net, key, recipes.RANDOM_TEXTURE_LAYERS))
            losses = panel.record["history"]["losses"]
            score = yardstick(ctx, panel.image, style=style, convention="paper")["style"]
            rows.append({"model": family, "seed": seed,
                         "own style loss end/start": losses[-1]["style"] / losses[0]["style"],
                         "yardstick L_style": score,
                         "yardstick / uniform noise": score / noise_score,
                         "seconds": panel.seconds})
            label = f"seed {seed}" if family != "trained VGG" else "trained VGG"
            cells.append((panel.image, f"{label}\nyardstick {score:.3g}"))
        grid.append(cells)
    measures = {"yardstick L_style of full-amplitude uniform noise": noise_score}
    for family, _ in families:
        measures[family] = _spread([r["yardstick L_style"] for r in rows if r["model"] == family])
    sizes, per_scale = recipes.RANDOM_FILTERS[ctx.profile.name]
    figure = image_grid(grid, row_labels=[family for family, _ in families], panel_size=2.0,
                        title=f"{key}: textures on trained VGG, random VGGs, random filters")
    return fig.finish(figure, rows,
                      {"image": key, "vgg_layers": recipes.RANDOM_TEXTURE_LAYERS,
                       "seeds": recipes.RANDOM_SEEDS, "random_filter_sizes": sizes,
                       "random_filters_per_scale": per_scale, "size": trained.profile.size,
                       "iterations": trained.profile.iterations,
                       "yardstick": "L_style on the notebook's network, paper layers, "
                                    "w_l = 1/5 on E_l (convention paper)"},
                      measures=measures)


# ---------------------------------------------------------------------------------------------
# Notebook 08: several styles at once


def several_styles(ctx: Context) -> FigureResult:
    """The Neckarfront in a blend of two paintings, the first one's weight b sweeping 1 → 0:
    L_style = b E(G, A_1) + (1 − b) E(G, A_2) per layer. Each result is scored by its style loss
    to each painting alone and its content loss, on the notebook's network."""
    fig = Figure(ctx, "pros_several_styles")
    ext = ctx.extension()
    first, second = recipes.BLEND_STYLES
    photo = ext.image(recipes.CONTENT_IMAGE)
    images = {key: ext.image(key) for key in recipes.BLEND_STYLES}
    cells, rows = [(images[first], first)], []
    for weight in recipes.BLEND_WEIGHTS:
        panel = fig.add(transfer(ext, {first: weight, second: 1.0 - weight}))
        to_first = yardstick(ctx, panel.image, content=photo, style=images[first])
        to_second = yardstick(ctx, panel.image, style=images[second])
        rows.append({f"weight of {first}": weight, f"L_style to {first}": to_first["style"],
                     f"L_style to {second}": to_second["style"],
                     "L_content": to_first["content"], "seconds": panel.seconds})
        cells.append((panel.image, f"{weight:g} : {1 - weight:g}"))
    cells.append((images[second], second))
    curve = line_plot(list(recipes.BLEND_WEIGHTS),
                      {f"L_style to {key}": [row[f"L_style to {key}"] for row in rows]
                       for key in recipes.BLEND_STYLES},
                      xlabel=f"weight of {first}", ylabel="style loss (yardstick)", marker="o",
                      title="Each painting's style loss along the blend")
    fig.also(curve, "pros_several_styles_curve")
    figure = image_grid([cells], panel_size=2.0,
                        title=f"Two styles blended, weights {first} : {second}")
    return fig.finish(figure, rows,
                      {"styles": recipes.BLEND_STYLES, "weights": recipes.BLEND_WEIGHTS,
                       "ratio": ctx.profile.extension_ratio,
                       "convention": resolve_convention(ctx.model),
                       "size": ext.profile.size, "iterations": ext.profile.iterations})


# ---------------------------------------------------------------------------------------------
# Notebook 09: other layers


def _pros_settings(ext: Context, **settings) -> dict:
    """A pros figure's settings: its own, then the style, α/β, size and iterations of all."""
    return {**settings, "style": recipes.PROS_STYLE, "ratio": ext.profile.extension_ratio,
            "size": ext.profile.size, "iterations": ext.profile.iterations}


def content_layer_sweep(ctx: Context) -> FigureResult:
    """Style transfer with content matched at conv1_2 … conv5_2 (post-ReLU), style as the paper."""
    fig = Figure(ctx, "pros_content_layers")
    ext = ctx.extension()
    photo, style = ext.image(recipes.CONTENT_IMAGE), ext.image(recipes.PROS_STYLE)
    cells, rows = [(photo, "photograph")], []
    for layer in recipes.CONTENT_SWEEP:
        panel = fig.add(transfer(ext, {recipes.PROS_STYLE: 1.0}, content_layer=layer))
        score = yardstick(ctx, panel.image, content=photo, style=style)
        rows.append({"content layer": layer, "SSIM to photo": ssim(panel.image, photo),
                     f"L_content at {recipes.CONTENT_LAYER}": score["content"],
                     "L_style": score["style"], "seconds": panel.seconds})
        cells.append((panel.image, f"content at {layer}\nSSIM {rows[-1]['SSIM to photo']:.2f}"))
    figure = image_grid([cells], panel_size=2.0,
                        title=f"Content layer sweep ({recipes.PROS_STYLE}, "
                              f"α/β={ctx.profile.extension_ratio:g})")
    return fig.finish(figure, rows, _pros_settings(ext, layers=recipes.CONTENT_SWEEP))


def style_layer_variants(ctx: Context) -> dict[str, dict]:
    """The style-layer settings notebook 09 compares, by name: the paper's set with the recipe's
    uniform w_l; the same set weighted ∝ 1/N_l² as the original network's recipe is, with the
    same total; high layers only; and everything before the ReLU (style conv1_1 … conv5_1,
    content conv4_2)."""
    recipe = LOSS_CONVENTIONS[resolve_convention(ctx.model)].style_layer_weights(
        ctx.model, recipes.STYLE_LAYERS)
    inverse_square = {layer: 1.0 / ctx.model.channels(layer) ** 2 for layer in recipes.STYLE_LAYERS}
    scale = sum(recipe.values()) / sum(inverse_square.values())
    return {
        "paper layers, uniform w_l": {},
        "paper layers, w_l ∝ 1/N_l²": {"style_layer_weights": {
            layer: scale * weight for layer, weight in inverse_square.items()}},
        "high layers only": {"style_layers": recipes.HIGH_STYLE_LAYERS},
        "pre-ReLU (conv*)": {"style_layers": recipes.PRE_RELU_STYLE_LAYERS,
                             "content_layer": recipes.PRE_RELU_CONTENT_LAYER},
    }


def style_layer_choices(ctx: Context) -> FigureResult:
    """Style layer sets and weights beyond the paper's, and pre- against post-ReLU features."""
    fig = Figure(ctx, "pros_style_layers")
    ext = ctx.extension()
    photo, style = ext.image(recipes.CONTENT_IMAGE), ext.image(recipes.PROS_STYLE)
    cells, rows = [(style, recipes.PROS_STYLE)], []
    for name, options in style_layer_variants(ctx).items():
        panel = fig.add(transfer(ext, {recipes.PROS_STYLE: 1.0}, **options))
        score = yardstick(ctx, panel.image, content=photo, style=style)
        row = {"variant": name, "SSIM to photo": ssim(panel.image, photo),
               "L_content": score["content"], "L_style": score["style"]}
        row.update({f"E {layer}": score[f"style/{layer}"] for layer in recipes.STYLE_LAYERS})
        row["seconds"] = panel.seconds
        rows.append(row)
        cells.append((panel.image, name))
    figure = image_grid([cells], panel_size=2.0,
                        title=f"Style layers and weights ({recipes.PROS_STYLE}, "
                              f"α/β={ctx.profile.extension_ratio:g})")
    return fig.finish(figure, rows, _pros_settings(ext, variants=style_layer_variants(ctx)))


# ---------------------------------------------------------------------------------------------
# Notebook 10: pooling and normalisation


def _first_at_or_below(values: Sequence[float], threshold: float) -> int | None:
    return next((index for index, value in enumerate(values) if value <= threshold), None)


def pooling_and_normalisation(ctx: Context) -> FigureResult:
    """The same transfer (seed, α/β, layers) on max/average pooling × normalised/original
    networks; loss curves L/L_0 per iteration side by side, results on one yardstick."""
    fig = Figure(ctx, "pros_pooling_normalisation")
    ext = ctx.extension()
    photo, style = ext.image(recipes.CONTENT_IMAGE), ext.image(recipes.PROS_STYLE)
    cells, rows, curves, networks = [(photo, "photograph")], [], {}, {}
    for pooling, normalised in recipes.NETWORK_VARIANTS:
        if (pooling, normalised) == (recipes.POOLING, recipes.NORMALISED):
            net = ext
        else:
            net = variant(ctx, pooling=pooling, normalised=normalised)
        panel = fig.add(transfer(net, {recipes.PROS_STYLE: 1.0}))
        history = panel.record["history"]
        relative = [row["total"] / history["losses"][0]["total"] for row in history["losses"]]
        name = f"{pooling} pooling, {'normalised' if normalised else 'original'}"
        curves[name] = relative
        networks[name] = net.model.description
        score = yardstick(ctx, panel.image, content=photo, style=style)
        rows.append({"pooling": pooling, "normalised": normalised,
                     "L/L0 at 10": relative[min(10, len(relative) - 1)],
                     "L/L0 at 50": relative[min(50, len(relative) - 1)],
                     "L/L0 end": relative[-1],
                     "iterations to L/L0 ≤ 0.1": _first_at_or_below(relative, 0.1),
                     "iterations to 2× final L": _first_at_or_below(relative, 2 * relative[-1]),
                     "yardstick L_content": score["content"], "yardstick L_style": score["style"],
                     "SSIM to photo": ssim(panel.image, photo),
                     "seconds per iteration": panel.seconds / max(1, panel.record["iterations"])})
        cells.append((panel.image, name))
    curve = line_plot(None, curves, ylabel="L / L at the start (own network)",
                      title="Loss curves: pooling × normalisation")
    fig.also(curve, "pros_pooling_normalisation_curves")
    figure = image_grid([cells], panel_size=2.0,
                        title=f"Pooling and normalisation ({recipes.PROS_STYLE}, "
                              f"α/β={ctx.profile.extension_ratio:g}, seed 0)")
    return fig.finish(figure, rows, _pros_settings(ext, variants=recipes.NETWORK_VARIANTS),
                      networks=networks)
