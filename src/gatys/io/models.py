"""Model names: which architecture, weights and input convention a ``--model`` setting means.

A model is named ``ARCH[-SOURCE]`` (see :mod:`gatys.io.weights` for the table). Resolving a name
needs no torch, so the command line checks it, and the layers it allows, before anything heavy
is imported; :func:`gatys.io.weights.load_vgg` then loads what the :class:`ModelSpec` names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gatys.core.architecture import ARCHITECTURES
from gatys.io.errors import SettingError, WeightsError
from gatys.io.settings import MODEL_ENV, WEIGHTS_ENV, from_env

DEFAULT_MODEL = "vgg19"
SOURCES = ("torchvision", "caffe", "caffe-bgr", "random")


@dataclass(frozen=True)
class ModelSpec:
    """A resolved model setting: architecture, weight source, convention, file and seed."""

    arch: str
    source: str  # "torchvision" (download/cache), "file" or "random"
    convention: str  # "torchvision" or "caffe"
    path: Path | None = None
    seed: int = 0
    channel_order: str = "rgb"  # of the file's first layer: "rgb" or "bgr" (flipped on loading)

    @property
    def description(self) -> str:
        """A one-line account of the weights, for metrics files and logs."""
        if self.source == "random":
            return f"{self.arch}, random weights (seed {self.seed})"
        if self.source == "file":
            order = ", first layer flipped from BGR" if self.channel_order == "bgr" else ""
            return f"{self.arch}, {self.convention} convention{order}, weights from {self.path}"
        return f"{self.arch}, torchvision ImageNet weights"


def parse_model(model: str | None = None, weights: str | os.PathLike | None = None) -> ModelSpec:
    """Resolve ``model`` and ``weights`` (or their environment settings) into a :class:`ModelSpec`."""
    name = (model or from_env(MODEL_ENV) or DEFAULT_MODEL).strip().lower()
    path = weights if weights is not None else from_env(WEIGHTS_ENV)
    arch, _, rest = name.partition("-")
    source, _, seed_text = rest.partition(":")
    source = source or "torchvision"
    if arch not in ARCHITECTURES or source not in SOURCES or (seed_text and source != "random"):
        raise SettingError(
            f"unknown model {name!r}; use vgg19, vgg16, vgg19-caffe, vgg16-caffe, "
            f"vgg16-caffe-bgr, vgg19-caffe-bgr, vgg19-random or vgg16-random[:SEED] "
            f"(flag --model or ${MODEL_ENV})"
        )
    if source == "random":
        try:
            seed = int(seed_text or 0)
        except ValueError:
            raise SettingError(f"the seed in model {name!r} must be an integer") from None
        return ModelSpec(arch, "random", "torchvision", seed=seed)
    if source.startswith("caffe") and path is None:
        example = "vgg16-00b39a1b.pth" if source == "caffe-bgr" else "vgg16-imagenet-caffe.pth"
        raise SettingError(
            f"model {name!r} needs a weights file: pass --weights FILE or set ${WEIGHTS_ENV} "
            f"(e.g. {example})"
        )
    if path is not None:
        convention, _, order = source.partition("-")
        return ModelSpec(arch, "file", convention, Path(path).expanduser(),
                         channel_order=order or "rgb")
    return ModelSpec(arch, "torchvision", "torchvision")


def check_weights_file(path: str | os.PathLike) -> Path:
    """``path`` as an absolute path if it is a file; :class:`WeightsError` naming the setting."""
    path = Path(path).expanduser().absolute()  # errors name the absolute path
    if path.is_dir():
        raise WeightsError(f"weights file {path} is a directory; name the .pth file in it "
                           f"(--weights / ${WEIGHTS_ENV})")
    if not path.is_file():
        raise WeightsError(f"weights file {path} does not exist; check --weights / "
                           f"${WEIGHTS_ENV}")
    return path
