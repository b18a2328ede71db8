"""Tests for gatys.io.images: every file made here is synthetic and lives in tmp_path."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

from gatys.io.errors import GatysError, ImageError
from gatys.io.images import (
    DEFAULT_MAX_PIXELS,
    image_size,
    load_image,
    open_image,
    resize_image,
    save_image,
    srgb_profile,
    to_pil,
    to_rgb,
)

RED, BLUE, GREEN = (255, 0, 0), (0, 0, 255), (0, 255, 0)


def pixel(t: torch.Tensor, y: int, x: int) -> list[float]:
    """RGB values (0..255 scale) of one pixel of a (1, 3, H, W) tensor."""
    return [round(float(v) * 255, 3) for v in t[0, :, y, x]]


def check_image(t: torch.Tensor, height: int, width: int) -> None:
    assert isinstance(t, torch.Tensor)
    assert t.shape == (1, 3, height, width)
    assert t.dtype == torch.float32
    assert t.device.type == "cpu"
    assert float(t.min()) >= 0.0 and float(t.max()) <= 1.0


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG whose header claims width×height but whose pixel data is a few bytes of nothing."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16))
    path.write_bytes(data + chunk(b"IEND", b""))
    return path


def file_header(path: Path) -> SimpleNamespace:
    """What Pillow sees in the file (mode, info, n_frames), with the file closed again."""
    with Image.open(path) as img:
        return SimpleNamespace(mode=img.mode, info=img.info, n_frames=getattr(img, "n_frames", 1))


def noise(width: int, height: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


# ---------------------------------------------------------------------------------------------
# Colour modes


def test_rgb_png_exact_values(tmp_path):
    img = Image.new("RGB", (3, 2), (10, 20, 30))
    img.putpixel((2, 1), (255, 128, 0))
    img.save(tmp_path / "rgb.png")
    t = load_image(tmp_path / "rgb.png")
    check_image(t, 2, 3)
    assert pixel(t, 0, 0) == [10, 20, 30]
    assert pixel(t, 1, 2) == [255, 128, 0]


def test_grey_l(tmp_path):
    img = Image.new("L", (4, 3), 0)
    img.putpixel((1, 2), 200)
    img.save(tmp_path / "l.png")
    t = load_image(tmp_path / "l.png")
    check_image(t, 3, 4)
    assert pixel(t, 0, 0) == [0, 0, 0]
    assert pixel(t, 2, 1) == [200, 200, 200]


def test_grey_with_alpha_la_goes_over_white(tmp_path):
    img = Image.new("LA", (3, 1))
    img.putdata([(0, 0), (0, 255), (0, 128)])  # transparent black, opaque black, half black
    img.save(tmp_path / "la.png")
    t = load_image(tmp_path / "la.png")
    check_image(t, 1, 3)
    assert pixel(t, 0, 0) == [255, 255, 255]
    assert pixel(t, 0, 1) == [0, 0, 0]
    assert all(abs(v - 127) <= 1 for v in pixel(t, 0, 2))


def test_palette_p(tmp_path):
    img = Image.new("P", (2, 1))
    img.putpalette([*RED, *BLUE] + [0] * 762)
    img.putdata([0, 1])
    img.save(tmp_path / "p.png")
    t = load_image(tmp_path / "p.png")
    check_image(t, 1, 2)
    assert pixel(t, 0, 0) == list(RED)
    assert pixel(t, 0, 1) == list(BLUE)


def test_palette_with_transparency_goes_over_white(tmp_path):
    img = Image.new("P", (2, 1))
    img.putpalette([*GREEN, *BLUE] + [0] * 762)
    img.putdata([0, 1])
    img.save(tmp_path / "pt.png", transparency=0)  # index 0 (green) is fully transparent
    assert "transparency" in file_header(tmp_path / "pt.png").info
    t = load_image(tmp_path / "pt.png")
    check_image(t, 1, 2)
    assert pixel(t, 0, 0) == [255, 255, 255]
    assert pixel(t, 0, 1) == list(BLUE)


def test_rgba_transparent_pixels_become_white(tmp_path):
    img = Image.new("RGBA", (3, 1))
    img.putdata([(0, 0, 0, 0), (255, 0, 0, 255), (255, 0, 0, 128)])
    img.save(tmp_path / "rgba.png")
    t = load_image(tmp_path / "rgba.png")
    check_image(t, 1, 3)
    assert pixel(t, 0, 0) == [255, 255, 255]  # not black: transparent black is composited on white
    assert pixel(t, 0, 1) == list(RED)
    red, green, blue = pixel(t, 0, 2)
    assert red == 255 and abs(green - 127) <= 1 and abs(blue - 127) <= 1


def test_cmyk_jpeg_comes_back_close_to_the_original_colour(tmp_path):
    colour = (200, 100, 50)
    Image.new("RGB", (8, 8), colour).convert("CMYK").save(tmp_path / "cmyk.jpg", quality=100)
    assert file_header(tmp_path / "cmyk.jpg").mode == "CMYK"
    t = load_image(tmp_path / "cmyk.jpg")
    check_image(t, 8, 8)
    assert all(abs(got - want) <= 4 for got, want in zip(pixel(t, 4, 4), colour))


def test_sixteen_bit_png_is_scaled_not_clipped(tmp_path):
    values = np.array([[0, 257, 32896, 65535]], dtype=np.uint16)
    Image.fromarray(values).save(tmp_path / "g16.png")
    assert file_header(tmp_path / "g16.png").mode.startswith("I")
    t = load_image(tmp_path / "g16.png")
    check_image(t, 1, 4)
    grey = t[0, 0, 0].tolist()
    assert grey == pytest.approx([0.0, 1 / 255, 128 / 255, 1.0], abs=1e-6)
    assert abs(grey[2] - 0.502) < 0.001
    assert torch.equal(t[0, 0], t[0, 1]) and torch.equal(t[0, 0], t[0, 2])


@pytest.mark.parametrize(
    "img",
    [
        Image.fromarray(np.array([[0, 32896, 65535]], dtype=np.uint16)),  # I;16
        Image.fromarray(np.array([[0, 32896, 65535]], dtype=">u2")),  # I;16B (big-endian)
        Image.fromarray(np.array([[0, 32896, 65535]], dtype=np.int32)),  # I (32-bit)
    ],
    ids=lambda img: img.mode,
)
def test_wide_integer_modes(img):
    rgb = to_rgb(img)
    assert rgb.mode == "RGB"
    assert [rgb.getpixel((x, 0)) for x in range(3)] == [(0, 0, 0), (128, 128, 128), (255, 255, 255)]


@pytest.mark.parametrize("scale", [1.0, 255.0])
def test_float_mode_f(scale):
    img = Image.fromarray(np.array([[0.0, 0.5, 1.0]], dtype=np.float32) * scale)
    assert img.mode == "F"
    rgb = to_rgb(img)
    assert [rgb.getpixel((x, 0))[0] for x in range(3)] == [0, 128, 255]


def test_one_bit(tmp_path):
    img = Image.new("1", (3, 2), 0)
    img.putpixel((2, 1), 1)
    img.save(tmp_path / "bit.png")
    t = load_image(tmp_path / "bit.png")
    check_image(t, 2, 3)
    assert pixel(t, 0, 0) == [0, 0, 0]
    assert pixel(t, 1, 2) == [255, 255, 255]


def test_rgb_image_passes_through_to_rgb_unchanged():
    img = Image.new("RGB", (2, 2), (1, 2, 3))
    assert to_rgb(img) is img


# ---------------------------------------------------------------------------------------------
# Orientation, animation, odd paths, other sources


@pytest.mark.parametrize("orientation", [6, 8])
def test_exif_orientation_is_applied(tmp_path, orientation):
    img = Image.new("RGB", (40, 20), RED)  # landscape: left half red, right half blue
    img.paste(BLUE, (20, 0, 40, 20))
    exif = Image.Exif()
    exif[0x0112] = orientation
    img.save(tmp_path / "rot.jpg", exif=exif, quality=95)
    t = load_image(tmp_path / "rot.jpg")
    check_image(t, 40, 20)  # portrait now
    top, bottom = pixel(t, 5, 10), pixel(t, 34, 10)
    # 6 = "rotate 90° clockwise to view": the left (red) half ends up on top; 8 is the reverse.
    want_top, want_bottom = (RED, BLUE) if orientation == 6 else (BLUE, RED)
    assert all(abs(a - b) <= 12 for a, b in zip(top, want_top))
    assert all(abs(a - b) <= 12 for a, b in zip(bottom, want_bottom))


def test_animated_gif_gives_first_frame(tmp_path):
    frames = [Image.new("RGB", (4, 3), c) for c in (RED, GREEN, BLUE)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:], duration=50)
    assert file_header(tmp_path / "anim.gif").n_frames == 3
    t = load_image(tmp_path / "anim.gif")
    check_image(t, 3, 4)
    assert pixel(t, 1, 1) == list(RED)


def test_non_ascii_path_round_trips(tmp_path):
    path = tmp_path / "tübingen 画" / "tübingen 画.png"
    original = torch.rand(1, 3, 5, 7)
    assert save_image(original, path) == path
    assert path.is_file()
    loaded = load_image(str(path))
    check_image(loaded, 5, 7)
    assert float((loaded - original).abs().max()) <= 0.5 / 255 + 1e-6


def test_tiny_one_by_one(tmp_path):
    Image.new("RGB", (1, 1), (9, 8, 7)).save(tmp_path / "dot.png")
    t = load_image(tmp_path / "dot.png")
    check_image(t, 1, 1)
    assert pixel(t, 0, 0) == [9, 8, 7]
    check_image(load_image(tmp_path / "dot.png", size=16), 16, 16)


def test_numpy_uint8_arrays():
    grey = np.full((2, 3), 51, dtype=np.uint8)
    rgb = np.zeros((2, 3, 3), dtype=np.uint8)
    rgb[..., 2] = 255
    rgba = np.zeros((2, 3, 4), dtype=np.uint8)  # fully transparent black
    t_grey, t_rgb, t_rgba = load_image(grey), load_image(rgb), load_image(rgba)
    for t in (t_grey, t_rgb, t_rgba):
        check_image(t, 2, 3)
    assert pixel(t_grey, 1, 2) == [51, 51, 51]
    assert pixel(t_rgb, 0, 0) == list(BLUE)
    assert pixel(t_rgba, 0, 0) == [255, 255, 255]


def test_numpy_float_array_and_strided_view():
    array = np.linspace(0, 1, 2 * 4 * 3).reshape(2, 4, 3)
    t = load_image(array)
    check_image(t, 2, 4)
    want = torch.from_numpy(array).float().permute(2, 0, 1).unsqueeze(0)
    assert torch.allclose(t, want, atol=0.5 / 255 + 1e-6)
    flipped = load_image(array[:, ::-1])  # a non-contiguous view
    assert torch.equal(flipped, torch.flip(t, dims=[3]))


@pytest.mark.parametrize(
    "array",
    [
        np.zeros((2, 3, 2), dtype=np.uint8),  # two channels
        np.zeros((2, 3, 3, 1), dtype=np.uint8),  # four dimensions
        np.zeros((2, 3), dtype=np.uint16),  # unsupported dtype
        np.full((2, 3), 1.5),  # float above 1
        np.full((2, 3), np.nan),  # NaN
        np.zeros((0, 3), dtype=np.uint8),  # empty
    ],
    ids=["2ch", "4d", "uint16", "above1", "nan", "empty"],
)
def test_bad_numpy_arrays(array):
    with pytest.raises(ImageError, match="numpy array"):
        load_image(array)


def test_pil_input_is_not_modified():
    img = Image.new("RGBA", (5, 2), (0, 0, 0, 0))
    t = load_image(img)
    check_image(t, 2, 5)
    assert pixel(t, 0, 0) == [255, 255, 255]
    assert img.mode == "RGBA" and img.getpixel((0, 0)) == (0, 0, 0, 0)


def test_unsupported_source_type():
    with pytest.raises(ImageError, match="list"):
        load_image([[0, 1]])


# ---------------------------------------------------------------------------------------------
# Resizing


@pytest.mark.parametrize(
    ("width", "height", "size", "want"),
    [
        (400, 300, 200, (150, 200)),  # landscape: (height, width)
        (300, 400, 200, (200, 150)),  # portrait
        (300, 300, 50, (50, 50)),  # square
        (100, 3, 40, (1, 40)),  # short side 1.2 -> 1
        (1000, 1, 10, (1, 10)),  # short side 0.01 -> at least 1
        (10, 5, 5, (3, 5)),  # 2.5 -> 3 (half up, not to even)
        (20, 10, 40, (20, 40)),  # upscaling
    ],
)
def test_resize_long_side(width, height, size, want):
    t = load_image(Image.new("RGB", (width, height), (30, 60, 90)), size=size)
    check_image(t, *want)
    assert image_size(t) == want
    assert torch.allclose(t, torch.tensor([30, 60, 90]).view(1, 3, 1, 1) / 255, atol=1e-3)


def test_resize_exact_shape_and_antialiasing():
    stripes = np.zeros((16, 63), dtype=np.uint8)
    stripes[:, ::2] = 255  # one-pixel stripes: sampling every 7th column would alternate 0 and 1
    t = load_image(stripes, shape=(8, 9))
    check_image(t, 8, 9)
    assert abs(float(t.mean()) - 0.5) < 0.02
    assert float(t.max() - t.min()) < 0.1


def test_no_resize_keeps_exact_values():
    img = noise(9, 7)
    t = load_image(img)
    assert torch.equal(t, load_image(img, shape=(7, 9)))
    assert torch.equal(t, load_image(img, size=9))


@pytest.mark.parametrize(("size", "shape"), [(20, None), (57, None), (None, (11, 30))])
def test_a_tensor_is_resized_as_its_file_is(size, shape):
    """One filter: the same picture at the same size is the same tensor whether it came in as a
    file (resized at load) or as a tensor (resized by the API, or a coarse level upsampled)."""
    from gatys.core.start import as_image, planned_shape

    picture = noise(41, 29)
    from_file = load_image(picture, size=size, shape=shape)
    from_tensor = as_image(load_image(picture), size=size, shape=shape)
    assert torch.equal(from_tensor, from_file)
    if size is not None:  # the shape the API plans before decoding is the shape it gets
        assert tuple(from_tensor.shape[-2:]) == planned_shape(picture, size)


def test_resize_image_is_bicubic_and_clamped():
    """Bicubic overshoots a hard edge; the result stays in 0..1, and the same size is the input."""
    edge = torch.zeros(1, 3, 8, 8)
    edge[..., 4:] = 1.0
    up = resize_image(edge, (8, 40))
    assert float(up.min()) == 0.0 and float(up.max()) == 1.0
    bilinear = torch.nn.functional.interpolate(edge, size=(8, 40), mode="bilinear",
                                               align_corners=False)
    assert not torch.allclose(up, bilinear, atol=1e-3)  # a sharper edge than bilinear's
    assert resize_image(edge, (8, 8)) is edge


def test_size_and_shape_together_is_an_error():
    with pytest.raises(ImageError, match="not both"):
        load_image(Image.new("RGB", (4, 4)), size=2, shape=(2, 2))


@pytest.mark.parametrize(
    "kwargs",
    [{"size": 0}, {"size": -3}, {"size": 2.5}, {"size": True}, {"size": "512"},
     {"shape": (0, 4)}, {"shape": (4,)}, {"shape": (4, 4, 4)}, {"shape": (4.0, 4)}, {"shape": 4}],
)
def test_bad_size_or_shape(kwargs):
    with pytest.raises(ImageError, match="size|shape"):
        load_image(Image.new("RGB", (4, 4)), **kwargs)


# ---------------------------------------------------------------------------------------------
# Size limits and broken files


def test_too_many_pixels_is_refused_before_decoding(tmp_path):
    path = tmp_path / "big.png"
    noise(100, 80).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # truncated: decoding it would fail differently
    message = r"big\.png.*100×80 = 8000 pixels, above the limit of 7999"
    with pytest.raises(ImageError, match=message):
        load_image(path, max_pixels=7999)
    with pytest.raises(ImageError, match="truncated or corrupt"):
        load_image(path, max_pixels=8000)


def test_huge_header_is_refused_by_default(tmp_path):
    path = png_header_only(tmp_path / "claims-8000.png", 8000, 8000)  # 64M > 50M default
    assert 8000 * 8000 > DEFAULT_MAX_PIXELS
    with pytest.raises(ImageError, match=r"claims-8000\.png.*8000×8000.*max_pixels"):
        load_image(path)


def test_pillow_decompression_bomb_becomes_image_error(tmp_path):
    bomb = png_header_only(tmp_path / "bomb.png", 20000, 20000)  # beyond Pillow's hard limit
    with pytest.raises(ImageError, match=r"bomb\.png.*too large"):
        load_image(bomb, max_pixels=10**9)
    warn = png_header_only(tmp_path / "warn.png", 10000, 10000)  # beyond Pillow's warning limit
    with pytest.raises(ImageError, match=r"warn\.png.*too large"):
        load_image(warn, max_pixels=10**9)


def test_pil_and_numpy_sources_are_also_limited():
    with pytest.raises(ImageError, match="above the limit"):
        load_image(Image.new("RGB", (10, 10)), max_pixels=99)
    with pytest.raises(ImageError, match="above the limit"):
        load_image(np.zeros((10, 10), dtype=np.uint8), max_pixels=99)


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_truncated_files(tmp_path, suffix):
    path = tmp_path / f"cut{suffix}"
    noise(64, 48).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match=rf"cut\{suffix}.*truncated or corrupt") as info:
        load_image(path)
    assert info.value.__cause__ is not None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.png", b"", "0 bytes"),
        ("random.png", np.random.default_rng(1).bytes(512), "not an image"),
        ("notes.txt", "just some text, ünïcode\n".encode(), "not an image"),
    ],
)
def test_files_that_are_not_images(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImageError, match=message) as info:
        load_image(path)
    assert name in str(info.value)


def test_directory_and_missing_path(tmp_path):
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(ImageError, match="folder.png.*directory"):
        load_image(tmp_path / "folder.png")
    with pytest.raises(ImageError, match="nowhere.png.*does not exist"):
        load_image(tmp_path / "nowhere.png")


def test_errors_are_value_errors_and_gatys_errors(tmp_path):
    with pytest.raises(ValueError):
        load_image(tmp_path / "missing.jpg")
    with pytest.raises(GatysError):
        open_image(tmp_path / "missing.jpg")


# ---------------------------------------------------------------------------------------------
# to_pil and save_image


def test_to_pil_clamps_rounds_and_detaches():
    t = torch.tensor([-0.5, 0.0, 0.5, 1.0, 1.5, 0.2]).view(1, 3, 1, 2).requires_grad_()
    img = to_pil(t * 1)
    assert img.mode == "RGB" and img.size == (2, 1)
    arr = np.asarray(img)
    assert arr[0, 0].tolist() == [0, 128, 255]  # channels of pixel 0: -0.5, 0.5, 1.5
    assert arr[0, 1].tolist() == [0, 255, 51]
    assert to_pil(t[0].detach()).tobytes() == img.tobytes()  # (3, H, W) works too


@pytest.mark.parametrize("shape", [(2, 3, 4, 4), (1, 1, 4, 4), (4, 4), (3, 0, 4)])
def test_to_pil_rejects_bad_shapes(shape):
    with pytest.raises(ImageError, match="shape"):
        to_pil(torch.zeros(shape))


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_to_pil_rejects_non_finite(bad):
    t = torch.zeros(1, 3, 2, 2)
    t[0, 1, 1, 0] = bad
    with pytest.raises(ImageError, match="NaN/inf"):
        to_pil(t)


@pytest.mark.parametrize("suffix", [".png", ".PNG", ".jpg", ".jpeg", ".bmp", ".tif", ".webp"])
def test_save_and_reload(tmp_path, suffix):
    original = torch.rand(1, 3, 6, 10, generator=torch.Generator().manual_seed(0))
    if suffix in (".jpg", ".jpeg", ".webp"):  # lossy: use a smooth image and a loose check
        original = torch.linspace(0, 1, 10).expand(1, 3, 6, 10).clone()
    path = save_image(original, tmp_path / f"out{suffix}")
    assert isinstance(path, Path) and path.is_file()
    loaded = load_image(path)
    check_image(loaded, 6, 10)
    tolerance = 0.5 / 255 + 1e-6 if suffix in (".png", ".PNG", ".bmp", ".tif") else 0.05
    assert float((loaded - original).abs().max()) <= tolerance
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"out{suffix}"]  # no temp files left


def test_save_overwrites_and_creates_parents(tmp_path):
    path = tmp_path / "a" / "b" / "out.png"
    save_image(torch.zeros(1, 3, 2, 2), path)
    save_image(torch.ones(3, 2, 2), str(path))
    assert pixel(load_image(path), 0, 0) == [255, 255, 255]
    assert [p.name for p in path.parent.iterdir()] == ["out.png"]


def test_save_nan_leaves_no_file_and_keeps_existing_one(tmp_path):
    bad = torch.full((1, 3, 4, 4), float("nan"))
    with pytest.raises(ImageError, match="NaN/inf"):
        save_image(bad, tmp_path / "new.png")
    assert list(tmp_path.iterdir()) == []

    existing = tmp_path / "keep.png"
    save_image(torch.zeros(1, 3, 4, 4), existing)
    before = existing.read_bytes()
    with pytest.raises(ImageError, match="NaN/inf"):
        save_image(bad, existing)
    assert existing.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]


@pytest.mark.parametrize("name, fix", [("out.xyz", r"\.png or \.jpg"),
                                       ("out", r"no extension .* e\.g\. \S*out\.png"),
                                       ("out.psd", r"\.png or \.jpg")])
def test_unknown_or_unwritable_extension(tmp_path, name, fix):
    with pytest.raises(ImageError, match=fix) as info:
        save_image(torch.zeros(1, 3, 2, 2), tmp_path / "sub" / name)
    assert name in str(info.value)
    assert list(tmp_path.iterdir()) == []  # not even the parent directory


def test_failed_write_removes_temp_file_and_keeps_target(tmp_path):
    target = tmp_path / "mask.xbm"  # XBM is writable by Pillow, but only for 1-bit images
    target.write_bytes(b"old")
    with pytest.raises(ImageError, match=r"mask\.xbm") as info:
        save_image(torch.zeros(1, 3, 2, 2), target)
    assert info.value.__cause__ is not None
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["mask.xbm"]


def test_save_onto_directory(tmp_path):
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(ImageError, match="directory"):
        save_image(torch.zeros(1, 3, 2, 2), tmp_path / "dir.png")
    assert [p.name for p in tmp_path.iterdir()] == ["dir.png"]


def test_saved_file_has_ordinary_permissions(tmp_path):
    import os

    umask = os.umask(0)
    os.umask(umask)
    path = save_image(torch.zeros(1, 3, 2, 2), tmp_path / "perm.png")
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_image_size():
    assert image_size(torch.zeros(1, 3, 5, 7)) == (5, 7)
    assert image_size(torch.zeros(3, 5, 7)) == (5, 7)


# ---------------------------------------------------------------------------------------------
# Colour management and 16-bit output


def red_blue_swapped_profile() -> bytes:
    """An RGB ICC profile whose red primary is sRGB's blue and vice versa (sRGB's, tags swapped).

    A pixel (255, 0, 0) tagged with it is pure sRGB blue: converting gives (0, 0, 255).
    """
    profile = bytearray(srgb_profile())
    count = struct.unpack(">I", profile[128:132])[0]
    entries = {bytes(profile[132 + 12 * i:136 + 12 * i]): 132 + 12 * i for i in range(count)}
    red, blue = entries[b"rXYZ"] + 4, entries[b"bXYZ"] + 4
    profile[red:red + 8], profile[blue:blue + 8] = profile[blue:blue + 8], profile[red:red + 8]
    return bytes(profile)


def test_an_embedded_profile_is_converted_to_srgb(tmp_path):
    picture = Image.new("RGB", (3, 2), RED)
    picture.putpixel((1, 0), (0, 200, 0))
    picture.save(tmp_path / "tagged.png", icc_profile=red_blue_swapped_profile())
    picture.save(tmp_path / "untagged.png")
    tagged = load_image(tmp_path / "tagged.png")
    assert pixel(tagged, 0, 0) == [0, 0, 255]  # the file's red is sRGB blue
    assert pixel(tagged, 0, 1) == [0, 200, 0]  # green is green in both spaces
    assert pixel(load_image(tmp_path / "untagged.png"), 0, 0) == [255, 0, 0]


def test_an_srgb_tagged_file_keeps_its_exact_values(tmp_path):
    original = noise(7, 5)
    original.save(tmp_path / "srgb.png", icc_profile=srgb_profile())
    loaded = load_image(tmp_path / "srgb.png")
    assert torch.equal(loaded, load_image(original))


def test_an_unreadable_profile_warns_and_keeps_the_pixels(tmp_path):
    Image.new("RGB", (2, 2), RED).save(tmp_path / "bad.png", icc_profile=b"not a profile")
    with pytest.warns(RuntimeWarning, match="colour profile"):
        loaded = load_image(tmp_path / "bad.png")
    assert pixel(loaded, 1, 1) == [255, 0, 0]


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tif", ".webp"])
def test_written_files_are_tagged_srgb(tmp_path, suffix):
    path = save_image(torch.rand(1, 3, 4, 4), tmp_path / f"out{suffix}")
    assert file_header(path).info.get("icc_profile") == srgb_profile()


def test_sixteen_bit_tiff_round_trip(tmp_path):
    import tifffile

    original = torch.rand(1, 3, 5, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    path = save_image(original.float(), tmp_path / "deep.tif", bit_depth=16)
    with tifffile.TiffFile(path) as tiff:
        stored = tiff.asarray()
        assert tiff.pages[0].iccprofile == srgb_profile()
    assert stored.dtype == np.uint16 and stored.shape == (5, 6, 3)
    expected = np.rint(original[0].permute(1, 2, 0).numpy() * 65535)
    assert np.abs(stored.astype(np.float64) - expected).max() <= 1  # float32 input, 16-bit steps
    assert (stored % 257 != 0).mean() > 0.9  # not 8-bit values scaled up (those are k * 257)
    assert float((load_image(path) - original.float()).abs().max()) <= 1 / 255  # readable too
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep.tif"]


@pytest.mark.parametrize("name, depth, message", [
    ("deep.png", 16, r"8 bits only; name the output \.tif"),
    ("deep.tif", 12, "use 8 or 16"),
])
def test_unsupported_bit_depths_are_refused_before_writing(tmp_path, name, depth, message):
    with pytest.raises(ImageError, match=message):
        save_image(torch.zeros(1, 3, 2, 2), tmp_path / name, bit_depth=depth)
    assert list(tmp_path.iterdir()) == []


def test_errors_name_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ImageError, match=f'"{tmp_path / "missing.png"}" does not exist'):
        load_image("missing.png")
    with pytest.raises(ImageError, match=f'cannot save "{tmp_path / "out.xyz"}"'):
        save_image(torch.zeros(1, 3, 2, 2), "out.xyz")
