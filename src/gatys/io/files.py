"""Atomic file writes: a reader sees the old file or the complete new one, never a part."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call ``write(temporary_path)``, then rename the temporary file onto ``path``.

    The temporary file sits beside ``path`` (same file system, so the rename is atomic), keeps
    its suffix, so that writers choosing a format by extension still do, and gets the usual
    permissions (the umask's). It is synced to disk before the rename; on failure it is removed.
    This is the one atomic writer of the package: images, records, figures and downloads.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.stem}.{secrets.token_hex(6)}.tmp{path.suffix}")
    try:
        write(temp)
        with open(temp, "rb") as written:  # on disk before the rename makes it visible
            os.fsync(written.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path


def write_json(path: str | os.PathLike, data: object) -> Path:
    """``data`` as indented JSON at ``path``, atomically."""
    text = json.dumps(data, indent=1, default=str) + "\n"
    return write_atomic(path, lambda temp: temp.write_text(text))
