"""The measures and the sky rule of notebook 11 (gatys.experiments.perceptual_controls)."""

import math

import torch

from gatys.experiments.measures import pixel_noise, spectral_period
from gatys.experiments.perceptual_controls import sky_mask


def test_spectral_period_of_stripes_is_their_period():
    xs = torch.arange(64, dtype=torch.float32)
    for period in (4, 8, 16):
        stripes = (0.5 + 0.5 * torch.cos(2 * math.pi * xs / period)).expand(1, 3, 64, 64)
        assert abs(spectral_period(stripes) - period) < 1e-3


def test_median_residual_sees_speckle_not_edges():
    edge = torch.zeros(1, 3, 16, 16)
    edge[..., 8:] = 1.0
    assert pixel_noise(edge) == 0.0  # a clean edge survives the median filter
    speckled = edge.clone()
    speckled[..., 3, 3] = 1.0
    assert pixel_noise(speckled) == 1.0 / (16 * 16)


def test_sky_mask_keeps_blue_connected_to_the_top():
    image = torch.full((1, 3, 20, 20), 0.3)
    image[:, 2, :8] = 0.9  # a blue band at the top: sky
    image[:, 2, 15:] = 0.9  # a blue band at the bottom (a river): not connected to the top
    mask = sky_mask(image)
    assert mask.shape == (1, 1, 20, 20)
    assert mask[..., :8, :].eq(1).all() and mask[..., 8:, :].eq(0).all()
