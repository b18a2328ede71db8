"""`gatys transfer` with the controls beyond the paper: blends, colour, per-style layers, masks,
TV. Each option must change the written image the way it claims to (the `inputs` fixture, in
conftest.py, saves a 40×56 content image and a 48×48 style image)."""

import json

import pytest
import torch

from gatys.controls import colour
from gatys.core.losses import total_variation
from gatys.core.weights import load_vgg, parse_model
from gatys.io.images import load_image, load_mask, save_image
from gatys.ui.cli import main

from helpers import region_style_loss, synthetic_image


def run(folder, *args, name="out"):
    """One short transfer from the paper's white noise, style-dominated (α/β = 1e-6) so that
    10 iterations show what each option does; returns the exit code, the image and history paths."""
    out, history = folder / f"{name}.png", folder / f"{name}.json"
    code = main(["transfer", *map(str, args), "-o", str(out), "--size", "32", "--iterations", "10",
                 "--ratio", "1e-6", "--init", "noise", "--style-layers", "relu1_1,relu2_1",
                 "--content-layers", "relu2_2", "--history", str(history), "--no-normalise", "-q"])
    return code, out, history


def second_style(folder):
    path = folder / "second.png"
    save_image(synthetic_image(32, 32, seed=9), path)
    return path


def test_style_weights_blend_the_styles(inputs):
    # Weight 1 : 0 gives the first style's own transfer; 0 : 1 and 1 : 1 give other images.
    folder, content, style = inputs
    second = second_style(folder)
    images = {}
    for name, styles, extra in (("first", [style], []),
                                ("1-0", [style, second], ["--style-weights", "1,0"]),
                                ("0-1", [style, second], ["--style-weights", "0,1"]),
                                ("1-1", [style, second], ["--style-weights", "1,1"])):
        code, out, _ = run(folder, content, *styles, *extra, name=f"out-{name}")
        assert code == 0
        images[name] = load_image(out)
    assert torch.allclose(images["1-0"], images["first"], atol=2 / 255)
    assert (images["0-1"] - images["1-0"]).abs().mean() > 0.02
    for pure in ("1-0", "0-1"):
        assert (images["1-1"] - images[pure]).abs().mean() > 0.005


def test_preserve_colour_luminance_keeps_the_photographs_chroma(inputs):
    folder, content, style = inputs
    code, out, _ = run(folder, content, style, "--preserve-colour", "luminance")
    assert code == 0
    chroma = lambda image: colour.rgb_to_yiq(image)[:, 1:]  # noqa: E731
    result, photo = load_image(out), load_image(content, size=32)
    inside = ((result > 0.01) & (result < 0.99)).all(dim=1, keepdim=True).expand(-1, 2, -1, -1)
    assert inside.float().mean() > 0.5
    # 8-bit rounding of the saved file moves I and Q by at most about 0.004.
    assert float((chroma(result) - chroma(photo)).abs()[inside].max()) < 0.006


def test_preserve_colour_histogram_gives_the_photographs_colour_statistics(inputs):
    # The style's colours are mapped to the photograph's first: the result's colour mean and
    # covariance end closer to the photograph's than those of the same run without the option.
    folder, content, style = inputs
    code, matched, _ = run(folder, content, style, "--preserve-colour", "histogram", name="matched")
    assert code == 0
    assert run(folder, content, style, name="plain")[0] == 0
    photo_mean, photo_cov = colour.colour_statistics(load_image(content, size=32))

    def distances(path):
        mean, cov = colour.colour_statistics(load_image(path))
        return float((mean - photo_mean).norm()), float((cov - photo_cov).norm())

    (mean_matched, cov_matched), (mean_plain, cov_plain) = map(distances, (matched,
                                                                           folder / "plain.png"))
    assert mean_matched < 0.6 * mean_plain and cov_matched < 0.6 * cov_plain


def test_style_layers_of_gives_each_style_its_layers(inputs):
    folder, content, style = inputs
    code, _, history = run(folder, content, style, content, "--style-layers-of", "1=relu1_1",
                           "--style-layers-of", "2=relu3_1")
    assert code == 0
    final = json.loads(history.read_text())["history"]["losses"][-1]
    assert sorted(key for key in final if key.startswith("style/")) == [
        "style/relu1_1", "style/relu3_1"]


def test_masks_put_each_style_in_its_region(inputs):
    # Left half: the stripes; right half: smooth blobs. Each half of the written image is closer
    # in Gram statistics to its own style than to the other; swapping the masks swaps that.
    folder, content, style = inputs
    second = second_style(folder)
    left, right = folder / "left.png", folder / "right.png"
    half = torch.zeros(1, 3, 16, 16)
    half[..., :8] = 1.0
    save_image(half, left)  # another size than the result: resized
    save_image(1 - half, right)
    model = load_vgg(parse_model("vgg16-random", None), device="cpu")  # the CLI's network
    styles = [load_image(path, size=32) for path in (style, second)]
    mask_left = load_mask(left, (23, 32))
    for masks, (left_style, right_style) in (([left, right], styles), ([right, left], styles[::-1])):
        code, out, _ = run(folder, content, style, second, "--masks", *masks)
        assert code == 0
        image = load_image(out)
        on_left = [region_style_loss(model, image, s, mask_left) for s in (left_style, right_style)]
        on_right = [region_style_loss(model, image, s, 1 - mask_left)
                    for s in (left_style, right_style)]
        assert on_left[0] < 0.5 * on_left[1]
        assert on_right[1] < 0.5 * on_right[0]


def test_tv_weight_smooths_the_written_image(inputs):
    folder, content, style = inputs
    code, smooth, history = run(folder, content, style, "--tv-weight", "0.1", name="smooth")
    assert code == 0 and run(folder, content, style, name="plain")[0] == 0
    assert "tv" in json.loads(history.read_text())["history"]["losses"][-1]
    plain = load_image(folder / "plain.png")
    assert total_variation(load_image(smooth)) < 0.5 * total_variation(plain)


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


def test_unknown_colour_method_is_refused_before_any_work(inputs, capsys):
    folder, content, style = inputs
    code, out, _ = run(folder, content, style, "--preserve-colour", "hsv")
    assert code == 2 and not out.exists()
    assert "preserve_colour (--preserve-colour) must be one of luminance, histogram" in \
        capsys.readouterr().err
