"""Finished panels cached on disk, so an interrupted `make figures` resumes where it stopped.

A panel is one synthesis: its image (PNG) and a record (JSON) of its settings, final losses,
history and timing. The cache key is a hash of every setting that changes the result and of
the source code that computes panels (:func:`source_fingerprint`), so neither a changed setting
nor changed code reuses a stale panel; editing the CLI, plots, docs, docstrings or comments keeps
a long run's panels.

Safe to kill and to share: both files are written atomically (temporary file, then rename), the
record last, so a panel without its record is not finished; a killed run's temporary files are
removed when the cache is next opened; and a panel is computed under a lock of its own
(``.<key>.lock``, an advisory ``flock`` the system releases when its holder dies), so two runs
on one cache compute it once: the second waits and takes the first one's panel.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch

from gatys.core.optimize import SynthesisResult
from gatys.io.files import remove_stale_temporaries, write_json
from gatys.io.images import load_image, save_image

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: atomic writes alone (a panel may run twice)
    fcntl = None


@dataclass
class Panel:
    """A finished panel: the image as saved (8-bit, reloaded) and its record."""

    image: torch.Tensor
    record: dict
    cached: bool

    @property
    def settings(self) -> dict:
        """The :class:`~gatys.core.config.TransferSettings` it was made under, as a dict."""
        return self.record["settings"]["settings"]

    @property
    def names(self) -> dict:
        """What its key names besides the settings: the images, a start's or a mask's label."""
        return self.record["settings"]["names"]

    @property
    def final_losses(self) -> dict[str, float]:
        return self.record["history"]["losses"][-1]

    @property
    def seconds(self) -> float:
        return self.record["seconds"]

    @property
    def trace(self) -> list[dict]:
        """A settling run's measurements (:mod:`gatys.experiments.settling`); empty otherwise."""
        return self.record.get("trace", [])

    @property
    def settled(self) -> str:
        """Where a settling run stopped: ``"settled at N"``, ``"stalled at N"`` when the line
        search found no lower loss before the look settled, or ``"budget (N)"`` when its budget
        ended it first; ``"fixed (N)"`` for a run of a fixed length."""
        iterations, reason = self.record["iterations"], self.record["stop_reason"]
        if reason.startswith(("settled", "stalled", "converged")):
            return f"{reason.split()[0]} at {iterations}"
        return f"budget ({iterations})" if "settle" in self.names else f"fixed ({iterations})"


PACKAGE = Path(__file__).resolve().parents[1]
"""The installed ``gatys`` package directory."""

FINGERPRINTED_SOURCES = (
    "core/*.py", "controls/*.py", "api/*.py",
    "experiments/recipes.py", "experiments/context.py", "experiments/variations.py",
    "experiments/perceptual_controls.py", "experiments/panels.py",
    "experiments/settling.py", "experiments/measures.py",
    "io/images.py", "io/formats.py", "io/models.py", "io/data.py",
)
"""The package files (globs under :data:`PACKAGE`) whose code decides what a panel holds.

Not ``experiments/paper_figures.py`` or ``plotting.py``: the paper figures' panels are the API's
syntheses of exactly the settings in their key (:mod:`~gatys.experiments.context`), so a change to
how a figure is laid out does not throw away hours of finished panels (the variations and the
perceptual controls build network variants and masks of their own, so they count, and the
measures decide where a settling panel stops)."""


def code_of(source: str) -> str:
    """What a module computes, without what it says: its syntax tree with the docstrings left
    out (the parser drops comments), so rewording a docstring or a comment keeps the cache."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def source_fingerprint(package: Path = PACKAGE,
                       patterns: Sequence[str] = FINGERPRINTED_SOURCES) -> str:
    """A hash of the files ``patterns`` match under ``package``: their relative paths and code
    (:func:`code_of`)."""
    digest = hashlib.sha256()
    files = sorted({path for pattern in patterns for path in package.glob(pattern)})
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(code_of(path.read_text()).encode() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """:func:`source_fingerprint` of this package, computed once per process."""
    return source_fingerprint()


def panel_key(settings: dict, fingerprint: str | None = None) -> str:
    """A short hash of ``settings`` (JSON with sorted keys) and the code's ``fingerprint``
    (default: :func:`package_fingerprint`)."""
    text = json.dumps(settings, sort_keys=True, default=str)
    code = package_fingerprint() if fingerprint is None else fingerprint
    return hashlib.sha256(f"{code}\n{text}".encode()).hexdigest()[:24]


class PanelCache:
    """Panels under ``root``, one ``<key>.png`` and ``<key>.json`` each."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        remove_stale_temporaries(self.root)  # what a killed run was writing

    def paths(self, settings: dict) -> tuple[Path, Path]:
        key = panel_key(settings)
        return self.root / f"{key}.png", self.root / f"{key}.json"

    def get(self, settings: dict) -> Panel | None:
        image_path, record_path = self.paths(settings)
        if not (image_path.is_file() and record_path.is_file()):
            return None
        try:
            record = json.loads(record_path.read_text())
            return Panel(load_image(image_path), record, cached=True)
        except (ValueError, OSError):
            return None  # a damaged entry is recomputed

    def get_or_run(self, settings: dict, run: Callable[[], SynthesisResult]) -> Panel:
        """The cached panel for ``settings``, or run it, store it and return it."""
        cached = self.get(settings)
        if cached is not None:
            return cached
        with self._lock(panel_key(settings)):
            cached = self.get(settings)  # another run may have finished it while we waited
            if cached is not None:
                return cached
            return self._run_and_store(settings, run)

    @contextlib.contextmanager
    def _lock(self, key: str) -> Iterator[None]:
        """Hold ``.<key>.lock`` exclusively; removed on release, so a finished cache holds only
        panels. A waiter that wakes on a lock file already removed takes the new one."""
        if fcntl is None:
            yield
            return
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f".{key}.lock"
        while True:
            handle = open(path, "a")
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                same = os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            handle.close()  # the holder before us removed it: lock the file now there
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
            handle.close()

    def _run_and_store(self, settings: dict, run: Callable[[], SynthesisResult]) -> Panel:
        result = run()
        if result.interrupted:
            raise KeyboardInterrupt  # never cache a half-finished panel
        image_path, record_path = self.paths(settings)
        save_image(result.image, image_path)
        record = {
            "settings": json.loads(json.dumps(settings, default=str)),  # as a cached one reads
            "stop_reason": result.stop_reason,
            "iterations": result.iterations,
            "seconds": result.history.seconds[-1],
            "history": result.history.as_dict(),
            "levels": result.levels,  # a coarse-to-fine run's levels; empty otherwise
            "route": result.route.as_dict(),  # precision and layout of the network's pass
            "trace": result.trace,  # a stopping rule's measurements, if the run had one
        }
        write_json(record_path, record)
        return Panel(load_image(image_path), record, cached=False)
