"""Where weights come from, and the errors when they cannot be had."""

import os
import pickle
import urllib.error

import pytest
import torch

from gatys.core.weights import load_state_dict_file, load_vgg, parse_model, random_state_dict
from gatys.io.errors import SettingError, WeightsError
from gatys.io.settings import resolve_device


def save_features(path, arch="vgg16", prefix="features.", seed=0):
    state_dict = {prefix + k: v for k, v in random_state_dict(arch, seed).items()}
    torch.save(state_dict, path)
    return state_dict


def test_parse_model_names():
    assert parse_model("vgg19").source == "torchvision"
    spec = parse_model("vgg16-caffe", "w.pth")
    assert (spec.arch, spec.source, spec.convention, spec.path.name) == ("vgg16", "file", "caffe", "w.pth")
    assert parse_model("vgg19-random:7").seed == 7
    assert parse_model("vgg19", "w.pth").convention == "torchvision"


def test_environment_settings_and_arguments_override_them(monkeypatch, tmp_path):
    monkeypatch.setenv("GATYS_MODEL", "vgg16-caffe")
    monkeypatch.setenv("GATYS_WEIGHTS", str(tmp_path / "env.pth"))
    spec = parse_model()
    assert (spec.arch, spec.convention, spec.path) == ("vgg16", "caffe", tmp_path / "env.pth")
    spec = parse_model("vgg19-random")
    assert (spec.arch, spec.source) == ("vgg19", "random")
    assert parse_model("vgg16-caffe", tmp_path / "flag.pth").path == tmp_path / "flag.pth"


@pytest.mark.parametrize("name", ["vgg11", "vgg19-keras", "resnet", "vgg16-caffe:3"])
def test_unknown_model_names_raise(name):
    with pytest.raises(SettingError, match="unknown model"):
        parse_model(name)


def test_caffe_without_a_file_names_the_setting():
    with pytest.raises(SettingError, match="GATYS_WEIGHTS"):
        parse_model("vgg16-caffe")


def test_random_weights_are_seeded():
    a, b, c = (random_state_dict("vgg16", s) for s in (0, 0, 1))
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["0.weight"], c["0.weight"])
    # He initialisation: std = sqrt(2 / fan_out), fan_out = 64 · 3 · 3 for conv1_1.
    assert a["0.weight"].std().item() == pytest.approx((2 / 576) ** 0.5, rel=0.1)


@pytest.mark.parametrize("prefix", ["features.", ""])
def test_weights_load_from_a_file(tmp_path, prefix):
    path = tmp_path / "vgg16.pth"
    saved = save_features(path, prefix=prefix, seed=3)
    model = load_vgg("vgg16-caffe", path, device="cpu")
    assert model.convention.name == "caffe" and model.pooling == "avg"
    assert torch.equal(model.features[0].weight, saved[prefix + "0.weight"])
    assert "weights from" in model.spec.description


class _Records:
    """An object that is harmless to pickle and records when it is unpickled."""

    loaded = []

    def __setstate__(self, state):
        _Records.loaded.append(state)


def test_a_torch_save_file_holding_objects_is_refused_without_unpickling_them(tmp_path):
    path = tmp_path / "with_objects.pth"
    record = _Records()
    record.note = "unpickled"
    torch.save({**random_state_dict("vgg16"), "meta": record}, path)
    _Records.loaded.clear()
    with pytest.raises(WeightsError, match="could run code"):
        load_state_dict_file(path, "vgg16")
    assert _Records.loaded == []  # refused before the object was rebuilt
    torch.load(path, weights_only=False)  # what an unchecked load would have done
    assert _Records.loaded == [{"note": "unpickled"}]


class _RunsCode:
    def __reduce__(self):
        return (os.system, ("touch " + str(_RunsCode.marker),))


def test_a_pickle_that_would_run_code_is_refused(tmp_path):
    _RunsCode.marker = tmp_path / "pwned"
    path = tmp_path / "evil.pth"
    with open(path, "wb") as handle:
        pickle.dump({"features.0.weight": _RunsCode()}, handle, protocol=2)
    with pytest.raises(WeightsError, match="could run code") as info:
        load_state_dict_file(path, "vgg16")
    assert str(path) in str(info.value)
    assert not _RunsCode.marker.exists()


@pytest.mark.parametrize("content", [b"", b"not a torch file at all", None])
def test_corrupt_files_raise_naming_the_file(tmp_path, content):
    path = tmp_path / "broken.pth"
    if content is None:  # a real file cut in half
        save_features(path)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        path.write_bytes(content)
    with pytest.raises(WeightsError, match="broken.pth"):
        load_state_dict_file(path, "vgg16")


def test_missing_file_raises(tmp_path):
    with pytest.raises(WeightsError, match="does not exist"):
        load_vgg("vgg16-caffe", tmp_path / "nope.pth", device="cpu")


def test_wrong_architecture_is_named(tmp_path):
    path = tmp_path / "vgg16.pth"
    save_features(path, arch="vgg16")
    with pytest.raises(WeightsError, match="looks like vgg16"):
        load_state_dict_file(path, "vgg19")


def test_wrong_shapes_are_named(tmp_path):
    path = tmp_path / "odd.pth"
    state_dict = random_state_dict("vgg16")
    state_dict["2.weight"] = torch.zeros(64, 32, 3, 3)
    torch.save(state_dict, path)
    with pytest.raises(WeightsError, match=r"features\.2\.weight has shape \(64, 32, 3, 3\)"):
        load_state_dict_file(path, "vgg16")


def test_not_a_state_dict(tmp_path):
    path = tmp_path / "list.pth"
    torch.save([torch.zeros(1)], path)
    with pytest.raises(WeightsError, match="not a state_dict"):
        load_state_dict_file(path, "vgg16")


def test_offline_without_weights_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(torch.hub, "download_url_to_file", offline)
    with pytest.raises(WeightsError) as info:
        load_vgg("vgg19", device="cpu")
    message = str(info.value)
    assert "GATYS_WEIGHTS" in message and "GATYS_MODEL" in message and "vgg19" in message


def test_cached_torchvision_weights_are_used_offline(tmp_path, monkeypatch):
    from torchvision.models import VGG16_Weights

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    checkpoints = tmp_path / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    file_name = VGG16_Weights.IMAGENET1K_V1.url.rsplit("/", 1)[-1]
    state_dict = {f"features.{k}": v for k, v in random_state_dict("vgg16", 5).items()}
    state_dict["classifier.0.weight"] = torch.zeros(2, 2)
    torch.save(state_dict, checkpoints / file_name)
    monkeypatch.setattr(torch.hub, "download_url_to_file",
                        lambda *a, **k: pytest.fail("must not download"))
    # The cached file is used as is (check_hash only applies to downloads).
    model = load_vgg("vgg16", device="cpu")
    assert torch.equal(model.features[0].weight, state_dict["features.0.weight"])


def test_devices():
    assert resolve_device("cpu").type == "cpu"
    with pytest.raises(SettingError, match="unknown device"):
        resolve_device("gpu0")
    if not torch.cuda.is_available():
        with pytest.raises(SettingError, match="CUDA is not available"):
            resolve_device("cuda")


def test_device_setting_from_environment(monkeypatch):
    monkeypatch.setenv("GATYS_DEVICE", "tpu")
    with pytest.raises(SettingError, match="tpu"):
        resolve_device()
    monkeypatch.setenv("GATYS_DEVICE", "cpu")
    assert resolve_device().type == "cpu"


def test_a_damaged_cached_download_is_fetched_again(tmp_path, monkeypatch):
    from torchvision.models import VGG16_Weights

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    checkpoints = tmp_path / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    cached = checkpoints / VGG16_Weights.IMAGENET1K_V1.url.rsplit("/", 1)[-1]
    cached.write_bytes(b"half a download")
    good = {f"features.{k}": v for k, v in random_state_dict("vgg16", 6).items()}
    downloads = []

    def download(url, destination, *args, **kwargs):
        downloads.append(url)
        torch.save(good, destination)

    monkeypatch.setattr(torch.hub, "download_url_to_file", download)
    with pytest.warns(RuntimeWarning, match="damaged; downloading them again"):
        model = load_vgg("vgg16", device="cpu")
    assert len(downloads) == 1
    assert torch.equal(model.features[0].weight, good["features.0.weight"])


# --------------------------------------------------------------------------------------------
# jcjohnson's Caffe conversion: BGR first layer (vgg16-00b39a1b.pth)


def _features(model, image):
    return model(image, ["relu1_1", "relu2_1", "relu3_1", "relu4_2", "relu5_1"])


def _bgr_file(rgb_state_dict, path):
    """``rgb_state_dict`` saved as jcjohnson's file is laid out: BGR first layer, classifier."""
    bgr = {f"features.{key}": value for key, value in rgb_state_dict.items()}
    bgr["features.0.weight"] = rgb_state_dict["0.weight"][:, [2, 1, 0]].clone()
    bgr["classifier.0.weight"] = torch.zeros(4, 8)  # the file has classifier layers; ignored
    torch.save(bgr, path)
    return path


def test_parse_model_caffe_bgr():
    spec = parse_model("vgg16-caffe-bgr", "vgg16-00b39a1b.pth")
    assert (spec.arch, spec.source, spec.convention, spec.channel_order) == (
        "vgg16", "file", "caffe", "bgr")
    assert "flipped from BGR" in spec.description
    assert parse_model("vgg16-caffe", "w.pth").channel_order == "rgb"
    with pytest.raises(SettingError, match="vgg16-00b39a1b.pth"):
        parse_model("vgg16-caffe-bgr")


def test_a_bgr_file_gives_the_features_of_its_rgb_original(tmp_path):
    rgb = random_state_dict("vgg16", seed=4)
    torch.save(rgb, tmp_path / "rgb.pth")
    bgr_path = _bgr_file(rgb, tmp_path / "vgg16-00b39a1b.pth")
    image = torch.rand(1, 3, 40, 48, generator=torch.Generator().manual_seed(0))
    ours = _features(load_vgg("vgg16-caffe", tmp_path / "rgb.pth", device="cpu"), image)
    theirs = _features(load_vgg("vgg16-caffe-bgr", bgr_path, device="cpu"), image)
    misread = _features(load_vgg("vgg16-caffe", bgr_path, device="cpu"), image)
    for layer in ours:
        torch.testing.assert_close(theirs[layer], ours[layer], rtol=0, atol=0)
        assert not torch.allclose(misread[layer], ours[layer])  # the flip is what matters


REAL_WEIGHTS = os.environ.get("GATYS_WEIGHTS", "").strip() or None


@pytest.mark.real_weights
@pytest.mark.skipif(REAL_WEIGHTS is None, reason="needs GATYS_WEIGHTS (the VGG-16 Caffe weights)")
def test_real_caffe_weights_in_jcjohnsons_layout_give_the_same_features(tmp_path):
    rgb = load_state_dict_file(REAL_WEIGHTS, "vgg16")
    bgr_path = _bgr_file(rgb, tmp_path / "vgg16-00b39a1b.pth")
    image = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    ours = _features(load_vgg("vgg16-caffe", REAL_WEIGHTS, device="cpu"), image)
    theirs = _features(load_vgg("vgg16-caffe-bgr", bgr_path, device="cpu"), image)
    for layer in ours:
        torch.testing.assert_close(theirs[layer], ours[layer], rtol=0, atol=0)


def test_a_missing_relative_weights_file_is_named_absolutely(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WeightsError, match=f"weights file {tmp_path / 'nope.pth'} does not exist"):
        load_vgg("vgg16-caffe", "nope.pth", device="cpu")
