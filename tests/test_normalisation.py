"""The normalised network: same features up to a per-channel scale, mean activation 1."""

import torch

import gatys.core.normalisation as module
from gatys.core.normalisation import channel_means, fingerprint, normalise, normalised_vgg
from gatys.core.vgg import VGGFeatures
from gatys.io.weights import convert_convention, random_state_dict

from helpers import striped_image, synthetic_image

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
        scale = torch.where(means[relu] >= 1e-8, means[relu], torch.ones(1))
        expected = before[layer] / scale.view(1, -1, 1, 1)
        assert torch.allclose(after[layer], expected, rtol=1e-3, atol=1e-5 * expected.abs().max()), layer


def test_mean_activation_is_one_on_the_measured_images(vgg16_random_caffe):
    measured = images()
    normalised = normalise(vgg16_random_caffe, channel_means(vgg16_random_caffe, measured))
    again = channel_means(normalised, measured)
    for layer, means in again.items():
        alive = channel_means(vgg16_random_caffe, measured)[layer] >= 1e-8
        assert torch.allclose(means[alive], torch.ones_like(means[alive]), rtol=1e-3), layer
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
