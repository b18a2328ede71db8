"""Where the network's weights come from: one setting chooses.

A model is named ``ARCH[-SOURCE]`` (argument ``model``, flag ``--model`` or ``$GATYS_MODEL``):
``vgg19`` (the default) and ``vgg16`` are torchvision's ImageNet weights (hub cache, download; a
local file of that layout with ``weights`` / ``$GATYS_WEIGHTS``), ``-caffe`` and ``-caffe-bgr`` a
file of the Caffe weights, ``-random[:SEED]`` a random initialisation. The registry of names is
:data:`gatys.io.models.MODELS` (``gatys models`` lists it).

The ``caffe`` convention is RGB in 0..255 minus the per-channel means (123.68, 116.779, 103.939),
no division by a standard deviation; the first layer's input channels are in RGB order.
``-caffe-bgr`` names the layout of the Caffe weights as converted by Justin Johnson
(``vgg16-00b39a1b.pth``, ``vgg19-d01eb7cb.pth`` from jcjohnson/pytorch-vgg, used by many style
transfer tools): torchvision's key layout, but the first layer expects Caffe's own input, BGR in
0..255 minus (103.939, 116.779, 123.68). Its first-layer weights are flipped to RGB on loading,
after which it is exactly the ``caffe`` model.

Files are loaded with ``torch.load(..., weights_only=True)``: a pickle that would run code is
refused. A file holds a ``state_dict`` keyed like torchvision's ``features`` (``features.0.weight``
or ``0.weight``); classifier keys are ignored.
"""

from __future__ import annotations

import math
import os
import urllib.error
import warnings
from pathlib import Path

import torch

from gatys.io.errors import WeightsError
from gatys.io.models import (  # noqa: F401 - the model names, re-exported
    DEFAULT_MODEL, SOURCES, ModelSpec, check_weights_file, parse_model,
)
from gatys.core.vgg import VGGFeatures, build_features
from gatys.io.settings import MODEL_ENV, WEIGHTS_ENV, resolve_device

def load_vgg(
    model: str | ModelSpec | None = None,
    weights: str | os.PathLike | None = None,
    pooling: str = "avg",
    device: str | torch.device | None = None,
) -> VGGFeatures:
    """A frozen :class:`VGGFeatures` with the weights the settings name, on ``device``."""
    spec = model if isinstance(model, ModelSpec) else parse_model(model, weights)
    device = resolve_device(device)
    if spec.source == "random":
        state_dict = random_state_dict(spec.arch, spec.seed)
    elif spec.source == "file":
        state_dict = load_state_dict_file(spec.path, spec.arch)
        if spec.channel_order == "bgr":
            state_dict = flip_input_channels(state_dict)
    else:
        state_dict = torchvision_state_dict(spec.arch)
    return VGGFeatures(spec.arch, pooling, spec.convention, state_dict, spec=spec).to(device)


def random_state_dict(arch: str, seed: int = 0) -> dict[str, torch.Tensor]:
    """He-normal convolution weights (std = sqrt(2 / fan_out)) and zero biases, from ``seed``.

    The same initialisation torchvision gives an untrained VGG, made reproducible.
    """
    generator = torch.Generator().manual_seed(seed)
    state_dict = {}
    for key, tensor in build_features(arch).state_dict().items():
        if key.endswith("weight"):
            fan_out = tensor.shape[0] * tensor.shape[2] * tensor.shape[3]
            state_dict[key] = torch.randn(tensor.shape, generator=generator) * math.sqrt(2 / fan_out)
        else:
            state_dict[key] = torch.zeros_like(tensor)
    return state_dict


def torchvision_state_dict(arch: str) -> dict[str, torch.Tensor]:
    """torchvision's ImageNet weights for ``arch`` from the hub cache, downloading if needed."""
    from torchvision import models

    enum = {"vgg16": models.VGG16_Weights, "vgg19": models.VGG19_Weights}[arch]
    url = enum.IMAGENET1K_V1.url
    cached = Path(torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1]
    for attempt in (1, 2):
        try:
            full = torch.hub.load_state_dict_from_url(
                url, progress=True, check_hash=True, map_location="cpu", weights_only=True
            )
            break
        except (urllib.error.URLError, OSError) as exc:
            raise WeightsError(
                f"could not get torchvision's {arch} ImageNet weights ({exc.__class__.__name__}: "
                f"{exc}); offline, point ${WEIGHTS_ENV} (or --weights) at a local weights file "
                f"and name its convention in ${MODEL_ENV} (e.g. {MODEL_ENV}=vgg16-caffe "
                f"{WEIGHTS_ENV}=/path/vgg16-imagenet-caffe.pth), or put {cached.name} into "
                f"{cached.parent}"
            ) from exc
        except Exception as exc:  # noqa: BLE001 - a damaged cached file: fetch it again, once
            if attempt == 2 or not cached.is_file():
                raise WeightsError(
                    f"torchvision's {arch} weights could not be read ({exc}); delete {cached} "
                    f"and run again to download them afresh"
                ) from exc
            warnings.warn(f"the cached weights {cached} are damaged; downloading them again",
                          RuntimeWarning, stacklevel=2)
            cached.unlink()
    return features_state_dict(full, arch, f"torchvision's {arch} weights")


def load_state_dict_file(path: str | os.PathLike, arch: str) -> dict[str, torch.Tensor]:
    """The ``features`` weights of ``arch`` from the file at ``path``, checked key by key."""
    path = check_weights_file(path)
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch raises many types for a bad file
        reason = (
            "it holds objects other than tensors, and loading it could run code"
            if "weights_only" in str(exc) or "Unsupported global" in str(exc)
            else "it is truncated, corrupt or not a PyTorch file"
        )
        raise WeightsError(
            f"cannot load weights file {path}: {reason}; use a plain state_dict saved with "
            f"torch.save(model.features.state_dict(), file)"
        ) from exc
    return features_state_dict(loaded, arch, str(path))


def features_state_dict(
    loaded: object, arch: str, origin: str
) -> dict[str, torch.Tensor]:
    """Keep the ``features`` tensors of a loaded dict, keyed ``"0.weight"``; check their shapes."""
    if isinstance(loaded, dict) and isinstance(loaded.get("state_dict"), dict):
        loaded = loaded["state_dict"]
    if not isinstance(loaded, dict) or not all(isinstance(v, torch.Tensor) for v in loaded.values()):
        raise WeightsError(f"{origin} is not a state_dict of tensors; save one with torch.save")
    stripped = {
        key.removeprefix("features."): value
        for key, value in loaded.items()
        if not key.startswith("classifier.")
    }
    expected = build_features(arch).state_dict()
    missing = [key for key in expected if key not in stripped]
    if missing:
        conv_count = sum(1 for key in stripped if key.endswith(".weight"))
        hint = {13: " (it looks like vgg16)", 16: " (it looks like vgg19)"}.get(conv_count, "")
        raise WeightsError(
            f"{origin} lacks {len(missing)} {arch} tensor(s), e.g. features.{missing[0]}; it holds "
            f"{conv_count} convolution weights{hint}; name the right architecture in --model / "
            f"${MODEL_ENV}"
        )
    for key, tensor in expected.items():
        if stripped[key].shape != tensor.shape:
            raise WeightsError(
                f"{origin}: features.{key} has shape {tuple(stripped[key].shape)}, {arch} needs "
                f"{tuple(tensor.shape)}; is the file for another network?"
            )
    return {key: stripped[key].float() for key in expected}


def flip_input_channels(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The same weights with the first layer's input channels reversed (BGR <-> RGB).

    A first layer made for BGR input minus the BGR means computes, on RGB input minus the RGB
    means, exactly what the flipped layer computes: the per-channel means are the same numbers.
    """
    flipped = dict(state_dict)
    flipped["0.weight"] = state_dict["0.weight"].flip(1)
    return flipped
