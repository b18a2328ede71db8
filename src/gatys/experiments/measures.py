"""Image-space similarity: PSNR and SSIM between an image and a reference.

The paper says that reconstructing a photograph from the lower layers of the network is "almost
perfect" while the higher layers keep the arrangement but lose the exact pixels (Fig. 1).  That
is a claim about pixels, so it is checked in pixel space with these two standard measures.  There
is deliberately no style distance here: the style of an image is measured with Gram matrices in
feature space (see :mod:`gatys.core.losses`), not with pixels.

Both functions take tensors shaped ``(1, 3, H, W)`` or ``(3, H, W)`` with values in 0..1, on any
device, and return a Python float; higher means more similar.
"""

from __future__ import annotations

import math

import numpy as np
import torch

__all__ = ["psnr", "ssim"]

_SSIM_WINDOW = 7  # scikit-image's default win_size


def _as_chw(image: torch.Tensor, reference: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Both tensors as float64 ``(3, H, W)`` on the CPU; ValueError if their shapes differ."""
    if not isinstance(image, torch.Tensor) or not isinstance(reference, torch.Tensor):
        raise TypeError("psnr and ssim compare two torch.Tensor images")
    if tuple(image.shape) != tuple(reference.shape):
        raise ValueError(
            f"cannot compare an image of shape {tuple(image.shape)} with a reference of shape "
            f"{tuple(reference.shape)}; resize one to match the other"
        )
    if image.dim() == 4 and image.shape[0] == 1:
        image, reference = image[0], reference[0]
    if image.dim() != 3 or image.shape[0] != 3:
        raise ValueError(
            f"cannot compare images of shape {tuple(image.shape)}; pass (1, 3, H, W) or (3, H, W)"
        )
    return image.detach().to("cpu", torch.float64), reference.detach().to("cpu", torch.float64)


def _hwc(image: torch.Tensor) -> np.ndarray:
    """A ``(3, H, W)`` CPU tensor as a contiguous ``(H, W, 3)`` numpy array."""
    return np.ascontiguousarray(image.permute(1, 2, 0).numpy())


def psnr(image: torch.Tensor, reference: torch.Tensor, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB, ``10 · log10(data_range² / MSE)``; inf if identical."""
    image, reference = _as_chw(image, reference)
    mse = float(torch.mean((image - reference) ** 2))
    if mse == 0.0:
        return math.inf
    return 10.0 * math.log10(data_range**2 / mse)


def _win_size(height: int, width: int) -> int:
    """scikit-image's 7-pixel window, or the largest odd size (>= 3) that fits a smaller image."""
    side = min(height, width, _SSIM_WINDOW)
    win = side if side % 2 == 1 else side - 1
    if win < 3:
        raise ValueError(
            f"SSIM needs an image at least 3×3 pixels, not {height}×{width}; "
            "compare larger images"
        )
    return win


def ssim(image: torch.Tensor, reference: torch.Tensor) -> float:
    """Structural similarity (Wang et al. 2004), the mean over the RGB channels; 1 if identical.

    Uses ``skimage.metrics.structural_similarity`` with a 7-pixel window (smaller, odd, for images
    under 7 pixels on a side) and ``data_range=1``.
    """
    from skimage.metrics import structural_similarity  # imported here: only this needs it

    image, reference = _as_chw(image, reference)
    win = _win_size(int(image.shape[1]), int(image.shape[2]))
    return float(
        structural_similarity(
            _hwc(image), _hwc(reference), channel_axis=-1, data_range=1.0, win_size=win
        )
    )
