"""The package's layers point one way: io ← core ← controls ← api ← experiments ← ui.

A module may import its own subpackage and any lower one, never a higher one; the imports are
read from the source (inside functions too), so a late import cannot hide an upward edge.
"""

import ast
from pathlib import Path

import pytest

import gatys

LAYERS = ("io", "core", "controls", "api", "experiments", "ui")
PACKAGE = Path(gatys.__file__).parent


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) > 1:  # the package root (lazy exports, python -m gatys) sits above all
            yield path, parts[0]


def _imported_layers(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "gatys" and len(parts) > 1 and parts[1] in LAYERS:
                yield node.lineno, parts[1]


def test_every_subpackage_is_a_layer():
    assert {parts for _, parts in _modules()} == set(LAYERS)


@pytest.mark.parametrize("path,layer", list(_modules()),
                         ids=lambda value: value if isinstance(value, str) else
                         str(value.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_layer(path, layer):
    upward = [f"line {line}: gatys.{target}" for line, target in _imported_layers(path)
              if LAYERS.index(target) > LAYERS.index(layer)]
    assert not upward, f"{path.relative_to(PACKAGE)} ({layer}) imports higher layers: {upward}"


def test_the_walk_sees_an_upward_import(tmp_path):
    # The check itself can fail: a late import inside a function is found.
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from gatys.ui.cli import main\n")
    assert list(_imported_layers(module)) == [(2, "ui"), (2, "ui")]
