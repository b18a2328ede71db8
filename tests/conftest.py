"""Shared fixtures: small random-weight networks and synthetic images, no downloads.

The suite must hold on any host: tests assert behaviour (a loss fell by orders of magnitude, a
run stopped for a stated reason), never what rounding decides (an exact iteration count of a
converging optimiser, exact floats across code paths, a timing). To look for such tests, run it
with other arithmetic: ``GATYS_TEST_THREADS=1`` (torch threads; default 2) and
``GATYS_TEST_FLUSH_DENORMAL=1`` (denormal floats flushed to zero).
"""

from __future__ import annotations

import os

import pytest
import torch

from gatys.core.vgg import VGGFeatures
from gatys.core.weights import random_state_dict
from gatys.io.images import save_image

from helpers import striped_image, synthetic_image


# The environment as the test run started (CI sets GATYS_* to ../shared), before the fixture below
# hides it from the tests that must not depend on it.
ORIGINAL_ENV = dict(os.environ)


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch):
    """Tests see no GATYS_* settings unless they set them (CI sets them for real-weights tests),
    and run the network's pass in float32, channels-last: what `auto` picks depends on the host
    (tests/test_route.py tests the choice itself)."""
    for name in ("GATYS_MODEL", "GATYS_WEIGHTS", "GATYS_DEVICE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GATYS_PRECISION", "fp32")
    monkeypatch.setenv("GATYS_LAYOUT", "channels-last")
    torch.set_num_threads(int(ORIGINAL_ENV.get("GATYS_TEST_THREADS",
                                               max(1, min(2, os.cpu_count() or 1)))))
    torch.set_flush_denormal(ORIGINAL_ENV.get("GATYS_TEST_FLUSH_DENORMAL") == "1")


@pytest.fixture(scope="session")
def vgg16_random() -> VGGFeatures:
    return VGGFeatures("vgg16", "avg", "torchvision", random_state_dict("vgg16", seed=0))


@pytest.fixture(scope="session")
def vgg16_normalised(vgg16_random) -> VGGFeatures:
    """``vgg16_random`` normalised over two synthetic images: the network the default recipe
    (gatys-code-normalised) belongs to."""
    from gatys.core.normalisation import channel_means, normalise

    images = [synthetic_image(64, 64, seed=11), striped_image(64, 64)]
    return normalise(vgg16_random, channel_means(vgg16_random, images))


@pytest.fixture(scope="session")
def vgg16_random_caffe() -> VGGFeatures:
    return VGGFeatures("vgg16", "avg", "caffe", random_state_dict("vgg16", seed=0))


@pytest.fixture
def cli_settings(tmp_path, monkeypatch):
    """The command line on a random-weight VGG-16 on the CPU with a cache of its own; the folder."""
    monkeypatch.setenv("GATYS_MODEL", "vgg16-random")
    monkeypatch.setenv("GATYS_DEVICE", "cpu")
    monkeypatch.setenv("GATYS_CACHE", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def inputs(cli_settings):
    """A content image (40×56 PNG) and a style image (48×48 JPEG) for the command line, saved in
    the folder of ``cli_settings``: (folder, content path, style path)."""
    content, style = cli_settings / "content.png", cli_settings / "style.jpg"
    save_image(synthetic_image(40, 56), content)
    save_image(striped_image(48, 48), style)
    return cli_settings, content, style


def pytest_terminal_summary(terminalreporter):
    """The slowest refusal of tests/test_refusals.py (its own measure, not a timed assertion)."""
    timed = [(value, report.nodeid) for outcome in ("passed", "failed")
             for report in terminalreporter.stats.get(outcome, [])
             for name, value in getattr(report, "user_properties", [])
             if name == "refusal_seconds"]
    if timed:
        seconds, nodeid = max(timed)
        terminalreporter.write_line(
            f"refusals: {len(timed)} cases, the slowest {seconds:.2f} s ({nodeid.split('::')[-1]})")
