"""gatys: a reproduction of Gatys, Ecker & Bethge, "A Neural Algorithm of Artistic Style".

The package is layered, each layer importing only those below it (tests/test_layers.py):
:mod:`gatys.io` (files, images, settings from the environment) ← :mod:`gatys.core` (the paper:
:mod:`~gatys.core.vgg`, :mod:`~gatys.core.losses` one function per equation,
:mod:`~gatys.core.objective`, :mod:`~gatys.core.optimize`, :mod:`~gatys.core.config` the one
settings object) ← :mod:`gatys.controls` (beyond the paper) ← :mod:`gatys.api` (style transfer,
the reconstructions, coarse to fine) ← :mod:`gatys.experiments` (the figures) ← :mod:`gatys.ui`
(the command line, the walkthrough's widgets, the app).

The names below are imported on first use (PEP 562), so that ``import gatys`` and the command
line's checks do not wait for torch: ``from gatys import style_transfer`` works as usual.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "gatys.io.errors": ("GatysError", "ImageError", "LayerError", "SettingError", "WeightsError"),
    "gatys.io.images": ("load_image", "load_mask", "save_image"),
    "gatys.core.losses": ("content_loss", "gram_matrix", "style_layer_loss", "style_loss",
                          "total_loss", "total_variation"),
    "gatys.core.normalisation": ("normalised_vgg",),
    "gatys.api.pyramid": ("coarse_to_fine",),
    "gatys.core.config": ("TransferSettings",),
    "gatys.core.objective": ("Objective",),
    "gatys.core.optimize": ("SynthesisResult", "synthesize"),
    "gatys.api.transfer": ("make_objective", "reconstruct_content", "style_transfer",
                            "synthesize_texture"),
    "gatys.core.vgg": ("VGGFeatures", "layer_names"),
    "gatys.core.weights": ("load_vgg", "parse_model"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [name for names in _EXPORTS.values() for name in names]


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'gatys' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
