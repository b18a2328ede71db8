"""Atomic file writes: a reader sees the old file or the complete new one, never a part.

A process killed while writing (SIGKILL, a power cut) leaves its temporary file behind; the name
carries the writer's process id, so :func:`remove_stale_temporaries` can tell a dead writer's
leftovers from a live writer's work in progress and remove only those.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from gatys.io.errors import SettingError


def write_atomic(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call ``write(temporary_path)``, then rename the temporary file onto ``path``.

    The temporary file sits beside ``path`` (same file system, so the rename is atomic), keeps
    its suffix, so that writers choosing a format by extension still do, and gets the usual
    permissions (the umask's). It is synced to disk before the rename; on failure it is removed.
    This is the one atomic writer of the package: images, records, figures and downloads.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.stem}.{os.getpid()}-{secrets.token_hex(6)}.tmp{path.suffix}")
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


_TEMPORARY = re.compile(r"^\..*\.(\d+)-[0-9a-f]{12}\.tmp(\.[^.]*)?$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def remove_stale_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Remove the temporary files of :func:`write_atomic` in ``folder`` (not below it) whose
    writer is no longer running; return them. Live writers' files are left alone."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    for path in folder.iterdir():
        match = _TEMPORARY.match(path.name)
        if match and path.is_file() and not _alive(int(match.group(1))):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def check_writable(path: str | os.PathLike, what: str, *, folder: bool = False,
                   example: str = "out.png") -> Path:
    """Refuse, with the reason and the fix, a ``path`` that cannot be written: a folder where a
    file is wanted (or the reverse), a file standing where a folder would have to be created, a
    folder without write permission. Nothing is created; returns the absolute path."""
    path = Path(path).expanduser().absolute()
    if path.exists():
        if folder and not path.is_dir():
            raise SettingError(f'{what} "{path}" is a file, not a folder; name a folder')
        if not folder and path.is_dir():
            raise SettingError(f'{what} "{path}" is a folder; name a file in it, e.g. '
                               f'"{path / example}"')
    ancestor = path if folder and path.is_dir() else path.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise SettingError(f'cannot write {what} "{path}": "{ancestor}" is a file, not a '
                           f'folder; choose another folder')
    if not os.access(ancestor, os.W_OK | os.X_OK) or (path.is_file()
                                                        and not os.access(path, os.W_OK)):
        raise SettingError(f'cannot write {what} "{path}": permission denied in '
                           f'"{ancestor}"; choose a folder you can write to')
    return path
