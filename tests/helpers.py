"""Synthetic images and paths shared by the tests."""

from __future__ import annotations

from pathlib import Path

import torch

from gatys.core.transfer import make_objective


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
