"""The panel cache: keyed by every setting, resumable, never half-written."""

import json

import pytest
import torch

from gatys.experiments.recipes import PROFILES, profile
from gatys.experiments.panels import (FINGERPRINTED_SOURCES, PACKAGE, PanelCache, panel_key,
                                     source_fingerprint)
from gatys.core.optimize import History, SynthesisResult
from gatys.experiments.plotting import markdown_table

from helpers import synthetic_image


def fake_result(stop_reason="completed 2 iterations"):
    history = History([0, 1, 2], [0.0, 0.1, 0.2], [1, 2, 3],
                      [{"total": 3.0, "content": 3.0, "style": 0.0}] * 3)
    return SynthesisResult(synthetic_image(16, 16), history, stop_reason, 2)


def test_key_depends_on_every_setting_and_not_on_order():
    base = {"ratio": 1e-3, "layers": ["relu1_1"], "size": 128}
    assert panel_key(base) == panel_key(dict(reversed(list(base.items()))))
    for change in ({"ratio": 1e-4}, {"layers": ["relu2_1"]}, {"size": 129}, {"seed": 1}):
        assert panel_key({**base, **change}) != panel_key(base)


def test_a_finished_panel_is_reused(tmp_path):
    cache = PanelCache(tmp_path)
    calls = []

    def run():
        calls.append(1)
        return fake_result()

    first = cache.get_or_run({"a": 1}, run)
    second = cache.get_or_run({"a": 1}, run)
    third = cache.get_or_run({"a": 2}, run)
    assert calls == [1, 1]
    assert not first.cached and second.cached and not third.cached
    assert torch.equal(first.image, second.image)
    assert second.record["settings"] == {"a": 1} and second.seconds == pytest.approx(0.2)
    assert not list(tmp_path.glob(".*"))  # no temporary files left


def test_an_interrupted_panel_is_not_cached(tmp_path):
    cache = PanelCache(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        cache.get_or_run({"a": 1}, lambda: fake_result("interrupted after iteration 1"))
    assert list(tmp_path.iterdir()) == []


def test_a_panel_without_its_record_or_with_a_damaged_one_is_recomputed(tmp_path):
    cache = PanelCache(tmp_path)
    cache.get_or_run({"a": 1}, fake_result)
    image_path, record_path = cache.paths({"a": 1})
    record_path.unlink()
    assert cache.get({"a": 1}) is None
    cache.get_or_run({"a": 1}, fake_result)
    record_path.write_text("{not json")
    assert cache.get({"a": 1}) is None
    assert not cache.get_or_run({"a": 1}, fake_result).cached
    assert json.loads(record_path.read_text())["settings"] == {"a": 1}


def test_profiles():
    assert profile("auto", "cpu") is PROFILES["cpu"]
    assert profile("auto", "cuda") is PROFILES["paper"]
    assert PROFILES["paper"].size == 512 and PROFILES["paper"].iterations == 500
    with pytest.raises(ValueError, match="unknown profile"):
        profile("huge")


def test_markdown_table():
    table = markdown_table([{"layer": "relu1_1", "PSNR": 31.234567}, {"layer": "relu5_1", "PSNR": 12.0}])
    assert table.splitlines() == ["| layer | PSNR |", "|---|---|", "| relu1_1 | 31.23 |",
                                  "| relu5_1 | 12 |"]


def _package_copy(tmp_path):
    """A copy of the package's source files, to edit without touching the real ones."""
    copy = tmp_path / "gatys"
    for path in PACKAGE.rglob("*.py"):
        target = copy / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    return copy


@pytest.mark.parametrize("edited, counts", [
    ("core/losses.py", True), ("api/pyramid.py", True), ("experiments/recipes.py", True),
    ("io/images.py", True), ("core/weights.py", True),
    ("ui/cli.py", False), ("experiments/plotting.py", False), ("io/settings.py", False),
    ("experiments/context.py", True), ("experiments/variations.py", True),
    ("experiments/paper_figures.py", False), ("experiments/measures.py", True),
    ("experiments/settling.py", True),
])
def test_the_key_changes_with_the_code_that_computes_panels_only(tmp_path, edited, counts):
    copy = _package_copy(tmp_path)
    before = source_fingerprint(copy)
    assert before == source_fingerprint(PACKAGE)  # code and relative paths, not the location
    with open(copy / edited, "a") as file:
        file.write("\nEDITED = 1\n")
    after = source_fingerprint(copy)
    assert (after != before) == counts
    settings = {"ratio": 1e-3}
    assert (panel_key(settings, after) != panel_key(settings, before)) == counts


def test_comments_and_docstrings_do_not_count(tmp_path):
    """Rewording what the code says keeps the cache; changing what it computes does not."""
    copy = _package_copy(tmp_path)
    before = source_fingerprint(copy)
    path = copy / "core" / "losses.py"
    source = path.read_text()
    reworded = source.replace('"""', '"""Reworded. ', 1).replace("\n", "\n# a comment\n", 3)
    path.write_text(reworded)
    assert source_fingerprint(copy) == before
    path.write_text(source + "\nWEIGHT = 2\n")
    assert source_fingerprint(copy) != before


def test_a_new_module_in_core_counts_and_the_default_key_uses_this_package(tmp_path):
    copy = _package_copy(tmp_path)
    before = source_fingerprint(copy)
    (copy / "core" / "new_loss.py").write_text("WEIGHT = 2\n")
    assert source_fingerprint(copy) != before
    assert panel_key({"a": 1}) == panel_key({"a": 1}, source_fingerprint(PACKAGE))
    assert all(list(PACKAGE.glob(pattern)) for pattern in FINGERPRINTED_SOURCES)
