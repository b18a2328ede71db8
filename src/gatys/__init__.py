"""gatys: a reproduction of Gatys, Ecker & Bethge, "A Neural Algorithm of Artistic Style".

The modules map to the paper: :mod:`gatys.vgg` (the network and its layers), :mod:`gatys.losses`
(the equations), :mod:`gatys.synthesis` (the pixel optimisation), :mod:`gatys.transfer` (style
transfer, content and style reconstructions), with :mod:`gatys.weights`, :mod:`gatys.images`,
:mod:`gatys.settings` and :mod:`gatys.cli` around them.
"""

__version__ = "0.1.0"

from .errors import GatysError, ImageError, LayerError, SettingError, WeightsError  # noqa: E402
from .images import load_image, load_mask, save_image  # noqa: E402
from .losses import (  # noqa: E402
    content_loss, gram_matrix, style_layer_loss, style_loss, total_loss, total_variation,
)
from .normalisation import normalised_vgg  # noqa: E402
from .pyramid import coarse_to_fine  # noqa: E402
from .synthesis import Objective, SynthesisResult, synthesize  # noqa: E402
from .transfer import (  # noqa: E402
    make_objective,
    reconstruct_content,
    style_transfer,
    synthesize_texture,
)
from .vgg import VGGFeatures, layer_names  # noqa: E402
from .weights import load_vgg, parse_model  # noqa: E402

__all__ = [
    "GatysError", "ImageError", "LayerError", "SettingError", "WeightsError",
    "load_image", "load_mask", "save_image",
    "content_loss", "gram_matrix", "style_layer_loss", "style_loss", "total_loss",
    "total_variation",
    "normalised_vgg", "coarse_to_fine", "Objective", "SynthesisResult", "synthesize",
    "make_objective", "reconstruct_content", "style_transfer", "synthesize_texture",
    "VGGFeatures", "layer_names", "load_vgg", "parse_model",
]
