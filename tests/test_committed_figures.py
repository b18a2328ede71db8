"""The committed figures meet the paper's look: the acceptance of the paper's recipe, checked on
the metrics files `make figures` wrote beside the figures (no network is run here).

- arXiv Fig. 2 / CVPR Fig. 3, both ratio sets and the one-ratio set: every panel within the
  yardstick (gatys.experiments.measures.PAPERS_LOOK: deep texture ratio, relu1_1 ratio, scene);
  the panels that are not yet are listed, with their numbers, and fail strictly.
- arXiv Fig. 3 / CVPR Fig. 4, the trade-off grid: along each row (a layer set) a larger α/β keeps
  more of the photograph, so the texture ratio of the layers the row matches (1: as far from the
  painting as the photograph) and the scene SSIM both rise with α/β.
"""

from __future__ import annotations

import itertools

import pytest

from gatys.experiments import findings
from gatys.experiments.measures import DEEP_LAYERS, PAPERS_LOOK


def _rows(name: str) -> list[dict]:
    return findings.load(name)["rows"]


# Panels that miss the yardstick at the CPU profile (256 px, 150 iterations, printed ratio × 100):
# the arXiv 1e-4 paintings lose the scene at 0.01, and Shipwreck at 0.1 and The Scream at 0.5
# (CVPR's 5e-3) keep too little of the painting's deep statistics. Strict: a re-render that
# brings one of them into the yardstick fails here until it is taken off this list.
SHORT_OF_THE_LOOK = {
    ("arxiv", "shipwreck"): "deep texture 0.70 > 0.65 at α/β 0.1",
    ("arxiv", "seated_nude"): "scene 0.20 < 0.25 at α/β 0.01",
    ("arxiv", "composition_vii"): "scene 0.16 < 0.25 at α/β 0.01",
    ("cvpr", "shipwreck"): "deep texture 0.70 > 0.65 at α/β 0.1",
    ("cvpr", "the_scream"): "deep texture 0.78 > 0.65 at α/β 0.5",
}
PANELS = [(variant, style) for variant in ("arxiv", "cvpr", "one_ratio")
          for style in ("shipwreck", "starry_night", "the_scream", "seated_nude",
                        "composition_vii")]


@pytest.mark.parametrize(("variant", "style"), [
    pytest.param(variant, style, marks=pytest.mark.xfail(
        strict=True, reason=SHORT_OF_THE_LOOK[variant, style]))
    if (variant, style) in SHORT_OF_THE_LOOK else (variant, style)
    for variant, style in PANELS])
def test_every_five_styles_panel_has_the_papers_look(variant, style):
    rows = {row["style"]: row for row in _rows(f"fig2_five_styles_{variant}")}
    assert len(rows) == 5
    row = rows[style]
    assert row["deep texture"] <= PAPERS_LOOK.max_deep_texture, row
    assert row["texture relu1_1"] <= PAPERS_LOOK.max_fine_texture, row
    assert row["scene SSIM"] >= PAPERS_LOOK.min_scene, row
    assert row["paper's look"] is True, row


def test_the_tradeoff_grid_keeps_more_of_the_photograph_as_alpha_over_beta_grows():
    rows = _rows("fig3_tradeoff")
    by_layers = itertools.groupby(sorted(rows, key=lambda row: (row["layers"], row["ratio"])),
                                  key=lambda row: row["layers"])
    checked = 0
    for layers, row_group in by_layers:
        ordered = list(row_group)
        assert len(ordered) == 4, layers
        # The texture ratio of the layers the row matches: a row up to relu1_1 or relu2_1 asks
        # nothing of relu3_1 ... relu5_1, so there the finest layer's ratio says how painted it is.
        deepest = layers.split("..")[-1]
        texture = "deep texture" if deepest in DEEP_LAYERS else "texture relu1_1"
        for measure in (texture, "scene SSIM"):
            values = [row[measure] for row in ordered]
            assert values == sorted(values), (layers, measure, values)
        checked += 1
    assert checked == 5
