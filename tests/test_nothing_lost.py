"""Nothing computed is lost: an output that fails at the end goes to a named fallback file, a
snapshot that fails stops the snapshots and not the run, and Ctrl-C at any moment before the
optimisation ends the command quietly."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
import warnings

import pytest

from gatys.api.transfer import make_objective
from gatys.core.optimize import synthesize
from gatys.core.start import uniform_noise
from gatys.io.images import load_image
from gatys.ui.cli import EXIT_SAVED_ELSEWHERE, main

from helpers import synthetic_image


def _failing_writes_under(folder, monkeypatch):
    """Every atomic write into ``folder`` fails as a full disk would, from now on."""
    import gatys.io.files as files

    original = files.write_atomic

    def write_atomic(path, write):
        if str(os.path.abspath(path)).startswith(str(folder)):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return original(path, write)

    for module in ("gatys.io.files", "gatys.io.images"):
        monkeypatch.setattr(f"{module}.write_atomic", write_atomic)


def test_an_output_that_fails_at_the_end_goes_to_a_named_fallback(inputs, capsys, monkeypatch,
                                                                     tmp_path):
    folder, content, style = inputs
    target = folder / "results"
    target.mkdir()
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    # The checks at the start pass (the folder is writable); the disk fills during the run.
    _failing_writes_under(target, monkeypatch)
    code = main(["transfer", str(content), str(style), "-o", str(target / "out.png"),
                 "--history", str(target / "run.json"), "--size", "32", "--iterations", "3",
                 "-q"])
    err = capsys.readouterr().err
    assert code == EXIT_SAVED_ELSEWHERE
    image_files = list(workdir.glob("gatys-unsaved-*-out.png"))
    history_files = list(workdir.glob("gatys-unsaved-*-run.json"))
    assert len(image_files) == len(history_files) == 1
    assert f"it is in {image_files[0]} instead" in err and "No space left" in err
    assert f"it is in {history_files[0]} instead" in err
    assert load_image(image_files[0]).shape == (1, 3, 23, 32)
    assert json.loads(history_files[0].read_text())["history"]["iterations"][-1] >= 1
    assert list(target.iterdir()) == []


def test_a_snapshot_that_fails_stops_the_snapshots_not_the_run(vgg16_random, tmp_path,
                                                                 monkeypatch):
    snapshots = tmp_path / "snaps"
    _failing_writes_under(snapshots, monkeypatch)
    objective = make_objective(vgg16_random, content=synthetic_image(32, 32),
                               content_layers=["relu1_1"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = synthesize(objective, uniform_noise((1, 3, 32, 32)), iterations=4,
                            snapshot_every=1, snapshot_dir=snapshots, progress=False)
    stopped = [w for w in caught if "snapshots stopped at iteration 1" in str(w.message)]
    assert len(stopped) == 1  # once, not per iteration
    assert result.iterations >= 2 and not result.interrupted
    assert result.final_losses["content"] < result.history.losses[0]["content"]


def test_ctrl_c_while_torch_imports_ends_quietly(inputs):
    """SIGINT a fraction of a second after the start, while the command imports torch (seconds
    on any machine), and whatever phase it lands in before the optimisation: exit 130, one
    line, no traceback, nothing written."""
    folder, content, style = inputs
    out = folder / "never.png"
    environment = {**os.environ, "GATYS_MODEL": "vgg16-random", "GATYS_DEVICE": "cpu"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gatys", "transfer", str(content), str(style), "-o", str(out),
         "--size", "32", "--iterations", "100000", "-q"],
        stderr=subprocess.PIPE, text=True, env=environment,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        time.sleep(1.5)  # in main: the checks end within ~0.3 s; `import torch` takes seconds
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    if "interrupted before the optimisation started" in err:
        assert not out.exists()
    else:  # a fast machine reached the optimisation: the last good image is kept
        assert f"the last good image is in {out}" in err
