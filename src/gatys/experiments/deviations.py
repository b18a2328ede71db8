"""Every way this study departs from the paper's text, as data: what the paper says, what runs
here, the switch that restores or changes it, the source of our choice and the evidence.

docs/deviations.md is generated from :data:`DEVIATIONS` (``python -m gatys.experiments.deviations
--write``); tests/test_deviations.py checks that the page is current, that every switch names a
setting the API or the command line has, and that every evidence file exists.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Deviation:
    name: str
    paper: str  # what the paper says (or leaves open)
    here: str  # what the package does by default
    switch: str  # the API setting / command-line flag / environment variable that changes it
    source: str  # why: the authors' code, a measurement, a constraint of this machine
    evidence: str  # a file of this repository that shows it


DEVIATIONS: tuple[Deviation, ...] = (
    Deviation("layers after the ReLU", "conv4_2 (content), conv1_1 … conv5_1 (style)",
              "relu4_2 and relu1_1 … relu5_1", "content_layers / style_layers "
              "(--content-layers, --style-layers)",
              "the authors' code takes the features after the ReLU",
              "notebooks/09_other_layers.ipynb"),
    Deviation("how α/β is read", "eqs. 1, 4, 5, 7 literally: ½ Σ content, E_l with 1/(4N²M²), "
              "w_l = 1/5", "the authors' constants for the normalised network: MSE content, "
              "w_l = 1/5 on MSE(G/M)", "convention (--convention paper)",
              "leongatys/NeuralImageSynthesis BasicStyleTransfer.ipynb, model norm_pad",
              "docs/conventions.md"),
    Deviation("α/β from white noise", "1e-3 (Fig. 2: 1e-3 … 5e-3 per painting)",
              "0.1, the printed ratio × 100; the figures run each printed ratio × 100",
              "ratio (--ratio)", "calibrated from the paper's white-noise start at 256 px",
              "notebooks/06_alpha_beta_calibration.ipynb"),
    Deviation("normalisation set", "VGG normalised over ImageNet",
              "over the content and style images (the command line and API) or the paper's "
              "six images (the figures)", "normalise (--no-normalise)",
              "the authors' normalised weights are not available here",
              "notebooks/10_pooling_and_normalisation.ipynb"),
    Deviation("gain limit", "no limit", "a channel's gain at most 10× its layer's median",
              "gain_limit of gatys.core.normalisation.normalise",
              "a near-silent channel otherwise gets a 3,000× gain over two images",
              "docs/conventions.md"),
    Deviation("style image of another size", "eq. 4 assumes the style image has x's size",
              "each Gram divided by its own number of positions", "style_scale (--style-scale)",
              "keeps a painting's strength independent of its size and aspect ratio",
              "src/gatys/core/losses.py"),
    Deviation("the start's amplitude", "white noise (amplitude not given)",
              "Gaussian noise, std 1/255 around the mean pixel", "init (--init)",
              "the authors' code", "notebooks/05_content_layer_and_init.ipynb"),
    Deviation("the optimiser's history", "L-BFGS (history not given)",
              "100 pairs, a strong-Wolfe line search, the objective divided by its start value",
              "history_size (--history-size)", "the authors' code (torch7 optim.lbfgs, "
              "nCorrection 100); the scaling keeps Caffe's 0..255 features stable",
              "src/gatys/core/optimize.py"),
    Deviation("the network's arithmetic", "float32 (Caffe)",
              "bfloat16 for the network's pass where it is measured faster; Gram matrices, "
              "losses and image float32; content reconstructions float32",
              "precision (--precision, $GATYS_PRECISION)", "halves a CPU iteration with "
              "bfloat16 arithmetic", "benchmarks/README.md"),
    Deviation("the committed figures' network", "VGG-19, normalised",
              "VGG-16 with the original Caffe weights (no VGG-19 weights here); VGG-19 by "
              "default for users", "$GATYS_MODEL (--model)",
              "this machine has no internet; the Caffe VGG-16 release is on disk",
              "docs/install.md"),
    Deviation("the committed figures' size", "512 px, about 500 iterations",
              "256 px on a CPU (reconstructions 150 iterations; the extensions 128 px); 512 px "
              "on a GPU", "PROFILE (make figures PROFILE=paper)",
              "a 2-core CPU's time", "src/gatys/experiments/recipes.py"),
    Deviation("how long a transfer panel runs", "a fixed budget (about 500 iterations)",
              "until its look has settled (every measure within 0.02 over 100 iterations) or "
              "stalled, at most the profile's settle_budget",
              "PROFILE (its settle_budget, gatys.experiments.recipes)",
              "a verdict taken at a fixed budget can reverse later",
              "src/gatys/experiments/settling.py"),
)


def markdown() -> str:
    """The register as a markdown table."""
    rows = ["| deviation | the paper | here | switch | why | evidence |",
            "|---|---|---|---|---|---|"]
    rows += [f"| {d.name} | {d.paper} | {d.here} | `{d.switch}` | {d.source} | "
             f"[{Path(d.evidence).name}](../{d.evidence}) |" for d in DEVIATIONS]
    return "\n".join(rows)


BEGIN, END = "<!-- deviations: begin -->", "<!-- deviations: end -->"


def write(path: Path) -> None:
    """Put the table between the markers of ``path``."""
    text = path.read_text()
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    path.write_text(text[:start] + "\n" + markdown() + "\n" + text[stop:])


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m gatys.experiments.deviations --write")
    from gatys.io.settings import project_root

    write(project_root() / "docs" / "deviations.md")
