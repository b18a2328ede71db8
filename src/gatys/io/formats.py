"""Image files before any pixel is decoded: their header, the formats Pillow writes, the limits.

Nothing here needs torch, so the command line can check every file it is given (readable, an
image, within the pixel limit, its size) and every output name (a format Pillow writes) before
it imports torch or loads a network. :mod:`gatys.io.images` decodes and writes on top of it.
"""

from __future__ import annotations

import os
import stat
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from gatys.io.errors import ImageError

DEFAULT_MAX_PIXELS = 50_000_000
"""Largest image (width × height) decoded; guards against decompression bombs and memory use."""

BIT_DEPTHS = (8, 16)
# EXIF orientations that turn the picture a quarter: its upright width is the stored height.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})
_EXIF_ORIENTATION = 0x0112


def check_pixels(name: str, width: int, height: int, max_pixels: int) -> None:
    """Refuse an empty image or one above ``max_pixels``, naming both ways out."""
    if width < 1 or height < 1:
        raise ImageError(f"{name} is empty ({width}×{height} pixels); pass a non-empty image")
    if width * height > max_pixels:
        raise ImageError(
            f"{name} is {width}×{height} = {width * height} pixels, above the limit of "
            f"{max_pixels}; shrink the file, or raise the limit (--max-pixels on the command "
            f"line, max_pixels= in Python)"
        )


def open_image_file(path: str | os.PathLike[str], max_pixels: int = DEFAULT_MAX_PIXELS
                    ) -> Image.Image:
    """``path`` opened by Pillow with only its header read, its pixel count checked.

    :class:`ImageError` names the file and the fix for a missing path, a directory, an empty
    file, a format Pillow cannot read and an image above ``max_pixels``. The caller closes it.
    """
    name = f'image file "{os.path.abspath(os.fspath(path))}"'
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise ImageError(f"{name} does not exist; check the path") from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise ImageError(f"{name} cannot be read ({exc}); check the path") from exc
    if stat.S_ISDIR(info.st_mode):
        raise ImageError(f"{name} is a directory; pass the path of an image file inside it")
    if info.st_size == 0:
        raise ImageError(f"{name} is empty (0 bytes); pass a real image file")
    try:
        # Pillow's decompression-bomb warning becomes an error (its hard error is caught below).
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img_file = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(
            f"{name} is too large for Pillow to open safely ({exc}); shrink the file, "
            "or raise PIL.Image.MAX_IMAGE_PIXELS as well as max_pixels"
        ) from exc
    except UnidentifiedImageError as exc:
        raise ImageError(
            f"{name} is not an image format Pillow can read; convert it to PNG or JPEG"
        ) from exc
    except OSError as exc:
        raise ImageError(f"{name} cannot be read ({exc}); check the file") from exc
    try:
        check_pixels(name, *img_file.size, max_pixels)  # header only: nothing decoded yet
    except ImageError:
        img_file.close()
        raise
    return img_file


def image_dimensions(path: str | os.PathLike[str], max_pixels: int = DEFAULT_MAX_PIXELS
                     ) -> tuple[int, int]:
    """``(height, width)`` of the upright picture in ``path`` (EXIF orientation applied), from
    its header alone; the checks of :func:`open_image_file`."""
    with open_image_file(path, max_pixels) as img_file:
        width, height = img_file.size
        try:
            orientation = img_file.getexif().get(_EXIF_ORIENTATION, 1)
        except Exception:  # noqa: BLE001 - damaged EXIF: decoding will say so, if it matters
            orientation = 1
    return (width, height) if orientation in _QUARTER_TURNS else (height, width)


def long_side_shape(height: int, width: int, size: int) -> tuple[int, int]:
    """(height, width) with long side ``size``; the short side is rounded half up, at least 1."""
    long, short = max(height, width), min(height, width)
    new_short = max(1, (2 * short * size + long) // (2 * long))
    return (size, new_short) if height >= width else (new_short, size)


def output_format(path: str | os.PathLike[str], bit_depth: int = 8) -> str:
    """The Pillow format ``path``'s extension names; :class:`ImageError` if it cannot be written
    (with ``bit_depth`` bits per channel: 8, or 16 for TIFF).

    Call it before long work so that a bad output name fails at once, not after the work.
    """
    text = os.fspath(path)
    path = Path(path).absolute()  # errors name the absolute path
    if path.is_dir() or text.endswith(("/", os.sep)):
        raise ImageError(
            f'cannot save "{path}": it is a directory; name a file in it, e.g. '
            f'"{path / "out.png"}"'
        )
    if not path.suffix:
        raise ImageError(
            f'cannot save "{path}": the name has no extension to choose the format by; add '
            f'one, e.g. "{path.with_suffix(".png")}"'
        )
    Image.init()
    fmt = Image.registered_extensions().get(path.suffix.lower())
    if fmt is None or fmt not in Image.SAVE:
        raise ImageError(
            f'cannot save "{path}": Pillow cannot write files ending in "{path.suffix}"; '
            "use .png or .jpg"
        )
    if bit_depth not in BIT_DEPTHS:
        raise ImageError(f"bit depth {bit_depth!r} is not supported; use 8 or 16")
    if bit_depth == 16 and fmt != "TIFF":
        raise ImageError(
            f'cannot save "{path}" with 16 bits per channel: Pillow writes colour {fmt} files '
            f"with 8 bits only; name the output .tif (16-bit RGB TIFF) or use 8 bits"
        )
    return fmt
