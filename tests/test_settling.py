"""The settling rule: where a run's look has settled, by hand, and a run that stops there."""

from __future__ import annotations

import math

import pytest

from gatys.api.transfer import style_transfer
from gatys.experiments import settling
from gatys.experiments.settling import LookSettled, settled_at

from helpers import striped_image, synthetic_image


def trace(values: dict[int, tuple[float, float, float]]) -> list[dict]:
    return [{"iteration": iteration, **dict(zip(settling.MEASURES, measures))}
            for iteration, measures in sorted(values.items())]


def test_settled_at_needs_every_measure_still_over_a_whole_window():
    # deep falls fast, then within 0.01 from 40; relu1_1 drifts down until 120; scene flat.
    rows = trace({20: (0.9, 0.9, 0.5), 40: (0.50, 0.50, 0.5), 60: (0.49, 0.445, 0.5),
                  80: (0.495, 0.438, 0.5), 100: (0.49, 0.434, 0.5), 120: (0.492, 0.43, 0.5),
                  140: (0.49, 0.433, 0.5), 160: (0.491, 0.432, 0.5)})
    # Window 60: at 120 the rows 60..120 hold deep within 0.005 and relu1_1 within 0.015.
    assert settled_at(rows, window=60, tolerance=0.02) == 120
    # A tighter tolerance on relu1_1's drift: 0.01 holds over 80..140 first.
    assert settled_at(rows, window=60, tolerance=0.01) == 140
    # The window must be covered: nothing settles before 20 + window.
    assert settled_at(rows, window=200, tolerance=1.0) is None
    assert settled_at(rows, window=100, tolerance=1.0) == 120
    # One measure that keeps moving keeps the run from settling.
    moving = [{**row, "scene": row["iteration"] / 100} for row in rows]
    assert settled_at(moving, window=60, tolerance=0.02) is None


def test_settled_at_reads_only_the_measures_it_is_given():
    rows = [{"iteration": 10 * k, "a": 1.0, "b": math.sin(k)} for k in range(1, 30)]
    assert settled_at(rows, window=50, tolerance=0.01, measures=("a",)) == 60
    assert settled_at(rows, window=50, tolerance=0.01, measures=("a", "b")) is None


def test_a_settling_run_stops_where_its_look_settled(vgg16_random):
    """With a tolerance nothing can miss, the run stops at the first check after one window;
    with tolerance 0 (no change counts as still) it runs its whole budget. Each check is in the
    trace, with the look measures of that iterate."""
    photo, painting = synthetic_image(48, 48, seed=4), striped_image(48, 48, period=6)
    loose = LookSettled(photo, painting, vgg16_random, every=2, window=4, tolerance=10.0)
    result = style_transfer(photo, painting, model=vgg16_random, size=None, iterations=20,
                            ratio=0.1, progress=False, until=loose)
    assert result.iterations == 6 and result.stop_reason.startswith("settled after 6 iterations")
    assert [row["iteration"] for row in loose.trace] == [2, 4, 6]
    assert set(loose.trace[0]) == {"iteration", *settling.MEASURES, "scene SSIM"}
    strict = LookSettled(photo, painting, vgg16_random, every=2, window=4, tolerance=0.0)
    budget = style_transfer(photo, painting, model=vgg16_random, size=None, iterations=8,
                            ratio=0.1, progress=False, until=strict)
    assert budget.iterations == 8 and budget.stop_reason == "completed 8 iterations"
    assert [row["iteration"] for row in strict.trace] == [2, 4, 6, 8]
    # The measures change along the run: the rule has something to watch.
    assert strict.trace[0]["deep texture"] != pytest.approx(strict.trace[-1]["deep texture"])
