"""The pixel optimisation: find an image x whose features match the targets.

The paper minimises L_total = α L_content + β L_style over the pixels of x with L-BFGS, starting
from white noise. Content reconstructions are the case β = 0, style reconstructions (texture
synthesis) the case α = 0. Targets (P^l and A^l) are computed once, without gradients.

Pixels are optimised as RGB in 0..1 whatever the network's input convention (the network applies
its own), unconstrained during the optimisation and clamped to 0..1 only when shown or saved.

Numerical stability (not in the paper, which used Caffe's solver): the objective is divided by its
value at the initial image, so the optimiser always starts from L = 1 whatever the feature scale
(Caffe weights see 0..255 pixels, and E_l grows with the fourth power of the features), and L-BFGS
uses a strong-Wolfe line search, so it never accepts a step that raises the loss. A non-finite
loss restarts the optimiser from the last good image with a smaller step (with a warning); if
that keeps happening the run stops with the last good image. NaN pixels are never returned.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
from tqdm.auto import tqdm

from gatys.core import losses
from gatys.io.images import save_image
from gatys.io.memory import check_fits
from gatys.core.vgg import VGGFeatures, validate_layers

OPTIMIZERS = ("lbfgs", "adam")
MAX_RECOVERIES = 3  # restarts after a non-finite loss before the run stops


@dataclass
class Objective:
    """α L_content + β L_style for fixed targets, evaluated on a batch of images.

    Attributes:
        model: the frozen feature extractor.
        content_targets: P^l per content layer, (1, N_l, H_l, W_l).
        style_targets: one dict of Gram matrices A^l (1, N_l, N_l) per style image.
        style_blend: one weight per style image, summing to 1.
        style_layer_weights: w_l per style layer (the paper: 1 / number of layers).
        alpha, beta: the weights of the two terms.
        content_reduction: ``"sum"`` (the paper) or ``"mean"`` (see :func:`losses.content_loss`).
        content_factor: a constant in front of L_content (2 turns ½ Σ into Σ, as an MSE has it).
        style_guides: per style image, its region's mask T^l (1, 1, H_l, W_l) at each of its
            layers (spatial control, Gatys et al. 2017); None: every style covers the whole image.
        style_positions: per style image, M_s^l, the number of positions of its feature maps
            (what a guided target is scaled by); needed with ``style_guides``.
        tv_weight: the weight of the total-variation term (not in the paper; 0 = off).

    Each style image has its own layers (the keys of its ``style_targets`` dict; the paper: all
    styles at the same layers). E_l at a layer is the blend-weighted mean over the styles that
    have the layer, Σ_s b_s E_l^s / Σ_s b_s; with the same layers for every style that is the
    blend Σ_s b_s E_l^s, and a layer that only style A has depends on style A alone (so fine
    scales can come from one painting and coarse ones from another). With ``style_guides``,
    E_l = Σ_s (m_s^l / M_l) E_l,s over the styles that have the layer, with E_l,s the guided loss
    of style s on its region (:func:`losses.guided_style_layer_loss`) weighted by the region's
    share of the image; the blend is not used.
    """

    model: VGGFeatures
    content_targets: dict[str, torch.Tensor]
    style_targets: list[dict[str, torch.Tensor]]
    style_blend: list[float]
    style_layer_weights: dict[str, float]
    alpha: float
    beta: float
    content_reduction: str = "sum"
    content_factor: float = 1.0
    style_guides: list[dict[str, torch.Tensor]] | None = None
    style_positions: list[dict[str, int]] | None = None
    tv_weight: float = 0.0

    @property
    def layers(self) -> list[str]:
        style_layers = [layer for grams in self.style_targets for layer in grams]
        return list(dict.fromkeys([*self.content_targets, *style_layers]))

    def _style_layer_loss(self, layer: str, features: torch.Tensor) -> torch.Tensor:
        """E_l over the styles that have ``layer`` (see the class docstring). Returns (B,)."""
        styles = [s for s, grams in enumerate(self.style_targets) if layer in grams]
        if self.style_guides is None:
            weight = sum(self.style_blend[s] for s in styles)
            if weight == 0:  # only styles blended in with weight 0 have this layer
                return features.new_zeros(features.shape[0])
            return sum(self.style_blend[s] / weight
                       * losses.style_layer_loss(features, self.style_targets[s][layer])
                       for s in styles)
        positions = features.shape[2] * features.shape[3]
        total = features.new_zeros(features.shape[0])
        for s in styles:
            guide = self.style_guides[s][layer]
            share = guide.pow(2).sum() / positions  # a tensor: no host sync per evaluation
            total = total + share * losses.guided_style_layer_loss(
                features, guide, self.style_targets[s][layer], self.style_positions[s][layer])
        return total

    def __call__(self, image: torch.Tensor) -> LossTerms:
        features = self.model(image, self.layers)
        content = image.new_zeros(image.shape[0])
        for layer, target in self.content_targets.items():
            content = content + self.content_factor * losses.content_loss(
                features[layer], target, self.content_reduction
            )
        style_per_layer = {
            layer: self._style_layer_loss(layer, features[layer])
            for layer in self.style_layer_weights
        }
        style = sum(
            (self.style_layer_weights[layer] * value for layer, value in style_per_layer.items()),
            image.new_zeros(image.shape[0]),
        )
        total = losses.total_loss(content, style, self.alpha, self.beta)
        tv = None
        if self.tv_weight:
            tv = losses.total_variation(image)
            total = total + self.tv_weight * tv  # not in the paper: opt-in smoothing
        return LossTerms(total.sum(), content.sum(), style.sum(),
                         {layer: value.sum() for layer, value in style_per_layer.items()},
                         None if tv is None else tv.sum())


@dataclass
class LossTerms:
    """The terms of one evaluation, summed over the batch."""

    total: torch.Tensor
    content: torch.Tensor
    style: torch.Tensor
    style_per_layer: dict[str, torch.Tensor]
    tv: torch.Tensor | None = None  # the total variation, when the objective has that term

    def detached(self) -> LossTerms:
        return LossTerms(self.total.detach(), self.content.detach(), self.style.detach(),
                         {layer: v.detach() for layer, v in self.style_per_layer.items()},
                         None if self.tv is None else self.tv.detach())

    def as_floats(self) -> dict[str, float]:
        values = {"total": self.total, "content": self.content, "style": self.style}
        values.update({f"style/{layer}": v for layer, v in self.style_per_layer.items()})
        if self.tv is not None:
            values["tv"] = self.tv
        return {key: float(value) for key, value in values.items()}


@dataclass
class History:
    """One row per accepted iteration: losses (paper units, unnormalised) and wall time.

    ``losses[k]`` holds ``total``, ``content``, ``style`` and ``style/<layer>`` (E_l, before w_l)
    after iteration ``iterations[k]``; iteration 0 is the initial image. ``seconds`` counts from
    the start of the optimisation; ``evaluations`` counts forward+backward passes so far.
    """

    iterations: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    evaluations: list[int] = field(default_factory=list)
    losses: list[dict[str, float]] = field(default_factory=list)

    def series(self, key: str) -> list[float]:
        """One loss over the iterations, e.g. ``history.series("style/relu1_1")``."""
        return [row[key] for row in self.losses]

    def as_dict(self) -> dict:
        return {"iterations": self.iterations, "seconds": self.seconds,
                "evaluations": self.evaluations, "losses": self.losses}


@dataclass
class SynthesisResult:
    """The optimised image (B, 3, H, W) clamped to 0..1 on CPU, its history and why it stopped.

    ``levels``: for a coarse-to-fine run (:mod:`gatys.controls.pyramid`), each level's size, iterations,
    seconds and stop reason; empty for a single-size run.
    """

    image: torch.Tensor
    history: History
    stop_reason: str
    iterations: int
    levels: list[dict] = field(default_factory=list)

    @property
    def final_losses(self) -> dict[str, float]:
        return self.history.losses[-1]

    @property
    def interrupted(self) -> bool:
        return self.stop_reason.startswith("interrupted")


class _NonFiniteLoss(Exception):
    """The objective evaluated to inf or NaN."""


Callback = Callable[[int, torch.Tensor, dict[str, float]], None]


def content_targets(
    model: VGGFeatures, image: torch.Tensor, layers: Sequence[str]
) -> dict[str, torch.Tensor]:
    """P^l: the content image's features at each of ``layers`` (computed once, no gradient)."""
    with torch.no_grad():
        return {k: v.detach() for k, v in model(image, validate_layers(layers, model.arch)).items()}


def style_targets(
    model: VGGFeatures, image: torch.Tensor, layers: Sequence[str]
) -> dict[str, torch.Tensor]:
    """A^l: the style image's Gram matrices at each of ``layers`` (computed once, no gradient)."""
    with torch.no_grad():
        features = model(image, validate_layers(layers, model.arch))
        return {layer: losses.gram_matrix(features[layer]) for layer in layers}


def noise_image(shape: Sequence[int], seed: int = 0, device: torch.device | str = "cpu"):
    """White noise: i.i.d. uniform pixels in 0..1, the same for the same seed on every device."""
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(tuple(shape), generator=generator).to(device)


def synthesize(
    objective: Objective,
    init: torch.Tensor,
    *,
    optimizer: str = "lbfgs",
    iterations: int = 500,
    learning_rate: float | None = None,
    callback: Callback | None = None,
    snapshot_every: int = 0,
    snapshot_dir: str | Path | None = None,
    progress: bool = True,
    description: str = "synthesis",
) -> SynthesisResult:
    """Minimise ``objective`` over the pixels of ``init`` (B, 3, H, W) for ``iterations`` steps.

    ``optimizer``: ``"lbfgs"`` (the paper; strong-Wolfe line search, history 100) or ``"adam"``
    (learning rate 0.02 per iteration in 0..1 pixel units unless given). ``callback(iteration,
    image, losses)`` and snapshots (``snapshot_dir/iter_00010.png`` every ``snapshot_every``
    iterations) see every iterate. Ctrl-C ends the run early and returns the last good image
    (``stop_reason`` says so). A non-finite loss is caught in the iteration it happens: the run
    restarts from the last good image with a fresh optimiser and half the step, with a warning,
    up to ``MAX_RECOVERIES`` times; then it stops and returns the last good image.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    if iterations < 0:
        raise ValueError(f"iterations must be >= 0, got {iterations}")
    if snapshot_every and snapshot_dir is None:
        raise ValueError("snapshot_every needs a snapshot_dir to write into")
    device = next(objective.model.parameters()).device
    check_fits(objective.model, objective.layers, init.shape[-2], init.shape[-1], init.shape[0])
    pixels = init.detach().to(device=device, dtype=torch.float32).clone().requires_grad_(True)
    evaluator = _Evaluator(objective, pixels)

    def make_optimizer(step_scale: float) -> torch.optim.Optimizer:
        if optimizer == "lbfgs":
            # One L-BFGS iteration per step() call, so every iterate is seen; the line search may
            # evaluate up to 24 trial points. The evaluator's cache makes the re-evaluation that
            # step() starts with free.
            return torch.optim.LBFGS(
                [pixels], lr=(learning_rate or 1.0) * step_scale, max_iter=1, max_eval=25,
                history_size=100, tolerance_grad=0.0, tolerance_change=0.0,
                line_search_fn="strong_wolfe",
            )
        return torch.optim.Adam([pixels], lr=(learning_rate or 0.02) * step_scale)

    opt = make_optimizer(1.0)
    recoveries = 0

    history = History()
    bar = tqdm(total=iterations, desc=description, disable=not progress, leave=False)
    start = time.perf_counter()
    last_good = pixels.detach().clone()

    def record(iteration: int, values: dict[str, float]) -> None:
        history.iterations.append(iteration)
        history.seconds.append(time.perf_counter() - start)
        history.evaluations.append(evaluator.count)
        history.losses.append(values)
        if iteration == 0:
            return
        bar.update(1)
        bar.set_postfix(content=f"{values['content']:.3g}", style=f"{values['style']:.3g}",
                        refresh=False)
        if callback is not None:
            callback(iteration, last_good.clamp(0, 1), values)
        if snapshot_every and iteration % snapshot_every == 0:
            save_image(last_good, Path(snapshot_dir) / f"iter_{iteration:05d}.png")

    stop_reason = f"completed {iterations} iterations"
    done = 0
    try:
        record(0, evaluator.evaluate().as_floats())
        while done < iterations:
            try:
                if optimizer == "lbfgs":
                    opt.step(evaluator.closure)
                else:
                    evaluator.evaluate()  # gradient at the current image (cached)
                    opt.step()
                terms = evaluator.evaluate()
            except _NonFiniteLoss as exc:
                if recoveries == MAX_RECOVERIES:
                    raise
                # Start again from the last good image with a fresh optimiser and a smaller step.
                recoveries += 1
                step_scale = 0.5**recoveries
                warnings.warn(
                    f"the loss became non-finite ({exc.args[0]}) in iteration {done + 1}; "
                    f"restarting from the image of iteration {done} with the step scaled by "
                    f"{step_scale:g} (recovery {recoveries} of {MAX_RECOVERIES})",
                    RuntimeWarning, stacklevel=2)
                with torch.no_grad():
                    pixels.copy_(last_good)
                opt = make_optimizer(step_scale)
                continue
            if torch.equal(pixels.detach(), last_good):
                stop_reason = f"converged after {done} iterations (the step became zero)"
                break
            last_good = pixels.detach().clone()
            done += 1
            record(done, terms.as_floats())
    except _NonFiniteLoss as exc:
        stop_reason = (
            f"stopped: the loss became non-finite ({exc.args[0]}) in iteration {done + 1}"
            f"{f' after {recoveries} restarts' if recoveries else ''}; returning the image of "
            f"iteration {done}"
        )
        warnings.warn(stop_reason + "; try the other optimizer or a smaller learning rate",
                      RuntimeWarning, stacklevel=2)
    except KeyboardInterrupt:
        stop_reason = f"interrupted after iteration {done}"
    finally:
        bar.close()
    if recoveries and stop_reason.startswith(("completed", "converged")):
        plural = "es" if recoveries > 1 else ""
        stop_reason += f" (recovered from {recoveries} non-finite loss{plural})"
    return SynthesisResult(last_good.clamp(0, 1).cpu(), history, stop_reason, done)


class _Evaluator:
    """Evaluates the objective at the current pixels, with gradient, remembering recent points.

    The objective is divided by its value at the first image (see the module docstring). L-BFGS
    re-evaluates the point its line search just accepted; that point is one of the remembered
    ones (bit for bit), so it costs nothing.
    """

    def __init__(self, objective: Objective, pixels: torch.Tensor) -> None:
        self.objective = objective
        self.pixels = pixels
        self.scale: float | None = None
        self.count = 0  # forward+backward passes actually computed
        self.cache: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor, LossTerms]] = []

    def evaluate(self) -> LossTerms:
        point = self.pixels.detach()
        for index, (cached_point, grad, scaled, terms) in enumerate(self.cache):
            if torch.equal(cached_point, point):
                self.pixels.grad = grad.clone()
                self.cache = [self.cache[index]]  # older trial points are no longer needed
                self.last_scaled = scaled
                return terms
        self.pixels.grad = None
        with torch.enable_grad():
            terms = self.objective(self.pixels)
            value = terms.total.item()
            if not math.isfinite(value):
                raise _NonFiniteLoss(value)
            if self.scale is None:
                self.scale = 1.0 / max(value, torch.finfo(torch.float32).tiny)
            scaled = terms.total * self.scale
            scaled.backward()
        self.count += 1
        terms = terms.detached()
        self.cache.append((point.clone(), self.pixels.grad.clone(), scaled.detach(), terms))
        self.last_scaled = scaled.detach()
        return terms

    def closure(self) -> torch.Tensor:
        self.evaluate()
        return self.last_scaled
