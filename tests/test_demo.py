"""`make demo` and `--animate`: a result a newcomer can look at, and watch forming."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image, ImageSequence

from gatys.io.data import PAPER_IMAGES
from gatys.io.images import load_image
from gatys.ui import demo
from gatys.ui.cli import TRANSFER_EPILOG, main


def test_animate_writes_a_labelled_frame_every_k_iterations_and_the_result_last(inputs):
    folder, content, style = inputs
    out, animation = folder / "out.png", folder / "forming.gif"
    assert main(["transfer", str(content), str(style), "-o", str(out), "--size", "96",
                 "--iterations", "6", "--snapshot-every", "2", "--animate", str(animation),
                 "-q"]) == 0
    with Image.open(animation) as gif:
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(gif)]
        assert gif.info["loop"] == 0
    assert len(frames) == 6 // 2 + 1  # iterations 2, 4, 6 and the result
    result = np.asarray(Image.open(out).convert("RGB").resize(frames[-1].size), dtype=float)
    first, last = (np.asarray(frame, dtype=float) for frame in (frames[0], frames[-1]))
    height = frames[-1].size[1]
    # The label sits in a black box in the top-left corner; below it the picture is the result.
    assert first[1, 1].max() < 40 and last[1, 1].max() < 40
    assert np.abs(last[height // 2:] - result[height // 2:]).mean() < 6  # GIF's 256 colours (2.9 here)
    assert np.abs(first[height // 2:] - last[height // 2:]).mean() > 5  # the image changed (11 here)


def test_demo_stylises_the_neckarfront_and_says_where(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    data.mkdir()
    rng = np.random.default_rng(0)
    for name in (demo.CONTENT, demo.STYLE):
        Image.fromarray(rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)).save(data / name)
    monkeypatch.setenv("GATYS_DATA", str(data))
    monkeypatch.setenv("GATYS_MODEL", "vgg16-random")
    monkeypatch.setenv("GATYS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(demo, "project_root", lambda: tmp_path)
    monkeypatch.setattr(demo, "SIZE", 32)
    monkeypatch.setattr(demo, "ITERATIONS", 3)
    assert demo.main(["-q"]) == 0
    image = tmp_path / "build" / "demo" / "neckarfront_starry_night.png"
    assert f"the result: {image}" in capsys.readouterr().out
    assert load_image(image).shape == (1, 3, 24, 32)
    assert (image.with_suffix(".gif")).is_file()


def test_demo_without_the_images_names_make_data(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GATYS_DATA", str(tmp_path))
    assert demo.main([]) == 2
    assert "run `make data` first" in capsys.readouterr().err


def test_the_help_examples_use_files_make_data_fetches():
    named = set(re.findall(r"data/(\S+\.jpg)", TRANSFER_EPILOG))
    assert named and named <= {image.filename for image in PAPER_IMAGES.values()}
    assert demo.CONTENT in named and demo.STYLE in named


@pytest.mark.parametrize("name", ["forming.mp4", "forming"])
def test_an_animation_pillow_cannot_write_is_refused_first(inputs, name, capsys):
    folder, content, style = inputs
    assert main(["transfer", str(content), str(style), "-o", str(folder / "o.png"),
                 "--animate", str(folder / name)]) == 2
    assert ".gif or .webp" in capsys.readouterr().err
    assert not (folder / "o.png").exists()
