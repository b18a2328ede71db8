"""Colour preservation (Gatys, Ecker, Bethge, Hertzmann & Shechtman, "Controlling Perceptual
Factors in Neural Style Transfer", CVPR 2017, Sec. 5); not in the 2015 paper.

Style transfer copies the painting's colours along with its brush strokes. The 2017 paper gives
two ways to keep the photograph's colours instead:

- **luminance-only transfer**: run the transfer on the luminance channel Y of YIQ alone (the
  style's luminance first matched to the content's mean and variance), then put the result's
  luminance together with the content's colour channels I and Q;
- **colour histogram matching**: before the transfer, map the style image's colours linearly so
  that their mean and covariance equal the content's.

Images are tensors (B, 3, H, W) with RGB in 0..1; luminance images are (B, 1, H, W).
"""

from __future__ import annotations

import torch

from gatys.core import defaults
from gatys.io.errors import SettingError

COLOUR_METHODS = defaults.COLOUR_METHODS
HISTOGRAM_ROOTS = ("eigen", "cholesky")

# NTSC YIQ: rows give Y (luminance), I and Q (chroma) from R, G, B.
RGB_TO_YIQ = torch.tensor([
    [0.299, 0.587, 0.114],
    [0.595716, -0.274453, -0.321263],
    [0.211456, -0.522591, 0.311135],
], dtype=torch.float64)
YIQ_TO_RGB = torch.linalg.inv(RGB_TO_YIQ)


def _apply(matrix: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
    # (3, 3) × (B, 3, H, W) -> (B, 3, H, W), per pixel.
    return torch.einsum("ij,bjhw->bihw", matrix.to(image), image)


def rgb_to_yiq(image: torch.Tensor) -> torch.Tensor:
    """(Y, I, Q)ᵀ = T (R, G, B)ᵀ per pixel, T the NTSC matrix :data:`RGB_TO_YIQ`."""
    return _apply(RGB_TO_YIQ, image)


def yiq_to_rgb(image: torch.Tensor) -> torch.Tensor:
    """(R, G, B)ᵀ = T⁻¹ (Y, I, Q)ᵀ per pixel; not clamped (out-of-gamut values stay)."""
    return _apply(YIQ_TO_RGB, image)


def luminance(image: torch.Tensor) -> torch.Tensor:
    """Y = 0.299 R + 0.587 G + 0.114 B, shaped (B, 1, H, W)."""
    return rgb_to_yiq(image)[:, :1]


def match_luminance(style_luminance: torch.Tensor, content_luminance: torch.Tensor) -> torch.Tensor:
    """L_s' = σ_c / σ_s (L_s − μ_s) + μ_c   (Gatys et al. 2017, Sec. 5.1).

    The style's luminance shifted and scaled to the content's mean μ_c and standard deviation
    σ_c, so that the transfer does not carry over a global brightness or contrast difference.
    """
    mean_s, std_s = style_luminance.mean(), style_luminance.std()
    mean_c, std_c = content_luminance.mean(), content_luminance.std()
    return (style_luminance - mean_s) * (std_c / std_s.clamp_min(1e-8)) + mean_c


def grey_rgb(luminance_image: torch.Tensor) -> torch.Tensor:
    """A luminance image (B, 1, H, W) as an RGB image (B, 3, H, W) with R = G = B = Y, the form
    the network takes."""
    return luminance_image.expand(-1, 3, -1, -1).contiguous()


def with_colours_of(luminance_image: torch.Tensor, colour_source: torch.Tensor) -> torch.Tensor:
    """RGB from the luminance Y of ``luminance_image`` and the chroma (I, Q) of ``colour_source``.

    ``luminance_image`` is (B, 1, H, W) or an RGB image whose Y is taken; ``colour_source``
    (1 or B, 3, H, W) must have the same height and width. The result is not clamped, so its
    I and Q equal the source's exactly (clamping to 0..1 can change them where the combination
    leaves the RGB gamut).
    """
    if luminance_image.shape[1] == 3:
        luminance_image = luminance(luminance_image)
    chroma = rgb_to_yiq(colour_source)[:, 1:]
    chroma = chroma.expand(luminance_image.shape[0], -1, -1, -1)
    return yiq_to_rgb(torch.cat([luminance_image, chroma], dim=1))


def colour_statistics(image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """μ (3,) and Σ (3, 3): the mean and covariance of the pixels' RGB colours (float64)."""
    pixels = image.detach().to(torch.float64).transpose(0, 1).reshape(3, -1)  # (3, B·H·W)
    return pixels.mean(dim=1), torch.cov(pixels)


def _symmetric_root(matrix: torch.Tensor, power: float) -> torch.Tensor:
    # Σ^p = U diag(λ^p) Uᵀ for a symmetric positive definite Σ.
    values, vectors = torch.linalg.eigh(matrix)
    return vectors @ torch.diag(values.clamp_min(1e-12) ** power) @ vectors.T


def match_colour_histogram(style: torch.Tensor, content: torch.Tensor, method: str = "eigen",
                           eps: float = 1e-5) -> torch.Tensor:
    """x_s' = A (x_s − μ_s) + μ_c with A Σ_s Aᵀ = Σ_c   (Gatys et al. 2017, Sec. 5.2).

    Maps every style pixel's colour x_s so that the style's colour mean and covariance become the
    content's (μ_c, Σ_c). Two choices of A, both in the 2017 paper:

    - ``"eigen"`` (default; the paper's "Image Analogies" variant): A = Σ_c^½ Σ_s^−½ with the
      symmetric square roots from the eigendecomposition Σ = U Λ Uᵀ, Σ^½ = U Λ^½ Uᵀ;
    - ``"cholesky"``: A = L_c L_s⁻¹ with Σ = L Lᵀ the Cholesky factorisations.

    ``eps`` is added to the diagonal of both covariances so that a grey or flat image (a singular
    Σ) still gives a finite map; such a style keeps its rank (its colours lie on a plane or a
    line), so its covariance cannot become a full one, whatever A. The result is not clamped to 0..1 (clamping would move its
    statistics); the network takes it as it is.
    """
    if method not in HISTOGRAM_ROOTS:
        raise SettingError(f"unknown histogram matching {method!r}; choose eigen or cholesky")
    mean_s, cov_s = colour_statistics(style)
    mean_c, cov_c = colour_statistics(content)
    identity = torch.eye(3, dtype=torch.float64)
    cov_s, cov_c = cov_s + eps * identity, cov_c + eps * identity
    if method == "eigen":
        transform = _symmetric_root(cov_c, 0.5) @ _symmetric_root(cov_s, -0.5)
    else:
        chol_s, chol_c = torch.linalg.cholesky(cov_s), torch.linalg.cholesky(cov_c)
        transform = chol_c @ torch.linalg.inv(chol_s)
    centred = style.to(torch.float64) - mean_s.view(1, 3, 1, 1)
    return (_apply(transform, centred) + mean_c.view(1, 3, 1, 1)).to(style.dtype)


def colour_distance(image: torch.Tensor, reference: torch.Tensor) -> dict[str, float]:
    """How far ``image``'s colours are from ``reference``'s: ‖μ − μ_ref‖ and the Frobenius norm
    ‖Σ − Σ_ref‖_F of the RGB statistics, and the mean absolute difference of the YIQ chroma
    channels (I, Q) pixel by pixel (NaN for images of different sizes, e.g. a painting)."""
    mean, cov = colour_statistics(image)
    mean_ref, cov_ref = colour_statistics(reference)
    chroma = float("nan")
    if image.shape[-2:] == reference.shape[-2:]:
        chroma = float((rgb_to_yiq(image)[:, 1:] - rgb_to_yiq(reference)[:, 1:]).abs().mean())
    return {"colour mean distance": float((mean - mean_ref).norm()),
            "colour covariance distance": float((cov - cov_ref).norm()),
            "chroma difference": chroma}
