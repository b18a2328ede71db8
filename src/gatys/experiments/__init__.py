"""The paper's figures and their extensions: recipes (every figure's settings in one place), the
context every experiment shares (:mod:`~gatys.experiments.context`: network, profile, the one
panel factory and cache, how a figure is finished), one function per figure
(:mod:`~gatys.experiments.paper_figures`, :mod:`~gatys.experiments.variations`,
:mod:`~gatys.experiments.perceptual_controls`) and the measures of a result
(:mod:`~gatys.experiments.measures`).

Notebooks call ``experiments.setup(...)`` and then one figure function each; every figure
function collects its panels in a :class:`Figure` (time it, take its panels from the cache, write
the PNG and the metrics file) and returns a :class:`FigureResult`.
"""

from gatys.experiments.context import (  # noqa: F401
    Context,
    Figure,
    FigureResult,
    default_output_dir,
    setup,
)
from gatys.experiments.paper_figures import (  # noqa: F401
    calibration,
    content_layer_choice,
    content_reconstructions,
    five_styles,
    initialisation,
    start_amplitude,
    style_reconstructions,
    tradeoff_grid,
    tradeoff_panel_path,
    transfer_panel,
)
