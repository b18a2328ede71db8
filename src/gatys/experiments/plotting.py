"""Figures with matplotlib: image grids, loss curves, and markdown tables of the numbers."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import matplotlib

if not os.environ.get("DISPLAY") and "MPLBACKEND" not in os.environ:
    matplotlib.use("Agg")  # headless runs (make figures, CI) need no display

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from gatys.io.files import write_atomic  # noqa: E402


def _show(axis, image: torch.Tensor | None, title: str = "") -> None:
    axis.set_axis_off()
    if image is not None:
        axis.imshow(image.squeeze(0).permute(1, 2, 0).clamp(0, 1).cpu().numpy())
    if title:
        axis.set_title(title, fontsize=7)


def image_grid(
    rows: Sequence[Sequence[tuple[torch.Tensor | None, str]]],
    row_labels: Sequence[str] | None = None,
    panel_size: float = 1.8,
    title: str | None = None,
):
    """A grid of images; each cell is ``(image (1, 3, H, W) or None, caption)``."""
    n_rows, n_cols = len(rows), max(len(row) for row in rows)
    figure, axes = plt.subplots(n_rows, n_cols, squeeze=False,
                                figsize=(panel_size * n_cols, panel_size * n_rows * 0.9))
    for r, row in enumerate(rows):
        for c in range(n_cols):
            image, caption = row[c] if c < len(row) else (None, "")
            _show(axes[r][c], image, caption)
        if row_labels:
            axes[r][0].text(-0.08, 0.5, row_labels[r], transform=axes[r][0].transAxes,
                            rotation=90, va="center", ha="right", fontsize=7)
    if title:
        figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    return figure


def line_plot(x: Sequence[float] | None, series: dict[str, Sequence[float]], *,
              xlabel: str = "iteration", ylabel: str = "loss", log_x: bool = False,
              log_y: bool = True, title: str | None = None, marker: str | None = None):
    """One line per named series, against ``x`` (default: the index)."""
    figure, axis = plt.subplots(figsize=(5, 3.2))
    for name, values in series.items():
        axis.plot(x if x is not None else range(len(values)), values, label=name, marker=marker)
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    if log_x:
        axis.set_xscale("log")
    if log_y:
        axis.set_yscale("log")
    axis.legend(fontsize=7)
    if title:
        axis.set_title(title, fontsize=9)
    figure.tight_layout()
    return figure


def save_figure(figure, path: str | os.PathLike, dpi: int = 220) -> None:
    """Save ``figure`` atomically, in the format its suffix names.

    220 dpi draws a grid panel (1.8 in) at about 260 px, so the CPU profile's 256 px panels are
    shown at their own resolution."""
    write_atomic(path, lambda temp: figure.savefig(temp, dpi=dpi, format=temp.suffix[1:]))


def markdown_table(rows: Sequence[dict], digits: int = 4,
                   columns: Sequence[str] | None = None) -> str:
    """Rows as a markdown table of ``columns`` (default: the first row's keys), numbers to
    ``digits`` significant digits, booleans as yes/no, blanks (None, NaN, a column a row does
    not have) as —; a column no row has is a KeyError."""
    if not rows:
        return ""
    columns = list(columns or rows[0])
    present = {key for row in rows for key in row}
    missing = [column for column in columns if column not in present]
    if missing:
        raise KeyError(f"no column {', '.join(map(repr, missing))}; the rows have {sorted(present)}")

    def cell(value) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float):
            return f"{value:.{digits}g}"
        if isinstance(value, (list, tuple)):
            return ", ".join(cell(item) for item in value)
        return str(value)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(key)) for key in columns) + " |" for row in rows]
    return "\n".join(lines)


def feature_maps(features: dict[str, torch.Tensor], count: int = 6, panel_size: float = 1.3):
    """The first ``count`` feature maps of each layer in ``features`` ((1, N, H, W) each), a row
    per layer, each map scaled to its own range."""
    figure, axes = plt.subplots(len(features), count, squeeze=False,
                                figsize=(panel_size * count, panel_size * len(features)))
    for row, (layer, maps) in enumerate(features.items()):
        for column in range(count):
            axis = axes[row][column]
            axis.set_axis_off()
            axis.imshow(maps[0, column].detach().cpu().numpy(), cmap="magma")
            axis.set_title(f"{layer} #{column}", fontsize=7)
    figure.tight_layout()
    return figure


def gram_matrices(grams: dict[str, torch.Tensor], channels: int = 32):
    """Heat maps of Gram matrices ((1, N, N) each), the first ``channels`` maps of each."""
    figure, axes = plt.subplots(1, len(grams), squeeze=False, figsize=(2.6 * len(grams), 2.6))
    for axis, (name, gram) in zip(axes[0], grams.items()):
        axis.imshow(gram[0, :channels, :channels].detach().cpu().numpy(), cmap="viridis")
        axis.set_title(name, fontsize=8)
        axis.set_xticks([])
        axis.set_yticks([])
    figure.tight_layout()
    return figure
