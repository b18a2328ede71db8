"""The memory estimate grows with the image and stops runs that cannot fit, before they start."""

import pytest

import gatys.core.memory as memory
from gatys.api.transfer import make_objective
from gatys.core.memory import ResourceError, check_fits, estimate_bytes
from gatys.core.optimize import synthesize
from gatys.core.start import uniform_noise

from helpers import synthetic_image

LAYERS = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu4_2", "relu5_1"]


def test_estimate_scales_with_pixels_and_depth(vgg16_random):
    small = estimate_bytes(vgg16_random, LAYERS, 256, 256)
    large = estimate_bytes(vgg16_random, LAYERS, 512, 512)
    assert 3.5 < large / small < 4.1  # the weights do not grow, everything else does
    assert estimate_bytes(vgg16_random, ["relu1_1"], 256, 256) < small / 2
    assert estimate_bytes(vgg16_random, LAYERS, 256, 256, batch=2) > 1.9 * small


def test_a_size_that_does_not_fit_fails_fast_with_a_size_that_does(vgg16_random, monkeypatch):
    free = estimate_bytes(vgg16_random, LAYERS, 300, 300)
    monkeypatch.setattr(memory, "available_bytes", lambda device: free)
    check_fits(vgg16_random, LAYERS, 256, 256)  # fits
    with pytest.raises(ResourceError, match=r"1024×1024 px .* GiB on cpu.*--size (\d+)") as info:
        check_fits(vgg16_random, LAYERS, 1024, 1024)
    suggested = int(str(info.value).rsplit("--size ", 1)[1].split(")")[0])
    assert 200 < suggested < 300
    assert estimate_bytes(vgg16_random, LAYERS, suggested, suggested) <= 0.9 * free


def test_synthesize_checks_before_computing_anything(vgg16_random, monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda device: 1000)
    objective = make_objective(vgg16_random, content=synthetic_image(), content_layers=["relu1_1"])
    calls = []
    monkeypatch.setattr(type(objective), "__call__", lambda self, image: calls.append(1))
    with pytest.raises(ResourceError):
        synthesize(objective, uniform_noise((1, 3, 32, 32)), iterations=3, progress=False)
    assert calls == []


def test_a_shorter_history_is_counted_and_lets_a_run_fit(vgg16_random, monkeypatch):
    """Each L-BFGS pair is two image-sized float vectors; a run that does not fit with the
    default history of 100 fits with 20 where the freed pairs make the difference."""
    full = estimate_bytes(vgg16_random, LAYERS, 512, 512)
    short = estimate_bytes(vgg16_random, LAYERS, 512, 512, lbfgs_history=20)
    assert full - short == 2 * 80 * 3 * 512 * 512 * 4
    monkeypatch.setattr(memory, "available_bytes", lambda device: (short + full) / 2 / 0.9)
    with pytest.raises(ResourceError, match="--history-size"):
        check_fits(vgg16_random, LAYERS, 512, 512)
    assert check_fits(vgg16_random, LAYERS, 512, 512, lbfgs_history=20) == short


def test_synthesize_checks_memory_with_its_own_history(vgg16_random, monkeypatch):
    layers = ["relu1_1"]
    full = estimate_bytes(vgg16_random, layers, 32, 32)
    short = estimate_bytes(vgg16_random, layers, 32, 32, lbfgs_history=20)
    monkeypatch.setattr(memory, "available_bytes", lambda device: (short + full) / 2 / 0.9)
    objective = make_objective(vgg16_random, content=synthetic_image(32, 32), content_layers=layers)
    with pytest.raises(ResourceError):
        synthesize(objective, uniform_noise((1, 3, 32, 32)), iterations=2, progress=False)
    result = synthesize(objective, uniform_noise((1, 3, 32, 32)), iterations=2, progress=False,
                        history_size=20)
    assert result.iterations == 2
