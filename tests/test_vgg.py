"""Layer naming, truncation, pooling and input conventions of the feature extractor."""

import pytest
import torch
import torchvision
from torch import nn

from gatys.core.vgg import CONVENTIONS, VGGFeatures, layer_names
from gatys.core.weights import random_state_dict
from gatys.io.errors import LayerError, SettingError

from helpers import convert_convention, synthetic_image


@pytest.mark.parametrize("arch, convs, last", [("vgg16", 13, "conv5_3"), ("vgg19", 16, "conv5_4")])
def test_layer_names(arch, convs, last):
    names = layer_names(arch)
    convolutions = [name for name in names if name.startswith("conv")]
    assert len(convolutions) == convs
    assert len(names) == 2 * convs + 5
    assert names[:5] == ["conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1"]
    assert convolutions[-1] == last and names[-1] == "pool5"
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("arch", ["vgg16", "vgg19"])
def test_module_indices_match_torchvision(arch):
    reference = getattr(torchvision.models, arch)(weights=None).features
    ours = VGGFeatures(arch, pooling="max").features
    assert len(ours) == len(reference)
    for name, mine, theirs in zip(layer_names(arch), ours, reference):
        assert type(mine) is type(theirs), name
        assert name[:4] == {nn.Conv2d: "conv", nn.ReLU: "relu", nn.MaxPool2d: "pool"}[type(theirs)]


def test_features_equal_torchvision_with_max_pooling():
    state_dict = random_state_dict("vgg16", seed=1)
    reference = torchvision.models.vgg16(weights=None).features.eval()
    reference.load_state_dict(state_dict)
    ours = VGGFeatures("vgg16", pooling="max", state_dict=state_dict)
    image = synthetic_image(32, 32)
    normalised = CONVENTIONS["torchvision"].apply(image)
    with torch.no_grad():
        expected = reference[: layer_names("vgg16").index("relu3_2") + 1](normalised)
        got = ours(image, ["relu3_2"])["relu3_2"]
    assert torch.allclose(got, expected, atol=1e-5)
    # ... although ours runs channels-last (faster kernels, the same numbers) and the reference not.
    assert ours.features[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert got.is_contiguous(memory_format=torch.channels_last) and not expected.is_contiguous(
        memory_format=torch.channels_last)


def test_truncation_never_computes_past_the_deepest_layer(vgg16_random):
    called = []
    hooks = [module.register_forward_hook(lambda m, i, o, n=name: called.append(n))
             for name, module in zip(vgg16_random.names, vgg16_random.features)]
    try:
        outputs = vgg16_random(synthetic_image(), ["relu1_1", "relu2_1"])
    finally:
        for hook in hooks:
            hook.remove()
    assert set(outputs) == {"relu1_1", "relu2_1"}
    assert called == vgg16_random.names[: vgg16_random.names.index("relu2_1") + 1]
    assert called[-1] == "relu2_1"


def test_pre_and_post_relu_features_differ(vgg16_random):
    outputs = vgg16_random(synthetic_image(), ["conv1_1", "relu1_1"])
    assert (outputs["conv1_1"] < 0).any()
    assert torch.equal(outputs["relu1_1"], torch.relu(outputs["conv1_1"]))


def test_average_and_max_pooling():
    state_dict = random_state_dict("vgg16", seed=0)
    image = synthetic_image()
    for pooling, function in [("avg", nn.functional.avg_pool2d), ("max", nn.functional.max_pool2d)]:
        model = VGGFeatures("vgg16", pooling=pooling, state_dict=state_dict)
        out = model(image, ["relu1_2", "pool1"])
        assert torch.allclose(out["pool1"], function(out["relu1_2"], 2))
    avg = VGGFeatures("vgg16", "avg", state_dict=state_dict)(image, ["pool1"])["pool1"]
    max_ = VGGFeatures("vgg16", "max", state_dict=state_dict)(image, ["pool1"])["pool1"]
    assert not torch.allclose(avg, max_)


def test_caffe_convention_is_applied_inside():
    state_dict = random_state_dict("vgg16", seed=0)
    model = VGGFeatures("vgg16", convention="caffe", state_dict=state_dict)
    image = synthetic_image()
    mean = torch.tensor([123.68, 116.779, 103.939]).view(1, 3, 1, 1)
    expected = nn.functional.conv2d(image * 255 - mean, state_dict["0.weight"],
                                    state_dict["0.bias"], padding=1)
    assert torch.allclose(model(image, ["conv1_1"])["conv1_1"], expected, rtol=1e-5, atol=1e-3)


def test_conventions_agree_when_weights_are_converted():
    torchvision_weights = random_state_dict("vgg16", seed=2)
    caffe_weights = convert_convention(torchvision_weights, "torchvision", "caffe")
    a = VGGFeatures("vgg16", convention="torchvision", state_dict=torchvision_weights)
    b = VGGFeatures("vgg16", convention="caffe", state_dict=caffe_weights)
    image = synthetic_image(24, 24)
    fa, fb = a(image, ["relu1_2"])["relu1_2"], b(image, ["relu1_2"])["relu1_2"]
    # Two 3×3 convolutions: away from the 2-pixel border the zero padding plays no part.
    inner = (slice(None), slice(None), slice(2, -2), slice(2, -2))
    assert torch.allclose(fa[inner], fb[inner], rtol=1e-4, atol=1e-4)
    # Unconverted weights under the other convention give different features.
    c = VGGFeatures("vgg16", convention="caffe", state_dict=torchvision_weights)
    assert not torch.allclose(fa[inner], c(image, ["relu1_2"])["relu1_2"][inner], rtol=0.1)


def test_parameters_are_frozen_but_gradients_reach_the_image(vgg16_random):
    assert not any(p.requires_grad for p in vgg16_random.parameters())
    image = synthetic_image().requires_grad_(True)
    vgg16_random(image, ["relu2_1"])["relu2_1"].sum().backward()
    assert image.grad is not None and image.grad.abs().sum() > 0


def test_unknown_layer_names_raise(vgg16_random):
    with pytest.raises(LayerError, match="conv5_4"):
        vgg16_random(synthetic_image(), ["conv5_4"])  # VGG-16 has no conv5_4
    with pytest.raises(LayerError, match="relu9_9"):
        vgg16_random(synthetic_image(), ["relu1_1", "relu9_9"])


def test_too_small_image_raises_with_the_minimum(vgg16_random):
    assert vgg16_random.min_size(["relu5_1"]) == 16
    with pytest.raises(LayerError, match="at least 16 px"):
        vgg16_random(synthetic_image(8, 8), ["relu5_1"])
    assert vgg16_random(synthetic_image(8, 8), ["relu4_1"])["relu4_1"].shape[-1] == 1


def test_channels(vgg16_random):
    assert vgg16_random.channels("relu1_1") == 64
    assert vgg16_random.channels("pool4") == 512
    assert vgg16_random.channels("conv3_3") == 256


def test_bad_settings_raise():
    with pytest.raises(SettingError, match="vgg16, vgg19"):
        VGGFeatures("vgg11")
    with pytest.raises(SettingError, match="avg"):
        VGGFeatures("vgg16", pooling="min")
    with pytest.raises(SettingError, match="caffe"):
        VGGFeatures("vgg16", convention="keras")
