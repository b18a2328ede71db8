"""The route of the network's pass: precision and memory layout, asked for or measured."""

from __future__ import annotations

import json
import math

import pytest
import torch

from gatys.api.transfer import make_objective
from gatys.core import route
from gatys.core.optimize import _Evaluator, synthesize
from gatys.core.route import Route
from gatys.core.start import white_noise
from gatys.core.vgg import VGGFeatures
from gatys.core.weights import random_state_dict
from gatys.io.errors import SettingError

from helpers import striped_image, synthetic_image

LAYERS = dict(content_layers=["relu2_1"], style_layers=["relu1_1", "relu2_1"])


@pytest.fixture
def small_objective(vgg16_normalised):
    return make_objective(vgg16_normalised, content=synthetic_image(32, 32),
                          styles=[striped_image(32, 32)], ratio=1e-2, **LAYERS)


def test_arguments_override_the_environment_and_bad_names_name_their_source(monkeypatch):
    monkeypatch.setenv("GATYS_PRECISION", "bf16")
    monkeypatch.setenv("GATYS_LAYOUT", "contiguous")
    assert route.requested() == ("bf16", "contiguous")
    assert route.requested("fp32", "auto") == ("fp32", "auto")
    monkeypatch.delenv("GATYS_PRECISION")
    monkeypatch.delenv("GATYS_LAYOUT")
    assert route.requested() == ("auto", "auto")  # the defaults
    monkeypatch.setenv("GATYS_PRECISION", "fp16")
    with pytest.raises(SettingError, match=r"\$GATYS_PRECISION 'fp16' is not one of auto"):
        route.requested()
    with pytest.raises(SettingError, match="--layout 'nhwc'"):
        route.requested("fp32", "nhwc")


def test_the_fp32_route_adds_nothing_to_the_objective_or_its_gradient(small_objective):
    image = synthetic_image(32, 32, seed=5).requires_grad_(True)
    plain = small_objective(image)
    # The evaluator scales the objective by 1 / its first value before the backward pass.
    (plain.total * (1.0 / plain.total.item())).backward()

    pixels = synthetic_image(32, 32, seed=5).requires_grad_(True)
    evaluator = _Evaluator(small_objective, pixels, Route("fp32", "channels-last"))
    terms = evaluator.evaluate()
    assert torch.equal(terms.total, plain.total.detach())
    assert torch.equal(terms.style, plain.style.detach())
    assert torch.equal(pixels.grad, image.grad)


def test_a_bf16_pass_changes_the_features_slightly_but_the_losses_stay_float32(small_objective):
    image = synthetic_image(32, 32, seed=5)
    fp32 = small_objective(image)
    with Route("bf16").network_pass("cpu"):
        bf16 = small_objective(image)
        inside = small_objective.model(image, ["relu1_1"])["relu1_1"]
    assert inside.dtype == torch.bfloat16  # the convolutions ran in bfloat16
    assert bf16.total.dtype == bf16.style.dtype == torch.float32
    assert not torch.equal(bf16.total, fp32.total)  # other arithmetic ...
    assert math.isclose(bf16.total.item(), fp32.total.item(), rel_tol=0.05)  # ... same loss


@pytest.mark.filterwarnings("ignore:bfloat16 asked for")  # emulated on CPUs without it
def test_a_bf16_run_lowers_its_float32_loss_and_stays_finite(small_objective):
    start = white_noise((1, 3, 32, 32), seed=0)
    runs = {precision: synthesize(small_objective, start, iterations=15, progress=False,
                                  precision=precision, layout="channels-last")
            for precision in ("fp32", "bf16")}
    assert runs["bf16"].route.precision == "bf16"
    # Judged in float32, outside the route: the objective of each final image.
    first = small_objective(start).total.item()
    final = {precision: small_objective(run.image).total.item() for precision, run in runs.items()}
    assert torch.isfinite(runs["bf16"].image).all() and math.isfinite(final["bf16"])
    assert final["bf16"] < 0.5 * first
    assert final["bf16"] < 1.3 * final["fp32"]  # as far in as float32 gets in the same steps


def test_a_route_lends_its_layout_for_the_run_only():
    model = VGGFeatures("vgg16", "avg", "torchvision", random_state_dict("vgg16", seed=1))
    weight = model.features[0].weight
    assert weight.is_contiguous(memory_format=torch.channels_last)
    with Route("fp32", "contiguous").applied(model):
        assert model.features[0].weight.is_contiguous()
        assert not model.features[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert model.features[0].weight.is_contiguous(memory_format=torch.channels_last)


def _fake_timings(timings, calls):
    def measure(model, layers, device, candidates, side):
        calls.append(list(candidates))
        return {f"{p}/{lay}": timings[f"{p}/{lay}"] for p, lay in candidates}
    return measure


def test_auto_keeps_the_fastest_measured_route_and_caches_it(vgg16_random, tmp_path, monkeypatch):
    monkeypatch.setenv("GATYS_CACHE", str(tmp_path))
    monkeypatch.setattr(route, "bf16_supported", lambda device: True)
    timings = {"fp32/channels-last": 1.0, "fp32/contiguous": 0.8,
               "bf16/channels-last": 0.5, "bf16/contiguous": 0.6}
    calls = []
    monkeypatch.setattr(route, "measure", _fake_timings(timings, calls))
    chosen = route.resolve(vgg16_random, ["relu2_1"], torch.device("cpu"), "auto", "auto")
    assert (chosen.precision, chosen.layout) == ("bf16", "channels-last")
    assert "measured now" in chosen.reason and "fp32/channels-last 2.00×" in chosen.reason
    cached = json.loads((tmp_path / route.ROUTES_FILE).read_text())
    (key,) = cached
    assert f"torch {torch.__version__}" in key and "vgg16" in key and "relu2_1" in key
    assert key.endswith(f"| {route.PROBE_SIDE['cpu']} px")  # no run size given: the largest
    # The second use reads the cache: nothing is measured again.
    again = route.resolve(vgg16_random, ["relu2_1"], torch.device("cpu"), "auto", "auto")
    assert (again.precision, again.layout) == ("bf16", "channels-last")
    assert "measured earlier" in again.reason and len(calls) == 1
    # A named precision measures only the layouts under it (from the cache here).
    fp32 = route.resolve(vgg16_random, ["relu2_1"], torch.device("cpu"), "fp32", "auto")
    assert (fp32.precision, fp32.layout) == ("fp32", "contiguous") and len(calls) == 1


def test_auto_never_tries_bf16_where_the_hardware_lacks_it(vgg16_random, tmp_path, monkeypatch):
    monkeypatch.setenv("GATYS_CACHE", str(tmp_path))
    monkeypatch.setattr(route, "bf16_supported", lambda device: False)
    calls = []
    monkeypatch.setattr(route, "measure", _fake_timings(
        {"fp32/channels-last": 1.0, "fp32/contiguous": 1.1}, calls))
    chosen = route.resolve(vgg16_random, ["relu1_1"], torch.device("cpu"), "auto", "auto")
    assert (chosen.precision, chosen.layout) == ("fp32", "channels-last")
    assert calls == [[("fp32", "channels-last"), ("fp32", "contiguous")]]
    assert "bf16 not tried" in chosen.reason
    named = route.resolve(vgg16_random, ["relu1_1"], torch.device("cpu"), "auto", "contiguous")
    assert (named.precision, named.layout) == ("fp32", "contiguous") and len(calls) == 1
    # The probe takes the run's own size where it is smaller than the largest probe, not less
    # than a floor.
    assert "at 100 px" in route.resolve(vgg16_random, ["relu1_1"], torch.device("cpu"),
                                        "auto", "auto", side=100).reason
    assert "at 64 px" in route.resolve(vgg16_random, ["relu1_1"], torch.device("cpu"),
                                       "auto", "auto", side=20).reason
    assert len(calls) == 3
    with pytest.warns(RuntimeWarning, match="emulated and much slower"):
        route.resolve(vgg16_random, ["relu1_1"], torch.device("cpu"), "bf16", "contiguous")


def test_the_measurement_times_every_candidate_and_leaves_the_model_as_it_was():
    model = VGGFeatures("vgg16", "avg", "torchvision", random_state_dict("vgg16", seed=2))
    before = model.features[0].weight.clone()
    seconds = route.measure(model, ["relu1_1"], torch.device("cpu"),
                            [("fp32", "channels-last"), ("fp32", "contiguous")], 32)
    assert set(seconds) == {"fp32/channels-last", "fp32/contiguous"}
    assert all(0 < value < 60 for value in seconds.values())
    assert torch.equal(model.features[0].weight, before)
    assert model.features[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert model.features[0].weight.grad is None  # the frozen network gathered no gradient


def test_a_route_within_the_margin_does_not_displace_float32_channels_last(
        vgg16_random, tmp_path, monkeypatch):
    monkeypatch.setenv("GATYS_CACHE", str(tmp_path))
    monkeypatch.setattr(route, "bf16_supported", lambda device: True)
    monkeypatch.setattr(route, "measure", _fake_timings(
        {"fp32/channels-last": 1.0, "fp32/contiguous": 0.95,
         "bf16/channels-last": 1.3, "bf16/contiguous": 0.93}, []))
    chosen = route.resolve(vgg16_random, ["relu1_1"], torch.device("cpu"), "auto", "auto")
    assert (chosen.precision, chosen.layout) == ("fp32", "channels-last")
    assert chosen.reason.startswith(f"within {route.MARGIN:.0%} of the fastest")


def test_a_pyramid_measures_its_route_once_at_its_final_size(vgg16_normalised, tmp_path,
                                                             monkeypatch):
    from gatys.api.pyramid import coarse_to_fine

    monkeypatch.setenv("GATYS_CACHE", str(tmp_path))
    monkeypatch.setattr(route, "bf16_supported", lambda device: False)
    sides = []

    def measure(model, layers, device, candidates, side):
        sides.append(side)
        return {f"{p}/{lay}": 1.0 for p, lay in candidates}
    monkeypatch.setattr(route, "measure", measure)
    result = coarse_to_fine(synthetic_image(128, 128), striped_image(128, 128), size=128,
                            smallest=64, iterations=2, refine_iterations=1, model=vgg16_normalised,
                            ratio=1e-2, progress=False, precision="auto", layout="auto", **LAYERS)
    assert sides == [128]  # not once per level (64 px, then 128 px)
    assert (result.route.precision, result.route.layout) == ("fp32", "channels-last")
    assert "measured now" in result.route.reason
