"""The benchmark's own logic: route parsing, the stop rule, the peak-memory reading."""

import sys
import time
from pathlib import Path

import psutil
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench  # noqa: E402


@pytest.mark.parametrize(("text", "levels", "options"), [
    ("512", [(512, 0)], {}),
    ("512/h20", [(512, 0)], {"history_size": 20}),
    ("256:200,512", [(256, 200), (512, 0)], {}),
    ("256:200,512:100,1024/h20", [(256, 200), (512, 100), (1024, 0)], {"history_size": 20}),
    ("512/bf16/contiguous", [(512, 0)], {"precision": "bf16", "layout": "contiguous"}),
])
def test_parse_route(text, levels, options):
    assert bench.parse_route(text) == (levels, options)


@pytest.mark.parametrize("text", ["256:x,512", "256,512:", "512/fp16", "512/h"])
def test_bad_route_is_refused(text):
    with pytest.raises(ValueError):
        bench.parse_route(text)


def test_stop_rule_ends_at_the_target_or_the_deadline():
    image = torch.zeros(1, 3, 4, 4)
    at_target = bench._stop_at(1.0)
    at_target(1, image, {"total": 1.5})  # above the target: goes on
    with pytest.raises(KeyboardInterrupt):
        at_target(2, image, {"total": 1.0})
    late = bench._stop_at(0.0, deadline=time.perf_counter() - 1)
    with pytest.raises(KeyboardInterrupt):
        late(1, image, {"total": 5.0})


def test_peak_memory_is_at_least_what_the_process_holds_now():
    held = torch.ones(64 * 2**20 // 4)  # 64 MiB, touched
    # The kernel updates the high-water mark from per-thread counters it syncs in batches, so it
    # can trail the current RSS by a few pages; 64 MiB held is far above that slack.
    slack = 2**20
    assert bench.peak_rss() >= psutil.Process().memory_info().rss - slack
    assert bench.peak_rss() >= held.numel() * held.element_size()
    del held


def test_compare_figures_finds_the_largest_change_and_a_changed_verdict():
    import compare_figures

    def metrics(scene, look, seconds, precision):
        return {"seconds": {"panels_total": seconds},
                "routes": [{"precision": precision, "layout": "channels-last"}],
                "rows": [{"style": "a", "ratio": 0.1, "scene SSIM": 0.5, "paper's look": True,
                          "seconds": 1.0},
                         {"style": "b", "ratio": 0.1, "scene SSIM": scene, "paper's look": look,
                          "seconds": 2.0}]}

    result = compare_figures.compare(metrics(0.4, True, 10.0, "bf16"),
                                     metrics(0.3, False, 15.0, "fp32"))
    assert result["seconds"] == [10.0, 15.0]
    assert result["routes"] == [["bf16/channels-last"], ["fp32/channels-last"]]
    absolute, relative = result["largest"]["scene SSIM"]
    assert absolute == pytest.approx(0.1) and relative == pytest.approx(0.25)
    assert set(result["largest"]) == {"scene SSIM"}  # settings and seconds are not measures
    assert result["verdicts differ"] == [{"style": "b", "ratio": 0.1}]
