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
from pathlib import Path

import pytest

from gatys.api.transfer import make_objective
from gatys.core.optimize import synthesize
from gatys.core.start import uniform_noise
from gatys.io.images import load_image
from gatys.ui import interrupts
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


# Each moment lands in another phase on another machine: the interpreter's own start (before
# gatys runs, ~0.05 s, out of its reach), the command line's checks (~0.3 s), `import torch`
# (seconds), the network and the route, the objective. A KeyboardInterrupt inside a library's
# import was swallowed (the run went on and exited 0) or broke numpy (a RecursionError later),
# and under `python -m` CPython exited by SIGINT (-2) after printing the line; a 0.05 s scan
# over the first 3.5 s found all three before gatys.ui.interrupts.
@pytest.mark.parametrize("command, delay", [
    ("module", 0.3), ("module", 0.8), ("module", 1.5), ("module", 2.5), ("script", 0.6)])
def test_ctrl_c_at_any_moment_before_the_optimisation_ends_quietly(inputs, command, delay):
    """SIGINT ``delay`` seconds after the start, whatever phase it lands in: exit 130, one
    line, no traceback, and nothing written unless the optimisation had begun."""
    folder, content, style = inputs
    out = folder / "never.png"
    environment = {**os.environ, "GATYS_MODEL": "vgg16-random", "GATYS_DEVICE": "cpu"}
    program = ([sys.executable, "-m", "gatys"] if command == "module"
               else [str(Path(sys.executable).with_name("gatys"))])
    process = subprocess.Popen(
        [*program, "transfer", str(content), str(style), "-o", str(out),
         "--size", "32", "--iterations", "100000", "-q"],
        stderr=subprocess.PIPE, text=True, env=environment,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2, err
    if "interrupted before the optimisation started" in err:
        assert not out.exists()
    else:  # a fast machine reached the optimisation: the last good image is kept
        assert f"the last good image is in {out}" in err and out.exists()


@pytest.fixture
def python_sigint():
    """SIGINT as a terminal's Python has it: a background job (`make test &`, some CI runners)
    inherits it ignored, and the command line rightly leaves an ignored SIGINT alone."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_while_the_objective_is_built_writes_nothing(inputs, capsys, monkeypatch,
                                                            python_sigint):
    folder, content, style = inputs

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("gatys.api.transfer.make_objective", interrupted)
    out = folder / "never.png"
    code = main(["transfer", str(content), str(style), "-o", str(out), "--size", "32", "-q"])
    assert code == 130 and not out.exists()
    assert capsys.readouterr().err == interrupts.BEFORE_OPTIMISATION + "\n"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the caller's again


@pytest.mark.parametrize("moment", ["closing the progress", "writing the image"])
def test_ctrl_c_after_the_run_does_not_lose_its_result(inputs, capsys, monkeypatch,
                                                      python_sigint, moment):
    """The second Ctrl-C of an impatient user, as the run's progress is closed or while the
    image and history are written: both are written, then the command ends with 130."""
    import gatys.io.images as images
    import gatys.ui.cli as cli

    folder, content, style = inputs
    owner, name = {"closing the progress": (cli.RunLog, "close"),
                   "writing the image": (images, "save_image")}[moment]
    original = getattr(owner, name)

    def interrupted_then(*args, **options):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the handler runs between these two bytecodes at the latest
        return original(*args, **options)

    monkeypatch.setattr(owner, name, interrupted_then)
    out, history = folder / "kept.png", folder / "kept.json"
    code = main(["transfer", str(content), str(style), "-o", str(out), "--history",
                 str(history), "--size", "32", "--iterations", "2", "-q"])
    assert code == 130
    assert load_image(out).shape == (1, 3, 23, 32)
    assert json.loads(history.read_text())["history"]["iterations"][-1] == 2
    assert "Ctrl-C while the result was written: it was written first" in capsys.readouterr().err


def test_ctrl_c_before_the_start_is_scored_leaves_synthesize(vgg16_random, monkeypatch):
    """Nothing to return yet (an empty history once crashed the command line's report)."""
    from gatys.core.objective import Objective

    objective = make_objective(vgg16_random, content=synthetic_image(32, 32),
                               content_layers=["relu1_1"])

    def interrupted(self, image):
        raise KeyboardInterrupt

    monkeypatch.setattr(Objective, "__call__", interrupted)
    with pytest.raises(KeyboardInterrupt):
        synthesize(objective, uniform_noise((1, 3, 32, 32)), iterations=4, progress=False)


def test_ctrl_c_before_a_finer_level_returns_the_coarser_one(vgg16_random, monkeypatch):
    import gatys.api.transfer as transfer
    from gatys.api.pyramid import coarse_to_fine

    original, calls = transfer.make_objective, []

    def make_objective_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(transfer, "make_objective", make_objective_once)
    try:
        result = coarse_to_fine(synthetic_image(48, 64), synthetic_image(48, 64, seed=1),
                                model=vgg16_random, size=64, smallest=32, iterations=3,
                                refine_iterations=3, progress=False, content_layers=["relu1_1"],
                                style_layers=["relu1_1"])
    except KeyboardInterrupt:  # let through, it would end the whole test session
        pytest.fail("the coarse level's image was lost to a Ctrl-C before the fine level")
    assert result.interrupted and result.image.shape[-1] == 32 and result.iterations == 3
    assert result.stop_reason == "interrupted before level 2 started (at level 1 of 2, 32 px)"


def test_an_ignored_ctrl_c_stays_ignored():
    """`nohup gatys ...` or a shell's background job: the command line does not take SIGINT back."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        interrupts.end_at_once()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        with interrupts.raising(), interrupts.deferred():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
