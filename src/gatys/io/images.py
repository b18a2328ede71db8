"""Reading and writing images.

Inside the package an image is a float32 tensor shaped ``(1, 3, H, W)``: RGB channels, values in
0..1, on the CPU (callers move it to a device).  This module turns files, Pillow images and numpy
arrays into such tensors and back, and turns every problem a user can cause (a missing, corrupt,
huge or oddly coded file; an unwritable path) into an :class:`~gatys.io.errors.ImageError` that names
the file and the fix.
"""

from __future__ import annotations

import io
import os
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Union

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageCms, ImageOps

from gatys.io.errors import ImageError
from gatys.io.files import write_atomic
from gatys.io.formats import (  # noqa: F401 - BIT_DEPTHS and output_format are re-exported
    BIT_DEPTHS, DEFAULT_MAX_PIXELS, long_side_shape, open_image_file, output_format,
)
from gatys.io.formats import check_pixels as _check_pixels

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "ImageSource",
    "image_size",
    "load_image",
    "load_mask",
    "open_image",
    "output_format",
    "resize_image",
    "save_image",
    "srgb_profile",
    "to_pil",
    "to_rgb",
    "to_srgb",
]

ImageSource = Union[str, "os.PathLike[str]", Image.Image, np.ndarray]

_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
_COLOUR_MANAGED_MODES = frozenset({"RGB", "RGBA", "L", "CMYK"})
_ICC_FORMATS = frozenset({"PNG", "JPEG", "TIFF", "WEBP"})  # Pillow embeds icc_profile in these
_WIDE_INT_MODES = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N"})


# --------------------------------------------------------------------------------------------
# Reading


def open_image(source: ImageSource, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Open ``source`` as a fully decoded Pillow image, upright (EXIF orientation applied).

    ``source`` is a path (``str`` or ``os.PathLike``), a Pillow image, or a numpy array shaped
    ``(H, W)``, ``(H, W, 3)`` or ``(H, W, 4)`` holding ``uint8`` or floats in 0..1.  Animated
    files give their first frame.  The pixel count is checked against ``max_pixels`` before
    anything is decoded.  The result is a new image in whatever mode the source had; see
    :func:`to_rgb`.
    """
    if isinstance(source, Image.Image):
        return _open_pil(source, max_pixels)
    if isinstance(source, np.ndarray):
        return _open_array(source, max_pixels)
    if isinstance(source, (str, os.PathLike)):
        return _open_path(source, max_pixels)
    raise ImageError(
        f"cannot read an image from a {type(source).__name__}; "
        "pass a file path, a PIL image or a numpy array"
    )


def _open_path(path: str | os.PathLike[str], max_pixels: int) -> Image.Image:
    name = f'image file "{os.path.abspath(os.fspath(path))}"'
    img_file = open_image_file(path, max_pixels)
    with img_file:
        try:
            img_file.seek(0)  # first frame of an animation
            img_file.load()
            return ImageOps.exif_transpose(img_file)  # a new image, independent of the file
        except Exception as exc:  # Pillow's decoders raise many types; all mean a bad file
            raise ImageError(
                f"{name} is truncated or corrupt ({exc}); re-export or re-download it"
            ) from exc


def _open_pil(img: Image.Image, max_pixels: int) -> Image.Image:
    name = f'image "{img.filename}"' if getattr(img, "filename", "") else "the PIL image"
    _check_pixels(name, *img.size, max_pixels)
    try:
        img.load()
        return ImageOps.exif_transpose(img)  # always a copy: the caller's image is not changed
    except Exception as exc:
        raise ImageError(
            f"{name} is truncated or corrupt ({exc}); re-export or re-download it"
        ) from exc


def _open_array(array: np.ndarray, max_pixels: int) -> Image.Image:
    name = f"the numpy array of shape {array.shape} and dtype {array.dtype}"
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ImageError(
            f"{name} is not an image; pass an array shaped (H, W), (H, W, 3) or (H, W, 4)"
        )
    _check_pixels(name, array.shape[1], array.shape[0], max_pixels)
    if np.issubdtype(array.dtype, np.floating):
        if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1:
            raise ImageError(
                f"{name} has values outside 0..1 (or NaN/inf); scale it to 0..1 or pass uint8"
            )
        array = np.rint(array * 255.0).astype(np.uint8)
    elif array.dtype != np.uint8:
        raise ImageError(f"{name} has an unsupported dtype; pass uint8 values or floats in 0..1")
    return Image.fromarray(np.ascontiguousarray(array))


def to_rgb(img: Image.Image) -> Image.Image:
    """Return ``img`` as an 8-bit RGB image (``img`` itself if it already is one).

    Transparent pixels (RGBA, LA, PA, or a palette / colour-key transparency) are composited over
    white.  16- and 32-bit integer images map 0..65535 onto 0..255 (value / 257); 32-bit float
    ("F") images are read as 0..1 when their maximum is at most 1, else as 0..255.
    """
    mode = img.mode
    if mode == "RGB" and "transparency" not in img.info:
        return img
    if mode in _WIDE_INT_MODES:  # Pillow's own convert() would clip everything above 255
        return _gray_to_rgb(np.asarray(img, dtype=np.float64) / 257.0)
    if mode == "F":
        values = np.nan_to_num(np.asarray(img, dtype=np.float64), nan=0.0, posinf=255.0, neginf=0.0)
        return _gray_to_rgb(values * 255.0 if values.max(initial=0.0) <= 1.0 else values)
    try:
        if mode in _ALPHA_MODES or "transparency" in img.info:
            white = Image.new("RGBA", img.size, (255, 255, 255, 255))
            return Image.alpha_composite(white, img.convert("RGBA")).convert("RGB")
        return img.convert("RGB")  # L, P, 1, CMYK, YCbCr, ...
    except ValueError as exc:
        raise ImageError(
            f"cannot convert an image in colour mode {mode} to RGB ({exc}); "
            "re-save it as an RGB PNG or JPEG"
        ) from exc


@lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    """The sRGB ICC profile (LittleCMS's built-in one) that every written image carries."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def to_srgb(img: Image.Image) -> Image.Image:
    """``img`` with its embedded ICC profile (Adobe RGB, Display P3, a CMYK press profile, ...)
    converted to sRGB, the colour space the network was trained on and that screens assume.

    An image without a profile, or with the sRGB one this module writes, is returned unchanged.
    A profile that LittleCMS cannot read or apply leaves the pixels as they are, with a warning.
    """
    profile = img.info.get("icc_profile")
    if not profile or profile == srgb_profile() or img.mode not in _COLOUR_MANAGED_MODES:
        return img
    output_mode = "RGBA" if img.mode == "RGBA" else "RGB"
    try:
        converted = ImageCms.profileToProfile(
            img, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")), outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
        warnings.warn(f"the image's embedded colour profile cannot be applied ({exc}); its "
                      f"pixels are read as sRGB", RuntimeWarning, stacklevel=2)
        return img
    converted.info = {key: value for key, value in img.info.items() if key != "icc_profile"}
    return converted


def _gray_to_rgb(values: np.ndarray) -> Image.Image:
    """8-bit RGB image from a 2-D array of grey levels in 0..255 (rounded, clipped)."""
    return Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8)).convert("RGB")


def load_image(
    source: ImageSource,
    *,
    size: int | None = None,
    shape: tuple[int, int] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> torch.Tensor:
    """Load ``source`` (see :func:`open_image`) as a float32 tensor ``(1, 3, H, W)`` in 0..1.

    An embedded ICC profile is honoured: the pixels are converted to sRGB (:func:`to_srgb`).

    At most one of ``size`` (the long side in pixels; the aspect ratio is kept and the short side
    rounded, at least 1) and ``shape`` (an exact ``(height, width)``) may be given; without either
    the image keeps its size.  Resizing is bicubic with antialiasing.
    """
    if size is not None and shape is not None:
        raise ImageError("pass either size (the long side) or shape (height, width), not both")
    if size is not None:
        size = _positive_int(size, "size")
    if shape is not None:
        if not isinstance(shape, (tuple, list)) or len(shape) != 2:
            raise ImageError(f"shape must be a pair (height, width), not {shape!r}")
        shape = (_positive_int(shape[0], "shape height"), _positive_int(shape[1], "shape width"))

    img = open_image(source, max_pixels=max_pixels)
    try:
        img = to_rgb(to_srgb(img))
    except ImageError as exc:
        where = (f'"{os.path.abspath(os.fspath(source))}"'
                 if isinstance(source, (str, os.PathLike)) else "the image")
        raise ImageError(f"{where}: {exc}") from exc
    tensor = torch.from_numpy(np.array(img, dtype=np.uint8)).permute(2, 0, 1).unsqueeze(0)
    tensor = tensor.float().div_(255.0)

    height, width = image_size(tensor)
    if size is not None:
        shape = long_side_shape(height, width, size)
    if shape is not None:
        tensor = resize_image(tensor, shape)
    return tensor.contiguous()


def resize_image(image: torch.Tensor, shape: tuple[int, int]) -> torch.Tensor:
    """``image`` (``(B, 3, H, W)`` in 0..1) resized to ``shape`` = ``(height, width)``: the one
    filter every image in the package is resized with (a file at load, a tensor passed to the
    API, a coarse level's result upsampled, a painting measured against a result), so that the
    same picture at the same size is the same tensor whichever way it came in. Bicubic with
    antialiasing, as torchvision's ``resize(..., BICUBIC, antialias=True)``; the result is
    clamped to 0..1, since bicubic overshoots slightly at edges. The same size is returned as is.
    """
    shape = (int(shape[0]), int(shape[1]))
    if tuple(image.shape[-2:]) == shape:
        return image
    resized = F.interpolate(image.float(), size=shape, mode="bicubic", align_corners=False,
                            antialias=True)
    return resized.clamp_(0.0, 1.0)


def load_mask(
    source: ImageSource | torch.Tensor,
    shape: tuple[int, int],
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> torch.Tensor:
    """A region mask (spatial control): ``(1, 1, H, W)`` in 0..1 with ``shape`` = ``(H, W)``.

    White (1) is inside the region, black (0) outside, grey in between; a colour image counts by
    its mean over R, G and B. A file or tensor of another size is resized to ``shape`` (the
    content image's), bilinearly with antialiasing. An all-black mask raises
    :class:`ImageError`: the region it names is empty.
    """
    if isinstance(source, torch.Tensor):
        mask = source.detach().float().cpu()
        while mask.dim() < 4:
            mask = mask.unsqueeze(0)
        if mask.dim() != 4 or mask.shape[0] != 1 or mask.shape[1] not in (1, 3):
            raise ImageError(f"a mask tensor must be (H, W), (1, H, W) or (1, 1|3, H, W), "
                             f"not {tuple(source.shape)}")
        where = "the mask tensor"
    else:
        mask = load_image(source, max_pixels=max_pixels)
        where = f'the mask "{os.path.abspath(os.fspath(source))}"' \
            if isinstance(source, (str, os.PathLike)) \
            else "the mask"
    mask = mask.mean(dim=1, keepdim=True)
    if tuple(mask.shape[-2:]) != tuple(shape):
        mask = F.interpolate(mask, size=tuple(shape), mode="bilinear", align_corners=False,
                             antialias=True)
    mask = mask.clamp(0.0, 1.0)
    if not bool((mask > 1.0 / 255).any()):
        raise ImageError(f"{where} is empty (all black): paint the region its style should "
                         f"cover white, the rest black")
    return mask.contiguous()


def _positive_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ImageError(f"{what} must be a positive whole number of pixels, not {value!r}")
    return int(value)


def image_size(image: torch.Tensor) -> tuple[int, int]:
    """``(height, width)`` of an image tensor shaped ``(..., H, W)``."""
    return int(image.shape[-2]), int(image.shape[-1])


# --------------------------------------------------------------------------------------------
# Writing


def to_pil(image: torch.Tensor) -> Image.Image:
    """An 8-bit RGB Pillow image from a tensor ``(1, 3, H, W)`` or ``(3, H, W)`` on any device.

    Values are clamped to 0..1 and rounded; a NaN or infinite value raises :class:`ImageError`.
    """
    return Image.fromarray(_pixels(_picture_tensor(image), 8))


def _picture_tensor(image: torch.Tensor) -> torch.Tensor:
    """``image`` as ``(3, H, W)``; :class:`ImageError` for anything that is not a picture."""
    if not isinstance(image, torch.Tensor):
        raise ImageError(f"to_pil needs a torch.Tensor, not a {type(image).__name__}")
    if image.dim() == 4 and image.shape[0] == 1:
        image = image[0]
    if image.dim() != 3 or image.shape[0] != 3 or image.shape[1] < 1 or image.shape[2] < 1:
        raise ImageError(
            f"cannot make a picture from a tensor of shape {tuple(image.shape)}; "
            "pass one shaped (1, 3, H, W) or (3, H, W)"
        )
    return image


def _pixels(image: torch.Tensor, bit_depth: int) -> np.ndarray:
    """``(H, W, 3)`` uint8 or uint16 values of a checked ``(3, H, W)`` tensor, rounded."""
    image = image.detach()
    if not bool(torch.isfinite(image).all()):
        raise ImageError(
            "refusing to save an image with NaN/inf pixels; "
            "the optimisation diverged, try a smaller learning rate"
        )
    top, dtype = (255.0, np.uint8) if bit_depth == 8 else (65535.0, np.uint16)
    values = image.float().clamp(0.0, 1.0).mul(top).round()  # float32 holds 0..65535 exactly
    return values.permute(1, 2, 0).cpu().numpy().astype(dtype)


def save_image(
    image: torch.Tensor, path: str | os.PathLike[str], *, bit_depth: int = 8,
    **pil_kwargs: object,
) -> Path:
    """Write ``image`` (see :func:`to_pil`) to ``path`` atomically and return ``path`` as a Path.

    The format follows the file extension. The file is tagged sRGB (an embedded ICC profile, in
    PNG, JPEG, TIFF and WebP). ``bit_depth=16`` writes 16 bits per channel, as a TIFF
    (``.tif``; Pillow writes colour PNGs with 8 bits only). The file is written through
    :func:`gatys.io.files.write_atomic`: ``path`` is either untouched or complete; missing parent
    directories are created. ``pil_kwargs`` go to ``PIL.Image.Image.save`` (JPEG defaults to
    ``quality=95`` instead of Pillow's 75).
    """
    path = Path(path)
    fmt = output_format(path, bit_depth)
    pixels = _pixels(_picture_tensor(image), bit_depth)  # NaN/inf refused before any disk work
    if bit_depth == 16:
        import tifffile

        def write(temp: Path) -> None:
            tifffile.imwrite(temp, pixels, photometric="rgb", iccprofile=srgb_profile())
    else:
        picture = Image.fromarray(pixels)
        if fmt == "JPEG":
            pil_kwargs.setdefault("quality", 95)
        if fmt in _ICC_FORMATS:
            pil_kwargs.setdefault("icc_profile", srgb_profile())

        def write(temp: Path) -> None:
            picture.save(temp, format=fmt, **pil_kwargs)

    try:
        write_atomic(path, write)
    except (OSError, ValueError, KeyError) as exc:
        fix = ("check that the folder exists and is writable and the disk has room"
               if isinstance(exc, OSError) else f"try another format than {fmt}, e.g. .png")
        raise ImageError(f'cannot save "{path.absolute()}" as {fmt} ({exc}); {fix}') from exc
    return path
