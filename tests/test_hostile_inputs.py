"""Hostile inputs, tried systematically: whatever the bytes, the loader returns a valid image or
raises ImageError with the file's name — never another exception, never a bare traceback."""

import io

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from gatys.io.errors import ImageError
from gatys.io.images import load_image


def _check(path):
    try:
        image = load_image(path, size=16, max_pixels=4_000_000)
    except ImageError as error:
        assert path.name in str(error)
        return
    assert image.shape[:2] == (1, 3) and max(image.shape[-2:]) == 16
    assert torch.isfinite(image).all() and 0 <= image.min() and image.max() <= 1


def _png(size=(12, 9), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, 128).save(buffer, format="PNG")
    return buffer.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2048))
def test_random_bytes(tmp_path, data):
    path = tmp_path / "random.png"
    path.write_bytes(data)
    _check(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_damaged_real_files(tmp_path, data):
    """A real PNG or JPEG cut short, or with bytes overwritten."""
    fmt = data.draw(st.sampled_from(["PNG", "JPEG", "GIF"]))
    buffer = io.BytesIO()
    Image.new("RGB", (24, 17), (200, 30, 60)).save(buffer, format=fmt)
    payload = bytearray(buffer.getvalue())
    cut = data.draw(st.integers(min_value=0, max_value=len(payload)))
    payload = payload[:cut]
    for _ in range(data.draw(st.integers(min_value=0, max_value=4))):
        if payload:
            position = data.draw(st.integers(min_value=0, max_value=len(payload) - 1))
            payload[position] = data.draw(st.integers(min_value=0, max_value=255))
    path = tmp_path / f"damaged.{fmt.lower()}"
    path.write_bytes(bytes(payload))
    _check(path)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(width=st.integers(1, 64), height=st.integers(1, 64),
       mode=st.sampled_from(["1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I", "F"]))
def test_any_mode_and_shape(tmp_path, width, height, mode):
    path = tmp_path / ("image.tiff" if mode in ("CMYK", "F", "I") else "image.png")
    Image.new(mode, (width, height)).save(path)
    image = load_image(path, size=16)
    assert image.shape[:2] == (1, 3) and max(image.shape[-2:]) == 16


def test_decompression_bomb_header_is_refused_before_decoding(tmp_path):
    # A valid PNG header that claims 100 000 × 100 000 pixels, with almost no data behind it.
    payload = bytearray(_png())
    payload[16:24] = (100_000).to_bytes(4, "big") * 2  # IHDR width and height
    path = tmp_path / "bomb.png"
    path.write_bytes(bytes(payload))
    with pytest.raises(ImageError, match="bomb.png"):
        load_image(path)
