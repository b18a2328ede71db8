"""The command line end to end on tiny images with a random-weight network."""

import json
import subprocess
import sys

import pytest
import torch

from gatys.core import defaults
from gatys.core.normalisation import GAIN_LIMIT, channel_means, normalise
from gatys.core.weights import load_vgg, parse_model
from gatys.io.images import load_image
from gatys.ui.cli import main


def test_transfer_writes_the_image_and_history(inputs, capsys):
    folder, content, style = inputs
    out, history = folder / "out" / "result.png", folder / "history.json"
    code = main(["transfer", str(content), str(style), "-o", str(out), "--size", "32",
                 "--iterations", "4", "--ratio", "1e-2", "--history", str(history),
                 "--snapshots", str(folder / "snaps"), "--snapshot-every", "2", "-q",
                 "--init", "noise"])
    assert code == 0
    image = load_image(out)
    assert image.shape == (1, 3, 23, 32)  # long side 32, aspect of the 40×56 content
    assert not torch.allclose(image, load_image(content, size=32), atol=0.05)
    record = json.loads(history.read_text())
    assert record["settings"]["ratio"] == 1e-2 and "random weights" in record["model"]
    assert record["history"]["iterations"] == [0, 1, 2, 3, 4]
    assert sorted(p.name for p in (folder / "snaps").iterdir()) == ["iter_00002.png", "iter_00004.png"]
    assert "completed 4 iterations" in capsys.readouterr().err


def test_the_route_is_measured_said_and_recorded(inputs, capsys, monkeypatch):
    folder, content, style = inputs
    monkeypatch.delenv("GATYS_PRECISION")  # the tests pin fp32; a user's default is auto
    history = folder / "history.json"
    assert main(["transfer", str(content), str(style), "-o", str(folder / "a.png"), "--size",
                 "32", "--iterations", "2", "--history", str(history), "--layout",
                 "contiguous"]) == 0
    said = capsys.readouterr().err
    record = json.loads(history.read_text())["route"]
    assert record["layout"] == "contiguous" and record["precision"] in ("fp32", "bf16")
    assert f"route: {record['precision']}, contiguous" in said
    assert record["reason"] in said and record["reason"] != "asked for"
    assert main(["transfer", str(content), str(style), "-o", str(folder / "b.png"), "--size",
                 "32", "--iterations", "1", "--history", str(history), "-q",
                 "--precision", "fp32", "--layout", "channels-last"]) == 0
    assert json.loads(history.read_text())["route"] == {
        "precision": "fp32", "layout": "channels-last", "reason": "asked for"}


def test_without_normalisation_the_original_networks_recipe_is_the_default(inputs):
    folder, content, style = inputs
    history = folder / "history.json"
    assert main(["transfer", str(content), str(style), "-o", str(folder / "a.png"), "--size",
                 "32", "--iterations", "2", "--history", str(history), "-q",
                 "--no-normalise"]) == 0
    settings = json.loads(history.read_text())["settings"]
    assert not settings["normalise"] and settings["convention"] == defaults.ORIGINAL_CONVENTION


def test_the_network_is_normalised_over_content_and_style_by_default(inputs):
    folder, content, style = inputs
    history = folder / "history.json"
    assert main(["transfer", str(content), str(style), "-o", str(folder / "a.png"), "--size",
                 "32", "--iterations", "2", "--history", str(history), "-q"]) == 0
    settings = json.loads(history.read_text())["settings"]
    assert settings["normalise"] and settings["convention"] == defaults.CONVENTION
    [means_file] = (folder / "cache" / "channel-means").iterdir()
    # The cached means, applied to the same network, give mean activation 1 over the images the
    # run used: the content at 32 px and the style at the content's long side.
    model = load_vgg(parse_model("vgg16-random", None), device="cpu")
    images = [load_image(content, size=32), load_image(style, size=32)]
    normalised = normalise(model, torch.load(means_file, weights_only=True))
    for layer, mean in channel_means(normalised, images).items():
        original = channel_means(model, images)[layer]
        free = original >= original[original > 1e-8].median() / GAIN_LIMIT  # within the limit
        assert torch.allclose(mean[free], torch.ones_like(mean[free]), atol=1e-3), layer

    assert main(["transfer", str(content), str(style), "-o", str(folder / "b.png"), "--size",
                 "32", "--iterations", "2", "--no-normalise", "-q"]) == 0
    assert len(list((folder / "cache" / "channel-means").iterdir())) == 1
    assert not torch.allclose(load_image(folder / "a.png"), load_image(folder / "b.png"))


def test_the_command_line_starts_from_white_noise_unless_told(inputs):
    # White noise (the paper's start, the default) has a content loss at iteration 0; the
    # content start has none.
    folder, content, style = inputs
    starts = {}
    for extra in ([], ["--init", "content"]):
        history = folder / f"history{len(extra)}.json"
        assert main(["transfer", str(content), str(style), "-o", str(folder / "o.png"),
                     "--size", "32", "--iterations", "1", "--history", str(history), "-q",
                     *extra]) == 0
        starts[tuple(extra)] = json.loads(history.read_text())["history"]["losses"][0]
    assert starts[()]["content"] > 0.0
    assert starts[("--init", "content")]["content"] == 0.0


def test_coarse_to_fine_from_the_command_line(inputs, capsys):
    folder, content, style = inputs
    out, history = folder / "large.png", folder / "history.json"
    assert main(["transfer", str(content), str(style), "-o", str(out), "--size", "64",
                 "--coarse-to-fine", "32", "--iterations", "3", "--refine-iterations", "2",
                 "--history", str(history), "-q"]) == 0
    assert load_image(out).shape == (1, 3, 46, 64)
    record = json.loads(history.read_text())
    assert [level["size"] for level in record["levels"]] == [[23, 32], [46, 64]]
    assert [level["iterations"] for level in record["levels"]] == [3, 2]
    assert record["history"]["iterations"] == [0, 1, 2, 3, 4, 5]
    assert "completed 2 iterations" in capsys.readouterr().err


def test_coarse_to_fine_checks_the_final_size_before_the_first_level(inputs, capsys, monkeypatch):
    folder, content, style = inputs
    monkeypatch.setattr("gatys.core.memory.available_bytes", lambda device: 64 * 2**20)
    levels_run = []
    monkeypatch.setattr("gatys.api.pyramid.style_transfer", lambda *a, **k: levels_run.append(k))
    out = folder / "never.png"
    assert main(["transfer", str(content), str(style), "-o", str(out), "--size", "256",
                 "--coarse-to-fine", "32", "--no-normalise", "-q"]) == 2
    assert "GiB" in capsys.readouterr().err and not out.exists() and not levels_run


@pytest.mark.parametrize("extra, message", [
    (["--content-layers", "relu9_1"], "relu9_1"),
    (["--style-layers", "conv5_4"], "conv5_4"),  # VGG-16 has no conv5_4
    (["--style-weights", "1,2"], "2 style weights for 1 style"),
    (["--model", "vgg11"], "unknown model"),
    (["--device", "quantum"], "unknown device"),
    (["--init", "missing.png"], "--init"),
    # A recipe is a whole: the other network's loss weights are refused, with the switch named.
    (["--convention", "gatys-code-original"], "add --no-normalise"),
    (["--convention", "paper", "--no-normalise"], "add --normalise"),
])
def test_bad_settings_exit_2_and_write_nothing(inputs, capsys, extra, message):
    folder, content, style = inputs
    out = folder / "never.png"
    code = main(["transfer", str(content), str(style), "-o", str(out), "--size", "24",
                 "--iterations", "2", "-q", *extra])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("flag, value", [("--size", "0"), ("--size", "-3"), ("--iterations", "0"),
                                         ("--ratio", "0"), ("--ratio", "nan"), ("--ratio", "-1"),
                                         ("--history-size", "0")])
def test_bad_numbers_are_refused_naming_the_flag(inputs, capsys, flag, value):
    folder, content, style = inputs
    assert main(["transfer", str(content), str(style), "-o", str(folder / "x.png"),
                 flag, value]) == 2
    assert f"({flag}) must be" in capsys.readouterr().err
    assert not (folder / "x.png").exists()


def test_missing_input_and_bad_output_name(inputs, capsys):
    folder, content, style = inputs
    assert main(["transfer", str(folder / "nope.jpg"), str(style), "-o", str(folder / "a.png")]) == 2
    assert "nope.jpg" in capsys.readouterr().err
    assert main(["transfer", str(content), str(style), "-o", str(folder / "a.xyz")]) == 2
    assert ".xyz" in capsys.readouterr().err
    assert not list(folder.glob("a.*"))


def test_help_reads_like_a_manual(capsys):
    with pytest.raises(SystemExit) as info:
        main(["transfer", "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for needle in ("--ratio", "alpha/beta", "GATYS_WEIGHTS", "exit status", "examples", "relu4_2"):
        assert needle in text


def test_layers_command(capsys):
    assert main(["layers", "--arch", "vgg16"]) == 0
    text = capsys.readouterr().out
    assert "conv5_3" in text and "conv5_4" not in text


def test_python_dash_m(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "gatys", "--help"], capture_output=True,
                               text=True, timeout=120)
    assert completed.returncode == 0 and "transfer" in completed.stdout


def test_an_image_too_small_for_the_layers_is_a_clear_error(inputs, capsys):
    folder, content, style = inputs
    out = folder / "tiny.png"
    assert main(["transfer", str(content), str(style), "-o", str(out), "--size", "8", "-q"]) == 2
    assert "at least 16 px" in capsys.readouterr().err
    assert not out.exists()


def test_out_of_memory_is_predicted_and_nothing_is_written(inputs, capsys, monkeypatch):
    import gatys.core.memory

    monkeypatch.setattr(gatys.core.memory, "available_bytes", lambda device: 10 * 2**20)
    folder, content, style = inputs
    out = folder / "big.png"
    assert main(["transfer", str(content), str(style), "-o", str(out), "--size", "64", "-q"]) == 2
    assert "GiB" in capsys.readouterr().err
    assert not out.exists()


def test_ctrl_c_saves_the_last_good_image_and_says_where(inputs):
    import os
    import signal
    import time

    folder, content, style = inputs
    out, snapshots = folder / "interrupted.png", folder / "snaps"
    environment = {**os.environ, "GATYS_MODEL": "vgg16-random", "GATYS_DEVICE": "cpu"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gatys", "transfer", str(content), str(style), "-o", str(out),
         "--size", "32", "--iterations", "100000", "--snapshots", str(snapshots),
         "--snapshot-every", "1", "-q"],
        stderr=subprocess.PIPE, text=True, env=environment,
        # A shell's background job (`make test &`, some CI runners) ignores SIGINT, and a child
        # inherits that; give the command line the default a user's terminal gives it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        # Generous: a loaded 2-core machine takes minutes to import torch and normalise.
        deadline = time.monotonic() + 600
        while not (snapshots.is_dir() and len(list(snapshots.glob("*.png"))) >= 2):
            assert process.poll() is None and time.monotonic() < deadline, "no progress"
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:  # never leave a 100000-iteration run behind
            process.kill()
            process.communicate()
    assert process.returncode == 130
    assert f"the last good image is in {out}" in err
    assert load_image(out).shape == (1, 3, 23, 32)


# --------------------------------------------------------------------------------------------
# Habits of style-transfer command lines: start-up line, progress, log lines, aliases


def _run(folder, content, style, *extra):
    return main(["transfer", str(content), str(style), "-o", str(folder / "o.png"), "--size",
                 "32", "--iterations", "4", *extra])


def test_a_start_up_line_says_what_will_run(inputs, capsys):
    folder, content, style = inputs
    assert _run(folder, content, style, "--init", "noise", "--seed", "3") == 0
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith("gatys: cpu | vgg16, random weights (seed 0); avg pooling, normalised")
    assert "| 32x23 px | 4 lbfgs iterations | start: noise (seed 3)" in first


def test_log_lines_every_n_iterations_and_the_bar_stays(inputs, capsys, monkeypatch):
    folder, content, style = inputs
    monkeypatch.setenv("GATYS_PROGRESS", "text")  # a bar even though stderr is not a terminal
    assert _run(folder, content, style, "--print-every", "2") == 0
    err = capsys.readouterr().err
    logged = [line for line in err.splitlines() if line.startswith("gatys: iteration")]
    assert [line.split(":")[1] for line in logged] == [" iteration 2/4", " iteration 4/4"]
    assert all("content" in line and "style" in line and line.endswith(" s") for line in logged)
    final_bar = err.rsplit("\r", 1)[-1].splitlines()[0]  # what is left on screen after the run
    assert final_bar.startswith("gatys: 100%") and "4/4" in final_bar


def test_a_log_file_gets_log_lines_and_no_bar_by_default(inputs, capsys):
    folder, content, style = inputs
    assert _run(folder, content, style) == 0  # stderr is captured: not a terminal
    err = capsys.readouterr().err
    assert "\r" not in err and "gatys: iteration 4/4: total" in err
    assert _run(folder, content, style, "-q") == 0
    assert capsys.readouterr().err.startswith(str(folder / "o.png"))  # only the result line


def test_seed_without_a_noise_start_is_flagged(inputs, capsys):
    folder, content, style = inputs
    assert _run(folder, content, style, "--init", "content", "--seed", "5", "-q") == 0
    assert "--seed 5 has no effect: the start is content, not noise" in capsys.readouterr().err
    assert _run(folder, content, style, "--init", "noise", "--seed", "5", "-q") == 0
    assert "no effect" not in capsys.readouterr().err


def test_preserve_color_is_an_alias(inputs):
    folder, content, style = inputs
    images = []
    for flag in ("--preserve-colour", "--preserve-color"):
        assert _run(folder, content, style, flag, "luminance", "-q", "--iterations", "2") == 0
        images.append(load_image(folder / "o.png"))
    assert torch.equal(*images)
    assert _run(folder, content, style, "-q", "--iterations", "2") == 0
    assert not torch.equal(images[0], load_image(folder / "o.png"))


def test_sixteen_bit_output(inputs, capsys):
    import numpy as np
    import tifffile

    folder, content, style = inputs
    assert main(["transfer", str(content), str(style), "-o", str(folder / "deep.tif"),
                 "--size", "32", "--iterations", "2", "--bit-depth", "16", "-q"]) == 0
    pixels = tifffile.imread(folder / "deep.tif")
    assert pixels.dtype == np.uint16 and pixels.shape == (23, 32, 3)
    assert (pixels % 257 != 0).any()  # 16-bit values, not 8-bit ones scaled up
    assert main(["transfer", str(content), str(style), "-o", str(folder / "deep.png"),
                 "--bit-depth", "16", "-q"]) == 2
    assert "name the output .tif" in capsys.readouterr().err
    assert not (folder / "deep.png").exists()


def test_the_help_example_keeps_its_line_continuation(capsys):
    with pytest.raises(SystemExit):
        main(["transfer", "--help"])
    out = capsys.readouterr().out
    assert "data/the_scream.jpg \\\n      --style-layers-of 1=relu1_1,relu2_1" in out
    assert "--preserve-colour luminance" in out and "vgg16-caffe-bgr" in out


def test_progress_setting_chooses_plain_text_widgets_or_nothing(monkeypatch):
    from tqdm import std
    from tqdm.auto import tqdm as auto_tqdm

    from gatys.io.errors import SettingError
    from gatys.io.progress import progress_bar, progress_class

    monkeypatch.setenv("GATYS_PROGRESS", "text")  # what run_notebooks gives each kernel
    assert progress_class() is std.tqdm
    monkeypatch.setenv("GATYS_PROGRESS", "auto")
    assert progress_class() is auto_tqdm  # a widget in an interactive notebook
    monkeypatch.setenv("GATYS_PROGRESS", "off")
    assert progress_bar(3).disable
    monkeypatch.setenv("GATYS_PROGRESS", "widgets")
    with pytest.raises(SettingError, match="GATYS_PROGRESS='widgets' is not a progress mode; set it to auto"):
        progress_bar(3)


def test_the_command_line_needs_neither_matplotlib_nor_scikit_image():
    # They are the `figures` extra (pyproject.toml): `gatys transfer` must work without them.
    code = ("import sys, gatys.ui.cli\n"
            "print(sorted(m for m in ('matplotlib', 'skimage') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_history_size_reaches_the_optimiser(inputs):
    """--history-size reaches L-BFGS: with one stored pair its steps differ from the default's
    once it has two; naming the default explicitly changes nothing."""
    folder, content, style = inputs

    def run(name, *extra):
        out = folder / f"{name}.png"
        assert main(["transfer", str(content), str(style), "-o", str(out), "--size", "32",
                     "--iterations", "6", "-q", *extra]) == 0
        return load_image(out)

    default = run("default")
    assert torch.equal(default, run("hundred", "--history-size", "100"))
    assert not torch.equal(default, run("one", "--history-size", "1"))


def test_a_pipe_closed_early_ends_the_layer_list_quietly():
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-m", "gatys", "layers"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()  # the reader goes away before the list is written, as `| head` can
    assert process.wait(timeout=60) == 0
    assert b"Traceback" not in process.stderr.read()
