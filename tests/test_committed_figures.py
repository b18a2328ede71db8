"""The committed figures against the paper's look: the acceptance of the paper's recipe, checked
on the metrics files `make figures` wrote beside the figures (no network is run here).

- Every transfer panel of the paper's figures runs until its look has settled
  (gatys.experiments.settling) and its row says where it stopped ("settled at N", "stalled at
  N" or "budget (N)") and carries the feature scene term; the figures rendered before the rule and the term
  are listed (RENDERED_BEFORE_SETTLING), strictly: a re-render takes a figure off the list.
- Each row's recorded verdict is the yardstick's (gatys.experiments.measures.PAPERS_LOOK: deep
  texture ratio, relu1_1 ratio, scene between its bounds) applied to its own measures.
- arXiv Fig. 2 / CVPR Fig. 3, all three sets: every panel within the yardstick; the panels that
  are not are listed with their numbers, and fail strictly.
- arXiv Fig. 3 / CVPR Fig. 4, the trade-off grid: along each row (a layer set) a larger α/β keeps
  more of the photograph, so the texture ratio of the layers the row matches (1: as far from the
  painting as the photograph) and the scene both rise with α/β.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from gatys.experiments import findings
from gatys.experiments.measures import DEEP_LAYERS, PAPERS_LOOK, Look

FIGURES = Path(__file__).resolve().parents[1] / "figures"
TRANSFER_FIGURES = sorted(path.stem for path in FIGURES.glob("*.json")
                          if any("deep texture" in row
                                 for row in findings.load(path.stem).get("rows", [])))
# Rendered before the settling rule and the feature scene term: their rows have neither, their
# verdicts are the grey-SSIM yardstick's at a fixed budget, and they are re-rendered under both
# at the paper's 512 px.
RENDERED_BEFORE_SETTLING = {"fig2_five_styles_arxiv", "fig2_five_styles_cvpr",
                            "fig2_five_styles_one_ratio", "fig3_tradeoff"}


def _rows(name: str) -> list[dict]:
    return [row for row in findings.load(name)["rows"] if "deep texture" in row
            and row["deep texture"] is not None]


def _look(row: dict) -> Look:
    return Look(texture={"relu1_1": row["texture relu1_1"], "relu3_1": row["deep texture"]},
                scene=row["scene"])


@pytest.mark.parametrize("name", TRANSFER_FIGURES)
def test_every_transfer_panel_says_where_it_stopped_and_has_the_scene_term(name):
    rows = _rows(name)
    current = all("scene" in row and "stopped" in row for row in rows)
    if name in RENDERED_BEFORE_SETTLING:
        assert not current, f"{name} is re-rendered: take it off RENDERED_BEFORE_SETTLING"
        return
    assert current, f"{name}: a row without the scene term or the settling record"
    for row in rows:
        assert row["stopped"].startswith(("settled at ", "stalled at ", "converged at ",
                                          "budget (")), row
        assert f"{row['iterations']})" in row["stopped"] or row["stopped"].endswith(
            f" {row['iterations']}"), row


@pytest.mark.parametrize("name", sorted(set(TRANSFER_FIGURES) - RENDERED_BEFORE_SETTLING))
def test_each_rows_verdict_is_the_yardsticks_on_its_own_measures(name):
    for row in _rows(name):
        assert row["paper's look"] == _look(row).passes(PAPERS_LOOK), row


# Panels that miss the yardstick (printed ratio × 100): the arXiv 1e-4 paintings lose the scene
# at 0.01, and Shipwreck at 0.1 and The Scream at 0.5 (CVPR's 5e-3) keep too little of the
# painting's deep statistics. Strict: a re-render that brings one of them into the yardstick
# fails here until it is taken off this list.
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
    assert row["paper's look"] is True, row


def test_the_tradeoff_grid_keeps_more_of_the_scene_as_alpha_over_beta_grows():
    rows = _rows("fig3_tradeoff")
    scene = "scene" if "scene" in rows[0] else "scene SSIM"  # the grey SSIM before the term
    by_layers = itertools.groupby(sorted(rows, key=lambda row: (row["layers"], row["ratio"])),
                                  key=lambda row: row["layers"])
    checked = 0
    for layers, row_group in by_layers:
        ordered = list(row_group)
        assert len(ordered) == 4, layers
        # A row up to relu1_1 or relu2_1 asks nothing of relu3_1 ... relu5_1, so there the
        # finest layer's ratio says how painted it is.
        texture = "deep texture" if layers.split("..")[-1] in DEEP_LAYERS else "texture relu1_1"
        for measure in (texture, scene):
            values = [row[measure] for row in ordered]
            assert values == sorted(values), (layers, measure, values)
        checked += 1
    assert checked == 5
