"""Photographs and paintings the tests never saw before the look test: scikit-image's sample
photos and paintings drawn here from a seed (swirling brush strokes; a geometric one).

The stroke paintings are softened as a photographed canvas is (:func:`as_photographed`): strokes
drawn as polygons have aliased, perfectly hard edges that no photograph of a painting has, and a
transfer reproduces them as pixel noise (measured in the closing note of issue 13)."""

from __future__ import annotations

import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

SWIRL_PALETTE = [(18, 40, 110), (35, 75, 160), (70, 120, 200), (230, 200, 60), (250, 235, 150),
                 (20, 90, 100), (240, 240, 220), (12, 20, 60)]
EMBER_PALETTE = [(120, 30, 20), (200, 80, 30), (240, 160, 60), (250, 220, 140), (60, 20, 40),
                 (150, 60, 90), (30, 30, 50)]
BLOCK_PALETTE = [(200, 30, 40), (20, 60, 170), (240, 190, 20), (20, 20, 20), (40, 140, 80),
                 (230, 110, 30)]


def as_photographed(painting: Image.Image, radius: float = 1.2) -> Image.Image:
    """The soft stroke edges of a photographed canvas: a Gaussian blur of ``radius`` px."""
    return painting.filter(ImageFilter.GaussianBlur(radius))


def photo(name: str) -> Image.Image:
    """A scikit-image sample photograph ("coffee", "rocket", "chelsea", "astronaut")."""
    import skimage.data

    return Image.fromarray(getattr(skimage.data, name)()).convert("RGB")


def swirl_painting(width: int = 320, height: int = 240, seed: int = 0,
                   palette=SWIRL_PALETTE, ground=(25, 50, 120)) -> Image.Image:
    """Thick short strokes along a swirling flow field (default: in night blues and yellows)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), ground)
    draw = ImageDraw.Draw(image)
    for _ in range(1500):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        colour = rng.choice(palette)
        colour = tuple(min(255, max(0, c + rng.randint(-20, 20))) for c in colour)
        stroke_width = rng.randint(6, 10)
        for _ in range(8):  # one stroke follows the field for a few steps
            angle = 2.5 * math.sin(x / 47.0) + 2.5 * math.cos(y / 37.0)
            nx, ny = x + 5 * math.cos(angle), y + 5 * math.sin(angle)
            draw.line([(x, y), (nx, ny)], fill=colour, width=stroke_width)
            x, y = nx, ny
    return image


def ember_painting(width: int = 300, height: int = 300, seed: int = 2) -> Image.Image:
    """The swirling strokes in reds, oranges and plums, on a square canvas."""
    return swirl_painting(width, height, seed, EMBER_PALETTE, (90, 30, 30))


def block_painting(width: int = 320, height: int = 240, seed: int = 1) -> Image.Image:
    """Coloured rectangles, discs and bars with black outlines on a cream ground."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (238, 228, 205))
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x0, y0 = rng.uniform(-20, width), rng.uniform(-20, height)
        w, h = rng.uniform(10, 80), rng.uniform(10, 80)
        colour = rng.choice(BLOCK_PALETTE)
        shape = rng.choice(["rect", "disc", "bar"])
        if shape == "rect":
            draw.rectangle([x0, y0, x0 + w, y0 + h], fill=colour, outline=(0, 0, 0), width=3)
        elif shape == "disc":
            draw.ellipse([x0, y0, x0 + w, y0 + w], fill=colour, outline=(0, 0, 0), width=3)
        else:
            draw.line([(x0, y0), (x0 + rng.uniform(-90, 90), y0 + rng.uniform(-90, 90))],
                      fill=(0, 0, 0), width=rng.randint(2, 6))
    return image


def save_pair(folder: Path, photo_name: str, painting: Image.Image, stem: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    content, style = folder / f"{stem}_photo.png", folder / f"{stem}_painting.png"
    photo(photo_name).save(content)
    painting.save(style)
    return content, style
