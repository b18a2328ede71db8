"""The pixel optimisation on small random-weight networks: losses must fall, runs must repeat."""

import math
import re

import pytest
import torch

from gatys.core.objective import Objective
from gatys.core.optimize import synthesize
from gatys.core.start import MEAN_PIXEL, uniform_noise, white_noise
from gatys.io.errors import SettingError
from gatys.api.transfer import (initial_image, make_objective, reconstruct_content, style_transfer,
                            synthesize_texture)

from helpers import striped_image, synthetic_image


def test_content_reconstruction_from_noise_falls_by_orders_of_magnitude(vgg16_random):
    result = reconstruct_content(synthetic_image(32, 32), model=vgg16_random, layers=["relu1_1"],
                                 size=None, iterations=40, progress=False)
    first, last = result.history.losses[0]["content"], result.final_losses["content"]
    assert last < first * 1e-3
    # It runs the 40 iterations or stops early because it converged (rounding decides which,
    # and differs between hosts); either way the history has one row per iteration done.
    assert result.stop_reason in ("completed 40 iterations",) or \
        result.stop_reason.startswith("converged"), result.stop_reason
    assert result.history.iterations == list(range(result.iterations + 1))
    # The reconstruction from a shallow layer is close to the image itself.
    assert (result.image - synthetic_image(32, 32)).abs().mean() < 0.05


def test_style_reconstruction_lowers_the_style_loss(vgg16_random):
    result = synthesize_texture(striped_image(32, 32), model=vgg16_random,
                                layers=["relu1_1", "relu2_1", "relu3_1"], size=None,
                                iterations=30, progress=False)
    first, last = result.history.losses[0], result.final_losses
    assert last["style"] < first["style"] * 0.05
    for layer in ("relu1_1", "relu2_1", "relu3_1"):
        assert last[f"style/{layer}"] < first[f"style/{layer}"]
    assert last["content"] == 0.0


def test_same_seed_same_image_different_seed_different_image(vgg16_random):
    def run(seed):
        return style_transfer(synthetic_image(), striped_image(), model=vgg16_random, size=None,
                              style_layers=["relu1_1", "relu2_1"], ratio=1e-2, seed=seed,
                              iterations=5, progress=False).image
    first, again, other = run(0), run(0), run(1)
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


def test_caffe_convention_stays_finite_and_converges(vgg16_random_caffe):
    # Caffe weights see 0..255 pixels: features and losses are orders of magnitude larger.
    result = style_transfer(synthetic_image(48, 48), striped_image(48, 48),
                            model=vgg16_random_caffe, size=None, ratio=1e-3, iterations=40,
                            progress=False)
    assert torch.isfinite(result.image).all()
    assert all(math.isfinite(v) for row in result.history.losses for v in row.values())
    assert result.final_losses["total"] < 0.1 * result.history.losses[0]["total"]
    # 40 iterations or fewer: where L-BFGS converges first depends on the host's rounding.
    assert result.stop_reason.startswith(("completed 40 iterations", "converged")), \
        result.stop_reason


def test_lbfgs_reuses_the_accepted_evaluation(vgg16_random):
    # step() re-evaluates the point its line search accepted; the cache makes that free, so a
    # run costs about one forward+backward pass per iteration, not two.
    result = reconstruct_content(synthetic_image(), model=vgg16_random, layers=["relu2_1"],
                                 size=None, iterations=20, progress=False)
    evaluations = result.history.evaluations[-1]
    assert 20 <= evaluations <= 30


def test_a_shorter_lbfgs_history_changes_the_run_only_once_it_is_full(vgg16_random):
    # L-BFGS keeps the last history_size (step, gradient-change) pairs: until that many are stored
    # a short history computes the same directions as the paper's 100; after, it forgets.
    def run(history_size):
        return reconstruct_content(synthetic_image(), model=vgg16_random, layers=["relu2_1"],
                                   size=None, iterations=8, progress=False,
                                   history_size=history_size).history.series("total")
    long, short = run(100), run(2)
    assert long[:4] == short[:4]  # the start, then two pairs: the history not yet cut
    assert long[4:] != short[4:]
    message = "history_size (--history-size) must be a whole number, at least 1"
    with pytest.raises(SettingError, match=re.escape(message)):
        run(0)


def test_adam_lowers_the_loss(vgg16_random):
    result = reconstruct_content(synthetic_image(), model=vgg16_random, layers=["relu1_2"],
                                 size=None, iterations=30, optimizer="adam",
                                 learning_rate=0.05, progress=False)
    assert result.final_losses["content"] < 0.2 * result.history.losses[0]["content"]
    assert result.history.evaluations[-1] == 31  # one pass per iteration, plus the last image


def test_snapshots_and_callback_see_every_iterate(vgg16_random, tmp_path):
    seen = []
    result = reconstruct_content(
        synthetic_image(), model=vgg16_random, layers=["relu1_1"], size=None, iterations=6,
        progress=False, snapshot_every=3, snapshot_dir=tmp_path / "snaps",
        callback=lambda i, image, values: seen.append((i, image.clone(), values["content"])),
    )
    assert sorted(p.name for p in (tmp_path / "snaps").iterdir()) == ["iter_00003.png", "iter_00006.png"]
    assert [i for i, _, _ in seen] == [1, 2, 3, 4, 5, 6]
    assert torch.equal(seen[-1][1], result.image)
    assert seen[-1][2] == result.final_losses["content"]
    assert not torch.equal(seen[0][1], seen[-1][1])


def test_a_stopping_rule_ends_the_run_after_the_iterate_it_names(vgg16_random):
    """``until`` sees every iterate (clamped, as the callback does); the first reason it returns
    ends the run there and becomes the stop reason; without one the run goes to its budget."""
    seen = []

    def until(iteration, image):
        seen.append((iteration, float(image.min()), float(image.max())))
        return "enough at 4" if iteration == 4 else None

    result = reconstruct_content(synthetic_image(), model=vgg16_random, layers=["relu1_1"],
                                 size=None, iterations=10, progress=False, until=until)
    assert result.stop_reason == "enough at 4" and result.iterations == 4
    assert [i for i, _, _ in seen] == [1, 2, 3, 4]
    assert all(0.0 <= low and high <= 1.0 for _, low, high in seen)
    assert result.history.iterations == [0, 1, 2, 3, 4]
    full = reconstruct_content(synthetic_image(), model=vgg16_random, layers=["relu1_1"],
                               size=None, iterations=6, progress=False, until=lambda i, x: None)
    assert full.stop_reason == "completed 6 iterations" and full.iterations == 6


class _NaNAt(Objective):
    """An objective that evaluates to NaN at the listed evaluations (counted from 1)."""

    def __init__(self, base: Objective, bad: set[int] | None = None, from_call: int | None = None):
        super().__init__(**{f: getattr(base, f) for f in base.__dataclass_fields__})
        self.bad, self.from_call, self.calls = bad or set(), from_call, 0

    def __call__(self, image):
        terms = super().__call__(image)
        self.calls += 1
        if self.calls in self.bad or (self.from_call is not None and self.calls >= self.from_call):
            terms.total = terms.total * float("nan")
        return terms


@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
def test_a_transient_non_finite_loss_is_recovered(vgg16_random, optimizer):
    base = make_objective(vgg16_random, content=synthetic_image(), content_layers=["relu1_1"])
    objective = _NaNAt(base, bad={6})
    with pytest.warns(RuntimeWarning, match=r"non-finite .* in iteration \d+; restarting"):
        result = synthesize(objective, uniform_noise((1, 3, 32, 32)), iterations=15,
                            optimizer=optimizer, learning_rate=0.05 if optimizer == "adam" else None,
                            progress=False)
    assert result.stop_reason.startswith(("completed 15 iterations", "converged"))
    assert result.stop_reason.endswith("(recovered from 1 non-finite loss)")
    assert result.iterations <= 15 and len(result.history.iterations) == result.iterations + 1
    assert torch.isfinite(result.image).all()
    assert result.final_losses["content"] < result.history.losses[0]["content"]


def test_a_persistent_non_finite_loss_stops_with_the_last_good_image(vgg16_random):
    base = make_objective(vgg16_random, content=synthetic_image(), content_layers=["relu1_1"])
    objective = _NaNAt(base, from_call=7)
    with pytest.warns(RuntimeWarning, match="non-finite"):
        result = synthesize(objective, uniform_noise((1, 3, 32, 32)), iterations=50, progress=False)
    assert "stopped: the loss became non-finite" in result.stop_reason
    assert "after 3 restarts" in result.stop_reason
    assert 0 < result.iterations < 50
    assert torch.isfinite(result.image).all()
    assert len(result.history.iterations) == result.iterations + 1
    assert result.final_losses["content"] < result.history.losses[0]["content"]


def test_interrupt_returns_the_last_good_image(vgg16_random):
    def interrupt(iteration, image, values):
        if iteration == 3:
            raise KeyboardInterrupt

    result = reconstruct_content(synthetic_image(), model=vgg16_random, layers=["relu1_1"],
                                 size=None, iterations=20, progress=False, callback=interrupt)
    assert result.interrupted and result.iterations == 3
    assert "interrupted after iteration 3" == result.stop_reason


def test_blend_weights(vgg16_random):
    content, style_a, style_b = synthetic_image(), striped_image(), striped_image(period=8)
    layers = ["relu1_1", "relu2_1"]
    only_a = make_objective(vgg16_random, content=content, styles=[style_a], style_layers=layers)
    blend = make_objective(vgg16_random, content=content, styles=[style_a, style_b],
                           style_layers=layers, style_blend=[3, 0])
    half = make_objective(vgg16_random, content=content, styles=[style_a, style_b],
                          style_layers=layers, style_blend=[1, 1])
    image = uniform_noise((1, 3, 32, 32))
    assert blend.style_blend == [1.0, 0.0] and half.style_blend == [0.5, 0.5]
    assert torch.allclose(blend(image).total, only_a(image).total)
    only_b = make_objective(vgg16_random, content=content, styles=[style_b], style_layers=layers)
    assert torch.allclose(half(image).style, (only_a(image).style + only_b(image).style) / 2)


@pytest.mark.parametrize("kwargs, match", [
    ({"style_blend": [1.0]}, "2 style image"),
    ({"style_blend": [-1.0, 2.0]}, ">= 0"),
    ({"ratio": 0.0}, "positive"),
    ({"ratio": float("nan")}, "positive"),
    ({"style_layers": []}, "style_layers \\(--style-layers\\) must name at least one layer"),
])
def test_bad_objective_settings_raise(vgg16_random, kwargs, match):
    arguments = {"content": synthetic_image(), "styles": [striped_image(), striped_image()]}
    arguments.update(kwargs)
    with pytest.raises(SettingError, match=match):
        make_objective(vgg16_random, **arguments)


def test_initial_images():
    content, style = synthetic_image(16, 24), striped_image(40, 40)
    shape = (1, 3, 16, 24)
    assert torch.equal(initial_image("content", shape, content=content), content)
    assert initial_image("style", shape, style=style).shape == shape
    noise = initial_image("noise", shape, seed=3)
    assert torch.equal(noise, initial_image("noise", shape, seed=3))
    assert not torch.equal(noise, initial_image("noise", shape, seed=4))
    uniform = initial_image("uniform-noise", shape, seed=3)
    assert 0 <= uniform.min() and uniform.max() <= 1 and uniform.std() > 0.25
    with pytest.raises(SettingError, match="neither|unknown|no such|not"):
        initial_image("pink-noise", shape)
    with pytest.raises(SettingError, match="style image"):
        initial_image("style", shape)


def test_white_noise_is_the_authors_start():
    """randn in Caffe units (std 1 on 0..255) around the mean pixel: std 1/255 in 0..1 units."""
    noise = white_noise((2, 3, 64, 64), seed=0)
    per_channel = noise.transpose(0, 1).reshape(3, -1)
    assert torch.allclose(per_channel.mean(dim=1), torch.tensor(MEAN_PIXEL), atol=2e-4)
    assert per_channel.std(dim=1) == pytest.approx([1 / 255] * 3, rel=0.03)
    # The Caffe input the network sees: mean 0, std 1 per channel (the authors' torch.randn).
    caffe = noise * 255 - torch.tensor([123.68, 116.779, 103.939]).view(1, 3, 1, 1)
    assert caffe.mean().abs() < 0.05 and caffe.std() == pytest.approx(1.0, rel=0.03)


def test_a_zero_step_far_from_a_minimum_is_reported_as_stalled_not_converged(vgg16_normalised,
                                                                             monkeypatch):
    """L-BFGS's line search can return a step of zero where the gradient is still large (seen
    with a badly normalised network): that image is no minimum, and the stop reason says so."""
    monkeypatch.setattr(torch.optim.LBFGS, "step", lambda self, closure=None: None)
    with pytest.warns(RuntimeWarning, match="stalled"):
        result = style_transfer(synthetic_image(), striped_image(), model=vgg16_normalised,
                                size=None, style_layers=["relu1_1", "relu2_1"], iterations=5,
                                progress=False)
    assert result.stop_reason.startswith("stalled after 0 iterations"), result.stop_reason
    assert "1.0e+00 of the start's" in result.stop_reason and "adam" in result.stop_reason


def test_a_zero_step_where_the_gradient_vanished_is_convergence():
    from gatys.core.optimize import CONVERGED_GRADIENT, _zero_step_reason

    assert _zero_step_reason(35, 1e-9, 1.0).startswith("converged after 35 iterations")
    with pytest.warns(RuntimeWarning):
        assert _zero_step_reason(35, CONVERGED_GRADIENT * 2, 1.0).startswith("stalled after 35")


def test_without_a_model_the_transfer_runs_on_the_normalised_network(monkeypatch, tmp_path):
    """style_transfer(content, style) with no model: the default weights normalised over the
    content and the style image, so that the default recipe (for the normalised network) fits."""
    import gatys.api.transfer as transfer

    monkeypatch.setenv("GATYS_MODEL", "vgg16-random")
    monkeypatch.setenv("GATYS_CACHE", str(tmp_path))
    seen = []
    original = transfer.normalised_vgg
    monkeypatch.setattr(transfer, "normalised_vgg",
                        lambda model, images: seen.append([tuple(i.shape) for i in images])
                        or original(model, images))
    result = style_transfer(synthetic_image(32, 40), striped_image(24, 24), size=None,
                            style_layers=["relu1_1"], content_layers=["relu2_1"], iterations=2,
                            progress=False)
    assert seen == [[(1, 3, 32, 40), (1, 3, 40, 40)]]  # the style at the content's long side
    assert result.iterations == 2
