"""One frozen settings object for a synthesis, and the one check of each value in it.

:class:`TransferSettings` holds every setting of a transfer with its default from
:mod:`gatys.core.defaults`. The API builds it from keyword arguments (``style_transfer(...,
ratio=0.3)``) or takes it whole (``settings=``); the command line maps its flags onto the same
fields. Each value is checked once, by :func:`check`, whose message names the setting both ways
(``ratio (--ratio)``), so a bad value reads the same from Python and from the shell. Layer names
need the network (:func:`gatys.core.architecture.validate_layers`), the number of style weights
the number of styles (:meth:`TransferSettings.for_styles`).

Nothing here imports torch: the command line checks its settings before the import.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from gatys.core import defaults
from gatys.core.conventions import LOSS_CONVENTIONS, blend_weights
from gatys.io.errors import SettingError


def _whole(least: int) -> Callable[[Any], bool]:
    return lambda value: (isinstance(value, int) and not isinstance(value, bool)
                          and value >= least)


def _positive(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and value > 0)


def _at_least_zero(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and value >= 0)


def _one_of(names) -> Callable[[Any], bool]:
    return lambda value: value in names


def _start(value: Any) -> bool:
    """A start by name or an existing file; an image or tensor is checked when it is read."""
    if not isinstance(value, str):
        return True
    return value in defaults.INITS or Path(value).is_file()


def _layers(value: Any) -> bool:
    return (isinstance(value, (list, tuple)) and len(value) > 0
            and all(isinstance(name, str) and name for name in value))


# setting: (its flag, whether a value is good, what a good value is)
RULES: dict[str, tuple[str, Callable[[Any], bool], str]] = {
    "size": ("--size", lambda value: value is None or _whole(1)(value),
             "must be a whole number of pixels, at least 1"),
    "style_scale": ("--style-scale", _positive, "must be a positive finite number"),
    "ratio": ("--ratio", _positive, "must be a positive finite number (alpha/beta)"),
    "content_layers": ("--content-layers", _layers, "must name at least one layer"),
    "style_layers": ("--style-layers", _layers, "must name at least one layer"),
    "convention": ("--convention", lambda value: value is None or value in LOSS_CONVENTIONS,
                   f"must be one of {', '.join(LOSS_CONVENTIONS)}"),
    "init": ("--init", _start,
             f"must be {', '.join(defaults.INITS)} or an existing image file"),
    "seed": ("--seed", lambda value: isinstance(value, int) and not isinstance(value, bool),
             "must be a whole number"),
    "preserve_colour": ("--preserve-colour", _one_of((None, *defaults.COLOUR_METHODS)),
                        f"must be one of {', '.join(defaults.COLOUR_METHODS)}"),
    "tv_weight": ("--tv-weight", _at_least_zero, "must be a finite number >= 0"),
    "optimizer": ("--optimizer", _one_of(defaults.OPTIMIZERS),
                  f"must be one of {', '.join(defaults.OPTIMIZERS)}"),
    "iterations": ("--iterations", _whole(1), "must be a whole number, at least 1"),
    "learning_rate": ("--learning-rate", lambda value: value is None or _positive(value),
                      "must be a positive finite number"),
    "history_size": ("--history-size", _whole(1), "must be a whole number, at least 1"),
    "refine_iterations": ("--refine-iterations", _whole(1), "must be a whole number, at least 1"),
    "precision": ("--precision", _one_of((None, *defaults.PRECISIONS)),
                  f"must be one of {', '.join(defaults.PRECISIONS)}"),
    "layout": ("--layout", _one_of((None, *defaults.LAYOUTS)),
               f"must be one of {', '.join(defaults.LAYOUTS)}"),
    "pooling": ("--pooling", _one_of(defaults.POOLINGS),
                f"must be one of {', '.join(defaults.POOLINGS)}"),
}


def check(name: str, value: Any) -> Any:
    """``value`` if it is a good value of setting ``name``, else one :class:`SettingError`
    naming the setting as the API and the command line spell it."""
    flag, good, rule = RULES[name]
    if not good(value):
        raise SettingError(f"{name} ({flag}) {rule}, got {value!r}")
    return value


@dataclass(frozen=True)
class TransferSettings:
    """Every setting of a transfer, content or style reconstruction, checked once when built."""

    size: int | None = defaults.SIZE  # long side of the result; None keeps the content's
    style_scale: float = 1.0  # the styles' long side relative to the result's (the paper: 1)
    ratio: float = defaults.RATIO  # α/β, read under `convention`
    content_layers: tuple[str, ...] = defaults.CONTENT_LAYERS
    style_layers: tuple[str, ...] = defaults.STYLE_LAYERS
    style_blend: tuple[float, ...] | None = None  # one weight per style (None: equal)
    style_layer_weights: dict[str, float] | None = None  # w_l (None: the convention's)
    convention: str | None = None  # None: the recipe of the network in use
    init: Any = defaults.INIT  # a start by name, an image file, a Pillow image or a tensor
    seed: int = 0  # of a noise start
    preserve_colour: str | None = None  # beyond the paper: luminance or histogram
    style_layers_per_style: tuple[tuple[str, ...] | None, ...] | None = None
    tv_weight: float = 0.0  # not in the paper: 0 is off
    optimizer: str = defaults.OPTIMIZER
    iterations: int = defaults.ITERATIONS
    learning_rate: float | None = None  # None: the optimizer's own (1 for L-BFGS, 0.02 Adam)
    history_size: int = defaults.HISTORY_SIZE
    precision: str | None = None  # None: $GATYS_PRECISION, else auto (gatys.core.route)
    layout: str | None = None  # None: $GATYS_LAYOUT, else auto
    pooling: str = defaults.POOLING  # of the default network, when none is given
    normalise: bool = defaults.NORMALISED  # the default network normalised over the images

    def __post_init__(self) -> None:
        for field in fields(self):
            if field.name in RULES:
                check(field.name, getattr(self, field.name))
        for name in ("content_layers", "style_layers"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.style_blend is not None:
            object.__setattr__(self, "style_blend", tuple(float(w) for w in self.style_blend))
        if self.style_layers_per_style is not None:
            object.__setattr__(self, "style_layers_per_style", tuple(
                None if group is None else tuple(group) for group in self.style_layers_per_style))

    @classmethod
    def of(cls, settings: TransferSettings | None = None, **changes: Any) -> TransferSettings:
        """``settings`` (default: the defaults) with ``changes``; a name that is no setting is
        refused with the list of those that are."""
        unknown = sorted(set(changes) - {field.name for field in fields(cls)})
        if unknown:
            raise SettingError(f"unknown setting(s) {', '.join(unknown)}; the settings are "
                               f"{', '.join(field.name for field in fields(cls))}")
        base = settings if settings is not None else cls()
        return base if not changes else cls(**{**base._values(), **changes})

    def _values(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def for_styles(self, count: int) -> list[float]:
        """The blend weights of ``count`` styles, after checking that every per-style setting
        has one entry per style."""
        groups = self.style_layers_per_style
        if groups is not None and len(groups) != count:
            raise SettingError(f"got style layers for {len(groups)} style image(s), but there "
                               f"are {count}; give one layer list (or None) per style image")
        return blend_weights(self.style_blend, count)

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON values, for histories and metrics files (a start given as an
        image is written as its kind)."""
        values = self._values()
        if not isinstance(self.init, str):
            values["init"] = f"<{type(self.init).__name__}>"
        return values
