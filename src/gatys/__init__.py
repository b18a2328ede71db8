"""gatys: a reproduction of Gatys, Ecker & Bethge, "A Neural Algorithm of Artistic Style".

The modules map to the paper: :mod:`gatys.core.vgg` (the network and its layers), :mod:`gatys.core.losses`
(the equations), :mod:`gatys.core.objective` (the sum they make), :mod:`gatys.core.optimize` (the pixel optimisation), :mod:`gatys.core.transfer` (style
transfer, content and style reconstructions), with :mod:`gatys.io.weights`, :mod:`gatys.io.images`,
:mod:`gatys.io.settings` and :mod:`gatys.ui.cli` around them.
"""

__version__ = "0.1.0"

from gatys.io.errors import GatysError, ImageError, LayerError, SettingError, WeightsError  # noqa: E402
from gatys.io.images import load_image, load_mask, save_image  # noqa: E402
from gatys.core.losses import (  # noqa: E402
    content_loss, gram_matrix, style_layer_loss, style_loss, total_loss, total_variation,
)
from gatys.core.normalisation import normalised_vgg  # noqa: E402
from gatys.controls.pyramid import coarse_to_fine  # noqa: E402
from gatys.core.objective import Objective  # noqa: E402
from gatys.core.optimize import SynthesisResult, synthesize  # noqa: E402
from gatys.core.transfer import (  # noqa: E402
    make_objective,
    reconstruct_content,
    style_transfer,
    synthesize_texture,
)
from gatys.core.vgg import VGGFeatures, layer_names  # noqa: E402
from gatys.io.weights import load_vgg, parse_model  # noqa: E402

__all__ = [
    "GatysError", "ImageError", "LayerError", "SettingError", "WeightsError",
    "load_image", "load_mask", "save_image",
    "content_loss", "gram_matrix", "style_layer_loss", "style_loss", "total_loss",
    "total_variation",
    "normalised_vgg", "coarse_to_fine", "Objective", "SynthesisResult", "synthesize",
    "make_objective", "reconstruct_content", "style_transfer", "synthesize_texture",
    "VGGFeatures", "layer_names", "load_vgg", "parse_model",
]
