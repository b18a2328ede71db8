"""An animation of a run forming: frames of the image every few iterations, each labelled with
its iteration, written as an animated GIF or WebP by Pillow (no video encoder needed)."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

from gatys.io.errors import ImageError
from gatys.io.files import write_atomic

FORMATS = {".gif": "GIF", ".webp": "WEBP"}
FRAME_LONG_SIDE = 384  # px: frames are shrunk to this, so that an animation stays small
FRAME_SECONDS = 0.12
LAST_FRAME_SECONDS = 2.0  # the result stays on screen before the loop starts again


def animation_format(path: str | os.PathLike) -> str:
    """The Pillow format for ``path`` (``.gif`` or ``.webp``); :class:`ImageError` otherwise."""
    path = Path(path).absolute()
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImageError(f'cannot animate into "{path}": name it .gif or .webp (animated, '
                         f"written by Pillow)")
    return fmt


def labelled_frame(picture: Image.Image, label: str) -> Image.Image:
    """``picture`` shrunk to :data:`FRAME_LONG_SIDE` with ``label`` in its top-left corner."""
    frame = picture.convert("RGB")
    frame.thumbnail((FRAME_LONG_SIDE, FRAME_LONG_SIDE), Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(frame)
    left, top, right, bottom = draw.textbbox((4, 3), label)
    draw.rectangle((0, 0, right + 4, bottom + 3), fill=(0, 0, 0))
    draw.text((4, 3), label, fill=(255, 255, 255))
    return frame


def encode_animation(frames: Sequence[Image.Image], fmt: str = "GIF") -> bytes:
    """``frames`` as a looping animation (``GIF`` or ``WEBP``), the last one held longer, every
    frame at the last one's size (coarse-to-fine levels grow)."""
    if not frames:
        raise ImageError("an animation needs at least one frame")
    size = frames[-1].size
    frames = [frame if frame.size == size else frame.resize(size, Image.Resampling.LANCZOS)
              for frame in frames]
    durations = [round(1000 * FRAME_SECONDS)] * (len(frames) - 1) + \
        [round(1000 * LAST_FRAME_SECONDS)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format=fmt, save_all=True, append_images=list(frames[1:]),
                   duration=durations, loop=0)
    return buffer.getvalue()


def write_animation(frames: Sequence[Image.Image], path: str | os.PathLike) -> Path:
    """:func:`encode_animation` of ``frames`` at ``path`` (atomically; the format by its
    extension)."""
    data = encode_animation(frames, animation_format(path))
    try:
        return write_atomic(path, lambda temp: temp.write_bytes(data))
    except OSError as exc:
        raise ImageError(f'cannot write the animation "{Path(path).absolute()}" ({exc}); check '
                         f"that the folder is writable and the disk has room") from exc
