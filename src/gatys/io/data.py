"""The paper's images: where they live, how to check them, and how to fetch them.

Gatys, Ecker & Bethge use one content photograph (the Neckarfront in Tübingen) and five artworks.
The files are not part of the repository; they live in the data directory named by
``$GATYS_DATA`` (default: the checkout's ``data`` folder, see :func:`gatys.io.settings.data_dir`).  Each file is checked
against a fixed SHA-256 so that every run uses exactly the same pixels.

``python -m gatys.io.data [--dir DIR] [--verify]`` (or ``make data``) downloads the missing ones, or
with ``--verify`` only checks what is there.  Offline, copy the files into the data directory by
hand.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import sys
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from gatys.io import settings
from gatys.io.errors import GatysError, ImageError, SettingError
from gatys.io.files import write_atomic
from gatys.io.images import load_image

__all__ = [
    "DOWNLOAD_TIMEOUT_S",
    "DataError",
    "PAPER_IMAGES",
    "PaperImage",
    "download",
    "image_path",
    "load_paper_image",
    "main",
    "missing",
    "sha256_of",
    "verify",
]

DOWNLOAD_TIMEOUT_S = 60
"""Seconds the default fetcher waits for a server before giving up."""

_CHUNK = 1 << 20
_JCJOHNSON = "https://raw.githubusercontent.com/jcjohnson/neural-style/master/examples/inputs/"
_UTTAM = (
    "https://raw.githubusercontent.com/uttam1216/stylization/"
    "d55a4b7ad8f6ce97480b92cdd33c44c3e64bbfab/images/style/"
)
_PUBLIC_DOMAIN = "public domain"

Fetcher = Callable[[str], bytes]


class DataError(GatysError, RuntimeError):
    """A paper image that could not be downloaded, or whose bytes are not the expected ones."""


@dataclass(frozen=True)
class PaperImage:
    """One of the paper's images: its file name, what it shows, its rights, source and checksum."""

    key: str
    filename: str
    title: str
    role: str  # "content" or "style"
    rights: str
    url: str
    sha256: str


def _entry(
    key: str, filename: str, title: str, role: str, rights: str, base: str, sha256: str
) -> tuple[str, PaperImage]:
    """A ``(key, PaperImage)`` pair whose URL is ``base`` + ``filename``."""
    return key, PaperImage(key, filename, title, role, rights, base + filename, sha256)


PAPER_IMAGES: dict[str, PaperImage] = dict(
    [
        _entry(
            "tubingen", "tubingen.jpg",
            "Neckarfront, Tübingen (photograph by Andreas Praefcke)", "content",
            "Wikimedia Commons, attribution required", _JCJOHNSON,
            "e67d1869f01fd805385c681a80d9ebcf0f70ea4a5fe6127f0606bb1c7f4bf506",
        ),
        _entry(
            "shipwreck", "shipwreck.jpg",
            "J. M. W. Turner, The Shipwreck of the Minotaur (c. 1810)", "style",
            _PUBLIC_DOMAIN, _JCJOHNSON,
            "4f7cf34e3cd4a5daaf3f421f059ca9a01aaa2a3afd7243d6670c9c8bc001a213",
        ),
        _entry(
            "starry_night", "starry_night.jpg",
            "Vincent van Gogh, The Starry Night (1889)", "style",
            _PUBLIC_DOMAIN, _JCJOHNSON,
            "0592ab0f7b51b3ce72608a95e53880bd93971e5b48f93a0ce8dfd3cbccf3d098",
        ),
        _entry(
            "the_scream", "the_scream.jpg",
            "Edvard Munch, The Scream (1893)", "style",
            _PUBLIC_DOMAIN, _JCJOHNSON,
            "f3075cddeb974a9ee1d6418f7f33fd05185a7ac7dcb4288bd2805d499a9dcaee",
        ),
        _entry(
            "seated_nude", "seated-nude.jpg",
            "Pablo Picasso, Femme nue assise (1910)", "style",
            "in copyright; research reproduction only", _JCJOHNSON,
            "f398757cfb5346842c3bc309ca65d03381b38b1f5f8d7c60abe68a804a405cf1",
        ),
        _entry(
            "composition_vii", "composition_vii.jpg",
            "Wassily Kandinsky, Composition VII (1913)", "style",
            _PUBLIC_DOMAIN, _UTTAM,
            "1a0d37c9922086273c31827d930cc4c608a3ae373c28406b0e806640a955727a",
        ),
    ]
)
"""The paper's six images by short key, in the order of the paper's figure."""


# --------------------------------------------------------------------------------------------
# Finding and checking


def paper_image(key: str) -> PaperImage:
    """The table entry for ``key``; :class:`SettingError` naming the valid keys if unknown."""
    try:
        return PAPER_IMAGES[key]
    except (KeyError, TypeError):
        raise SettingError(
            f"unknown paper image {key!r}; use one of {', '.join(PAPER_IMAGES)}"
        ) from None


def image_path(key: str, data_dir: str | os.PathLike | None = None) -> Path:
    """The path of image ``key`` in the data directory; :class:`ImageError` if it is missing."""
    entry = paper_image(key)
    directory = settings.data_dir(data_dir)
    path = directory / entry.filename
    if not path.is_file():
        raise ImageError(f'"{entry.filename}" is missing in the data directory "{directory}"; '
                         f"{fetch_hint(directory)}")
    return path


def missing(data_dir: str | os.PathLike | None = None) -> list[PaperImage]:
    """The paper's images that are not in the data directory (presence only, no checksum)."""
    directory = settings.data_dir(data_dir)
    return [entry for entry in PAPER_IMAGES.values() if not (directory / entry.filename).is_file()]


def fetch_hint(directory: Path) -> str:
    """How to fill ``directory`` with the paper's images, online or off."""
    return (f'online, run `python -m gatys.io.data --dir "{directory}"` (what `make data` runs for '
            f"the checkout's data folder); offline, copy the files from {_JCJOHNSON} and "
            f"{_UTTAM} there by hand, or set {settings.DATA_ENV} to a directory that holds them")


def load_paper_image(
    key: str, size: int | None = None, data_dir: str | os.PathLike | None = None
) -> torch.Tensor:
    """Image ``key`` as a float32 tensor ``(1, 3, H, W)`` in 0..1, long side ``size`` if given."""
    return load_image(image_path(key, data_dir), size=size)


def sha256_of(path: str | os.PathLike) -> str:
    """The SHA-256 of the file at ``path`` as lowercase hex, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify(key: str, data_dir: str | os.PathLike | None = None) -> bool:
    """True when image ``key`` is present in the data directory with the expected SHA-256."""
    entry = paper_image(key)
    path = settings.data_dir(data_dir) / entry.filename
    return path.is_file() and sha256_of(path) == entry.sha256


# --------------------------------------------------------------------------------------------
# Downloading


def fetch_url(url: str) -> bytes:
    """The bytes at ``url`` (the default fetcher), waiting at most :data:`DOWNLOAD_TIMEOUT_S`."""
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
        return response.read()


def _fetch_checked(entry: PaperImage, directory: Path, fetch: Fetcher) -> bytes:
    """The bytes of ``entry`` from its URL; :class:`DataError` on failure or a wrong checksum."""
    try:
        payload = fetch(entry.url)
    except (OSError, ValueError, http.client.HTTPException) as exc:  # URLError, timeouts too
        raise DataError(
            f"cannot download {entry.url} ({exc}); offline, copy {entry.filename} into "
            f'"{directory}" by hand'
        ) from exc
    actual = hashlib.sha256(payload).hexdigest()
    if actual != entry.sha256:
        raise DataError(
            f"downloaded {entry.url} has sha256 {actual}, expected {entry.sha256}; nothing was "
            f'written, so retry later or copy {entry.filename} into "{directory}" by hand'
        )
    return payload


def _write_atomic(path: Path, payload: bytes) -> None:
    try:
        write_atomic(path, lambda temp: temp.write_bytes(payload))
    except OSError as exc:
        raise DataError(
            f'cannot write "{path}" ({exc}); check that the data directory is writable'
        ) from exc


def _ensure_dir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(
            f'cannot create the data directory "{directory}" ({exc}); set '
            f"{settings.DATA_ENV} or --dir to a writable directory"
        ) from exc


def download(
    keys: Iterable[str] | None = None,
    data_dir: str | os.PathLike | None = None,
    *,
    fetch: Fetcher | None = None,
    progress: Callable[[str], object] | None = print,
) -> list[Path]:
    """Make sure images ``keys`` (default: all six) are in the data directory; return their paths.

    A file already present with the right SHA-256 is kept; a missing one is fetched, and a present
    one with a wrong SHA-256 (corrupt) is fetched again.  Downloaded bytes are checked *before*
    anything is written, and written atomically, so a file in the directory is either absent or
    the verified original.  ``fetch(url) -> bytes`` replaces the network (tests, mirrors);
    ``progress`` receives one line per image (``None`` for silence).

    Raises :class:`DataError` naming the URL when a download fails or its checksum is wrong.
    """
    entries = [paper_image(key) for key in (PAPER_IMAGES if keys is None else keys)]
    directory = settings.data_dir(data_dir)
    fetch = fetch or fetch_url
    say = progress or (lambda line: None)
    paths = []
    for entry in entries:
        path = directory / entry.filename
        if path.is_file():
            if sha256_of(path) == entry.sha256:
                say(f"ok           {entry.filename}")
                paths.append(path)
                continue
            say(f"re-fetching corrupt {entry.filename}")
        else:
            say(f"fetching     {entry.filename} from {entry.url}")
        payload = _fetch_checked(entry, directory, fetch)
        _ensure_dir(directory)
        _write_atomic(path, payload)
        paths.append(path)
    return paths


# --------------------------------------------------------------------------------------------
# Command line


def _verify_all(directory: Path) -> bool:
    """Print one line per image (ok / missing / corrupt); True when all are present and correct."""
    all_ok = True
    for entry in PAPER_IMAGES.values():
        path = directory / entry.filename
        if not path.is_file():
            status = "missing"
        elif sha256_of(path) != entry.sha256:
            status = "corrupt"
        else:
            status = "ok"
        all_ok = all_ok and status == "ok"
        print(f"{status:<8}{path}")
    return all_ok


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gatys.io.data [--dir DIR] [--verify]``: 0 when all six are present and verified."""
    parser = argparse.ArgumentParser(
        prog="python -m gatys.io.data",
        description="Download (or with --verify only check) the paper's images.",
    )
    parser.add_argument(
        "--dir", default=None,
        help=f"data directory (default: ${settings.DATA_ENV}, else the checkout's data/)",
    )
    parser.add_argument(
        "--verify", action="store_true", help="only check the files; download nothing"
    )
    args = parser.parse_args(argv)
    directory = settings.data_dir(args.dir)
    try:
        if args.verify:
            ok = _verify_all(directory)
        else:
            download(data_dir=directory)  # raises unless every file ends up verified
            ok = True
    except GatysError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not ok:
        print(f'error: some images in "{directory}" are missing or corrupt; '
              f"{fetch_hint(directory)}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
