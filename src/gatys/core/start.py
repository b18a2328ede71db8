"""Where the pixel optimisation starts: the paper's white noise, or an image.

The paper starts every synthesis from "a white noise image" without giving its amplitude. The
authors' released code (leongatys/PytorchNeuralStyleTransfer) draws ``torch.randn`` in the
network's Caffe input units: standard deviation 1 on the 0..255 scale around 0, which is the
dataset's mean pixel after the mean subtraction. In 0..1 pixels that is

    x_0 = m + ε,   ε ~ N(0, σ²) i.i.d. per pixel and channel,   σ = 1/255 ≈ 0.004,

with m the ImageNet mean pixel (123.68, 116.779, 103.939)/255 that the Caffe weights subtract
(torchvision's mean differs by less than 0.002). jcjohnson/neural-style uses ``randn × 0.001`` the same way.
That is :func:`white_noise`, the start called ``"noise"`` everywhere (API, CLI, notebooks).

A full-amplitude start (i.i.d. uniform 0..1, std 0.29) is kept as ``"uniform-noise"``: its
high-frequency part is nearly invisible to the layers above conv1, so L-BFGS never removes it
and reconstructions and transfers stay grainy (measured in notebook 05).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

from gatys.core.defaults import INITS
from gatys.io.errors import SettingError
from gatys.io.formats import image_dimensions, long_side_shape
from gatys.io.images import load_image, resize_image

# ImageNet's mean pixel as the Caffe weights subtract it, in 0..1 (torchvision's differs by < 0.002).
MEAN_PIXEL = (123.68 / 255, 116.779 / 255, 103.939 / 255)
NOISE_STD = 1.0 / 255.0  # the authors' code: randn in 0..255 units

ImageLike = torch.Tensor | str | os.PathLike | Image.Image


def white_noise(shape: Sequence[int], seed: int = 0, device: torch.device | str = "cpu",
                std: float = NOISE_STD) -> torch.Tensor:
    """The paper's start: x_0 = m + N(0, σ²) per pixel, σ = ``std`` (default 1/255), m the mean pixel.

    The same image for the same seed on every device (drawn on the CPU). (B, 3, H, W) in 0..1 units.
    """
    generator = torch.Generator().manual_seed(seed)
    mean = torch.tensor(MEAN_PIXEL).view(1, 3, 1, 1)
    return (mean + std * torch.randn(tuple(shape), generator=generator)).to(device)


def uniform_noise(shape: Sequence[int], seed: int = 0,
                  device: torch.device | str = "cpu") -> torch.Tensor:
    """Full-amplitude noise: i.i.d. uniform pixels in 0..1 (std 0.29), the same for the same seed."""
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(tuple(shape), generator=generator).to(device)


def as_image(source: ImageLike, size: int | None = None, shape=None) -> torch.Tensor:
    """A (1, 3, H, W) tensor in 0..1: tensors pass through, resized if asked as a file is at load
    (:func:`gatys.io.images.resize_image`), the rest load."""
    if isinstance(source, torch.Tensor):
        image = source if source.dim() == 4 else source.unsqueeze(0)
        if shape is None and size is not None:
            shape = long_side_shape(*image.shape[-2:], size)
        if shape is not None:
            image = resize_image(image, shape)
        return image.float()
    return load_image(source, size=size, shape=shape)


def planned_shape(source: ImageLike, size: int | None = None) -> tuple[int, int]:
    """``(height, width)`` that :func:`as_image` will give ``source`` at ``size``, known before
    anything is decoded or resized (a file's header, a tensor's or a picture's shape)."""
    if isinstance(source, torch.Tensor):
        shape = (int(source.shape[-2]), int(source.shape[-1]))
    elif isinstance(source, Image.Image):
        shape = (source.height, source.width)
    elif isinstance(source, np.ndarray):
        shape = (int(source.shape[0]), int(source.shape[1]))
    else:
        shape = image_dimensions(source)
    return shape if size is None else long_side_shape(*shape, size)


def initial_image(
    init: str | ImageLike,
    shape: Sequence[int],
    *,
    content: torch.Tensor | None = None,
    style: torch.Tensor | None = None,
    seed: int = 0,
) -> torch.Tensor:
    """The starting image, shaped ``shape`` (B, 3, H, W).

    ``"noise"``: the paper's white noise (:func:`white_noise`, from ``seed``); ``"uniform-noise"``:
    full-amplitude uniform noise; ``"content"`` / ``"style"``: that image resized to the shape;
    anything else: an image or path of one's own.
    """
    height, width = shape[-2:]
    if isinstance(init, str) and init in INITS:
        if init == "noise":
            return white_noise(shape, seed)
        if init == "uniform-noise":
            return uniform_noise(shape, seed)
        chosen = content if init == "content" else style
        if chosen is None:
            raise SettingError(f"init={init!r} needs a {init} image")
        return as_image(chosen.cpu(), shape=(height, width)).expand(*shape).clone()
    if isinstance(init, (str, os.PathLike)) and not os.path.exists(init):
        raise SettingError(f"init {str(init)!r} is neither {', '.join(INITS)} nor an existing "
                           f"image file ({os.path.abspath(init)})")
    return as_image(init, shape=(height, width)).expand(*shape).clone()
