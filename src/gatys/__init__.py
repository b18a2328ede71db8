"""gatys: a reproduction of Gatys, Ecker & Bethge, "A Neural Algorithm of Artistic Style".

The modules map to the paper: :mod:`gatys.core.vgg` (the network and its layers), :mod:`gatys.core.losses`
(the equations), :mod:`gatys.core.objective` (the sum they make), :mod:`gatys.core.optimize` (the pixel optimisation), :mod:`gatys.api.transfer` (style
transfer, content and style reconstructions), with :mod:`gatys.core.weights`, :mod:`gatys.io.images`,
:mod:`gatys.io.settings` and :mod:`gatys.ui.cli` around them.

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
