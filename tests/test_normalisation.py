"""The normalised network: same features up to a per-channel scale, mean activation 1."""

import pytest
import torch

import gatys.core.normalisation as module
from gatys.core.normalisation import GAIN_LIMIT, channel_scales, channel_means, fingerprint, normalise, normalised_vgg
from gatys.core.vgg import VGGFeatures
from gatys.core.weights import random_state_dict

from helpers import convert_convention, striped_image, synthetic_image

LAYERS = ["relu1_1", "relu2_2", "pool2", "relu3_1", "conv4_1", "relu4_2", "relu5_1"]


def images():
    return [synthetic_image(32, 32, seed=0), striped_image(32, 48), synthetic_image(40, 24, seed=1)]


def test_normalised_features_are_the_originals_divided_by_the_channel_means(vgg16_random_caffe):
    means = channel_means(vgg16_random_caffe, images())
    normalised = normalise(vgg16_random_caffe, means)
    probe = synthetic_image(32, 32, seed=5)
    before = vgg16_random_caffe(probe, LAYERS)
    after = normalised(probe, LAYERS)
    for layer in LAYERS:
        relu = layer.replace("conv", "relu").replace("pool2", "relu2_2")
        scale = channel_scales(means[relu])
        expected = before[layer] / scale.view(1, -1, 1, 1)
        assert torch.allclose(after[layer], expected, rtol=1e-3, atol=1e-5 * expected.abs().max()), layer


def test_mean_activation_is_one_on_the_measured_images(vgg16_random_caffe):
    measured = images()
    normalised = normalise(vgg16_random_caffe, channel_means(vgg16_random_caffe, measured))
    again = channel_means(normalised, measured)
    for layer, means in again.items():
        original = channel_means(vgg16_random_caffe, measured)[layer]
        # Every live channel within the gain limit has mean 1; a nearly silent one less.
        free = original >= original[original >= 1e-8].median() / GAIN_LIMIT
        assert torch.allclose(means[free], torch.ones_like(means[free]), rtol=1e-3), layer
        assert (means[~free] < 1.0 + 1e-3).all(), layer
    assert normalised is not vgg16_random_caffe and normalised.normalised
    assert not vgg16_random_caffe.normalised  # the original is left alone


def test_caffe_and_torchvision_scales_agree_after_normalisation():
    # The same network seen through two input conventions differs by a large feature scale;
    # normalisation removes it (up to the zero-padding border effects of the first layer).
    weights = random_state_dict("vgg16", seed=4)
    a = VGGFeatures("vgg16", convention="torchvision", state_dict=weights)
    b = VGGFeatures("vgg16", convention="caffe", state_dict=convert_convention(weights, "torchvision", "caffe"))
    na = normalise(a, channel_means(a, images()))
    nb = normalise(b, channel_means(b, images()))
    fa = na(synthetic_image(), ["relu3_1"])["relu3_1"]
    fb = nb(synthetic_image(), ["relu3_1"])["relu3_1"]
    assert abs(fa.mean().item() - fb.mean().item()) < 0.05 * fa.mean().item()


def test_channel_means_are_cached(tmp_path, vgg16_random, monkeypatch):
    first = normalised_vgg(vgg16_random, images(), cache=tmp_path)
    files = list((tmp_path / "channel-means").glob("*.pt"))
    assert len(files) == 1
    monkeypatch.setattr(module, "channel_means", lambda *a: (_ for _ in ()).throw(AssertionError("recomputed")))
    second = normalised_vgg(vgg16_random, images(), cache=tmp_path)
    assert torch.equal(first.features[0].weight, second.features[0].weight)


def test_fingerprint_changes_with_every_input(vgg16_random, vgg16_random_caffe):
    base = fingerprint(vgg16_random, images())
    assert base == fingerprint(vgg16_random, images())
    assert base != fingerprint(vgg16_random_caffe, images())
    assert base != fingerprint(vgg16_random, images()[:2])
    other = VGGFeatures("vgg16", "max", "torchvision", random_state_dict("vgg16", 0))
    assert base != fingerprint(other, images())


def test_the_gain_limit_by_hand():
    """A channel never gets more than GAIN_LIMIT times its layer's median gain: its divisor is
    at least median / GAIN_LIMIT; a dead channel keeps its scale; None turns the limit off."""
    means = torch.tensor([2.0, 1.0, 4.0, 1e-3, 0.0])
    median = 1.0  # of the live channels 2, 1, 4, 1e-3
    scales = channel_scales(means)
    assert scales.tolist() == pytest.approx([2.0, 1.0, 4.0, median / GAIN_LIMIT, 1.0])
    assert channel_scales(means, gain_limit=None).tolist() == pytest.approx([2.0, 1.0, 4.0, 1e-3, 1.0])


def test_the_gain_limit_tames_a_nearly_silent_channel(vgg16_random_caffe):
    """Normalised over few images, a channel that barely fires would get thousands of times the
    typical gain (seen at relu5_1 on the paper's images): with the limit its activation on a new
    image stays within the limit of the layer's typical one."""
    measured = images()
    means = channel_means(vgg16_random_caffe, measured)
    means["relu1_1"][0] = means["relu1_1"].median() * 1e-4  # as if it hardly fired on these
    probe = synthetic_image(32, 32, seed=9)
    limited = normalise(vgg16_random_caffe, means)(probe, ["relu1_1"])["relu1_1"]
    unlimited = normalise(vgg16_random_caffe, means, gain_limit=None)(probe, ["relu1_1"])["relu1_1"]
    gain = float(1 / means["relu1_1"][0])  # what it would get without the limit
    limited_gain = float(1 / channel_scales(means["relu1_1"])[0])
    assert limited_gain <= GAIN_LIMIT / float(means["relu1_1"].median()) * (1 + 1e-6)
    assert float(unlimited[0, 0].mean() / limited[0, 0].mean()) == pytest.approx(gain / limited_gain, rel=1e-3)
    assert gain / limited_gain > 900  # the limit took away three decades of gain
