"""The loss conventions against independent implementations of what each one claims to be."""

import pytest
import torch
from torch import nn

from gatys.api.transfer import make_objective
from gatys.core.objective import resolve_convention

from helpers import striped_image, synthetic_image

STYLE_LAYERS = ["relu1_1", "relu2_1", "relu3_1"]
CONTENT_LAYER = "relu2_2"


def _gram(features):
    _, channels, height, width = features.shape
    flat = features.view(channels, height * width)
    return flat @ flat.t() / (height * width)


def _authors_code_loss(model, image, content, style, layer_weight):
    """The authors' released code, written their way: ``MSE`` on the content features and
    ``GramMSE`` (the MSE of G/M) per style layer with the weight ``layer_weight(layer)``."""
    layers = [*STYLE_LAYERS, CONTENT_LAYER]
    with torch.no_grad():
        content_target = model(content, layers)[CONTENT_LAYER]
        style_targets = {layer: _gram(f) for layer, f in model(style, layers).items()}
    features = model(image, layers)
    content_term = nn.MSELoss()(features[CONTENT_LAYER], content_target)
    style_term = sum(layer_weight(layer) * nn.MSELoss()(_gram(features[layer]), style_targets[layer])
                     for layer in STYLE_LAYERS)
    return content_term, style_term


def test_gatys_code_original_is_the_authors_org_pad_recipe(vgg16_random):
    """org_pad (the original network): style weight 1e3/N_l², content weight 1; α/β = 1e-3."""
    content, style = synthetic_image(40, 48, seed=1), striped_image(40, 48)
    image = synthetic_image(40, 48, seed=2)
    style_weight = 1e3
    objective = make_objective(vgg16_random, content=content, styles=[style],
                               content_layers=[CONTENT_LAYER], style_layers=STYLE_LAYERS,
                               ratio=1 / style_weight, convention="gatys-code-original")
    terms = objective(image)
    content_term, style_term = _authors_code_loss(
        vgg16_random, image, content, style, lambda layer: style_weight / vgg16_random.channels(layer) ** 2)
    assert float(terms.content) == pytest.approx(float(content_term), rel=1e-4)
    # Their objective is content + style_weight · Σ MSE/N²; ours α L_c + β L_s with α/β = 1e-3:
    # the same up to the overall factor α.
    authors_total = content_term + style_term
    assert float(terms.total) == pytest.approx(float(authors_total) / style_weight, rel=1e-4)


def test_gatys_code_normalised_is_the_authors_norm_pad_recipe(vgg16_normalised):
    """norm_pad (the normalised network): style weight 1e9/L on every layer's GramMSE, content
    weight 1e6 on MSE: α/β = 1e6/1e9 = 1e-3 with the paper's uniform w_l."""
    content, style = synthetic_image(40, 48, seed=1), striped_image(40, 48)
    image = synthetic_image(40, 48, seed=2)
    style_weight, content_weight = 1e9, 1e6
    objective = make_objective(vgg16_normalised, content=content, styles=[style],
                               content_layers=[CONTENT_LAYER], style_layers=STYLE_LAYERS,
                               ratio=1e-3, convention="gatys-code-normalised")
    content_term, style_term = _authors_code_loss(
        vgg16_normalised, image, content, style, lambda layer: style_weight / len(STYLE_LAYERS))
    authors_total = content_weight * content_term + style_term
    terms = objective(image)
    assert float(terms.content) == pytest.approx(float(content_term), rel=1e-4)
    assert float(terms.total) == pytest.approx(float(authors_total) / style_weight, rel=1e-4)
    # Every layer has the same say: w_l E_l is the layer's GramMSE / L.
    for layer in STYLE_LAYERS:
        weighted = objective.style_layer_weights[layer] * float(terms.style_per_layer[layer])
        with torch.no_grad():
            gram = _gram(vgg16_normalised(image, [layer])[layer])
            target = _gram(vgg16_normalised(style, [layer])[layer])
        assert weighted == pytest.approx(float(nn.MSELoss()(gram, target)) / len(STYLE_LAYERS),
                                         rel=1e-4)


def test_paper_convention_is_the_literal_equations(vgg16_normalised):
    model = vgg16_normalised
    content, style = synthetic_image(32, 32, seed=3), striped_image(32, 32)
    image = synthetic_image(32, 32, seed=4)
    objective = make_objective(model, content=content, styles=[style],
                               content_layers=[CONTENT_LAYER], style_layers=STYLE_LAYERS,
                               ratio=1e-3, convention="paper")
    layers = [*STYLE_LAYERS, CONTENT_LAYER]
    with torch.no_grad():
        target = model(content, layers)
        style_features = model(style, layers)
        features = model(image, layers)
    literal_content = 0.5 * ((features[CONTENT_LAYER] - target[CONTENT_LAYER]) ** 2).sum()
    literal_style = 0.0
    for layer in STYLE_LAYERS:
        f, a = features[layer].flatten(2)[0], style_features[layer].flatten(2)[0]
        n, m = f.shape
        literal_style += ((f @ f.t() - a @ a.t()) ** 2).sum() / (4 * n**2 * m**2) / len(STYLE_LAYERS)
    terms = objective(image)
    assert float(terms.content) == pytest.approx(float(literal_content), rel=1e-4)
    assert float(terms.style) == pytest.approx(float(literal_style), rel=1e-4)


def test_gatys_code_ratio_means_the_same_at_two_sizes(vgg16_normalised):
    """Its terms are means, so on a texture-like image pair they barely move with the size;
    the literal content sum grows with the number of positions."""
    def terms(size, convention):
        content = striped_image(size, size, period=4)
        style = striped_image(size, size, period=6)
        image = striped_image(size, size, period=5)
        objective = make_objective(vgg16_normalised, content=content, styles=[style],
                                   content_layers=[CONTENT_LAYER], style_layers=STYLE_LAYERS,
                                   convention=convention)
        return objective(image)

    small, large = terms(32, "gatys-code-normalised"), terms(64, "gatys-code-normalised")
    assert float(large.content) / float(small.content) == pytest.approx(1.0, abs=0.35)
    literal_small, literal_large = terms(32, "paper"), terms(64, "paper")
    # ½ Σ = (N_l M_l / 2) · the mean: at twice the side the literal sum has 4× the positions.
    assert float(literal_large.content) / float(literal_small.content) == pytest.approx(
        4 * float(large.content) / float(small.content), rel=1e-4)


@pytest.mark.parametrize("network, convention, fix", [
    ("vgg16_normalised", "gatys-code-original", "gatys-code-normalised or paper"),
    ("vgg16_random", "gatys-code-normalised", "normalise the network"),
    ("vgg16_random", "paper", "gatys-code-original"),
])
def test_a_network_and_the_loss_weights_of_the_other_network_are_refused(
        request, network, convention, fix):
    """A recipe is a whole: the weights tuned for one network are refused on the other, and the
    message names the matching convention and the switch."""
    from gatys.io.errors import SettingError

    model = request.getfixturevalue(network)
    with pytest.raises(SettingError, match=fix):
        make_objective(model, content=synthetic_image(32, 32), styles=[striped_image(32, 32)],
                       convention=convention)
    # Without a style image there are no layer weights to mismatch: a content reconstruction runs.
    make_objective(model, content=synthetic_image(32, 32), convention=convention)


def test_one_default_per_concept_across_the_api_and_the_command_line(vgg16_normalised,
                                                                     vgg16_random):
    # Convention, ratio, start and layers: every entry point takes them from gatys.core.defaults.
    import inspect

    import gatys
    from gatys.api.pyramid import coarse_to_fine
    from gatys.core import defaults
    from gatys.ui.cli import build_parser
    from gatys.ui.preflight import convention_for

    def plain(value):  # lists and tuples of layers compare alike
        return tuple(value) if isinstance(value, (list, tuple)) else value

    expected = {"convention": defaults.CONVENTION, "ratio": defaults.RATIO, "init": defaults.INIT,
                "content_layers": defaults.CONTENT_LAYERS, "style_layers": defaults.STYLE_LAYERS}
    # The API's convention defaults to the recipe of the network passed (None), which is the
    # default convention on the normalised network and the original recipe on the other one.
    assert resolve_convention(vgg16_normalised) == defaults.CONVENTION
    assert resolve_convention(vgg16_random) == defaults.ORIGINAL_CONVENTION
    for function in (gatys.make_objective, gatys.style_transfer, gatys.reconstruct_content,
                     gatys.synthesize_texture, coarse_to_fine):
        for name, parameter in inspect.signature(function).parameters.items():
            if name in expected and parameter.default is not inspect.Parameter.empty:
                wanted = None if name == "convention" else expected[name]
                assert plain(parameter.default) == plain(wanted), (function.__name__, name)
    transfer = build_parser().parse_args(["transfer", "c.png", "s.png", "-o", "o.png"])
    transfer.convention = convention_for(transfer.convention, transfer.normalise)
    for name, value in expected.items():
        assert plain(getattr(transfer, name)) == plain(value), name
    # ... and an objective built without naming a convention is the default one's, not paper's.
    content, style = synthetic_image(32, 32, seed=3), striped_image(32, 32)
    image = synthetic_image(32, 32, seed=4)
    options = dict(content=content, styles=[style], content_layers=[CONTENT_LAYER],
                   style_layers=STYLE_LAYERS)
    unnamed = make_objective(vgg16_normalised, **options)(image).total
    named = make_objective(vgg16_normalised, convention=defaults.CONVENTION, **options)(image).total
    paper = make_objective(vgg16_normalised, convention="paper", **options)(image).total
    assert float(unnamed) == float(named)
    assert float(unnamed) != pytest.approx(float(paper), rel=1e-2)
