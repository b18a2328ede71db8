"""Every mistake we know users make, driven through the real command line and the API.

Each command-line case runs ``python -m gatys`` in a fresh process, as a user would, and must end
with exit status 2, exactly one line on stderr that names the fix, no traceback and no file
written. The seconds each refusal took (the interpreter's start included) go into the test
report (``user_properties``; the slowest is printed at the end of the run): a measured bound, not
a timed assertion. The table in docs/troubleshooting.md is generated from these cases:

    python tests/test_refusals.py --write    # after adding or changing a case
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers import generated_section, write_generated_section

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "troubleshooting.md"
BEGIN, END = "<!-- refusals: begin -->", "<!-- refusals: end -->"


@dataclass(frozen=True)
class Refusal:
    """A mistake, what the message must name as the fix, and where it is refused."""

    situation: str  # the table's "you…" column
    argv: tuple[str, ...]  # after `gatys transfer`, with {content} {style} {out} {folder} ...
    fix: str  # a phrase the one line must contain: the fix it names
    where: str
    env: dict[str, str] = field(default_factory=dict)



CONTENT_STYLE = ("{content}", "{style}")
OUT = ("-o", "{out}")
RUN = (*CONTENT_STYLE, *OUT)

CLI_CASES: dict[str, Refusal] = {
    "content-missing": Refusal(
        "give a photograph that does not exist", ("{missing}", "{style}", *OUT),
        "check the path", "gatys.io.formats"),
    "content-directory": Refusal(
        "give a folder as the photograph", ("{folder}", "{style}", *OUT),
        "pass the path of an image file inside it", "gatys.io.formats"),
    "content-empty": Refusal(
        "give an empty file", ("{empty}", "{style}", *OUT),
        "pass a real image file", "gatys.io.formats"),
    "content-not-an-image": Refusal(
        "give a text file as the photograph", ("{text}", "{style}", *OUT),
        "convert it to PNG or JPEG", "gatys.io.formats"),
    "style-missing": Refusal(
        "give a painting that does not exist", ("{content}", "{missing}", *OUT),
        "check the path", "gatys.io.formats"),
    "header-72-megapixels": Refusal(
        "give a file whose header claims 72 megapixels", ("{bomb}", "{style}", *OUT),
        "--max-pixels", "gatys.io.formats"),
    "max-pixels": Refusal(
        "set `--max-pixels` below the photograph's size", (*RUN, "--max-pixels", "100"),
        "raise the limit (--max-pixels", "gatys.io.formats"),
    "output-folder-slash": Refusal(
        "write to `-o dir/`", (*CONTENT_STYLE, "-o", "{folder}/"),
        "name a file in it", "gatys.io.formats"),
    "output-folder": Refusal(
        "write to an existing folder", (*CONTENT_STYLE, "-o", "{folder}"),
        "name a file in it", "gatys.io.formats"),
    "output-no-extension": Refusal(
        "write to `-o out` (no extension)", (*CONTENT_STYLE, "-o", "{bare}"),
        "add one, e.g.", "gatys.io.formats"),
    "output-unknown-extension": Refusal(
        "write to an extension Pillow cannot write (`.xyz`)", (*CONTENT_STYLE, "-o", "{xyz}"),
        "use .png or .jpg", "gatys.io.formats"),
    "output-under-a-file": Refusal(
        "write to `-o photo.jpg/out.png` (the parent is a file)",
        (*CONTENT_STYLE, "-o", "{under_file}"), "is a file, not a folder; choose another folder",
        "gatys.io.files.check_writable"),
    "output-16-bit-png": Refusal(
        "ask for 16 bits in a PNG", (*RUN, "--bit-depth", "16"),
        "name the output .tif", "gatys.io.formats"),
    "history-folder": Refusal(
        "give a folder to `--history`", (*RUN, "--history", "{folder}"),
        "name a file in it, e.g.", "gatys.io.files.check_writable"),
    "history-under-a-file": Refusal(
        "give `--history photo.jpg/h.json`", (*RUN, "--history", "{under_file_json}"),
        "is a file, not a folder", "gatys.io.files.check_writable"),
    "snapshots-a-file": Refusal(
        "give a file to `--snapshots`", (*RUN, "--snapshots", "{content}"),
        "name a folder", "gatys.io.files.check_writable"),
    "snapshot-every-alone": Refusal(
        "give `--snapshot-every` without `--snapshots`", (*RUN, "--snapshot-every", "1"),
        "add --snapshots DIR or --animate FILE.gif", "gatys.ui.preflight"),
    "animate-mp4": Refusal(
        "ask for an animation in a format Pillow cannot animate (`--animate out.mp4`)",
        (*RUN, "--animate", "{mp4}"), "name it .gif or .webp", "gatys.io.animation"),
    "print-every-negative": Refusal(
        "give `--print-every -3`", (*RUN, "--print-every", "-3"),
        "must be 0 or more", "gatys.ui.cli (parser)"),
    "size-zero": Refusal(
        "give `--size 0`", (*RUN, "--size", "0"), "size (--size) must be a whole number of "
        "pixels, at least 1", "gatys.core.config"),
    "iterations-zero": Refusal(
        "give `--iterations 0`", (*RUN, "--iterations", "0"),
        "iterations (--iterations) must be a whole number, at least 1", "gatys.core.config"),
    "ratio-nan": Refusal(
        "give α/β = NaN", (*RUN, "--ratio", "nan"), "ratio (--ratio) must be a positive finite "
        "number", "gatys.core.config"),
    "ratio-negative": Refusal(
        "give a negative α/β", (*RUN, "--ratio=-1"), "ratio (--ratio) must be a positive finite "
        "number", "gatys.core.config"),
    "style-scale-zero": Refusal(
        "give `--style-scale 0`", (*RUN, "--style-scale", "0"),
        "style_scale (--style-scale) must be a positive finite number", "gatys.core.config"),
    "tv-weight-negative": Refusal(
        "give a negative `--tv-weight`", (*RUN, "--tv-weight=-1"),
        "tv_weight (--tv-weight) must be a finite number >= 0", "gatys.core.config"),
    "size-too-small": Refusal(
        "ask for a size too small for the layers (`--size 8`)", (*RUN, "--size", "8"),
        "at least 16 px on each side; use a larger --size", "gatys.ui.preflight"),
    "coarse-level-too-small": Refusal(
        "start a coarse-to-fine run below the layers' smallest size (`--coarse-to-fine 8`)",
        (*RUN, "--size", "64", "--coarse-to-fine", "8"),
        "at least 16 px on each side; use a larger --coarse-to-fine", "gatys.ui.preflight"),
    "size-6000": Refusal(
        "ask for `--size 6000` (the kernel used to kill it after minutes)",
        (*RUN, "--size", "6000"), "use a long side of at most",
        "gatys.core.memory (before any image is decoded)"),
    "size-too-large": Refusal(
        "ask for a size no memory holds (`--size 20000`)", (*RUN, "--size", "20000"),
        "use a long side of at most", "gatys.core.memory (before any image is decoded)"),
    "unknown-style-layer": Refusal(
        "name a layer the network lacks (`--style-layers relu6_1`)",
        (*RUN, "--style-layers", "relu6_1"), "valid names are", "gatys.core.architecture"),
    "vgg19-layer-on-vgg16": Refusal(
        "name a VGG-19 layer with a VGG-16 model (`conv5_4`)",
        (*RUN, "--content-layers", "conv5_4"), "for vgg16", "gatys.core.architecture"),
    "style-weights-count": Refusal(
        "give two `--style-weights` for one style", (*RUN, "--style-weights", "1,2"),
        "one weight per style image", "gatys.core.conventions.blend_weights"),
    "style-weights-negative": Refusal(
        "give a negative style weight", (*RUN, "--style-weights=-1"),
        ">= 0 with a positive sum", "gatys.core.conventions.blend_weights"),
    "masks-count": Refusal(
        "give two masks for one style", (*RUN, "--masks", "{content}", "{content}"),
        "one file per STYLE", "gatys.ui.preflight"),
    "mask-missing": Refusal(
        "give a mask that does not exist", (*RUN, "--masks", "{missing}"),
        "check the path", "gatys.io.formats"),
    "style-layers-of-range": Refusal(
        "give `--style-layers-of 3=…` with one style", (*RUN, "--style-layers-of", "3=relu1_1"),
        "K runs from 1 to 1", "gatys.ui.preflight"),
    "style-layers-of-syntax": Refusal(
        "give `--style-layers-of relu1_1` (no K=)", (*RUN, "--style-layers-of", "relu1_1"),
        "write K=L1,L2", "gatys.ui.preflight"),
    "init-missing": Refusal(
        "start from an image that does not exist", (*RUN, "--init", "{missing}"),
        "or an existing image file", "gatys.core.config"),
    "init-not-an-image": Refusal(
        "start from a file that is not an image", (*RUN, "--init", "{text}"),
        "convert it to PNG or JPEG", "gatys.io.formats"),
    "convention-original-on-normalised": Refusal(
        "pair the original network's weights with the normalised network",
        (*RUN, "--convention", "gatys-code-original"), "add --no-normalise",
        "gatys.ui.preflight"),
    "convention-paper-unnormalised": Refusal(
        "pair the paper's weights with the original network",
        (*RUN, "--convention", "paper", "--no-normalise"), "add --normalise",
        "gatys.ui.preflight"),
    "unknown-model": Refusal(
        "name a model that does not exist (`--model vgg17`)", (*RUN, "--model", "vgg17"),
        "`gatys models` lists them", "gatys.io.models"),
    "caffe-without-weights": Refusal(
        "ask for Caffe weights without a file", (*RUN, "--model", "vgg16-caffe"),
        "pass --weights FILE or set $GATYS_WEIGHTS", "gatys.io.models"),
    "weights-missing": Refusal(
        "give a weights file that does not exist",
        (*RUN, "--model", "vgg16-caffe", "--weights", "{missing}"),
        "check --weights / $GATYS_WEIGHTS", "gatys.io.models"),
    "weights-folder": Refusal(
        "give a folder as the weights file",
        (*RUN, "--model", "vgg16-caffe", "--weights", "{folder}"),
        "name the .pth file in it", "gatys.io.models"),
    "unknown-device": Refusal(
        "name a device that does not exist (`--device tpu`)", (*RUN, "--device", "tpu"),
        "use cpu, cuda, cuda:N, mps or auto", "gatys.io.settings"),
    "env-progress": Refusal(
        "set `GATYS_PROGRESS=bar`", RUN, "set it to auto, text or off", "gatys.io.progress",
        env={"GATYS_PROGRESS": "bar"}),
    "env-device": Refusal(
        "set `GATYS_DEVICE=gpu`", RUN, "use cpu, cuda, cuda:N, mps or auto",
        "gatys.io.settings", env={"GATYS_DEVICE": "gpu"}),
    "env-precision": Refusal(
        "set `GATYS_PRECISION=fp16`", RUN, "use one of those", "gatys.core.route",
        env={"GATYS_PRECISION": "fp16"}),
    "env-layout": Refusal(
        "set `GATYS_LAYOUT=nhwc`", RUN, "use one of those", "gatys.core.route",
        env={"GATYS_LAYOUT": "nhwc"}),
    "env-model": Refusal(
        "set `GATYS_MODEL=resnet50`", RUN, "flag --model or $GATYS_MODEL", "gatys.io.models",
        env={"GATYS_MODEL": "resnet50"}),
    "unknown-option": Refusal(
        "misspell an option (`--iterashuns 10`)", (*RUN, "--iterashuns", "10"),
        "see gatys transfer --help", "gatys.ui.cli (parser)"),
}


def _png_header_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims ``width`` × ``height`` pixels (its data is a few bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> dict[str, str]:
    """The files the cases name: real images, and each kind of wrong file."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("refusals")
    inputs = folder / "inputs"
    inputs.mkdir()
    Image.new("RGB", (40, 30), (90, 140, 200)).save(inputs / "content.png")
    Image.new("RGB", (32, 32), (200, 120, 40)).save(inputs / "style.jpg")
    (inputs / "empty.png").write_bytes(b"")
    (inputs / "notes.txt").write_text("not an image\n")
    (inputs / "bomb.png").write_bytes(_png_header_claiming(9000, 8000))  # 72 megapixels
    (inputs / "a-folder").mkdir()
    return {"content": str(inputs / "content.png"), "style": str(inputs / "style.jpg"),
            "empty": str(inputs / "empty.png"), "text": str(inputs / "notes.txt"),
            "bomb": str(inputs / "bomb.png"), "folder": str(inputs / "a-folder"),
            "missing": str(inputs / "missing.png"), "root": str(folder)}


def _run_case(name: str, case: Refusal, places: dict[str, str]) -> dict:
    work = Path(places["root"]) / name
    work.mkdir()
    paths = {**places, "out": str(work / "out.png"), "bare": str(work / "out"),
             "xyz": str(work / "out.xyz"), "mp4": str(work / "forming.mp4"),
             "under_file": str(Path(places["content"]) / "out.png"),
             "under_file_json": str(Path(places["content"]) / "history.json")}
    argv = [part.format(**paths) for part in case.argv]
    env = {key: value for key, value in os.environ.items() if not key.startswith("GATYS_")}
    env.update({"GATYS_MODEL": "vgg16-random", "GATYS_DEVICE": "cpu",
                "GATYS_CACHE": str(work / "cache"), **case.env})
    inputs_before = sorted(os.listdir(Path(places["content"]).parent))
    start = time.perf_counter()
    process = subprocess.run([sys.executable, "-m", "gatys", "transfer", *argv], env=env,
                             cwd=work, capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - start
    return {"code": process.returncode, "stderr": process.stderr, "stdout": process.stdout,
            "seconds": seconds, "written": sorted(os.listdir(work)),
            "inputs_changed": sorted(os.listdir(Path(places["content"]).parent))
            != inputs_before}


@pytest.fixture(scope="module")
def outcomes(places) -> dict[str, dict]:
    """Every command-line case, run two at a time (each is a fresh interpreter)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_run_case, name, case, places)
                   for name, case in CLI_CASES.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", list(CLI_CASES))
def test_the_command_line_refuses_with_one_line_naming_the_fix(name, outcomes, record_property):
    case, outcome = CLI_CASES[name], outcomes[name]
    record_property("refusal_seconds", round(outcome["seconds"], 3))
    lines = outcome["stderr"].strip().splitlines()
    assert outcome["code"] == 2, outcome["stderr"]
    assert "Traceback" not in outcome["stderr"]
    assert len(lines) == 1, outcome["stderr"]
    assert re.match(r"^gatys( transfer)?: error: ", lines[0]), lines[0]
    assert case.fix in lines[0], f"the fix {case.fix!r} is not named in: {lines[0]}"
    assert outcome["written"] == [] and not outcome["inputs_changed"]  # nothing written
    assert outcome["stdout"] == ""


def test_a_refusal_needs_no_torch(places):
    """The checks run before torch is imported: a refused run never pays for the import."""
    code = ("import sys; from gatys.ui.cli import main; "
            f"rc = main(['transfer', {places['missing']!r}, {places['style']!r}, '-o', 'x.png']); "
            "print('torch' in sys.modules, rc)")
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             cwd=places["root"], timeout=120)
    assert process.stdout.split() == ["False", "2"], process.stderr


# ------------------------------------------------------------------------------------------
# The same mistakes through the API: the error arrives before any network is loaded.


def _api_cases():
    import gatys
    from gatys.core.objective import make_objective
    from gatys.core.weights import load_vgg
    from gatys.io.images import load_image, save_image
    from gatys.io.settings import resolve_device

    def transfer(**options):
        return lambda places: gatys.style_transfer(places["content"], places["style"], size=32,
                                                   iterations=1, progress=False, **options)

    return {
        "api-unknown-layer": (
            "call `style_transfer(..., style_layers=['relu6_1'])`",
            transfer(style_layers=["relu6_1"]), gatys.LayerError, "valid names are",
            "gatys.api.transfer"),
        "api-masks-count": (
            "give `style_transfer` two masks for one style",
            transfer(masks=["a.png", "b.png"]), gatys.SettingError, "one mask per style image",
            "gatys.api.transfer"),
        "api-memory": (
            "call `style_transfer` at a size no memory holds (`size=20000`)",
            lambda places: gatys.style_transfer(places["content"], places["style"], size=20000,
                                                progress=False),
            MemoryError, "use a long side of at most", "gatys.core.memory (before the normalisation)"),
        "api-missing-image": (
            "call `load_image` on a missing file", lambda places: load_image(places["missing"]),
            gatys.ImageError, "check the path", "gatys.io.formats"),
        "api-save-to-folder": (
            "call `save_image` on a folder",
            lambda places: save_image(load_image(places["content"]), places["folder"]),
            gatys.ImageError, "name a file in it", "gatys.io.formats"),
        "api-unknown-model": (
            "call `load_vgg('vgg17')`", lambda places: load_vgg("vgg17"), gatys.SettingError,
            "unknown model", "gatys.io.models"),
        "api-unknown-device": (
            "call `resolve_device('tpu')`", lambda places: resolve_device("tpu"),
            gatys.SettingError, "use cpu, cuda, cuda:N, mps or auto", "gatys.io.settings"),
        "api-blend-count": (
            "give `make_objective` two blend weights for one style",
            lambda places: make_objective(
                load_vgg("vgg16-random"), content=load_image(places["content"]),
                styles=[load_image(places["style"])], style_blend=[1, 2],
                convention="gatys-code-original"),
            gatys.SettingError, "one weight per style image",
            "gatys.core.conventions.blend_weights"),
        "api-convention-mismatch": (
            "pair `convention='paper'` with an unnormalised network",
            lambda places: make_objective(
                load_vgg("vgg16-random"), content=load_image(places["content"]),
                styles=[load_image(places["style"])], convention="paper"),
            gatys.SettingError, "choose the convention gatys-code-original",
            "gatys.core.conventions"),
    }


API_CASE_NAMES = ["api-unknown-layer", "api-masks-count", "api-memory", "api-missing-image",
                  "api-save-to-folder", "api-unknown-model", "api-unknown-device",
                  "api-blend-count", "api-convention-mismatch"]


@pytest.mark.parametrize("name", API_CASE_NAMES)
def test_the_api_refuses_before_loading_a_network(name, places, monkeypatch, tmp_path,
                                                  record_property):
    import gatys.api.transfer as transfer

    monkeypatch.setenv("GATYS_MODEL", "vgg16-random")
    monkeypatch.setenv("GATYS_CACHE", str(tmp_path))
    monkeypatch.setattr(transfer, "normalised_vgg", _never("the normalisation pass"))
    _, call, error, fix, _ = _api_cases()[name]
    start = time.perf_counter()
    with pytest.raises(error) as info:
        call(places)
    record_property("refusal_seconds", round(time.perf_counter() - start, 3))
    assert isinstance(info.value, __import__("gatys").GatysError)
    assert fix in str(info.value)
    assert list(tmp_path.iterdir()) == []


def _never(what: str):
    def refuse(*args, **kwargs):
        raise AssertionError(f"{what} ran before the refusal")
    return refuse


# ------------------------------------------------------------------------------------------
# The table in docs/troubleshooting.md


def refusal_table() -> str:
    """The markdown table of every case: what the user did, the fix the one line names, where."""
    rows = ["| you… | the one line names | where |", "|---|---|---|"]
    for case in CLI_CASES.values():
        rows.append(f"| {case.situation} | {_cell(case.fix)} | `{case.where}` |")
    for name in API_CASE_NAMES:
        situation, _, error, fix, where = _api_cases()[name]
        rows.append(f"| {situation} | {_cell(fix)} (`{error.__name__}`) | `{where}` |")
    return "\n".join(rows)


def _cell(text: str) -> str:
    return "“" + text.replace("|", "\\|") + "”"


def test_the_troubleshooting_table_is_these_cases():
    assert len(CLI_CASES) + len(API_CASE_NAMES) >= 30
    assert set(API_CASE_NAMES) == set(_api_cases())
    assert generated_section(DOCS, BEGIN, END) == refusal_table(), (
        "docs/troubleshooting.md is out of date: run python tests/test_refusals.py --write")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_refusals.py --write")
    write_generated_section(DOCS, BEGIN, END, refusal_table())
    print(f"wrote {len(CLI_CASES) + len(API_CASE_NAMES)} cases into {DOCS}")
