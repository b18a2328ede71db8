"""Tests for gatys.io.data: no test touches the network (the default fetcher is replaced)."""

from __future__ import annotations

import hashlib
import os
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gatys.io import data, settings
from gatys.io.data import PAPER_IMAGES, DataError, PaperImage
from gatys.io.errors import GatysError, ImageError, SettingError

REAL_DATA = os.environ.get("GATYS_DATA", "").strip() or None  # read before fixtures unset it

PAYLOADS = {"alpha": b"alpha image bytes", "beta": b"beta image bytes, a little longer"}


def _sha(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _fake_entry(key: str) -> PaperImage:
    return PaperImage(
        key, f"{key}.jpg", key.title(), "style", "public domain",
        f"https://example.invalid/{key}.jpg", _sha(PAYLOADS[key]),
    )


class FakeFetcher:
    """Serves PAYLOADS by URL and records every URL asked for."""

    def __init__(self, payloads: dict[str, bytes] | None = None):
        served = payloads or PAYLOADS
        self.payloads = {f"https://example.invalid/{k}.jpg": v for k, v in served.items()}
        self.calls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        return self.payloads[url]


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """No GATYS_DATA from outside, and the default fetcher fails instead of using the network."""
    monkeypatch.delenv("GATYS_DATA", raising=False)

    def no_network(url: str) -> bytes:
        raise AssertionError(f"test tried to download {url}")

    monkeypatch.setattr(data, "fetch_url", no_network)


@pytest.fixture
def fake_table(monkeypatch) -> dict[str, PaperImage]:
    """Replace the six real images by two small fake ones whose checksums fit PAYLOADS."""
    table = {key: _fake_entry(key) for key in PAYLOADS}
    monkeypatch.setattr(data, "PAPER_IMAGES", table)
    return table


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# --------------------------------------------------------------------------------------------
# The table


def test_table_has_the_papers_six_images():
    assert list(PAPER_IMAGES) == [
        "tubingen", "shipwreck", "starry_night", "the_scream", "seated_nude", "composition_vii",
    ]
    assert [e.role for e in PAPER_IMAGES.values()].count("content") == 1
    assert PAPER_IMAGES["tubingen"].role == "content"
    assert PAPER_IMAGES["seated_nude"].filename == "seated-nude.jpg"
    assert "in copyright" in PAPER_IMAGES["seated_nude"].rights
    assert PAPER_IMAGES["starry_night"].rights == "public domain"
    for key, entry in PAPER_IMAGES.items():
        assert entry.key == key
        assert len(entry.sha256) == 64 and int(entry.sha256, 16) >= 0
        assert entry.url.startswith("https://raw.githubusercontent.com/")
        assert entry.url.endswith("/" + entry.filename)
    with pytest.raises(AttributeError):
        PAPER_IMAGES["tubingen"].sha256 = "0" * 64  # frozen


@pytest.mark.skipif(REAL_DATA is None, reason="GATYS_DATA is not set; no real images to check")
def test_real_images_match_the_table():
    directory = Path(REAL_DATA)
    if not directory.is_dir():
        pytest.skip(f"GATYS_DATA={REAL_DATA} is not a directory")
    for key, entry in PAPER_IMAGES.items():
        assert data.sha256_of(directory / entry.filename) == entry.sha256, key
        assert data.verify(key, directory)


# --------------------------------------------------------------------------------------------
# Finding, loading and checking


def test_sha256_of_reads_in_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "_CHUNK", 7)
    payload = bytes(range(256)) * 5
    (tmp_path / "f").write_bytes(payload)
    assert data.sha256_of(tmp_path / "f") == _sha(payload)


def test_unknown_key_lists_valid_keys(tmp_path):
    with pytest.raises(SettingError, match="unknown paper image 'mona_lisa'.*starry_night"):
        data.image_path("mona_lisa", tmp_path)
    with pytest.raises(SettingError):
        data.verify("mona_lisa", tmp_path)
    with pytest.raises(SettingError):
        data.download(["mona_lisa"], tmp_path, fetch=FakeFetcher())


def test_missing_file_names_the_absolute_directory_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ImageError) as info:
        data.image_path("starry_night", "relative")
    message = str(info.value)
    assert f'"{tmp_path / "relative"}"' in message and "starry_night.jpg" in message
    assert f'python -m gatys.io.data --dir "{tmp_path / "relative"}"' in message
    assert "GATYS_DATA" in message and "by hand" in message
    assert isinstance(info.value, GatysError)


def test_default_data_dir_is_the_checkouts_whatever_the_working_directory(tmp_path, monkeypatch):
    root = settings.project_root()
    assert root is not None and (root / "src" / "gatys" / "io" / "data.py").is_file()
    monkeypatch.chdir(tmp_path)  # as a notebook kernel in notebooks/ would be
    assert settings.data_dir() == root / "data"
    monkeypatch.setenv("GATYS_DATA", "mine")  # a relative setting is read from here
    assert settings.data_dir() == tmp_path / "mine"
    assert settings.data_dir(tmp_path / "x" / ".." / "y") == tmp_path / "y"


def test_outside_a_checkout_the_default_is_data_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "project_root", lambda: None)
    monkeypatch.chdir(tmp_path)
    assert settings.data_dir() == tmp_path / "data"


def test_missing_lists_absent_files_only(tmp_path, fake_table):
    (tmp_path / "alpha.jpg").write_bytes(b"anything")
    assert [entry.key for entry in data.missing(tmp_path)] == ["beta"]


def test_image_path_respects_gatys_data(tmp_path, monkeypatch):
    (tmp_path / "tubingen.jpg").write_bytes(b"x")
    monkeypatch.setenv("GATYS_DATA", str(tmp_path))
    assert data.image_path("tubingen") == tmp_path / "tubingen.jpg"
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(ImageError, match="other"):  # an explicit directory wins over the env
        data.image_path("tubingen", other)


def test_load_paper_image_gives_a_resized_tensor(tmp_path):
    pixels = np.zeros((30, 40, 3), dtype=np.uint8)
    pixels[..., 0] = 255
    Image.fromarray(pixels).save(tmp_path / "shipwreck.jpg")
    image = data.load_paper_image("shipwreck", size=20, data_dir=tmp_path)
    assert image.shape == (1, 3, 15, 20) and image.dtype == torch.float32
    assert float(image[0, 0].mean()) > 0.9 and float(image[0, 1].mean()) < 0.1


def test_verify(tmp_path, fake_table):
    assert not data.verify("alpha", tmp_path)  # missing
    (tmp_path / "alpha.jpg").write_bytes(b"corrupt")
    assert not data.verify("alpha", tmp_path)
    (tmp_path / "alpha.jpg").write_bytes(PAYLOADS["alpha"])
    assert data.verify("alpha", tmp_path)


# --------------------------------------------------------------------------------------------
# Downloading


def test_download_writes_verified_files(tmp_path, fake_table):
    target = tmp_path / "new" / "dir"  # created on demand
    fetch, lines = FakeFetcher(), []
    paths = data.download(data_dir=target, fetch=fetch, progress=lines.append)
    assert paths == [target / "alpha.jpg", target / "beta.jpg"]
    for key, path in zip(PAYLOADS, paths):
        assert path.read_bytes() == PAYLOADS[key]
        assert data.sha256_of(path) == fake_table[key].sha256
    assert sorted(fetch.calls) == sorted(e.url for e in fake_table.values())
    assert len(lines) == 2
    assert _leftovers(target) == []


def test_download_only_the_keys_asked_for(tmp_path, fake_table):
    fetch = FakeFetcher()
    assert data.download(["beta"], tmp_path, fetch=fetch, progress=None) == [tmp_path / "beta.jpg"]
    assert fetch.calls == ["https://example.invalid/beta.jpg"]
    assert not (tmp_path / "alpha.jpg").exists()


def test_download_skips_verified_files(tmp_path, fake_table):
    for key, payload in PAYLOADS.items():
        (tmp_path / f"{key}.jpg").write_bytes(payload)
    fetch = FakeFetcher()
    paths = data.download(data_dir=tmp_path, fetch=fetch, progress=None)
    assert fetch.calls == []
    assert [p.name for p in paths] == ["alpha.jpg", "beta.jpg"]


def test_download_refetches_a_corrupt_file(tmp_path, fake_table):
    (tmp_path / "alpha.jpg").write_bytes(b"truncated")
    (tmp_path / "beta.jpg").write_bytes(PAYLOADS["beta"])
    fetch, lines = FakeFetcher(), []
    data.download(data_dir=tmp_path, fetch=fetch, progress=lines.append)
    assert fetch.calls == ["https://example.invalid/alpha.jpg"]
    assert (tmp_path / "alpha.jpg").read_bytes() == PAYLOADS["alpha"]
    assert any("re-fetching corrupt alpha.jpg" in line for line in lines)


def test_download_refuses_wrong_bytes(tmp_path, fake_table):
    evil = b"not the image you are looking for"
    fetch = FakeFetcher({"alpha": evil, "beta": PAYLOADS["beta"]})
    with pytest.raises(DataError) as info:
        data.download(["alpha"], tmp_path, fetch=fetch, progress=None)
    message = str(info.value)
    assert fake_table["alpha"].sha256 in message and _sha(evil) in message
    assert fake_table["alpha"].url in message
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temp file


def test_download_keeps_the_old_file_when_refetch_is_wrong(tmp_path, fake_table):
    (tmp_path / "alpha.jpg").write_bytes(b"old corrupt bytes")
    fetch = FakeFetcher({"alpha": b"also wrong"})
    with pytest.raises(DataError):
        data.download(["alpha"], tmp_path, fetch=fetch, progress=None)
    assert (tmp_path / "alpha.jpg").read_bytes() == b"old corrupt bytes"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "failure",
    [
        urllib.error.URLError("Name or service not known"),
        TimeoutError("timed out"),
        ConnectionResetError(),
    ],
)
def test_network_failure_is_one_clear_error(tmp_path, fake_table, failure):
    def broken(url: str) -> bytes:
        raise failure

    with pytest.raises(DataError) as info:
        data.download(data_dir=tmp_path, fetch=broken, progress=None)
    message = str(info.value)
    assert "https://example.invalid/alpha.jpg" in message
    assert "by hand" in message and str(tmp_path) in message
    assert isinstance(info.value, GatysError)
    assert _leftovers(tmp_path) == [] and not (tmp_path / "alpha.jpg").exists()


def test_failed_write_leaves_no_temp_file(tmp_path, fake_table, monkeypatch):
    def failing_replace(src, dst):
        raise PermissionError("read-only")

    monkeypatch.setattr(data.os, "replace", failing_replace)
    with pytest.raises(DataError, match="writable"):
        data.download(["alpha"], tmp_path, fetch=FakeFetcher(), progress=None)
    assert list(tmp_path.iterdir()) == []


def test_default_fetcher_is_used_and_respects_gatys_data(tmp_path, fake_table, monkeypatch):
    fetch = FakeFetcher()
    monkeypatch.setattr(data, "fetch_url", fetch)
    monkeypatch.setenv("GATYS_DATA", str(tmp_path))
    data.download(progress=None)
    assert len(fetch.calls) == 2
    assert data.verify("alpha") and data.verify("beta")


# --------------------------------------------------------------------------------------------
# Command line


def test_main_downloads_and_exits_0(tmp_path, fake_table, monkeypatch, capsys):
    fetch = FakeFetcher()
    monkeypatch.setattr(data, "fetch_url", fetch)
    assert data.main(["--dir", str(tmp_path)]) == 0
    assert len(fetch.calls) == 2
    assert len(capsys.readouterr().out.strip().splitlines()) == 2
    assert data.main(["--dir", str(tmp_path), "--verify"]) == 0
    assert len(fetch.calls) == 2  # nothing fetched again


def test_main_verify_reports_missing_and_corrupt(tmp_path, fake_table, capsys):
    (tmp_path / "alpha.jpg").write_bytes(b"corrupt")
    assert data.main(["--dir", str(tmp_path), "--verify"]) == 1
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("corrupt") and lines[1].startswith("missing")
    assert "make data" in captured.err
    assert list(tmp_path.iterdir()) == [tmp_path / "alpha.jpg"]  # --verify downloads nothing


def test_main_network_failure_exits_1_without_traceback(tmp_path, fake_table, monkeypatch, capsys):
    def broken(url: str) -> bytes:
        raise urllib.error.URLError("offline")

    monkeypatch.setattr(data, "fetch_url", broken)
    assert data.main(["--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "https://example.invalid/alpha.jpg" in err and "Traceback" not in err
