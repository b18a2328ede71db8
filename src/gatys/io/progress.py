"""Progress bars that suit where they are shown: a terminal, a notebook or a log.

``tqdm.auto`` draws a widget in any Jupyter kernel, including one that papermill runs headless,
where each widget is stored in the executed notebook and never updates. ``$GATYS_PROGRESS``
chooses: ``text`` (plain text bars, what ``scripts/run_notebooks.py`` sets for its kernels),
``off``, or ``auto`` / unset (a widget in an interactive notebook, text elsewhere).
"""

from __future__ import annotations

from tqdm import std

from gatys.io.errors import SettingError
from gatys.io.settings import PROGRESS_ENV, from_env

MODES = ("auto", "text", "off")


def progress_mode() -> str:
    """``$GATYS_PROGRESS`` checked: ``auto`` (default), ``text`` or ``off``."""
    mode = (from_env(PROGRESS_ENV) or "auto").lower()
    if mode not in MODES:
        raise SettingError(f"{PROGRESS_ENV}={mode!r} is not a progress mode; set it to "
                           f"{', '.join(MODES[:-1])} or {MODES[-1]}, or unset it")
    return mode


def progress_class() -> type[std.tqdm]:
    """The tqdm class for this process: plain text unless ``auto`` picks a notebook widget."""
    if progress_mode() == "auto":
        from tqdm.auto import tqdm as auto_tqdm

        return auto_tqdm
    return std.tqdm


def progress_bar(total: int | None = None, *, disable: bool = False, **options) -> std.tqdm:
    """A tqdm bar over ``total`` steps of the right kind; ``$GATYS_PROGRESS=off`` disables it.

    Keyword ``options`` (``desc``, ``leave``, ``file``, ...) go to tqdm.
    """
    disable = disable or progress_mode() == "off"
    return progress_class()(total=total, disable=disable, **options)
