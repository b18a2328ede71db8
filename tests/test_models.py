"""One registry of models: `gatys models`, `gatys layers --model`, the help, the error and the
table in docs/install.md all read gatys.io.models.MODELS."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gatys.core.architecture import layer_names
from gatys.io.errors import SettingError
from gatys.io.models import MODELS, model_entry, parse_model
from gatys.ui.cli import main

from helpers import generated_section, write_generated_section

DOCS = Path(__file__).resolve().parents[1] / "docs" / "install.md"
BEGIN, END = "<!-- models: begin -->", "<!-- models: end -->"


def models_table() -> str:
    rows = ["| `--model` / `GATYS_MODEL` | architecture | input | weights |", "|---|---|---|---|"]
    rows += [f"| `{entry.name}`{' (default)' if entry.name == 'vgg19' else ''} | {entry.arch} | "
             f"{entry.convention} | {entry.weights} |" for entry in MODELS]
    return "\n".join(rows)


def test_every_name_parses_to_its_architecture_and_convention(monkeypatch, tmp_path):
    weights = tmp_path / "w.pth"
    weights.write_bytes(b"x")
    for entry in MODELS:
        spec = parse_model(entry.name, weights)
        assert spec.arch == entry.arch
        assert spec.convention == entry.convention
    assert parse_model("vgg16-random:7").seed == 7


def test_gatys_models_lists_every_name_and_what_is_here(capsys, monkeypatch, tmp_path):
    weights = tmp_path / "vgg16.pth"
    weights.write_bytes(b"x")
    monkeypatch.setenv("GATYS_WEIGHTS", str(weights))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + len(MODELS)
    by_name = {line.split()[0]: line for line in lines[1:]}
    assert set(by_name) == {entry.name for entry in MODELS}
    assert "yes (generated)" in by_name["vgg16-random"]
    assert str(weights) in by_name["vgg16-caffe"]
    monkeypatch.delenv("GATYS_WEIGHTS")
    main(["models"])
    lines = capsys.readouterr().out.splitlines()
    by_name = {line.split()[0]: line for line in lines[1:]}
    assert "no: pass --weights FILE" in by_name["vgg16-caffe"]
    assert "no: downloaded on first use" in by_name["vgg16"]


@pytest.mark.parametrize("model, arch", [("vgg16-caffe", "vgg16"), ("vgg19-random:3", "vgg19")])
def test_gatys_layers_lists_the_models_layers(model, arch, capsys, monkeypatch):
    assert main(["layers", "--model", model]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{arch}:\n") and out.split()[1:] == layer_names(arch)
    monkeypatch.setenv("GATYS_MODEL", model)
    assert main(["layers"]) == 0
    assert capsys.readouterr().out == out
    assert ("conv3_4" in out) == (arch == "vgg19")  # VGG-16 has three convolutions in block 3


def test_an_unknown_name_is_refused_listing_them_all(capsys):
    with pytest.raises(SettingError) as info:
        model_entry("vgg11")
    assert all(entry.name in str(info.value) for entry in MODELS)
    assert main(["layers", "--model", "vgg11"]) == 2
    assert "gatys models" in capsys.readouterr().err


def test_the_help_and_the_docs_read_the_registry(capsys):
    with pytest.raises(SystemExit):
        main(["transfer", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert all(entry.name in help_text for entry in MODELS)
    assert generated_section(DOCS, BEGIN, END) == models_table(), (
        "docs/install.md is out of date: run python tests/test_models.py --write")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_models.py --write")
    write_generated_section(DOCS, BEGIN, END, models_table())
