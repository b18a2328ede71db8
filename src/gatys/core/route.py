"""How the network's pass is computed: its precision and its memory layout (not in the paper).

Neither changes the method, only the arithmetic that carries it out:

- **precision** ``fp32`` (float32 throughout) or ``bf16``: the network's forward pass, and so its
  backward pass, runs under bfloat16 autocast (convolutions in bfloat16, 8 bits of mantissa); the
  features leave the network as float32. The Gram matrices, the losses, the L-BFGS state and the
  image stay float32, because a Gram entry G_ij = Σ_k F_ik F_jk sums over every position of a
  layer (65,536 at relu1_1 of a 256 px image): in bfloat16 each partial sum would keep about
  three significant digits and the long sum would drift, while the convolutions' products are
  accumulated in float32 by the kernels anyway. The targets are computed in float32.
- **layout** ``channels-last`` (NHWC) or ``contiguous`` (NCHW) for the weights and activations:
  the same numbers up to rounding, computed by different convolution kernels.
- ``auto`` (the default of both) decides on the machine it runs on: on first use it times one
  forward+backward pass of the network on a square as large as the run's long side (at most
  :data:`PROBE_SIDE` px: the faster layout at 160 px can be the slower one at 512) for each
  candidate and keeps the
  fastest (float32 channels-last unless another is more than :data:`MARGIN` faster), caching the choice in ``$GATYS_CACHE/routes.json`` per host, CPU, torch version,
  device, thread count, architecture, deepest layer and probe size (about 6 s on a 2-core CPU,
  once; the route's reason says when). bfloat16 is a
  candidate only where the hardware computes it: CUDA devices that support it and CPUs with
  bfloat16 instructions (AVX-512 BF16, AMX); elsewhere it is emulated and many times slower.

``GATYS_PRECISION`` and ``GATYS_LAYOUT`` set the two for every run that does not name them.
"""

from __future__ import annotations

import contextlib
import json
import math
import platform
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from gatys.core import defaults
from gatys.io.errors import SettingError
from gatys.io.settings import from_env

if TYPE_CHECKING:
    import torch

PRECISION_ENV = "GATYS_PRECISION"
LAYOUT_ENV = "GATYS_LAYOUT"
# The largest side (px) of the square the measurement times: a run's own size when smaller. On
# a 2-core CPU, channels-last was slower at 160 px and 1.26× faster at 256 and 512 (VGG-16 to
# relu5_1), so the probe must reach the sizes that runs use; 256 px keeps it near 6 s there.
PROBE_SIDE = {"cpu": 256, "cuda": 512, "mps": 512}
SMALLEST_PROBE = 64
PROBE_ROUNDS = 2  # turns the candidates take, each a warm-up pass and a timed one
# Another route replaces the first candidate (fp32 then channels-last, today's arithmetic) only
# when it is faster by more than this share: passes of one layout vary by up to ~10 % on a busy
# 2-core CPU, and the measurement's noise must not flip the choice from run to run.
MARGIN = 0.10
ROUTES_FILE = "routes.json"


@dataclass(frozen=True)
class Route:
    """A concrete route: ``precision`` and ``layout``, and in words how they were chosen."""

    precision: str = "fp32"
    layout: str = "channels-last"
    reason: str = "asked for"

    def describe(self) -> str:
        return f"{self.precision}, {self.layout} ({self.reason})"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @contextlib.contextmanager
    def network_pass(self, device_type: str) -> Iterator[None]:
        """The context the network's forward pass runs in: bfloat16 autocast, or nothing."""
        if self.precision == "bf16":
            import torch

            with torch.autocast(device_type, dtype=torch.bfloat16):
                yield
        else:
            yield

    @contextlib.contextmanager
    def applied(self, model) -> Iterator[None]:
        """``model`` in this route's layout for the duration, then back in its own."""
        previous = model.memory_format
        model.use_memory_format(_memory_format(self.layout))
        try:
            yield
        finally:
            model.use_memory_format(previous)


def requested(precision: str | None = None, layout: str | None = None) -> tuple[str, str]:
    """The precision and layout asked for: the arguments, else ``$GATYS_PRECISION`` and
    ``$GATYS_LAYOUT``, else the defaults (``auto``); a name of neither list raises
    :class:`SettingError`. Without torch, so the command line can refuse it first."""
    chosen = []
    for value, env, names, default, flag in (
            (precision, PRECISION_ENV, defaults.PRECISIONS, defaults.PRECISION, "--precision"),
            (layout, LAYOUT_ENV, defaults.LAYOUTS, defaults.LAYOUT, "--layout")):
        from_environment = value is None and from_env(env) is not None
        name = value if value is not None else from_env(env) or default
        if name not in names:
            where = f"${env}" if from_environment else flag
            raise SettingError(f"{where} {name!r} is not one of {', '.join(names)}; "
                               f"use one of those (auto measures which is faster here)")
        chosen.append(name)
    return chosen[0], chosen[1]


def bf16_supported(device: torch.device) -> bool:
    """Whether ``device`` computes bfloat16 in hardware (not emulated)."""
    import torch

    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type == "cpu":
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    return False


def resolve(model, layers: Sequence[str], device: torch.device, precision: str | None = None,
            layout: str | None = None, side: int | None = None) -> Route:
    """The route to run ``model`` to ``layers`` on ``device``: what is asked for (see
    :func:`requested`), with each ``auto`` decided by measurement (cached; module docstring) at
    the run's long side ``side`` (px) or :data:`PROBE_SIDE`, whichever is smaller."""
    precision, layout = requested(precision, layout)
    if precision == "bf16" and not bf16_supported(device):
        warnings.warn(f"bfloat16 asked for, but {device.type} here has no bfloat16 arithmetic: it "
                      f"is emulated and much slower than fp32; use --precision auto or fp32",
                      RuntimeWarning, stacklevel=2)
    if "auto" not in (precision, layout):
        return Route(precision, layout, "asked for")
    candidates = [(p, lay)
                  for p in ((precision,) if precision != "auto" else
                            ("fp32", "bf16") if bf16_supported(device) else ("fp32",))
                  for lay in ((layout,) if layout != "auto" else model.layouts)]
    no_bf16 = f"bf16 not tried: {device.type} here has no bfloat16 arithmetic"
    if len(candidates) == 1:  # precision auto without bfloat16, the layout named
        return Route(*candidates[0], no_bf16)
    largest = PROBE_SIDE.get(device.type, 256)
    side = max(SMALLEST_PROBE, min(side or largest, largest), model.min_size(layers))
    timings, when = _cached_or_measured(model, layers, device, candidates, side)
    fastest = min(candidates, key=lambda candidate: timings[_label(*candidate)])
    first = candidates[0]
    best = (fastest if timings[_label(*fastest)] < (1 - MARGIN) * timings[_label(*first)]
            else first)
    others = ", ".join(f"{label} {seconds / timings[_label(*best)]:.2f}×"
                       for label, seconds in timings.items() if label != _label(*best))
    verdict = "the fastest" if best == fastest else f"within {MARGIN:.0%} of the fastest"
    reason = f"{verdict} here at {side} px ({when}): {others}"
    if precision == "auto" and not bf16_supported(device):
        reason += f"; {no_bf16}"
    return Route(*best, reason)


def measure(model, layers: Sequence[str], device: torch.device,
            candidates: Sequence[tuple[str, str]], side: int) -> dict[str, float]:
    """Seconds of one forward+backward pass of ``model`` to ``layers`` on a ``side`` px square
    image for each (precision, layout), keyed ``"fp32/contiguous"``: the fastest timed pass.

    The candidates take :data:`PROBE_ROUNDS` turns, so that a stretch of a busy machine slows
    them alike; in each turn a candidate makes a warm-up pass (switching the layout makes the
    convolution library prepare its weights again, which a run pays once) and a timed one."""
    import torch

    generator = torch.Generator().manual_seed(0)
    image = torch.rand(1, 3, side, side, generator=generator).to(device)
    seconds = {_label(*candidate): math.inf for candidate in candidates}
    for _ in range(PROBE_ROUNDS):
        for precision, layout in candidates:
            chosen = Route(precision, layout)
            with chosen.applied(model):
                for timed in (False, True):
                    pixels = image.clone().requires_grad_(True)
                    _synchronize(device)
                    began = time.perf_counter()
                    with chosen.network_pass(device.type):
                        features = model(pixels, layers)
                    sum(feature.float().square().mean() for feature in features.values()
                        ).backward()
                    _synchronize(device)
                    if timed:
                        label = _label(precision, layout)
                        seconds[label] = min(seconds[label], time.perf_counter() - began)
    return seconds


def _cached_or_measured(model, layers: Sequence[str], device: torch.device,
                        candidates: Sequence[tuple[str, str]], side: int
                        ) -> tuple[dict[str, float], str]:
    """The timings of ``candidates`` from the cache, measuring those it lacks; and in words
    whether they were measured now (and in how long) or earlier."""
    from gatys.io.files import write_json
    from gatys.io.settings import cache_dir

    path = cache_dir() / ROUTES_FILE
    key = f"{_machine_key(model, layers, device)} | {side} px"
    try:
        known = json.loads(path.read_text())
    except (OSError, ValueError):
        known = {}
    timings = known.get(key, {})
    missing = [c for c in candidates if _label(*c) not in timings]
    when = f"measured earlier, cached in {path}"
    if missing:
        began = time.perf_counter()
        timings.update(measure(model, layers, device, missing, side))
        known[key] = timings
        try:
            write_json(path, known)
        except OSError as exc:  # the run matters more than remembering its route
            warnings.warn(f"could not cache the measured route in {path}: {exc}", RuntimeWarning,
                          stacklevel=3)
        when = f"measured now in {time.perf_counter() - began:.1f} s, cached in {path}"
    return {_label(*c): timings[_label(*c)] for c in candidates}, when


def _machine_key(model, layers: Sequence[str], device: torch.device) -> str:
    import torch

    names = getattr(model, "names", None)
    deepest = max(layers, key=names.index) if names else max(layers)
    device_name = (torch.cuda.get_device_name(device) if device.type == "cuda"
                   else _cpu_model())
    return " | ".join([platform.node(), device.type, device_name, f"torch {torch.__version__}",
                       f"{torch.get_num_threads()} threads",
                       str(getattr(model, "arch", type(model).__name__)), deepest])


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _label(precision: str, layout: str) -> str:
    return f"{precision}/{layout}"


def _memory_format(layout: str) -> torch.memory_format:
    import torch

    return torch.channels_last if layout == "channels-last" else torch.contiguous_format


def _synchronize(device: torch.device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)

