"""When a transfer has settled: the rule every transfer panel of the paper's figures runs to.

A fixed iteration budget is not a result: the look of a run can still be changing when the budget
ends (a verdict at 150 iterations can reverse by 1000), and most of a long budget can be spent
after nothing visible changes. So a figure's transfer runs until its look has settled:

- every :data:`EVERY` iterations the iterate is measured (:func:`gatys.experiments.measures.look`:
  the deep and relu1_1 texture ratios and the scene, :data:`MEASURES`);
- the look has **settled** at the first check k at which every measure has moved by at most
  :data:`TOLERANCE` over the checks of the last :data:`WINDOW` iterations (k − WINDOW … k);
- a run that reaches its budget first says so: its stop reason is the budget's, and its verdict
  is taken where the budget stopped it, not where it settled.

The rule is checked against long runs (benchmarks/convergence_probe.py; notebook 06): where it
stops, each measure is within about 0.02 of where the run ends, but for a scene that still drifts
slowly (the photograph start at the printed α/β), whose fall the rule does not wait for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from gatys.core.features import FeatureModel
from gatys.experiments.measures import LookMeter

EVERY = 20  # iterations between two measurements of the iterate
WINDOW = 100  # iterations over which the measures must stay within TOLERANCE
TOLERANCE = 0.02  # the largest change of any measure over WINDOW that still counts as settled
MEASURES = ("deep texture", "texture relu1_1", "scene")


def rule(every: int = EVERY, window: int = WINDOW, tolerance: float = TOLERANCE) -> dict:
    """The rule as the panel cache's key and the metrics name it."""
    return {"every": every, "window": window, "tolerance": tolerance, "measures": list(MEASURES)}


def measured(meter: LookMeter, image: torch.Tensor) -> dict[str, float]:
    """The look measures a settling run watches (and the grey SSIM, reported) of one iterate."""
    values = meter(image)
    return {"deep texture": values.deep_texture, "texture relu1_1": values.fine_texture,
            "scene": values.scene, "scene SSIM": values.scene_ssim}


def settled_at(trace: Sequence[dict], window: int = WINDOW, tolerance: float = TOLERANCE,
               measures: Sequence[str] = MEASURES) -> int | None:
    """The first iteration in ``trace`` (rows with ``"iteration"`` and the ``measures``, in
    order) at which every measure has stayed within ``tolerance`` over the rows of the last
    ``window`` iterations; None if it never has. The window must be covered: the first
    possible answer is the first row at least ``window`` after the first row."""
    for end, row in enumerate(trace):
        since = [earlier for earlier in trace[:end + 1]
                 if earlier["iteration"] >= row["iteration"] - window]
        if row["iteration"] - trace[0]["iteration"] < window or len(since) < 2:
            continue
        if all(max(r[name] for r in since) - min(r[name] for r in since) <= tolerance
               for name in measures):
            return row["iteration"]
    return None


@dataclass
class LookSettled:
    """A stopping rule for :func:`gatys.core.optimize.synthesize` (its ``until``): measure the
    iterate every ``every`` iterations against ``photo`` and ``painting`` (at the result's size)
    with ``reference`` and stop once :func:`settled_at` finds the look settled. ``trace`` keeps
    every measurement."""

    photo: torch.Tensor
    painting: torch.Tensor
    reference: FeatureModel
    every: int = EVERY
    window: int = WINDOW
    tolerance: float = TOLERANCE
    trace: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.meter = LookMeter(self.photo, self.painting, self.reference)

    def __call__(self, iteration: int, image: torch.Tensor) -> str | None:
        if iteration % self.every:
            return None
        self.trace.append({"iteration": iteration, **measured(self.meter, image)})
        if settled_at(self.trace, self.window, self.tolerance) == iteration:
            return (f"settled after {iteration} iterations (each of {', '.join(MEASURES)} moved "
                    f"by at most {self.tolerance:g} over the last {self.window})")
        return None

    def rule(self) -> dict:
        return rule(self.every, self.window, self.tolerance)
