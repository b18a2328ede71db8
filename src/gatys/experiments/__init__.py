"""The paper's figures and their extensions: recipes (every figure's settings in one place),
one function per figure (figures, pros, beyond), the panel cache and the image measures.

Notebooks call ``experiments.setup(...)`` and then one figure function each; every figure
function is built by a :class:`Figure` (time it, take its panels from the cache, write the PNG
and the metrics file) and returns a :class:`FigureResult`.
"""

from gatys.experiments.figures import (  # noqa: F401
    Context,
    Figure,
    FigureResult,
    calibration,
    content_layer_choice,
    content_reconstructions,
    default_output_dir,
    five_styles,
    initialisation,
    setup,
    start_amplitude,
    style_reconstructions,
    tradeoff_grid,
    tradeoff_panel_path,
    transfer_panel,
)
