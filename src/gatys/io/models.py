"""Model names: which architecture, weights and input convention a ``--model`` setting means.

A model is named ``ARCH[-SOURCE]`` (see :mod:`gatys.core.weights` for the table). Resolving a name
needs no torch, so the command line checks it, and the layers it allows, before anything heavy
is imported; :func:`gatys.core.weights.load_vgg` then loads what the :class:`ModelSpec` names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gatys.io.errors import SettingError, WeightsError
from gatys.io.settings import MODEL_ENV, WEIGHTS_ENV, from_env

DEFAULT_MODEL = "vgg19"
SOURCES = ("torchvision", "caffe", "caffe-bgr", "random")
# torchvision's file names in the hub cache (torchvision.models.VGG*_Weights.IMAGENET1K_V1).
TORCHVISION_FILES = {"vgg16": "vgg16-397923af.pth", "vgg19": "vgg19-dcbb9e9d.pth"}


@dataclass(frozen=True)
class ModelEntry:
    """One name ``--model`` / ``$GATYS_MODEL`` accepts: the registry every list of models reads
    (``gatys models``, ``gatys transfer --help``, the unknown-model error, the README's table)."""

    name: str
    arch: str
    source: str  # one of SOURCES
    weights: str  # where the weights come from, in words

    @property
    def convention(self) -> str:
        """The input convention: torchvision's mean/std in 0..1, or Caffe's 0..255 minus means."""
        return "caffe" if self.source.startswith("caffe") else "torchvision"


MODELS = tuple(
    entry for arch in ("vgg19", "vgg16") for entry in (
        ModelEntry(arch, arch, "torchvision",
                   f"torchvision's ImageNet weights (download; hub cache {TORCHVISION_FILES[arch]})"),
        ModelEntry(f"{arch}-caffe", arch, "caffe", "a file: the original Caffe release, RGB"),
        ModelEntry(f"{arch}-caffe-bgr", arch, "caffe-bgr",
                   f"a file: jcjohnson's Caffe conversion, BGR "
                   f"({'vgg16-00b39a1b.pth' if arch == 'vgg16' else 'vgg19-d01eb7cb.pth'})"),
        ModelEntry(f"{arch}-random", arch, "random", "random (He normal), seed 0 or :SEED"),
    )
)


def model_names() -> str:
    """Every model name, comma-separated, for messages and help."""
    return ", ".join(entry.name + ("[:SEED]" if entry.source == "random" else "")
                     for entry in MODELS)


def model_entry(name: str | None = None) -> ModelEntry:
    """The registry entry ``name`` (else ``$GATYS_MODEL``, else the default) names, ignoring a
    random model's seed; :class:`SettingError` listing every name."""
    chosen = (name or from_env(MODEL_ENV) or DEFAULT_MODEL).strip().lower()
    base, _, seed = chosen.partition(":")
    for entry in MODELS:
        if entry.name == base and (not seed or entry.source == "random"):
            return entry
    raise SettingError(f"unknown model {chosen!r}; use one of {model_names()} (flag --model or "
                       f"${MODEL_ENV}; `gatys models` lists them)")


def weights_present(entry: ModelEntry) -> str:
    """Whether ``entry``'s weights are on this machine, in words (for ``gatys models``)."""
    if entry.source == "random":
        return "yes (generated)"
    given = from_env(WEIGHTS_ENV)
    if given and Path(given).expanduser().is_file():
        return f"the file ${WEIGHTS_ENV} names: {given}"
    if entry.source == "torchvision":
        hub = Path(os.environ.get("TORCH_HOME") or Path.home() / ".cache" / "torch") / "hub"
        cached = hub / "checkpoints" / TORCHVISION_FILES[entry.arch]
        return f"yes ({cached})" if cached.is_file() else "no: downloaded on first use"
    return f"no: pass --weights FILE or set ${WEIGHTS_ENV}"


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
    entry = model_entry(name)
    path = weights if weights is not None else from_env(WEIGHTS_ENV)
    if entry.source == "random":
        seed_text = name.partition(":")[2]
        try:
            seed = int(seed_text or 0)
        except ValueError:
            raise SettingError(f"the seed in model {name!r} must be an integer") from None
        return ModelSpec(entry.arch, "random", "torchvision", seed=seed)
    if entry.source.startswith("caffe") and path is None:
        example = "vgg16-00b39a1b.pth" if entry.source == "caffe-bgr" else "vgg16-imagenet-caffe.pth"
        raise SettingError(
            f"model {name!r} needs a weights file: pass --weights FILE or set ${WEIGHTS_ENV} "
            f"(e.g. {example})"
        )
    if path is not None:
        convention, _, order = entry.source.partition("-")
        return ModelSpec(entry.arch, "file", convention, Path(path).expanduser(),
                         channel_order=order or "rgb")
    return ModelSpec(entry.arch, "torchvision", "torchvision")


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
