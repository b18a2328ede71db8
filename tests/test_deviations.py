"""The register of deviations from the paper: its page is current, its switches exist, its
evidence is in the repository."""

import re
from dataclasses import fields
from pathlib import Path

import pytest

from gatys.core.config import TransferSettings
from gatys.experiments import deviations
from gatys.ui.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


def _cli_flags() -> set[str]:
    transfer = build_parser()._subparsers._group_actions[0].choices["transfer"]
    return {flag for action in transfer._actions for flag in action.option_strings}


def test_the_page_is_the_register():
    text = (ROOT / "docs" / "deviations.md").read_text()
    start = text.index(deviations.BEGIN) + len(deviations.BEGIN)
    assert text[start:text.index(deviations.END)].strip() == deviations.markdown(), (
        "docs/deviations.md is out of date: run python -m gatys.experiments.deviations --write")


@pytest.mark.parametrize("deviation", deviations.DEVIATIONS, ids=lambda d: d.name)
def test_every_switch_exists_and_every_evidence_file_is_here(deviation):
    settings = {field.name for field in fields(TransferSettings)}
    flags, named = _cli_flags(), 0
    for word in re.findall(r"[\w$-]+", deviation.switch):
        if word.startswith("--"):
            assert word in flags, f"{deviation.name}: no flag {word}"
            named += 1
        elif word in settings:
            named += 1
        elif word == "gain_limit":
            import inspect

            from gatys.core.normalisation import normalise
            assert word in inspect.signature(normalise).parameters
            named += 1
    assert named or "$" in deviation.switch or "PROFILE" in deviation.switch, deviation.switch
    assert (ROOT / deviation.evidence).exists(), deviation.evidence


def test_a_switch_that_does_not_exist_is_seen():
    assert "--no-such-flag" not in _cli_flags() and "--ratio" in _cli_flags()
