"""What every experiment shares: the network and profile (:class:`Context`), the one way a panel
is made and cached, and the one way a figure is finished (:class:`Figure`).

A panel is one synthesis of the paper's images under a :class:`~gatys.core.config.TransferSettings`:
:meth:`Context.transfer`, :meth:`Context.content` and :meth:`Context.texture` load the images at
the settings' size (once, from the files) and run the API's synthesis; :meth:`Context.panel`
keys the panel cache (:mod:`gatys.experiments.panels`) on the network, the settings and the image
names, so an interrupted run resumes and a finished panel is never recomputed. A figure function
(:mod:`~gatys.experiments.paper_figures`, :mod:`~gatys.experiments.variations`,
:mod:`~gatys.experiments.perceptual_controls`) collects its panels in a :class:`Figure`, composes
them, and :meth:`Figure.finish` writes ``<output_dir>/<name>.png`` and the metrics file
``<name>.json`` (settings, network, device, profile, seconds, the rows of numbers and the
figure's measures) and returns a :class:`FigureResult`.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from gatys import __version__
from gatys.api.transfer import reconstruct_content, style_transfer, synthesize_texture
from gatys.core.config import TransferSettings
from gatys.core.features import FeatureModel
from gatys.core.normalisation import GAIN_LIMIT, fingerprint, normalised_vgg
from gatys.core.objective import resolve_convention
from gatys.core.optimize import SynthesisResult
from gatys.core.weights import load_vgg
from gatys.experiments import recipes
from gatys.experiments.measures import reference_network
from gatys.experiments.panels import Panel, PanelCache
from gatys.experiments.settling import LookSettled
from gatys.experiments.plotting import markdown_table, save_figure
from gatys.io.data import load_paper_image
from gatys.io.files import remove_stale_temporaries, write_json
from gatys.io.settings import cache_dir, project_root, resolve_device

_DEFAULTS = TransferSettings().as_dict()


@dataclass
class Context:
    """What every experiment shares: the network, the profile, where results go."""

    model: FeatureModel
    model_key: str
    device: torch.device
    profile: recipes.Profile
    output_dir: Path
    panels: PanelCache
    data_dir: str | None = None
    progress: bool = True
    reference: FeatureModel | None = None  # the look's reference network (measures)

    def image(self, key: str, size: int | None = None) -> torch.Tensor:
        """A paper image (data.PAPER_IMAGES key) with long side ``size`` (default: the profile's),
        resized from the file (bicubic, antialiased), the one resize it gets."""
        return load_paper_image(key, size=size or self.profile.size, data_dir=self.data_dir)

    def extension(self) -> Context:
        """This context at the profile's extension size and iterations (notebooks 07 onwards)."""
        profile = dataclasses.replace(self.profile, size=self.profile.extension_size,
                                      iterations=self.profile.extension_iterations)
        return dataclasses.replace(self, profile=profile)

    def settings(self, settings: TransferSettings | None = None, **changes) -> TransferSettings:
        """``settings`` (default: the defaults) at this profile's size and iterations, with the
        convention resolved for this network, and ``changes``."""
        base = TransferSettings.of(settings, **{"size": self.profile.size,
                                                "iterations": self.profile.iterations, **changes})
        return TransferSettings.of(base, convention=resolve_convention(self.model,
                                                                       base.convention))

    def panel(self, kind: str, settings: TransferSettings, run: Callable[[], SynthesisResult],
              **names) -> Panel:
        """The cached panel of ``kind`` made under ``settings`` from the images and anything else
        the settings cannot name (``names``: image keys, a start's label, a mask rule), or
        ``run()`` it and cache it. The key holds all of it and this network."""
        key = {"kind": kind, "model": self.model_key, "device": self.device.type,
               "gatys": __version__, "names": names, "settings": settings.as_dict()}
        panel = self.panels.get_or_run(key, run)
        # A plain line per panel: visible in papermill's log, where a notebook progress bar is not.
        changed = {name: value for name, value in settings.as_dict().items()
                   if value != _DEFAULTS[name]}
        label = ", ".join(f"{name}={value}" for name, value in {**names, **changed}.items())
        state = "from cache" if panel.cached else f"computed in {panel.seconds:.0f} s"
        print(f"panel {kind} ({label}): {state}", flush=True)
        return panel

    def transfer(self, styles: Sequence[str], settings: TransferSettings, *,
                 masks: Sequence[torch.Tensor] | None = None, kind: str = "transfer",
                 settle: bool = False, **names) -> Panel:
        """The Neckarfront in the paintings ``styles`` under ``settings``, cached. ``masks``
        (one per style) must be named in ``names`` (e.g. by the rule that made them). With
        ``settle`` (one painting), the run stops once its look has settled
        (:class:`~gatys.experiments.settling.LookSettled`), the settings' iterations its budget;
        the panel's record keeps the rule's measurements (``trace``)."""
        size = settings.size or self.profile.size
        style_size = max(1, round(size * settings.style_scale))
        content = self.image(recipes.CONTENT_IMAGE, size)
        watcher = None
        if settle:
            if len(styles) != 1:
                raise ValueError("a settling transfer measures its look against one painting; "
                                 f"got {len(styles)}")
            watcher = LookSettled(content, self.image(styles[0], size), self.reference)
            names["settle"] = watcher.rule()

        def run() -> SynthesisResult:
            result = style_transfer(
                content, [self.image(key, style_size) for key in styles], settings,
                model=self.model, masks=masks, progress=self.progress,
                description=" + ".join(styles), until=watcher)
            result.trace = watcher.trace if watcher is not None else []
            return result

        return self.panel(kind, settings, run, content=recipes.CONTENT_IMAGE, styles=list(styles),
                          **names)

    def content(self, settings: TransferSettings, **names) -> Panel:
        """The Neckarfront reconstructed at the settings' content layers, cached."""
        return self.panel("content", settings, lambda: reconstruct_content(
            self.image(recipes.CONTENT_IMAGE, settings.size), settings, model=self.model,
            progress=self.progress,
            description=f"content {'+'.join(settings.content_layers)}"),
            image=recipes.CONTENT_IMAGE, **names)

    def texture(self, key: str, settings: TransferSettings, **names) -> Panel:
        """Painting ``key`` reconstructed at the settings' style layers (a texture), cached."""
        return self.panel("texture", settings, lambda: synthesize_texture(
            self.image(key, settings.size), settings, model=self.model, progress=self.progress,
            description=f"texture {key}"), image=key, **names)

    def describe(self) -> dict:
        return {"network": self.model.description, "device": str(self.device),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                           f"{torch.get_num_threads()} torch threads",
                "torch": torch.__version__, "profile": vars(self.profile),
                "convention": resolve_convention(self.model), "gatys": __version__}


def default_output_dir(profile: str) -> Path:
    """Where a profile's figures go: the checkout's committed ``figures/`` for a real profile,
    ``build/<profile>/figures`` for ``quick`` and ``smoke`` (so that a first look or a smoke run
    never overwrites committed figures); relative to the working directory when not running
    from a checkout."""
    root = project_root() or Path(".")
    side = profile in ("quick", "smoke")
    return root / "build" / profile / "figures" if side else root / "figures"


def setup(
    profile: str = "auto",
    device: str | None = None,
    output_dir: str | os.PathLike | None = None,
    data_dir: str | None = None,
    cache: str | os.PathLike | None = None,
    model: str | None = None,
    weights: str | None = None,
    normalised: bool = recipes.NORMALISED,
    pooling: str = recipes.POOLING,
    progress: bool = True,
) -> Context:
    """Load the network the settings name, normalise it over the paper's images if asked, and
    prepare the output directory (default: :func:`default_output_dir`) and the panel cache."""
    device = resolve_device(device)
    chosen = recipes.profile(profile, device.type)
    network = load_vgg(model, weights, pooling=pooling, device=device)
    size = chosen.normalisation_size
    images = [load_paper_image(key, size=size, data_dir=data_dir)
              for key in (recipes.CONTENT_IMAGE, *(recipe.image for recipe in recipes.FIVE_STYLES))]
    model_key = fingerprint(network, images if normalised else [])
    if normalised:
        network = normalised_vgg(network, images, cache)
    model_key += f"-normalised-gain{GAIN_LIMIT:g}" if normalised else ""
    root = cache_dir(cache) / "panels"
    output = Path(output_dir) if output_dir is not None else default_output_dir(chosen.name)
    remove_stale_temporaries(output)  # a killed run's half-written figure, if any
    return Context(network, model_key, device, chosen, output, PanelCache(root), data_dir,
                   progress, reference_network(model, weights, device))


@dataclass(frozen=True)
class FigureResult:
    """A composed figure, its metrics (as written to ``<name>.json``) and where both were written."""

    name: str
    figure: object
    path: Path
    metrics: dict
    extra_figures: tuple = ()

    @property
    def rows(self) -> list[dict]:
        return self.metrics["rows"]

    @property
    def measures(self) -> dict:
        return self.metrics.get("measures", {})

    @property
    def seconds(self) -> float:
        return self.metrics["seconds"]["figure"]

    def table(self, key: str = "rows", digits: int = 4) -> str:
        """The rows (or another list of rows in the metrics, e.g. ``"combination"``) as markdown."""
        return markdown_table(self.metrics[key], digits)

    def _repr_markdown_(self) -> str:
        return f"**{self.name}** → `{self.path}` ({self.seconds:.0f} s)\n\n" + self.table()


class Figure:
    """One figure in the making: started when created, it collects the panels it shows and, on
    :meth:`finish`, saves the composed figure as ``<name>.png`` and its metrics as ``<name>.json``
    (settings, network, device, profile, seconds, rows and any further measures)."""

    def __init__(self, ctx: Context, name: str) -> None:
        self.ctx, self.name = ctx, name
        self.panels: list[Panel] = []
        self.extra_figures: list = []
        self.started = time.perf_counter()

    def add(self, panel: Panel) -> Panel:
        """Count ``panel`` (from a :class:`Context` panel method) among this figure's panels."""
        self.panels.append(panel)
        return panel

    def also(self, figure, name: str) -> None:
        """Save a further figure (a curve, say) as ``<name>.png`` beside the main one."""
        save_figure(figure, self.ctx.output_dir / f"{name}.png")
        self.extra_figures.append(figure)

    def finish(self, figure, rows: list[dict], settings: dict, **extra) -> FigureResult:
        """Save ``figure`` and the metrics; ``extra`` are further top-level entries (measures…)."""
        path = self.ctx.output_dir / f"{self.name}.png"
        save_figure(figure, path)
        seconds = time.perf_counter() - self.started
        panels = self.panels
        metrics = {
            "figure": self.name, **self.ctx.describe(), "settings": settings,
            "seconds": {"figure": seconds,
                        "panels_computed": sum(p.seconds for p in panels if not p.cached),
                        "panels_total": sum(p.seconds for p in panels),
                        "panels_from_cache": sum(1 for p in panels if p.cached)},
            "routes": panel_routes(panels),
            "rows": rows, **extra,
        }
        write_json(self.ctx.output_dir / f"{self.name}.json", metrics)
        return FigureResult(self.name, figure, path, metrics, tuple(self.extra_figures))


def panel_routes(panels: list[Panel]) -> list[dict | None]:
    """How the panels' network passes were computed (:mod:`gatys.core.route`), each route once;
    None for a panel cached before routes were recorded."""
    routes: list[dict | None] = []
    for panel in panels:
        if panel.record.get("route") not in routes:
            routes.append(panel.record.get("route"))
    return routes
