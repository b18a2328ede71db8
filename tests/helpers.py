"""Synthetic images and paths shared by the tests."""

from __future__ import annotations

from pathlib import Path

import torch

from gatys.core.objective import make_objective
from gatys.core.vgg import CONVENTIONS


def synthetic_image(height: int = 32, width: int = 32, seed: int = 0) -> torch.Tensor:
    """A smooth image with structure: colour gradients plus a few blobs, (1, 3, H, W) in 0..1."""
    generator = torch.Generator().manual_seed(seed)
    ys = torch.linspace(0, 1, height).view(height, 1).expand(height, width)
    xs = torch.linspace(0, 1, width).view(1, width).expand(height, width)
    image = torch.stack([xs, ys, 1 - xs * ys])
    for _ in range(3):
        cy, cx = torch.rand(2, generator=generator)
        colour = torch.rand(3, 1, 1, generator=generator)
        blob = torch.exp(-((ys - cy) ** 2 + (xs - cx) ** 2) / 0.02)
        image = image * (1 - blob) + colour * blob
    return image.clamp(0, 1).unsqueeze(0)


def striped_image(height: int = 32, width: int = 32, period: int = 4) -> torch.Tensor:
    """A texture: diagonal colour stripes, (1, 3, H, W)."""
    ys = torch.arange(height).view(height, 1)
    xs = torch.arange(width).view(1, width)
    phase = ((xs + ys) % period).float() / period
    return torch.stack([phase, 1 - phase, 0.5 + 0.5 * (phase > 0.5).float()]).unsqueeze(0)


def region_style_loss(model, image: torch.Tensor, style: torch.Tensor, mask: torch.Tensor,
                      layers=("relu1_1", "relu2_1")) -> float:
    """The guided style loss of the region ``mask`` of ``image`` against ``style`` alone."""
    objective = make_objective(model, content=image, styles=[style], masks=[mask],
                               style_layers=list(layers))
    return float(objective(image).style)


SHARED = Path(__file__).resolve().parents[2] / "shared"


def generated_section(path: Path, begin: str, end: str) -> str:
    """The text between the markers ``begin`` and ``end`` in ``path``, stripped."""
    text = path.read_text()
    return text[text.index(begin) + len(begin):text.index(end)].strip()


def write_generated_section(path: Path, begin: str, end: str, content: str) -> None:
    """Replace the text between the markers in ``path`` by ``content`` (a generated table)."""
    text = path.read_text()
    start, stop = text.index(begin) + len(begin), text.index(end)
    path.write_text(text[:start] + "\n" + content + "\n" + text[stop:])


def convert_convention(
    state_dict: dict[str, torch.Tensor], source: str, target: str
) -> dict[str, torch.Tensor]:
    """A test tool: rewrite the first convolution so weights made for ``source`` input accept ``target`` input.

    With ``z = (x * s - m) / d`` per channel, ``x`` the 0..1 image, the first layer computes
    ``W * z_source + b``. Substituting ``x = (z_target * d_t + m_t) / s_t`` gives weights
    ``W * (s_s d_t) / (s_t d_s)`` and a bias that absorbs the constant. Exact wherever the 3×3
    kernel does not overlap the zero padding (the padding is zero in each convention's own units).
    """
    src, dst = CONVENTIONS[source], CONVENTIONS[target]
    converted = dict(state_dict)
    weight, bias = state_dict["0.weight"], state_dict["0.bias"]
    s_s, s_t = src.scale, dst.scale
    m_s, m_t = torch.tensor(src.mean), torch.tensor(dst.mean)
    d_s, d_t = torch.tensor(src.std), torch.tensor(dst.std)
    gain = (s_s * d_t) / (s_t * d_s)  # per input channel
    offset = (s_s * m_t / s_t - m_s) / d_s  # z_source = gain * z_target + offset
    converted["0.weight"] = weight * gain.view(1, 3, 1, 1)
    converted["0.bias"] = bias + (weight.sum(dim=(2, 3)) * offset.view(1, 3)).sum(dim=1)
    return converted
