"""Coarse-to-fine style transfer: optimise small, upsample, refine (not in the 2015 paper).

The authors' own code and their 2017 follow-up ("Controlling Perceptual Factors in Neural Style
Transfer") first optimise at a low resolution and then refine the upsampled result at the
target size. The coarse levels cost little (an iteration at half the side costs about a quarter)
and settle the large-scale arrangement, which a full-size run from white noise spends most of
its iterations on; the finest level then only has to add detail.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gatys.api.transfer import HOOKS, style_transfer
from gatys.controls.levels import pyramid_sizes  # noqa: F401 - re-exported
from gatys.core import config, route
from gatys.core.config import TransferSettings
from gatys.core.features import FeatureModel
from gatys.core.memory import check_fits
from gatys.core.optimize import History, SynthesisResult
from gatys.core.start import ImageLike, as_image

if TYPE_CHECKING:
    import torch


def _joined(histories: Sequence[History]) -> History:
    """One history across levels: iterations, seconds and evaluations continue from level to level.

    Loss values are each level's own (at its size); under a mean convention they are comparable.
    """
    joined = History()
    iteration_offset, seconds_offset, evaluation_offset = 0, 0.0, 0
    for index, history in enumerate(histories):
        rows = range(len(history.iterations)) if index == 0 else range(1, len(history.iterations))
        for row in rows:
            joined.iterations.append(iteration_offset + history.iterations[row])
            joined.seconds.append(seconds_offset + history.seconds[row])
            joined.evaluations.append(evaluation_offset + history.evaluations[row])
            joined.losses.append(history.losses[row])
        iteration_offset = joined.iterations[-1]
        seconds_offset = joined.seconds[-1]
        evaluation_offset = joined.evaluations[-1]
    return joined


def coarse_to_fine(
    content: ImageLike,
    styles: ImageLike | Sequence[ImageLike],
    settings: TransferSettings | None = None,
    *,
    smallest: int = 128,
    refine_iterations: int = 100,
    model: FeatureModel | None = None,
    **options,
) -> SynthesisResult:
    """:func:`~gatys.api.transfer.style_transfer` at :func:`pyramid_sizes` (``size``, ``smallest``).

    The coarsest level starts from the settings' ``init`` and runs their ``iterations``; each
    finer level starts from the previous result, upsampled, and runs ``refine_iterations``. The
    content and style images are resized for every level from the originals. Other keyword
    arguments are settings or go to :func:`~gatys.api.transfer.style_transfer` (``masks``,
    ``callback``, …). The result's history joins the levels; ``levels`` lists each level's size,
    iterations, seconds, stop reason and total loss at its start and end. An interrupted or
    failed level ends the pyramid there and returns its last good image (Ctrl-C before a finer
    level's first iterate returns the level before it).
    """
    passed = {key: options.pop(key) for key in (*HOOKS, "masks") if key in options}
    settings = TransferSettings.of(settings, **options)
    config.check("refine_iterations", refine_iterations)
    sizes = pyramid_sizes(settings.size, smallest)
    content_image = as_image(content)
    chosen = None
    if model is not None:  # fail before the coarse levels, not after them
        chosen = _one_route(model, content_image, settings)
        settings = TransferSettings.of(settings, precision=chosen.precision, layout=chosen.layout)
    start, results, levels = settings.init, [], []
    snapshot_dir = passed.pop("snapshot_dir", None)
    for index, level_size in enumerate(sizes):
        began = time.perf_counter()
        if snapshot_dir is not None:
            passed["snapshot_dir"] = Path(snapshot_dir) / f"level{index + 1}_{level_size}px"
        level = TransferSettings.of(
            settings, size=level_size, init=start,
            iterations=settings.iterations if index == 0 else refine_iterations)
        try:
            result = style_transfer(content_image, styles, level, model=model, **passed,
                                    description=f"level {index + 1}/{len(sizes)} "
                                                f"({level_size} px)")
        except KeyboardInterrupt:  # before this level's first iterate: the last level's image
            if not results:
                raise
            results[-1].stop_reason = f"interrupted before level {index + 1} started"
            break
        results.append(result)
        levels.append(_level_record(result, time.perf_counter() - began))
        if not result.stop_reason.startswith(("completed", "converged", "settled")):
            break
        start = result.image
    final = results[-1]
    reason = final.stop_reason
    if len(results) < len(sizes):
        reason += f" (at level {len(results)} of {len(sizes)}, {sizes[len(results) - 1]} px)"
    return SynthesisResult(final.image, _joined([r.history for r in results]), reason,
                           sum(r.iterations for r in results), levels,
                           chosen if chosen is not None else final.route)


def _level_record(result: SynthesisResult, seconds: float) -> dict:
    return {"size": list(result.image.shape[-2:]), "iterations": result.iterations,
            "seconds": seconds, "stop_reason": result.stop_reason,
            "start loss": result.history.losses[0]["total"],
            "final loss": result.final_losses["total"]}


def _one_route(model: FeatureModel, content: torch.Tensor, settings: TransferSettings):
    """The whole pyramid fits at its final size, and one route serves every level, measured (if
    auto) at the final size the run is for."""
    final = as_image(content, size=settings.size)
    layers = [*settings.content_layers, *settings.style_layers]
    check_fits(model, layers, final.shape[-2], final.shape[-1],
               lbfgs_history=settings.history_size)
    return route.resolve(model, layers, next(model.parameters()).device, settings.precision,
                         settings.layout, side=settings.size)


def finest_level(history: History, levels: Sequence[dict]) -> History:
    """The rows of a coarse-to-fine run's joined ``history`` that belong to its last level: the
    losses there are at the final size, comparable with a single-size run's. Seconds and
    iterations keep counting from the start of the whole pipeline (coarse levels included)."""
    # A single level keeps its starting row; a later level's starting row was dropped when the
    # histories were joined (the row before it is the previous level's last, at a smaller size).
    first = 0 if len(levels) == 1 else len(history.losses) - levels[-1]["iterations"]
    return History(history.iterations[first:], history.seconds[first:],
                   history.evaluations[first:], history.losses[first:])


def seconds_to_reach(history: History, target: float) -> float | None:
    """Seconds until ``history``'s total loss first is <= ``target`` (None if never)."""
    for seconds, losses in zip(history.seconds, history.losses):
        if losses["total"] <= target:
            return seconds
    return None
