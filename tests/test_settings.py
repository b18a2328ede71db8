"""One settings object, each value checked by one function: the API and the command line refuse
a bad value with the same message, before any network is loaded or image decoded."""

import dataclasses

import pytest

import gatys
from gatys.core import defaults
from gatys.core.config import RULES, TransferSettings, check
from gatys.ui.cli import main

# (setting, bad value for the API, the same value on the command line)
BAD_VALUES = [
    ("size", 0, ["--size", "0"]),
    ("size", -3, ["--size", "-3"]),
    ("style_scale", 0.0, ["--style-scale", "0"]),
    ("ratio", 0.0, ["--ratio", "0"]),
    ("ratio", float("nan"), ["--ratio", "nan"]),
    ("ratio", -1.0, ["--ratio=-1"]),
    ("tv_weight", -1.0, ["--tv-weight=-1"]),
    ("iterations", 0, ["--iterations", "0"]),
    ("history_size", 0, ["--history-size", "0"]),
    ("learning_rate", 0.0, ["--learning-rate", "0"]),
    ("style_blend", [1.0, 2.0], ["--style-weights", "1,2"]),
    ("style_blend", [-1.0], ["--style-weights=-1"]),
    ("style_layers", ["relu6_1"], ["--style-layers", "relu6_1"]),
    ("content_layers", ["conv5_4"], ["--content-layers", "conv5_4"]),
    ("optimizer", "sgd", ["--optimizer", "sgd"]),
    ("pooling", "min", ["--pooling", "min"]),
    ("preserve_colour", "hsv", ["--preserve-colour", "hsv"]),
    ("convention", "gatys", ["--convention", "gatys"]),
    ("precision", "fp16", ["--precision", "fp16"]),
    ("layout", "nhwc", ["--layout", "nhwc"]),
]


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    from PIL import Image

    folder = tmp_path_factory.mktemp("settings")
    Image.new("RGB", (40, 30), (90, 140, 200)).save(folder / "content.png")
    Image.new("RGB", (32, 32), (200, 120, 40)).save(folder / "style.png")
    return folder


@pytest.fixture
def no_network(monkeypatch, tmp_path):
    import gatys.api.transfer as transfer

    def refuse(*args, **kwargs):
        raise AssertionError("a network was loaded before the refusal")

    monkeypatch.setenv("GATYS_MODEL", "vgg16-random")
    monkeypatch.setenv("GATYS_DEVICE", "cpu")
    monkeypatch.setenv("GATYS_CACHE", str(tmp_path))
    monkeypatch.setattr(transfer, "load_vgg", refuse)
    monkeypatch.setattr(transfer, "normalised_vgg", refuse)


@pytest.mark.parametrize("name, value, argv", BAD_VALUES,
                         ids=[f"{name}={value}" for name, value, _ in BAD_VALUES])
def test_the_api_and_the_command_line_say_the_same(name, value, argv, images, no_network,
                                                   capsys):
    content, style = str(images / "content.png"), str(images / "style.png")
    with pytest.raises(gatys.GatysError) as info:
        gatys.style_transfer(content, style, progress=False, **{name: value})
    out = images / f"{name}.png"
    assert main(["transfer", content, style, "-o", str(out), "-q", *argv]) == 2
    assert capsys.readouterr().err.strip() == f"gatys: error: {info.value}"
    assert not out.exists()


def test_a_start_file_that_does_not_exist_reads_the_same(images, no_network, capsys):
    content, style = str(images / "content.png"), str(images / "style.png")
    missing = str(images / "missing.png")
    with pytest.raises(gatys.SettingError) as info:
        gatys.style_transfer(content, style, init=missing)
    assert main(["transfer", content, style, "-o", str(images / "x.png"), "--init", missing]) == 2
    assert capsys.readouterr().err.strip() == f"gatys: error: {info.value}"
    assert "init (--init) must be noise, uniform-noise, content, style" in str(info.value)


def test_each_message_names_the_setting_both_ways():
    for name, (flag, _, _) in RULES.items():
        with pytest.raises(gatys.SettingError) as info:
            check(name, "no-such-start" if name == "init" else object())
        assert str(info.value).startswith(f"{name} ({flag}) "), name


def test_the_defaults_are_the_defaults_module():
    settings = TransferSettings()
    assert (settings.size, settings.iterations, settings.ratio, settings.optimizer,
            settings.history_size, settings.pooling, settings.init) == (
        defaults.SIZE, defaults.ITERATIONS, defaults.RATIO, defaults.OPTIMIZER,
        defaults.HISTORY_SIZE, defaults.POOLING, defaults.INIT)
    assert settings.style_layers == defaults.STYLE_LAYERS
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.ratio = 1.0


def test_changes_are_checked_and_unknown_names_refused():
    base = TransferSettings(ratio=0.3)
    assert TransferSettings.of(base, iterations=10) == TransferSettings(ratio=0.3, iterations=10)
    assert TransferSettings.of(base) is base
    with pytest.raises(gatys.SettingError, match="unknown setting"):
        TransferSettings.of(base, ratoi=1.0)
    with pytest.raises(gatys.SettingError, match=r"ratio \(--ratio\)"):
        TransferSettings.of(base, ratio=-1)


def test_the_settings_are_recorded_as_json_values():
    import json

    import torch

    record = TransferSettings(init=torch.zeros(1, 3, 4, 4), style_blend=[1, 3]).as_dict()
    assert record["init"] == "<Tensor>" and record["style_blend"] == (1.0, 3.0)
    json.dumps(record)
