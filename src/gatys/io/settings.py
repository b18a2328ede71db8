"""The environment settings every tool, notebook and CI run agree on.

| variable        | meaning                                             | example                    |
|-----------------|-----------------------------------------------------|----------------------------|
| ``GATYS_MODEL`` | network and where its weights come from (weights.py) | ``vgg19``, ``vgg16-caffe`` |
| ``GATYS_WEIGHTS`` | a local weights file for that network             | ``/data/vgg16-caffe.pth``  |
| ``GATYS_DATA``  | the directory holding the paper's images            | ``~/gatys-data``           |
| ``GATYS_DEVICE`` | ``cpu``, ``cuda``, ``cuda:1``, ``mps``             | ``cuda``                   |
| ``GATYS_PRECISION`` | the network pass's arithmetic: ``auto``, ``fp32``, ``bf16`` (core/route.py) | ``fp32`` |
| ``GATYS_LAYOUT`` | its memory layout: ``auto``, ``channels-last``, ``contiguous`` | ``auto`` |
| ``GATYS_CACHE`` | computed artefacts: channel means, finished panels  | ``build/cache``            |
| ``GATYS_PROGRESS`` | progress bars: ``auto``, ``text`` (plain, for logs and papermill), ``off`` | ``text`` |

Function arguments and command-line flags override them; unset means the default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from gatys.io.errors import SettingError

MODEL_ENV = "GATYS_MODEL"
WEIGHTS_ENV = "GATYS_WEIGHTS"
DATA_ENV = "GATYS_DATA"
DEVICE_ENV = "GATYS_DEVICE"
CACHE_ENV = "GATYS_CACHE"
PROGRESS_ENV = "GATYS_PROGRESS"

if TYPE_CHECKING:
    import torch


def from_env(name: str) -> str | None:
    """The value of environment variable ``name``, or None when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


DEVICE_KINDS = ("auto", "cpu", "cuda", "mps")


def device_kind(device: str | None = None) -> str:
    """The kind of device ``device`` (else ``$GATYS_DEVICE``, else ``auto``) names: ``auto``,
    ``cpu``, ``cuda`` or ``mps``; a name of no kind raises :class:`SettingError`. Without torch,
    so a misspelt device is refused before anything heavy is imported."""
    name = (device or from_env(DEVICE_ENV) or "auto").strip()
    kind, _, index = name.partition(":")
    if kind not in DEVICE_KINDS or (index and not (kind == "cuda" and index.isdigit())):
        raise SettingError(f"unknown device {name!r}; use cpu, cuda, cuda:N, mps or auto")
    return kind


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """The device to run on: ``device``, else ``$GATYS_DEVICE``, else CUDA, MPS or CPU.

    Raises :class:`SettingError` for a name torch does not know or a device this machine lacks.
    """
    import torch  # here, so that the environment settings can be read without importing torch

    if isinstance(device, torch.device):
        return device
    name = device or from_env(DEVICE_ENV)
    if name is None or name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        resolved = torch.device(name)
    except (RuntimeError, ValueError):
        raise SettingError(
            f"unknown device {name!r}; use cpu, cuda, cuda:N, mps or auto"
        ) from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise SettingError(f"device {name!r} asked for, but CUDA is not available here; use cpu")
    if resolved.type == "cuda" and resolved.index is not None:
        if resolved.index >= torch.cuda.device_count():
            raise SettingError(
                f"device {name!r} asked for, but only {torch.cuda.device_count()} CUDA device(s) exist"
            )
    if resolved.type == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise SettingError(f"device {name!r} asked for, but MPS is not available here; use cpu")
    if resolved.type not in ("cpu", "cuda", "mps"):
        raise SettingError(f"device type {resolved.type!r} is not supported; use cpu, cuda or mps")
    return resolved


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """Where the paper's images live, as an absolute path.

    ``path``, else ``$GATYS_DATA`` (a relative one is read from the working directory), else the
    checkout's ``data`` folder (where ``make data`` puts them; see :func:`project_root`), else
    ``./data`` when the package is not installed from a checkout. A notebook kernel running in
    ``notebooks/`` therefore finds the same folder as ``make data`` in the repository root.
    """
    chosen = path or from_env(DATA_ENV)
    if chosen is None:
        root = project_root()
        chosen = root / "data" if root is not None else Path("data")
    return Path(os.path.abspath(Path(chosen).expanduser()))


def project_root() -> Path | None:
    """The checkout this package runs from (the folder with its pyproject.toml), or None.

    Found from the package's own location (an editable install, the README's set-up), so the
    answer does not depend on the working directory a notebook kernel or a test happens to use.
    """
    for folder in Path(__file__).resolve().parents:
        if (folder / "pyproject.toml").is_file() and (folder / "src" / "gatys").is_dir():
            return folder
    return None


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    """Where computed artefacts are kept: ``path``, ``$GATYS_CACHE`` or ``~/.cache/gatys``."""
    chosen = path or from_env(CACHE_ENV) or Path.home() / ".cache" / "gatys"
    return Path(os.path.abspath(Path(chosen).expanduser()))
