"""The pixel optimisation: find an image x that minimises an :class:`~gatys.core.objective.Objective`.

The paper minimises L_total over the pixels of x with L-BFGS, starting from white noise
(:mod:`gatys.core.start`). Content reconstructions are the case β = 0, style reconstructions
(texture synthesis) the case α = 0.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch

from gatys.core import route
from gatys.core.config import TransferSettings
from gatys.core.memory import check_fits
from gatys.core.objective import LossTerms, Objective
from gatys.core.route import Route
from gatys.io.errors import ImageError, SettingError
from gatys.io.images import save_image
from gatys.io.progress import progress_bar

MAX_RECOVERIES = 3  # restarts after a non-finite loss before the run stops
# A step of zero is convergence only where the gradient has fallen this far below the start's;
# above it the line search found no lower loss far from a minimum: the run stalled.
CONVERGED_GRADIENT = 1e-3


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

    ``levels``: for a coarse-to-fine run (:mod:`gatys.api.pyramid`), each level's size, iterations,
    seconds and stop reason; empty for a single-size run. ``route``: the precision and memory
    layout the network ran in, and how they were chosen (:mod:`gatys.core.route`). ``trace``:
    what a stopping rule measured along the way, for whoever set it (empty otherwise).
    """

    image: torch.Tensor
    history: History
    stop_reason: str
    iterations: int
    levels: list[dict] = field(default_factory=list)
    route: Route = field(default_factory=Route)
    trace: list[dict] = field(default_factory=list)

    @property
    def final_losses(self) -> dict[str, float]:
        return self.history.losses[-1]

    @property
    def interrupted(self) -> bool:
        return self.stop_reason.startswith("interrupted")


class _NonFiniteLoss(Exception):
    """The objective evaluated to inf or NaN."""


Callback = Callable[[int, torch.Tensor, dict[str, float]], None]
# A stopping rule: given an iterate (its iteration and image, clamped to 0..1), the reason to
# stop after it, or None to go on.
Until = Callable[[int, torch.Tensor], "str | None"]


def synthesize(
    objective: Objective,
    init: torch.Tensor,
    settings: TransferSettings | None = None,
    *,
    callback: Callback | None = None,
    until: Until | None = None,
    snapshot_every: int = 0,
    snapshot_dir: str | Path | None = None,
    progress: bool = True,
    description: str = "synthesis",
    **changes,
) -> SynthesisResult:
    """Minimise ``objective`` over the pixels of ``init`` (B, 3, H, W).

    The optimiser's settings come from ``settings`` (:class:`~gatys.core.config.TransferSettings`,
    default: the defaults) with ``changes`` (e.g. ``iterations=100``): ``optimizer`` is
    ``"lbfgs"`` (the paper; strong-Wolfe line search, ``history_size`` stored pairs) or
    ``"adam"`` (learning rate 0.02 per iteration in 0..1 pixel units unless given);
    ``precision`` and ``layout`` say how the network's pass is computed
    (:func:`gatys.core.route.resolve`). ``callback(iteration, image, losses)`` and snapshots
    (``snapshot_dir/iter_00010.png`` every ``snapshot_every`` iterations) see every iterate;
    ``until(iteration, image)`` may end the run after any of them by returning its reason, which
    becomes the ``stop_reason`` (``iterations`` is then a budget).
    Ctrl-C ends the run early and returns the last good image (``stop_reason`` says so); before
    the start has been scored there is none, and the KeyboardInterrupt goes on up. A
    non-finite loss is caught in the iteration it happens: the run restarts from the last good
    image with a fresh optimiser and half the step, with a warning, up to ``MAX_RECOVERIES``
    times; then it stops and returns the last good image.
    """
    settings = TransferSettings.of(settings, **changes)
    if snapshot_every and snapshot_dir is None:
        raise SettingError("snapshot_every needs a snapshot_dir to write into")
    device = next(objective.model.parameters()).device
    history_size = settings.history_size if settings.optimizer == "lbfgs" else 0
    check_fits(objective.model, objective.layers, init.shape[-2], init.shape[-1], init.shape[0],
               lbfgs_history=history_size)
    pixels = init.detach().to(device=device, dtype=torch.float32).clone().requires_grad_(True)
    chosen = route.resolve(objective.model, objective.layers, device, settings.precision,
                           settings.layout, side=max(init.shape[-2:]))
    evaluator = _Evaluator(objective, pixels, chosen)
    recorder = _Recorder(evaluator, settings.iterations, callback, until, snapshot_every,
                         snapshot_dir, progress, description)
    with chosen.applied(objective.model):
        result = _optimise(pixels, evaluator, settings, recorder)
    result.route = chosen
    return result


def _make_optimizer(pixels: torch.Tensor, settings: TransferSettings,
                    step_scale: float) -> torch.optim.Optimizer:
    if settings.optimizer == "lbfgs":
        # One L-BFGS iteration per step() call, so every iterate is seen; the line search may
        # evaluate up to 24 trial points. The evaluator's cache makes the re-evaluation that
        # step() starts with free.
        return torch.optim.LBFGS(
            [pixels], lr=(settings.learning_rate or 1.0) * step_scale, max_iter=1, max_eval=25,
            history_size=settings.history_size, tolerance_grad=0.0, tolerance_change=0.0,
            line_search_fn="strong_wolfe",
        )
    return torch.optim.Adam([pixels], lr=(settings.learning_rate or 0.02) * step_scale)


class _Recorder:
    """The history of a run, and everything that sees each accepted iterate: the progress bar,
    the callback and the snapshots."""

    def __init__(self, evaluator: _Evaluator, iterations: int, callback: Callback | None,
                 until: Until | None, snapshot_every: int, snapshot_dir, progress: bool,
                 description: str) -> None:
        self.evaluator, self.callback, self.until = evaluator, callback, until
        self.snapshot_every, self.snapshot_dir = snapshot_every, snapshot_dir
        self.history = History()
        self.bar = progress_bar(iterations, desc=description, disable=not progress, leave=False)
        self.start = time.perf_counter()

    def __call__(self, iteration: int, image: torch.Tensor,
                 values: dict[str, float]) -> str | None:
        """Record an accepted iterate; the ``until`` rule's reason to stop after it, if any."""
        history = self.history
        history.iterations.append(iteration)
        history.seconds.append(time.perf_counter() - self.start)
        history.evaluations.append(self.evaluator.count)
        history.losses.append(values)
        if iteration == 0:
            return None
        self.bar.update(1)
        self.bar.set_postfix(content=f"{values['content']:.3g}", style=f"{values['style']:.3g}",
                             refresh=False)
        if self.callback is not None:
            self.callback(iteration, image.clamp(0, 1), values)
        if self.snapshot_every and iteration % self.snapshot_every == 0:
            try:
                save_image(image, Path(self.snapshot_dir) / f"iter_{iteration:05d}.png")
            except ImageError as exc:  # the run is worth more than its snapshots
                self.snapshot_every = 0
                warnings.warn(f"snapshots stopped at iteration {iteration}: {exc}",
                              RuntimeWarning, stacklevel=4)
        return None if self.until is None else self.until(iteration, image.clamp(0, 1))


def _optimise(pixels: torch.Tensor, evaluator: _Evaluator, settings: TransferSettings,
              record: _Recorder) -> SynthesisResult:
    """The optimisation loop of :func:`synthesize`: a step, a record, a recovery."""
    opt, recoveries, done = _make_optimizer(pixels, settings, 1.0), 0, 0
    last_good = pixels.detach().clone()
    stop_reason = f"completed {settings.iterations} iterations"
    try:
        record(0, last_good, evaluator.evaluate().as_floats())
        first_gradient = float(pixels.grad.norm())
        while done < settings.iterations:
            try:
                terms = _step(opt, evaluator, settings.optimizer)
            except _NonFiniteLoss as exc:
                if recoveries == MAX_RECOVERIES:
                    raise
                recoveries += 1
                opt = _recover(pixels, last_good, settings, recoveries, done, exc)
                continue
            if torch.equal(pixels.detach(), last_good):
                stop_reason = _zero_step_reason(done, float(pixels.grad.norm()), first_gradient)
                break
            last_good, done = pixels.detach().clone(), done + 1
            reason = record(done, last_good, terms.as_floats())
            if reason:
                stop_reason = reason
                break
    except _NonFiniteLoss as exc:
        stop_reason = (
            f"stopped: the loss became non-finite ({exc.args[0]}) in iteration {done + 1}"
            f"{f' after {recoveries} restarts' if recoveries else ''}; returning the image of "
            f"iteration {done}"
        )
        warnings.warn(stop_reason + "; try the other optimizer or a smaller learning rate",
                      RuntimeWarning, stacklevel=3)
    except KeyboardInterrupt:
        if not record.history.losses:  # before the start was even scored: no result to return
            raise
        stop_reason = f"interrupted after iteration {done}"
    finally:
        record.bar.close()
    if recoveries and stop_reason.startswith(("completed", "converged")):
        plural = "es" if recoveries > 1 else ""
        stop_reason += f" (recovered from {recoveries} non-finite loss{plural})"
    return SynthesisResult(last_good.clamp(0, 1).cpu(), record.history, stop_reason, done)


def _step(opt: torch.optim.Optimizer, evaluator: _Evaluator, optimizer: str) -> LossTerms:
    """One iteration of ``opt``; the terms at the image it reached."""
    if optimizer == "lbfgs":
        opt.step(evaluator.closure)
    else:
        evaluator.evaluate()  # gradient at the current image (cached)
        opt.step()
    return evaluator.evaluate()


def _recover(pixels: torch.Tensor, last_good: torch.Tensor, settings: TransferSettings,
             recoveries: int, done: int, exc: _NonFiniteLoss) -> torch.optim.Optimizer:
    """Back to the last good image, with a fresh optimiser and a smaller step."""
    step_scale = 0.5**recoveries
    warnings.warn(
        f"the loss became non-finite ({exc.args[0]}) in iteration {done + 1}; "
        f"restarting from the image of iteration {done} with the step scaled by "
        f"{step_scale:g} (recovery {recoveries} of {MAX_RECOVERIES})",
        RuntimeWarning, stacklevel=4)
    with torch.no_grad():
        pixels.copy_(last_good)
    return _make_optimizer(pixels, settings, step_scale)


def _zero_step_reason(done: int, gradient: float, first_gradient: float) -> str:
    """Why a run whose step became zero stopped: converged, or stalled far from a minimum."""
    fallen = gradient / max(first_gradient, torch.finfo(torch.float32).tiny)
    if fallen <= CONVERGED_GRADIENT:
        return (f"converged after {done} iterations (the step became zero; the gradient fell "
                f"to {fallen:.1e} of the start's)")
    reason = (f"stalled after {done} iterations: the line search found no lower loss while the "
              f"gradient is still {fallen:.1e} of the start's; the image is not a minimum (try "
              f"another seed, a lower learning rate or the adam optimizer)")
    warnings.warn(reason, RuntimeWarning, stacklevel=4)
    return reason


class _Evaluator:
    """Evaluates the objective at the current pixels, with gradient, remembering recent points.

    The objective is divided by its value at the first image (see the module docstring). L-BFGS
    re-evaluates the point its line search just accepted; that point is one of the remembered
    ones (bit for bit), so it costs nothing.
    """

    def __init__(self, objective: Objective, pixels: torch.Tensor,
                 chosen: Route | None = None) -> None:
        self.objective = objective
        self.pixels = pixels
        self.route = chosen or Route()
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
            with self.route.network_pass(self.pixels.device.type):
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
