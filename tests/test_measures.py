"""Tests for gatys.experiments.measures: PSNR against hand-computed values, SSIM's ordering and edge cases."""

from __future__ import annotations

import math
import re

import pytest
import torch

from gatys.experiments.measures import psnr, ssim
from helpers import synthetic_image


def _noisy(image: torch.Tensor, sigma: float, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return (image + sigma * torch.randn(image.shape, generator=generator)).clamp(0, 1)


def test_psnr_by_hand():
    reference = torch.full((1, 3, 8, 8), 0.5)
    assert psnr(reference + 0.1, reference) == pytest.approx(20.0)  # MSE 0.01
    assert psnr(reference - 0.01, reference) == pytest.approx(40.0)  # MSE 1e-4
    assert psnr(reference + 0.1, reference, data_range=255.0) == pytest.approx(
        10 * math.log10(255.0**2 / 0.01)
    )


def test_psnr_mixed_error_by_hand():
    reference = torch.zeros(3, 2, 2)
    image = reference.clone()
    image[0, 0, 0] = 1.0  # one of 12 values off by 1: MSE 1/12
    assert psnr(image, reference) == pytest.approx(10 * math.log10(12))


def test_psnr_accepts_both_layouts_and_is_symmetric():
    a, b = synthetic_image(16, 16, seed=1), synthetic_image(16, 16, seed=2)
    assert psnr(a, b) == pytest.approx(psnr(a[0], b[0]))
    assert psnr(a, b) == pytest.approx(psnr(b, a))
    assert isinstance(psnr(a, b), float)


def test_identical_images():
    image = synthetic_image(16, 16)
    assert psnr(image, image.clone()) == math.inf
    assert ssim(image, image.clone()) == pytest.approx(1.0)


def test_ssim_lower_for_noise_and_decreasing_with_more():
    image = synthetic_image(32, 32)
    scores = [ssim(_noisy(image, sigma), image) for sigma in (0.02, 0.05, 0.1, 0.3)]
    assert all(s < 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1] + 0.3
    psnrs = [psnr(_noisy(image, sigma), image) for sigma in (0.02, 0.05, 0.1, 0.3)]
    assert psnrs == sorted(psnrs, reverse=True)


def test_ssim_is_the_mean_over_channels():
    image = synthetic_image(16, 16)
    changed = image.clone()
    changed[:, 0] = _noisy(image, 0.2)[:, 0]  # only red differs
    per_red = ssim(torch.cat([changed[:, :1]] * 3, 1), torch.cat([image[:, :1]] * 3, 1))
    assert ssim(changed, image) == pytest.approx((per_red + 2.0) / 3.0)


@pytest.mark.parametrize("side", [3, 4, 5, 6])
def test_ssim_small_images_use_a_smaller_window(side):
    image = synthetic_image(side, 12)
    assert ssim(image, image) == pytest.approx(1.0)
    assert ssim(_noisy(image, 0.3), image) < 1.0


@pytest.mark.parametrize("shape", [(1, 3, 2, 8), (3, 8, 1)])
def test_ssim_too_small_raises(shape):
    image = torch.rand(shape)
    with pytest.raises(ValueError, match="at least 3×3"):
        ssim(image, image)


@pytest.mark.parametrize("metric", [psnr, ssim])
def test_shape_mismatch_names_both_shapes(metric):
    with pytest.raises(ValueError) as info:
        metric(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 9))
    assert "(1, 3, 8, 8)" in str(info.value) and "(1, 3, 8, 9)" in str(info.value)


@pytest.mark.parametrize("metric", [psnr, ssim])
def test_non_rgb_shape_raises(metric):
    with pytest.raises(ValueError, match=re.escape("(1, 3, H, W)")):
        metric(torch.rand(1, 1, 8, 8), torch.rand(1, 1, 8, 8))
