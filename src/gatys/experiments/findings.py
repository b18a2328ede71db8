"""The notebooks' "What we found" tables, made from the committed metrics files, so that a
notebook, the README and ``figures/<name>.json`` cannot drift apart.

A table in a notebook's markdown sits between two comments (invisible on a code host) that say
where it comes from: the metrics file and which part of it, optionally which columns::

    <!-- metrics fig1_content_arxiv rows: layer | PSNR dB | SSIM -->
    | layer | PSNR dB | SSIM |
    ...
    <!-- end metrics -->

The part is ``rows`` or another list of rows in the file (``combination``), ``measures`` (a
measure-and-value table; columns pick top-level measures), or ``about`` (one line: network,
size, iterations, machine). :func:`stale` lists the tables of a notebook that differ from their
metrics file (the tests call it); after ``make figures``, :func:`refresh` rewrites them:

    python -m gatys.experiments.findings notebooks/*.ipynb
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

from gatys.experiments.plotting import markdown_table
from gatys.io.settings import project_root

BLOCK = re.compile(r"<!-- metrics (?P<spec>.+?) -->\n(?P<body>.*?)<!-- end metrics -->", re.S)
DIGITS = 3


def figures_dir() -> Path:
    """The committed figures: ``<checkout>/figures``, else ``./figures``."""
    return (project_root() or Path(".")) / "figures"


def load(name: str, folder: str | os.PathLike | None = None) -> dict:
    """The metrics file ``<folder>/<name>.json`` (default folder: :func:`figures_dir`)."""
    path = Path(folder or figures_dir()) / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no metrics file {path.resolve()}; run `make figures` first")
    return json.loads(path.read_text())


def table(rows: list[dict], columns: list[str] | None = None) -> str:
    """Rows as a markdown table of ``columns`` (default: all), three significant digits."""
    return markdown_table(rows, DIGITS, columns)


def _flatten(measures: dict, prefix: str = "") -> list[dict]:
    rows = []
    for key, value in measures.items():
        if isinstance(value, dict):
            rows += _flatten(value, f"{prefix}{key} / ")
        elif not isinstance(value, list):  # lists (e.g. a pyramid's levels) stay in the file
            rows.append({"measure": f"{prefix}{key}", "value": value})
    return rows


def about(metrics: dict) -> str:
    """One line on how a metrics file was made (a weights file by its name, not its path)."""
    settings, profile = metrics["settings"], metrics["profile"]
    size = settings.get("size", profile["size"])
    iterations = settings.get("iterations", profile["iterations"])
    network = re.sub(r"weights from \S*?([^/\s;]+);", r"weights \1;", metrics["network"])
    return (f"Measured by `make figures` (profile `{profile['name']}`: {size} px, {iterations} "
            f"L-BFGS iterations) on {network}; {metrics['machine']}, {metrics['device']}"
            f"{_routes(metrics.get('routes'))}; `figures/{metrics['figure']}.json`.")


def _routes(routes: list[dict | None] | None) -> str:
    """The panels' network-pass routes (gatys.core.route) in words, e.g. ", network pass in bf16
    (channels-last)"; nothing for files made before routes were recorded."""
    known = [route for route in routes or [] if route]
    if not known:
        return ""
    precisions = dict.fromkeys(route["precision"] for route in known)
    layouts = dict.fromkeys(route["layout"] for route in known)
    return f", network pass in {' and '.join(precisions)} ({' and '.join(layouts)})"


def render(spec: str, folder: str | os.PathLike | None = None) -> str:
    """The text a ``<!-- metrics SPEC -->`` block holds, from the metrics file it names."""
    head, _, columns_text = spec.partition(":")
    name, part = head.split()
    columns = [column.strip() for column in columns_text.split("|")] if columns_text else None
    metrics = load(name, folder)
    if part == "about":
        return about(metrics)
    if part == "measures":
        chosen = {key: metrics["measures"][key] for key in columns} if columns else metrics["measures"]
        return table(_flatten(chosen))
    return table(metrics[part], columns)


def _blocks(source: str, folder) -> str:
    return BLOCK.sub(lambda match: f"<!-- metrics {match['spec']} -->\n"
                                   f"{render(match['spec'], folder)}\n<!-- end metrics -->", source)


def stale(notebook: str | os.PathLike, folder: str | os.PathLike | None = None) -> list[str]:
    """The specs of ``notebook``'s metrics tables that differ from their metrics files."""
    import nbformat

    found = []
    for markdown in nbformat.read(notebook, as_version=4).cells:
        if markdown.cell_type == "markdown":
            for match in BLOCK.finditer(markdown.source):
                if match["body"].strip() != render(match["spec"], folder):
                    found.append(match["spec"])
    return found


def specs(notebook: str | os.PathLike) -> list[str]:
    """Every metrics block's spec in ``notebook``'s markdown."""
    import nbformat

    return [match["spec"] for markdown in nbformat.read(notebook, as_version=4).cells
            if markdown.cell_type == "markdown" for match in BLOCK.finditer(markdown.source)]


def refresh(notebook: str | os.PathLike, folder: str | os.PathLike | None = None) -> bool:
    """Rewrite ``notebook``'s metrics tables from their files; True if anything changed."""
    import nbformat

    book = nbformat.read(notebook, as_version=4)
    changed = False
    for markdown in book.cells:
        if markdown.cell_type == "markdown" and BLOCK.search(markdown.source):
            new = _blocks(markdown.source, folder)
            changed |= new != markdown.source
            markdown.source = new
    if changed:
        nbformat.write(book, notebook)
    return changed


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(f"{path}: {'refreshed' if refresh(path) else 'up to date'}")
