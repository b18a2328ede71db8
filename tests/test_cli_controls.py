"""`gatys transfer` with the controls beyond the paper: colour, per-style layers, masks, TV."""

import json

import pytest
import torch

from gatys.controls import colour
from gatys.ui.cli import main
from gatys.io.images import load_image, save_image

from helpers import striped_image, synthetic_image


@pytest.fixture
def inputs(cli_settings):
    tmp_path = cli_settings
    content, style = tmp_path / "content.png", tmp_path / "style.png"
    save_image(synthetic_image(32, 32), content)
    save_image(striped_image(32, 32), style)
    return tmp_path, content, style


def run(folder, *args):
    out, history = folder / "out.png", folder / "history.json"
    code = main(["transfer", *map(str, args), "-o", str(out), "--size", "32", "--iterations", "4",
                 "--ratio", "1e-2", "--style-layers", "relu1_1,relu2_1", "--content-layers",
                 "relu2_2", "--history", str(history), "--no-normalise", "-q"])
    return code, out, history


def test_preserve_colour_luminance_keeps_the_photographs_chroma(inputs):
    folder, content, style = inputs
    code, out, _ = run(folder, content, style, "--preserve-colour", "luminance")
    assert code == 0
    chroma = lambda image: colour.rgb_to_yiq(image)[:, 1:]  # noqa: E731
    result, photo = load_image(out), load_image(content)
    inside = ((result > 0.01) & (result < 0.99)).all(dim=1, keepdim=True).expand(-1, 2, -1, -1)
    # 8-bit rounding of the saved file moves I and Q by at most about 0.004.
    assert float((chroma(result) - chroma(photo)).abs()[inside].max()) < 0.006
    code, out, _ = run(folder, content, style, "--preserve-colour", "histogram")
    assert code == 0 and out.exists()


def test_style_layers_of_gives_each_style_its_layers(inputs):
    folder, content, style = inputs
    code, _, history = run(folder, content, style, content, "--style-layers-of", "1=relu1_1",
                           "--style-layers-of", "2=relu3_1")
    assert code == 0
    final = json.loads(history.read_text())["history"]["losses"][-1]
    assert sorted(key for key in final if key.startswith("style/")) == [
        "style/relu1_1", "style/relu3_1"]


def test_masks_and_tv_weight(inputs):
    folder, content, style = inputs
    left, right = folder / "left.png", folder / "right.png"
    half = torch.zeros(1, 3, 16, 16)
    half[..., :8] = 1.0
    save_image(half, left)  # another size than the content: resized
    save_image(1 - half, right)
    code, out, history = run(folder, content, style, content, "--masks", left, right,
                             "--tv-weight", "0.1")
    assert code == 0 and out.exists()
    assert "tv" in json.loads(history.read_text())["history"]["losses"][-1]


@pytest.mark.parametrize(("extra", "message"), [
    (["--masks", "{folder}/missing.png"], "missing.png"),
    (["--masks", "{folder}/black.png"], "empty"),
    (["--masks", "{folder}/black.png", "{folder}/black.png"], "one file per STYLE"),
    (["--style-layers-of", "3=relu1_1"], "no style 3"),
    (["--style-layers-of", "relu1_1"], "K=L1,L2"),
    (["--style-layers-of", "1=relu9_9"], "relu9_9"),
    (["--tv-weight", "-1"], "--tv-weight"),
])
def test_bad_controls_exit_2_and_write_nothing(inputs, capsys, extra, message):
    folder, content, style = inputs
    save_image(torch.zeros(1, 3, 8, 8), folder / "black.png")
    extra = [part.format(folder=folder) for part in extra]
    code, out, _ = run(folder, content, style, *extra)
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_unknown_colour_method_is_a_usage_error(inputs):
    folder, content, style = inputs
    with pytest.raises(SystemExit) as info:
        run(folder, content, style, "--preserve-colour", "hsv")
    assert info.value.code == 2
