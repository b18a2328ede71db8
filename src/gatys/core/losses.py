"""The paper's losses, one function per equation (Gatys, Ecker & Bethge, 2015/2016).

Notation: a layer l has N_l feature maps of M_l = height × width positions. F^l (N_l × M_l) are
the features of the generated image x, P^l those of the content image p, A^l the Gram matrix of
the style image a. All functions are batched: features are shaped (B, N_l, H, W) and every loss
returns one value per batch element, shape (B,).

The defaults are the paper's literal formulas (sums, no normalisation of G). Other conventions
found in implementations are named options, never silent:

- ``content_loss(..., reduction="mean")`` divides by N_l M_l (a per-element mean, as in the
  authors' own code, which uses mean squared errors);
- the authors' code divides G by M_l before comparing Gram matrices: E_l below does so for each
  Gram with its own M (:func:`style_layer_loss`), which equals eq. 4 up to the constant 1/M_l².
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

CONTENT_REDUCTIONS = ("sum", "mean")


def _flatten(features: torch.Tensor) -> torch.Tensor:
    # (B, N, H, W) -> (B, N, M): one row of M positions per feature map.
    return features.flatten(start_dim=2)


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """G^l_ij = Σ_k F^l_ik F^l_jk: inner products between feature maps i and j over positions k
    (paper, eq. 3). ``features`` (B, N, H, W) -> G (B, N, N)."""
    batch, n_maps, height, width = features.shape
    n_positions = height * width
    if features.is_contiguous(memory_format=torch.channels_last):
        # Channels-last features (what VGGFeatures returns) are already (B, M, N) in memory:
        # G = Fᵀ-of-that · that, with no copy into (B, N, M).
        positions = features.permute(0, 2, 3, 1).reshape(batch, n_positions, n_maps)
        gram = torch.bmm(positions.transpose(1, 2), positions)
    else:
        flat = _flatten(features)
        gram = torch.bmm(flat, flat.transpose(1, 2))
    return gram


def content_loss(
    features: torch.Tensor, target: torch.Tensor, reduction: str = "sum"
) -> torch.Tensor:
    """L_content(p, x, l) = ½ Σ_ij (F^l_ij − P^l_ij)²   (paper, eq. 1).

    Its derivative with respect to F^l_ij is (F − P)_ij (where F > 0 for post-ReLU features).
    ``reduction="mean"`` divides by N_l M_l (not in the paper: the authors' code's MSE).
    ``target`` (1 or B, N, H, W) broadcasts over the batch. Returns (B,).
    """
    if reduction not in CONTENT_REDUCTIONS:
        raise ValueError(f"reduction must be one of {CONTENT_REDUCTIONS}, got {reduction!r}")
    squared = (features - target).pow(2).flatten(start_dim=1)
    loss = 0.5 * squared.sum(dim=1)
    if reduction == "mean":
        loss = loss / squared.shape[1]
    return loss


def style_layer_loss(features: torch.Tensor, target_gram: torch.Tensor,
                     target_positions: int | None = None) -> torch.Tensor:
    """E_l = 1 / (4 N_l² M_l²) Σ_ij (G^l_ij − A^l_ij)²   (paper, eq. 4).

    ``features`` (B, N, H, W) give G; ``target_gram`` A is the style image's unnormalised Gram
    matrix (1 or B, N, N) from the same layer. Returns (B,).

    ``target_positions`` M_s: the number of positions A was summed over, when the style image
    has another size than x (not in the paper, where M_s = M_l; the default). Each Gram is then
    normalised by its own number of positions,

        E_l = 1/(4 N_l²) Σ_ij (G^l_ij / M_l − A^l_ij / M_s)²,

    which is eq. 4 when M_s = M_l, and does not change with the style image's size or aspect
    ratio (A grows with M_s, so the literal formula would weigh a larger style image more).
    """
    n_maps = features.shape[1]
    n_positions = features.shape[2] * features.shape[3]
    target_positions = n_positions if target_positions is None else target_positions
    # G/M and A/M_s are mean outer products per position; dividing before squaring also keeps
    # (G − A)² from overflowing float32 (G grows like M·F²).
    difference = gram_matrix(features) / n_positions - target_gram / target_positions
    return (difference / (2 * n_maps)).pow(2).sum(dim=(1, 2))


def style_loss(
    layer_losses: Mapping[str, torch.Tensor],
    layer_weights: Mapping[str, float] | None = None,
) -> torch.Tensor:
    """L_style(a, x) = Σ_l w_l E_l   (paper, eq. 5), over the layers of ``layer_losses``.

    ``layer_losses``: E_l (B,) per style layer (:func:`style_layer_loss`, or a blend or guided
    version of it); ``layer_weights`` default to the paper's w_l = 1 / (number of style layers).
    Returns (B,).
    """
    if layer_weights is None:
        layer_weights = {layer: 1.0 / len(layer_losses) for layer in layer_losses}
    total = 0
    for layer, value in layer_losses.items():
        total = total + layer_weights[layer] * value
    return total


def total_loss(
    content: torch.Tensor, style: torch.Tensor, alpha: float, beta: float
) -> torch.Tensor:
    """L_total(p, a, x) = α L_content(p, x) + β L_style(a, x)   (paper, eq. 7)."""
    return alpha * content + beta * style


def guided_gram_matrix(features: torch.Tensor, guide: torch.Tensor) -> torch.Tensor:
    """G^l_r = (F^l ∘ T^l_r)(F^l ∘ T^l_r)ᵀ   (Gatys et al. 2017, "guided Gram matrices", Sec. 4).

    The features (B, N, H, W) are multiplied position by position by the guidance channel
    T^l_r (1 or B, 1, H, W), the region's mask at this layer's resolution, before the Gram
    matrix is taken: only the region's positions contribute. Returns (B, N, N).
    """
    return gram_matrix(features * guide)


def guided_style_layer_loss(features: torch.Tensor, guide: torch.Tensor,
                            target_gram: torch.Tensor, style_positions: int) -> torch.Tensor:
    """E_l,r = 1 / (4 N_l² m_r²) Σ_ij (G^l_r − (m_r / M_s) A^l)²   (after Gatys et al. 2017, eq. 8).

    ``target_gram`` A^l is the style image's Gram matrix over its ``style_positions`` M_s
    positions; m_r = Σ_k (T^l_r,k)² is the mass of the region at this layer. A region whose
    features have the style's statistics has G^l_r = (m_r / M_s) A^l: the target is the style's
    mean outer product per position, summed over the region, so the style image's size and the
    region's size do not change what is matched. Dividing by m_r² (instead of M_l²) keeps E_l,r
    on the scale of an unguided E_l whatever the region's area. Returns (B,).
    """
    n_maps = features.shape[1]
    mass = guide.pow(2).sum(dim=(1, 2, 3))  # (1 or B,)
    target = target_gram * (mass / style_positions).view(-1, 1, 1)
    scaled = (guided_gram_matrix(features, guide) - target) / (2 * n_maps * mass.view(-1, 1, 1))
    return scaled.pow(2).sum(dim=(1, 2))


def total_variation(image: torch.Tensor) -> torch.Tensor:
    """TV(x) = 1/(3HW) Σ_c Σ_ij [(x_c,i,j+1 − x_c,i,j)² + (x_c,i+1,j − x_c,i,j)²]   (not in the paper).

    The squared total variation (Mahendran & Vedaldi 2015, β = 2; Johnson et al. 2016 use it
    with style transfer): the summed squared differences between horizontally and vertically
    neighbouring pixels, divided by the number of pixel values 3HW so that its weight does not
    depend on the image size. It penalises pixel noise; the 2015 paper has no such term.
    ``image`` (B, 3, H, W) -> (B,).
    """
    horizontal = (image[..., :, 1:] - image[..., :, :-1]).pow(2).sum(dim=(1, 2, 3))
    vertical = (image[..., 1:, :] - image[..., :-1, :]).pow(2).sum(dim=(1, 2, 3))
    return (horizontal + vertical) / image[0].numel()
