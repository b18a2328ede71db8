"""Coarse-to-fine: level sizes, the hand-over between levels, joined history, interruption."""

import pytest

from gatys.api.pyramid import coarse_to_fine, finest_level, pyramid_sizes, seconds_to_reach
from gatys.api.transfer import style_transfer
from gatys.io.errors import SettingError

from helpers import striped_image, synthetic_image

LAYERS = {"content_layers": ["relu2_2"], "style_layers": ["relu1_1", "relu2_1", "relu3_1"]}


@pytest.mark.parametrize(("size", "smallest", "want"), [
    (512, 128, [128, 256, 512]), (600, 128, [150, 300, 600]), (1024, 128, [128, 256, 512, 1024]),
    (200, 128, [200]), (128, 128, [128]), (256, 64, [64, 128, 256]),
])
def test_pyramid_sizes(size, smallest, want):
    assert pyramid_sizes(size, smallest) == want


@pytest.mark.parametrize(("size", "smallest"), [(0, 128), (512, 0), (-4, 8)])
def test_bad_pyramid_sizes(size, smallest):
    with pytest.raises(SettingError, match="positive"):
        pyramid_sizes(size, smallest)


def test_levels_hand_over_the_upsampled_image(vgg16_random):
    content, style = synthetic_image(48, 64), striped_image(48, 64)
    options = dict(model=vgg16_random, ratio=1e-2, progress=False, **LAYERS)
    result = coarse_to_fine(content, style, size=64, smallest=32, iterations=12,
                            refine_iterations=5, **options)
    assert [level["size"] for level in result.levels] == [[24, 32], [48, 64]]
    assert result.image.shape == (1, 3, 48, 64)
    # 12 + 5 iterations, or fewer where a level converges first (host rounding decides).
    coarse, fine = result.levels
    assert result.iterations == coarse["iterations"] + fine["iterations"] <= 17
    assert result.history.iterations == list(range(result.iterations + 1))
    assert all(b >= a for a, b in zip(result.history.seconds, result.history.seconds[1:]))
    # The fine level starts where the coarse one ended, not from fresh noise: its first loss is
    # far below that of a run from noise at the same size, and it goes on falling.
    fresh = style_transfer(content, style, size=64, iterations=1, **options)
    assert fine["start loss"] < 0.5 * fresh.history.losses[0]["total"]
    assert fine["final loss"] < fine["start loss"]
    assert result.history.losses[coarse["iterations"]]["total"] == coarse["final loss"]
    assert result.history.losses[-1]["total"] == fine["final loss"]

def test_an_interrupted_level_ends_the_pyramid(vgg16_random):
    def interrupt(iteration, image, values):
        if iteration == 3:
            raise KeyboardInterrupt

    result = coarse_to_fine(synthetic_image(48, 64), striped_image(48, 64), model=vgg16_random,
                            size=64, smallest=32, iterations=10, refine_iterations=5,
                            progress=False, callback=interrupt, **LAYERS)
    assert len(result.levels) == 1 and result.image.shape[-1] == 32
    assert result.interrupted and "level 1 of 2" in result.stop_reason


def test_snapshots_go_to_one_folder_per_level(vgg16_random, tmp_path):
    coarse_to_fine(synthetic_image(48, 64), striped_image(48, 64), model=vgg16_random, size=64,
                   smallest=32, iterations=2, refine_iterations=2, progress=False,
                   snapshot_every=2, snapshot_dir=tmp_path, **LAYERS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["level1_32px", "level2_64px"]
    assert [p.name for p in (tmp_path / "level2_64px").iterdir()] == ["iter_00002.png"]


def test_finest_level_and_seconds_to_reach(vgg16_random):
    result = coarse_to_fine(synthetic_image(48, 64), striped_image(48, 64), model=vgg16_random,
                            size=64, smallest=32, iterations=6, refine_iterations=4,
                            progress=False, **LAYERS)
    finest = finest_level(result.history, result.levels)
    assert finest.iterations == [7, 8, 9, 10]  # the fine level only, counted across levels
    assert finest.losses[-1]["total"] == result.levels[-1]["final loss"]
    assert seconds_to_reach(finest, finest.losses[1]["total"]) == finest.seconds[1]
    assert seconds_to_reach(finest, 0.0) is None
    single = style_transfer(synthetic_image(48, 64), striped_image(48, 64), model=vgg16_random,
                            size=64, iterations=2, progress=False, **LAYERS)
    assert finest_level(single.history, [{"iterations": 2}]).iterations == [0, 1, 2]
