"""The loss conventions against independent implementations of what each one claims to be."""

import pytest
import torch
from torch import nn

from gatys.core.transfer import make_objective

from helpers import striped_image, synthetic_image

STYLE_LAYERS = ["relu1_1", "relu2_1", "relu3_1"]
CONTENT_LAYER = "relu2_2"


def _authors_code_loss(model, image, content, style, style_weight):
    """The authors' released PyTorch code, written their way: MSE terms, Gram / M, 1e3 / N²."""

    def gram(features):
        _, channels, height, width = features.shape
        flat = features.view(channels, height * width)
        return flat @ flat.t() / (height * width)

    layers = [*STYLE_LAYERS, CONTENT_LAYER]
    with torch.no_grad():
        content_target = model(content, layers)[CONTENT_LAYER]
        style_targets = {layer: gram(f) for layer, f in model(style, layers).items()}
    features = model(image, layers)
    content_term = nn.MSELoss()(features[CONTENT_LAYER], content_target)
    style_term = sum(
        style_weight / model.channels(layer) ** 2
        * nn.MSELoss()(gram(features[layer]), style_targets[layer])
        for layer in STYLE_LAYERS
    )
    return content_term, style_term


def test_gatys_code_is_the_authors_code_with_ratio_one_over_style_weight(vgg16_random):
    content, style = synthetic_image(40, 48, seed=1), striped_image(40, 48)
    image = synthetic_image(40, 48, seed=2)
    style_weight = 1e3
    objective = make_objective(vgg16_random, content=content, styles=[style],
                               content_layers=[CONTENT_LAYER], style_layers=STYLE_LAYERS,
                               ratio=1 / style_weight, convention="gatys-code")
    terms = objective(image)
    content_term, style_term = _authors_code_loss(vgg16_random, image, content, style,
                                                  style_weight)
    assert float(terms.content) == pytest.approx(float(content_term), rel=1e-4)
    # Their objective is content + style_weight · Σ MSE/N²; ours α L_c + β L_s with α/β = 1e-3:
    # the same up to the overall factor α.
    authors_total = content_term + style_term
    assert float(terms.total) == pytest.approx(float(authors_total) / style_weight, rel=1e-4)


def test_paper_convention_is_the_literal_equations(vgg16_random):
    content, style = synthetic_image(32, 32, seed=3), striped_image(32, 32)
    image = synthetic_image(32, 32, seed=4)
    objective = make_objective(vgg16_random, content=content, styles=[style],
                               content_layers=[CONTENT_LAYER], style_layers=STYLE_LAYERS,
                               ratio=1e-3, convention="paper")
    layers = [*STYLE_LAYERS, CONTENT_LAYER]
    with torch.no_grad():
        target = vgg16_random(content, layers)
        style_features = vgg16_random(style, layers)
        features = vgg16_random(image, layers)
    literal_content = 0.5 * ((features[CONTENT_LAYER] - target[CONTENT_LAYER]) ** 2).sum()
    literal_style = 0.0
    for layer in STYLE_LAYERS:
        f, a = features[layer].flatten(2)[0], style_features[layer].flatten(2)[0]
        n, m = f.shape
        literal_style += ((f @ f.t() - a @ a.t()) ** 2).sum() / (4 * n**2 * m**2) / len(STYLE_LAYERS)
    terms = objective(image)
    assert float(terms.content) == pytest.approx(float(literal_content), rel=1e-4)
    assert float(terms.style) == pytest.approx(float(literal_style), rel=1e-4)


def test_gatys_code_ratio_means_the_same_at_two_sizes(vgg16_random):
    """Its terms are means, so on a texture-like image pair they barely move with the size;
    the literal content sum grows with the number of positions."""
    def terms(size, convention):
        content = striped_image(size, size, period=4)
        style = striped_image(size, size, period=6)
        image = striped_image(size, size, period=5)
        objective = make_objective(vgg16_random, content=content, styles=[style],
                                   content_layers=[CONTENT_LAYER], style_layers=STYLE_LAYERS,
                                   convention=convention)
        return objective(image)

    small, large = terms(32, "gatys-code"), terms(64, "gatys-code")
    assert float(large.content) / float(small.content) == pytest.approx(1.0, abs=0.35)
    literal_small, literal_large = terms(32, "paper"), terms(64, "paper")
    assert float(literal_large.content) / float(literal_small.content) > 3.0




def test_one_default_per_concept_across_the_api_and_the_command_line(vgg16_random):
    # Convention, ratio, start and layers: every entry point takes them from gatys.core.defaults.
    import inspect

    import gatys
    from gatys.controls.pyramid import coarse_to_fine
    from gatys.core import defaults
    from gatys.ui.cli import build_parser

    def plain(value):  # lists and tuples of layers compare alike
        return tuple(value) if isinstance(value, (list, tuple)) else value

    expected = {"convention": defaults.CONVENTION, "ratio": defaults.RATIO, "init": defaults.INIT,
                "content_layers": defaults.CONTENT_LAYERS, "style_layers": defaults.STYLE_LAYERS}
    for function in (gatys.make_objective, gatys.style_transfer, gatys.reconstruct_content,
                     gatys.synthesize_texture, coarse_to_fine):
        for name, parameter in inspect.signature(function).parameters.items():
            if name in expected and parameter.default is not inspect.Parameter.empty:
                assert plain(parameter.default) == plain(expected[name]), (function.__name__, name)
    transfer = build_parser().parse_args(["transfer", "c.png", "s.png", "-o", "o.png"])
    for name, value in expected.items():
        assert plain(getattr(transfer, name)) == plain(value), name
    # ... and an objective built without naming a convention is the default one's, not paper's.
    content, style = synthetic_image(32, 32, seed=3), striped_image(32, 32)
    image = synthetic_image(32, 32, seed=4)
    options = dict(content=content, styles=[style], content_layers=[CONTENT_LAYER],
                   style_layers=STYLE_LAYERS)
    unnamed = make_objective(vgg16_random, **options)(image).total
    named = make_objective(vgg16_random, convention=defaults.CONVENTION, **options)(image).total
    paper = make_objective(vgg16_random, convention="paper", **options)(image).total
    assert float(unnamed) == float(named)
    assert float(unnamed) != pytest.approx(float(paper), rel=1e-2)
