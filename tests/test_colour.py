"""Colour preservation (Gatys et al. 2017, Sec. 5): YIQ, luminance matching, histogram matching."""

import pytest
import torch

from gatys.api.transfer import style_transfer
from gatys.controls import colour
from gatys.io.errors import SettingError

from helpers import striped_image, synthetic_image

LAYERS = {"content_layers": ["relu2_2"], "style_layers": ["relu1_1", "relu2_1"]}


def painting(size: int = 32) -> torch.Tensor:
    """Stripes over a smooth image: colours that vary in all three directions of RGB space (the
    stripes alone have R = 1 − G, a singular covariance no linear map can make full)."""
    return 0.6 * striped_image(size, size) + 0.4 * synthetic_image(size, size, seed=5)


def test_yiq_of_primaries_and_round_trip():
    # Y of pure red, green, blue is the NTSC weights; white has Y = 1 and no chroma.
    primaries = torch.eye(3).view(3, 3, 1, 1)
    yiq = colour.rgb_to_yiq(primaries)
    assert torch.allclose(yiq[:, 0].flatten(), torch.tensor([0.299, 0.587, 0.114]))
    white = colour.rgb_to_yiq(torch.ones(1, 3, 1, 1)).flatten()
    assert torch.allclose(white, torch.tensor([1.0, 0.0, 0.0]), atol=1e-5)
    image = synthetic_image(16, 24)
    assert torch.allclose(colour.yiq_to_rgb(colour.rgb_to_yiq(image)), image, atol=1e-6)


def test_luminance_matching_gives_the_content_mean_and_variance():
    style, content = colour.luminance(striped_image(24, 24)), colour.luminance(synthetic_image())
    matched = colour.match_luminance(style, content)
    assert torch.allclose(matched.mean(), content.mean(), atol=1e-6)
    assert torch.allclose(matched.std(), content.std(), atol=1e-6)
    # A linear map of the style: its correlation with the original is 1.
    assert torch.corrcoef(torch.stack([matched.flatten(), style.flatten()]))[0, 1] > 0.9999


def test_recombination_keeps_the_sources_chroma_and_the_given_luminance():
    content, other = synthetic_image(20, 20, seed=1), striped_image(20, 20)
    combined = colour.with_colours_of(other, content)
    assert torch.allclose(colour.rgb_to_yiq(combined)[:, 1:], colour.rgb_to_yiq(content)[:, 1:],
                          atol=1e-6)
    assert torch.allclose(colour.luminance(combined), colour.luminance(other), atol=1e-6)


@pytest.mark.parametrize("method", colour.HISTOGRAM_ROOTS)
def test_histogram_matching_gives_the_content_mean_and_covariance(method):
    style, content = painting(), synthetic_image(40, 28, seed=2)
    matched = colour.match_colour_histogram(style, content, method=method)
    mean_m, cov_m = colour.colour_statistics(matched)
    mean_c, cov_c = colour.colour_statistics(content)
    assert torch.allclose(mean_m, mean_c, atol=1e-5)
    assert torch.allclose(cov_m, cov_c, atol=1e-4)
    # The style's colours were far from the content's before.
    assert float((colour.colour_statistics(style)[1] - cov_c).norm()) > 0.01


def test_the_two_roots_differ_but_both_match():
    style, content = painting(), synthetic_image(32, 32, seed=3)
    eigen = colour.match_colour_histogram(style, content, method="eigen")
    cholesky = colour.match_colour_histogram(style, content, method="cholesky")
    assert not torch.allclose(eigen, cholesky, atol=1e-3)  # two different maps A ...
    assert torch.allclose(colour.colour_statistics(eigen)[1],
                          colour.colour_statistics(cholesky)[1], atol=1e-4)  # ... same Σ


def test_histogram_transfer_takes_the_photographs_colour_statistics(vgg16_random):
    # The option is the plain transfer of the style matched to the photograph's mean and
    # covariance (the same pixels), and its result sits much closer to the photograph's colour
    # statistics than the plain transfer's, which takes the painting's.
    photo, style = synthetic_image(32, 32, seed=2), painting()
    options = dict(model=vgg16_random, size=None, ratio=1e-6, iterations=10, init="noise",
                   progress=False, **LAYERS)
    plain = style_transfer(photo, style, **options).image
    matched = style_transfer(photo, style, preserve_colour="histogram", **options).image
    by_hand = style_transfer(photo, colour.match_colour_histogram(style, photo), **options).image
    assert torch.equal(matched, by_hand)

    def distance_to_photo(image):
        (mean, cov), (mean_photo, cov_photo) = map(colour.colour_statistics, (image, photo))
        return float((mean - mean_photo).norm()), float((cov - cov_photo).norm())

    (mean_plain, cov_plain), (mean_matched, cov_matched) = map(distance_to_photo, (plain, matched))
    assert mean_matched < 0.6 * mean_plain and cov_matched < 0.6 * cov_plain


def test_luminance_transfer_keeps_the_contents_chroma(vgg16_random):
    content, style = synthetic_image(32, 40), striped_image(48, 48)
    result = style_transfer(content, style, model=vgg16_random, size=None, ratio=1e-2,
                            preserve_colour="luminance", iterations=5, progress=False,
                            **LAYERS).image
    plain = style_transfer(content, style, model=vgg16_random, size=None, ratio=1e-2,
                           iterations=5, progress=False, **LAYERS).image
    chroma = lambda image: colour.rgb_to_yiq(image)[:, 1:]  # noqa: E731
    inside = ((result > 0.004) & (result < 0.996)).all(dim=1, keepdim=True)  # not clamped
    assert inside.float().mean() > 0.5
    difference = (chroma(result) - chroma(content)).abs()
    assert float(difference.masked_select(inside.expand_as(difference)).max()) < 1e-5
    assert float((chroma(plain) - chroma(content)).abs().mean()) > 0.02
    # The luminance did change: the style was transferred.
    assert float((colour.luminance(result) - colour.luminance(content)).abs().mean()) > 0.02


def test_unknown_colour_method_is_refused(vgg16_random):
    message = r"preserve_colour \(--preserve-colour\) must be one of luminance, histogram"
    with pytest.raises(SettingError, match=message):
        style_transfer(synthetic_image(), striped_image(), model=vgg16_random, size=None,
                       preserve_colour="hsv", iterations=1, progress=False, **LAYERS)
    with pytest.raises(SettingError, match="eigen or cholesky"):
        colour.match_colour_histogram(striped_image(), synthetic_image(), method="svd")
