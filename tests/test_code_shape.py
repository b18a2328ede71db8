"""Functions a reader can hold in their head: none in the package is longer than 60 lines
(docstring included), so a long one is split into named steps rather than grown."""

import ast
from pathlib import Path

import gatys

LONGEST = 60


def _lengths(source: str):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.lineno, node.end_lineno - node.lineno + 1


def test_no_function_is_longer_than_sixty_lines():
    package = Path(gatys.__file__).parent
    long = [f"{path.relative_to(package)}:{line} {name} ({length} lines)"
            for path in sorted(package.rglob("*.py"))
            for name, line, length in _lengths(path.read_text()) if length > LONGEST]
    assert not long, f"split these into named steps: {long}"


def test_the_count_includes_the_docstring_and_nested_functions():
    body = "\n".join(f"    x{index} = {index}" for index in range(LONGEST - 2))
    source = f'def outer():\n    """Doc."""\n{body}\n    def inner():\n        pass\n'
    lengths = {name: length for name, _, length in _lengths(source)}
    assert lengths == {"outer": LONGEST + 2, "inner": 2}
