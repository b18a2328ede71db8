"""With the real VGG-16 Caffe weights and the paper's images (CI sets GATYS_WEIGHTS/GATYS_DATA)."""

import os
from pathlib import Path

import pytest
import torch

from gatys.api.transfer import style_transfer
from gatys.core.weights import load_vgg
from gatys.io.images import load_image

WEIGHTS = os.environ.get("GATYS_WEIGHTS")
DATA = os.environ.get("GATYS_DATA")
MODEL = os.environ.get("GATYS_MODEL", "vgg16-caffe")

pytestmark = pytest.mark.skipif(
    not (WEIGHTS and Path(WEIGHTS).is_file() and DATA and (Path(DATA) / "tubingen.jpg").is_file()),
    reason="needs real weights and the paper's images: set GATYS_WEIGHTS and GATYS_DATA "
           "(.ci/run points them at ../shared)",
)


@pytest.fixture(scope="module")
def real_model():
    return load_vgg(MODEL, WEIGHTS, device="cpu")


def test_small_transfer_lowers_both_losses(real_model):
    content = load_image(Path(DATA) / "tubingen.jpg", size=96)
    style = load_image(Path(DATA) / "starry_night.jpg", size=96)
    # On the unnormalised Caffe network the two terms balance near α/β = 1: from the paper's
    # near-grey noise start both must fall (measured: content 0.58×, style 0.004× in 40 steps).
    result = style_transfer(content, style, model=real_model, size=None, ratio=1.0,
                            iterations=40, progress=False)
    first, last = result.history.losses[0], result.final_losses
    assert last["content"] < 0.75 * first["content"]
    assert last["style"] < 0.1 * first["style"]
    assert torch.isfinite(result.image).all()
    assert (result.image - content).abs().mean() > 0.05
    style_resized = torch.nn.functional.interpolate(style, size=content.shape[-2:])
    assert (result.image - style_resized).abs().mean() > 0.05
