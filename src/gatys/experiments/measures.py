"""How a result is measured: pixels against a reference, the paper's look, and losses on a network.

**Pixels** (:func:`psnr`, :func:`ssim`, :func:`moved`, :func:`pixel_noise`,
:func:`spectral_period`, :func:`grid_strength`): the paper says that reconstructing a photograph
from the lower layers is "almost perfect" while the higher ones keep the arrangement but lose the
exact pixels (Fig. 1), a claim about pixels, checked in pixel space. Images are tensors
``(1, 3, H, W)`` or ``(3, H, W)`` in 0..1, on any device; each measure returns a float.

**The look**: does a result have the paper's look?

A falling loss is not a stylised picture, and a picture that left its photograph is not yet a
painting: a photograph under fine speckle moves every pixel and keeps the scene, and that is not
what the paper shows. So a result x is judged against its photograph p *and* its painting a on
what a viewer sees of a painting:

- **texture** at layer l: ‖G^l(x)/M_x − G^l(a)/M_a‖_F / ‖G^l(p)/M_p − G^l(a)/M_a‖_F, the
  distance of x's Gram matrix to the painting's, relative to the photograph's. 1: no closer to
  the painting than the photograph; 0: the painting's statistics. It is measured with a
  *reference* network that is not the one being optimised (:func:`reference_network`: the same
  weights, max pooling as trained, not normalised), at the finest layer (relu1_1: brush grain,
  colour) and the deep ones (relu3_1 … relu5_1: the motifs).
- **palette**: the sliced Wasserstein distance of x's colours to the painting's in CIELAB,
  relative to the photograph's (1: the photograph's palette; 0: the painting's).
- **scene**: is the photograph's arrangement still there, whatever the brush work on top? The
  correlation of the result's feature maps with the photograph's at relu3_2 and relu4_2 (the
  layers around the content layer) on the reference network, each map averaged over a grid of
  :data:`SCENE_GRID` cells along the long side and its channel means removed
  (:func:`scene_layout`). The grid averages out the painting's strokes; removing the means
  takes out the global statistics the style term sets; what is left is *where* things are.
  1: the photograph's layout; about 0 for a stationary texture or an unrelated image (the
  paintings themselves against the Neckarfront: benchmarks/results/scene_probe.json).
- **scene SSIM**: the SSIM of the greys after an 8× area downsampling (:func:`scene_kept`), kept
  as a second, reported number. It cannot tell a scene from its light and dark regions: a pure
  texture after 1000 iterations from noise and a photograph-start run that has lost its houses
  both pass SSIM bounds that good transfers meet (benchmarks/results/scene_probe.json).
- **moved** (mean |x − p|) and **noise** (mean |x − median₃ₓ₃(x)|, relative to the photograph's)
  are kept as descriptions; they cannot tell speckle from paint, so the yardstick does not use
  them.

The paper's look (:data:`PAPERS_LOOK`): the deep texture ratio (the mean over relu3_1 … relu5_1)
≤ 0.65, the relu1_1 ratio ≤ 0.8, and the scene between :data:`PAPERS_LOOK`'s bounds: below,
the scene is lost (a texture of the painting); above, the photograph is only overlaid with the
painting's texture, not redrawn in its manner. It rejects the failures it is there to catch: the
photograph under speckle (deep 0.84), the pure texture (the printed 1e-3 from noise, long or
short), the photograph-start run at the printed ratio early (the photograph under swirls) and
late (the houses gone); jcjohnson/neural-style's renderings of Fig. 2 pass
(benchmarks/scene_probe.py, whose output is benchmarks/results/scene_probe.json);
tests/test_look.py builds the failures by hand on pairs the tests never saw and checks that they
fail.

**Losses on a network** (:func:`losses_on`, :func:`style_loss_on`, :func:`region_style_loss`):
the paper's own terms of a result evaluated on a given network, one scale for results made on
different networks or with different controls.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from gatys.api.transfer import make_objective
from gatys.controls import colour
from gatys.core.features import FeatureModel
from gatys.core.losses import gram_matrix
from gatys.core.start import as_image
from gatys.core.vgg import VGGFeatures
from gatys.core.weights import ModelSpec, load_vgg, parse_model

__all__ = ["Look", "LookMeter", "PAPERS_LOOK", "Yardstick", "look", "moved", "pixel_noise",
           "scene_kept", "scene_layout",
           "texture_ratios", "palette_ratio", "palette_distance", "reference_network",
           "grid_strength", "psnr", "ssim", "spectral_period", "losses_on", "style_loss_on",
           "region_style_loss"]

SCENE_DOWNSAMPLING = 8  # the grey SSIM's area downsampling
# The scene's layers: the content layer (relu4_2) and the one below it, whose cells are still
# small enough to place a house; relu5_2 sees little but the sky.
SCENE_LAYERS = ("relu3_2", "relu4_2")
# Cells of the scene's grid along the long side, the same at any image size: 16 px cells at
# 256 px average out a stroke of the painting and keep a window row of the Neckarfront.
SCENE_GRID = 16
# The yardstick's scene bounds (benchmarks/results/scene_probe.json): jcjohnson/neural-style's
# renderings of Fig. 2 lie between them at 128-512 px, the paintings, pure textures and a
# photograph-start run that lost its houses below, the photograph under swirls above.
SCENE_MIN = 0.3
SCENE_MAX = 0.8
FINE_LAYER = "relu1_1"
DEEP_LAYERS = ("relu3_1", "relu4_1", "relu5_1")
TEXTURE_LAYERS = (FINE_LAYER, *DEEP_LAYERS)
# Sliced Wasserstein: directions in Lab, pixels sampled per image, quantiles compared.
PALETTE_DIRECTIONS = 64
PALETTE_SAMPLES = 16384
PALETTE_QUANTILES = 256


@dataclass(frozen=True)
class Yardstick:
    """Bounds on the measures; :meth:`Look.passes` checks a result against them."""

    max_deep_texture: float
    max_fine_texture: float
    min_scene: float
    max_scene: float = 1.0  # above it, the photograph under a texture rather than redrawn


PAPERS_LOOK = Yardstick(max_deep_texture=0.65, max_fine_texture=0.8, min_scene=SCENE_MIN,
                        max_scene=SCENE_MAX)


@dataclass(frozen=True)
class Look:
    texture: dict[str, float] = field(default_factory=dict)  # per layer, relative to the photo
    palette: float = float("nan")  # colour distance to the painting, relative to the photo's
    scene: float = float("nan")  # the photograph's feature layout kept (scene_layout)
    scene_ssim: float = float("nan")  # SSIM of 8×-downsampled greys (reported, not judged)
    moved: float = float("nan")  # mean |x − p|
    noise_ratio: float = float("nan")  # pixel noise relative to the photograph's

    @property
    def deep_texture(self) -> float:
        """The mean texture ratio over relu3_1 … relu5_1 (those the reference network has)."""
        deep = [self.texture[layer] for layer in DEEP_LAYERS if layer in self.texture]
        return sum(deep) / len(deep) if deep else float("nan")

    @property
    def fine_texture(self) -> float:
        return self.texture.get(FINE_LAYER, float("nan"))

    def failures(self, yardstick: Yardstick = PAPERS_LOOK) -> list[str]:
        """What keeps the result from the look, in words (empty: it has it)."""
        failed = []
        if not self.deep_texture <= yardstick.max_deep_texture:
            failed.append(f"the painting's motifs are missing (deep texture ratio "
                          f"{self.deep_texture:.2f} > {yardstick.max_deep_texture})")
        if not self.fine_texture <= yardstick.max_fine_texture:
            failed.append(f"the painting's brush grain is missing (relu1_1 texture ratio "
                          f"{self.fine_texture:.2f} > {yardstick.max_fine_texture})")
        if not self.scene >= yardstick.min_scene:
            failed.append(f"the scene is lost (scene layout {self.scene:.2f} < "
                          f"{yardstick.min_scene})")
        elif self.scene > yardstick.max_scene:
            failed.append(f"the photograph is not redrawn (scene layout {self.scene:.2f} > "
                          f"{yardstick.max_scene})")
        return failed

    def passes(self, yardstick: Yardstick = PAPERS_LOOK) -> bool:
        return not self.failures(yardstick)

    def as_dict(self) -> dict[str, float]:
        values = {f"texture {layer}": ratio for layer, ratio in self.texture.items()}
        values.update({key: value for key, value in asdict(self).items() if key != "texture"})
        values.update(deep_texture=self.deep_texture, fine_texture=self.fine_texture)
        return values


def _batch(image: torch.Tensor) -> torch.Tensor:
    image = image.detach().float().cpu()
    return image if image.dim() == 4 else image.unsqueeze(0)


def _same_shape(image: torch.Tensor, photo: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    image, photo = _batch(image), _batch(photo)
    if image.shape != photo.shape:
        raise ValueError(f"the result is {tuple(image.shape)} and the photograph "
                         f"{tuple(photo.shape)}; compare them at the same size")
    return image, photo


def moved(image: torch.Tensor, photo: torch.Tensor) -> float:
    """Mean |x − p| over pixels and channels, in 0..1 units."""
    image, photo = _same_shape(image, photo)
    return float((image - photo).abs().mean())


def pixel_noise(image: torch.Tensor) -> float:
    """Mean |x − median₃ₓ₃(x)| over pixels and channels: isolated speckle, edges kept."""
    image = _batch(image)
    padded = F.pad(image, (1, 1, 1, 1), mode="replicate")
    windows = padded.unfold(2, 3, 1).unfold(3, 3, 1).reshape(*image.shape, 9)
    return float((image - windows.median(dim=-1).values).abs().mean())


def _grey(image: torch.Tensor) -> torch.Tensor:
    weights = image.new_tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)  # ITU-R BT.601 luma
    return (image * weights).sum(dim=1, keepdim=True)


def scene_kept(image: torch.Tensor, photo: torch.Tensor,
               downsampling: int = SCENE_DOWNSAMPLING) -> float:
    """SSIM between the greys of ``image`` and ``photo`` after a ``downsampling``× area average."""
    from skimage.metrics import structural_similarity

    image, photo = _same_shape(image, photo)
    size = [max(7, side // downsampling) for side in image.shape[-2:]]
    small = [F.interpolate(_grey(x), size=size, mode="area")[0, 0].double().numpy()
             for x in (image, photo)]
    return float(structural_similarity(small[0], small[1], data_range=1.0, win_size=7))


def _layout_grid(feature: torch.Tensor) -> torch.Tensor:
    """``feature`` (1, C, h, w) averaged over :data:`SCENE_GRID` cells along its long side, each
    channel's mean over the cells removed."""
    height, width = feature.shape[-2:]
    cells = (max(1, round(SCENE_GRID * height / max(height, width))),
             max(1, round(SCENE_GRID * width / max(height, width))))
    grid = F.adaptive_avg_pool2d(feature.double(), cells)
    return grid - grid.mean(dim=(2, 3), keepdim=True)


def _usable(reference: VGGFeatures, layers: Sequence[str], smallest: int) -> list[str]:
    """``layers`` the reference network has and an image of side ``smallest`` reaches."""
    return [layer for layer in layers
            if layer in reference.names and reference.min_size([layer]) <= smallest]


def _features(reference: VGGFeatures, image: torch.Tensor, layers: Sequence[str]) -> dict:
    device = next(reference.parameters()).device
    with torch.no_grad():
        return reference(_batch(image).to(device), list(layers)) if layers else {}


def _correlation(result: torch.Tensor, photograph: torch.Tensor) -> float:
    norm = (result.norm() * photograph.norm()).clamp_min(1e-30)
    return float((result * photograph).sum() / norm)


def scene_layout(image: torch.Tensor, photo: torch.Tensor, reference: VGGFeatures,
                 layers: Sequence[str] = SCENE_LAYERS) -> float:
    """How much of the photograph's arrangement ``image`` keeps: the mean over ``layers`` of

        corr(x, p) = ⟨Φ^l(x), Φ^l(p)⟩ / (‖Φ^l(x)‖ ‖Φ^l(p)‖),

    Φ^l the reference network's feature maps at l averaged over a grid of :data:`SCENE_GRID`
    cells on the long side, each channel's mean over the grid removed. 1 for the photograph
    (or any image whose features vary over the picture as the photograph's do), about 0 for a
    stationary texture, whose cells all look alike. Layers deeper than the image allows are left
    out."""
    image, photo = _same_shape(image, photo)
    layers = _usable(reference, layers, min(image.shape[-2:]))
    if not layers:
        raise ValueError(f"a {tuple(image.shape[-2:])} image is too small for the scene "
                         f"layers {', '.join(SCENE_LAYERS)}; measure a larger one")
    result, photograph = (_features(reference, x, layers) for x in (image, photo))
    values = [_correlation(_layout_grid(result[layer]).cpu(), _layout_grid(photograph[layer]).cpu())
              for layer in layers]
    return sum(values) / len(values)


class LookMeter:
    """The look (texture ratios, scene, scene SSIM; not the palette) of many images against one
    ``photo`` and ``painting``, whose reference features are computed once: what a settling run
    measures at every check, one network pass per image."""

    def __init__(self, photo: torch.Tensor, painting: torch.Tensor,
                 reference: VGGFeatures) -> None:
        self.photo, self.reference = _batch(photo), reference
        smallest = min(min(_batch(x).shape[-2:]) for x in (photo, painting))
        self.texture_layers = _usable(reference, TEXTURE_LAYERS, smallest)
        self.scene_layers = _usable(reference, SCENE_LAYERS, min(self.photo.shape[-2:]))
        self.photo_grams = _mean_grams(reference, photo, self.texture_layers)
        self.painting_grams = _mean_grams(reference, painting, self.texture_layers)
        photo_features = _features(reference, photo, self.scene_layers)
        self.photo_grids = {layer: _layout_grid(photo_features[layer]).cpu()
                            for layer in self.scene_layers}

    def __call__(self, image: torch.Tensor) -> Look:
        image, _ = _same_shape(image, self.photo)
        features = _features(self.reference, image,
                             list(dict.fromkeys([*self.texture_layers, *self.scene_layers])))
        texture = {layer: _texture_ratio(_mean_gram(features[layer]), self.photo_grams[layer],
                                         self.painting_grams[layer])
                   for layer in self.texture_layers}
        scene = [_correlation(_layout_grid(features[layer]).cpu(), self.photo_grids[layer])
                 for layer in self.scene_layers]
        return Look(texture=texture, scene=sum(scene) / len(scene) if scene else float("nan"),
                    scene_ssim=scene_kept(image, self.photo))


@functools.lru_cache(maxsize=2)
def _reference(spec, device: str) -> VGGFeatures:
    return load_vgg(spec, pooling="max", device=device)


def reference_network(model: str | ModelSpec | None = None, weights: str | None = None,
                      device: str | torch.device = "cpu") -> VGGFeatures:
    """The network the texture ratios are measured with: the weights the settings name
    (``model``/``weights`` or ``$GATYS_MODEL``/``$GATYS_WEIGHTS``) with max pooling, as they were
    trained, and not normalised, so it is never the network a transfer optimises (average
    pooling, normalised). Loaded once per process."""
    spec = model if isinstance(model, ModelSpec) else parse_model(model, weights)
    return _reference(spec, str(torch.device(device)))


def _mean_gram(feature: torch.Tensor) -> torch.Tensor:
    """G^l / M_l of one layer's features (1, N, h, w), in float64 on the CPU."""
    return (gram_matrix(feature)[0] / (feature.shape[2] * feature.shape[3])).double().cpu()


def _mean_grams(network: VGGFeatures, image: torch.Tensor,
                layers: Sequence[str]) -> dict[str, torch.Tensor]:
    """G^l / M_l of ``image`` at ``layers``, in float64 on the CPU."""
    return {layer: _mean_gram(value) for layer, value in _features(network, image, layers).items()}


def _texture_ratio(result: torch.Tensor, photograph: torch.Tensor, target: torch.Tensor) -> float:
    return float(torch.linalg.norm(result - target)
                 / torch.linalg.norm(photograph - target).clamp_min(1e-12))


def texture_ratios(image: torch.Tensor, photo: torch.Tensor, painting: torch.Tensor,
                   reference: VGGFeatures,
                   layers: Sequence[str] = TEXTURE_LAYERS) -> dict[str, float]:
    """‖G(x)/M − G(a)/M‖_F / ‖G(p)/M − G(a)/M‖_F per layer, measured with ``reference``.

    ``image`` x, ``photo`` p and ``painting`` a may have different sizes: each Gram matrix is
    divided by its own number of positions. Layers deeper than the images allow are left out.
    """
    smallest = min(min(_batch(x).shape[-2:]) for x in (image, photo, painting))
    layers = _usable(reference, layers, smallest)
    grams = [_mean_grams(reference, x, layers) for x in (image, photo, painting)]
    return {layer: _texture_ratio(*(g[layer] for g in grams)) for layer in layers}


def _lab_pixels(image: torch.Tensor, samples: int, generator: torch.Generator) -> torch.Tensor:
    """Up to ``samples`` pixels of ``image`` in CIELAB (D65), (n, 3) float64."""
    from skimage.color import rgb2lab

    rgb = _batch(image)[0].clamp(0, 1).permute(1, 2, 0).double().numpy()
    lab = torch.from_numpy(rgb2lab(rgb)).reshape(-1, 3)
    if lab.shape[0] > samples:
        lab = lab[torch.randperm(lab.shape[0], generator=generator)[:samples]]
    return lab


def palette_distance(first: torch.Tensor, second: torch.Tensor, seed: int = 0) -> float:
    """The sliced 2-Wasserstein distance between two images' colour distributions in CIELAB.

    Both images' pixels (sampled, at most :data:`PALETTE_SAMPLES`) are projected on
    :data:`PALETTE_DIRECTIONS` random unit directions; on each, the two distributions are
    compared quantile by quantile. Returns the root of the mean squared quantile difference, in
    Lab units (ΔE-like); 0 for the same palette, whatever the arrangement of the pixels.
    """
    generator = torch.Generator().manual_seed(seed)
    a = _lab_pixels(first, PALETTE_SAMPLES, generator)
    b = _lab_pixels(second, PALETTE_SAMPLES, generator)
    directions = torch.randn(3, PALETTE_DIRECTIONS, generator=generator, dtype=torch.float64)
    directions = directions / directions.norm(dim=0, keepdim=True)
    levels = torch.linspace(0, 1, PALETTE_QUANTILES, dtype=torch.float64)
    qa = torch.quantile(a @ directions, levels, dim=0)
    qb = torch.quantile(b @ directions, levels, dim=0)
    return float((qa - qb).pow(2).mean().sqrt())


def palette_ratio(image: torch.Tensor, photo: torch.Tensor, painting: torch.Tensor) -> float:
    """The result's palette distance to the painting, relative to the photograph's."""
    return palette_distance(image, painting) / max(palette_distance(photo, painting), 1e-12)


def grid_strength(image: torch.Tensor, period: int = 4,
                  region: tuple[slice, slice] | None = None) -> float:
    """How strongly a regular grid of ``period`` px stands out in ``image`` (or its ``region``,
    (rows, columns) slices): the power of the grey image's spectrum at that period along either
    axis, divided by the median power of all frequencies at the same distance from the origin.
    About 1 for an image without such a grid; a strided network leaves its period-4 grid as a
    peak of 10 or more."""
    grey = _grey(_batch(image))[0, 0].double()
    if region is not None:
        grey = grey[region]
    height, width = grey.shape
    window = torch.outer(torch.hann_window(height, periodic=False, dtype=torch.float64),
                         torch.hann_window(width, periodic=False, dtype=torch.float64))
    power = torch.fft.fft2((grey - grey.mean()) * window).abs().pow(2)
    fy = torch.fft.fftfreq(height, dtype=torch.float64).view(-1, 1).expand(height, width)
    fx = torch.fft.fftfreq(width, dtype=torch.float64).view(1, -1).expand(height, width)
    radius = torch.sqrt(fx**2 + fy**2)
    target = 1.0 / period
    ring = (radius - target).abs() <= 1.0 / min(height, width)
    # The mean over the 3×3 bins around each axis's peak: a single bin's power scatters ~2× even
    # for noise; the window spreads a true peak over its neighbours anyway.
    row, column = int(round(target * height)), int(round(target * width))
    rows, columns = torch.arange(-1, 2), torch.arange(-1, 2)
    peaks = [power[(row + rows).view(-1, 1) % height, columns.view(1, -1) % width].mean(),
             power[rows.view(-1, 1) % height, (column + columns).view(1, -1) % width].mean()]
    return float(max(peaks) / power[ring].median().clamp_min(1e-30))


def look(image: torch.Tensor, photo: torch.Tensor, painting: torch.Tensor,
         reference: VGGFeatures | None = None) -> Look:
    """The measures of ``image`` (a result) against ``photo`` (its content image) and
    ``painting`` (its style image), the texture measured with ``reference`` (default:
    :func:`reference_network`)."""
    reference = reference if reference is not None else reference_network()
    measured = LookMeter(photo, painting, reference)(image)
    return Look(texture=measured.texture, palette=palette_ratio(image, photo, painting),
                scene=measured.scene, scene_ssim=measured.scene_ssim, moved=moved(image, photo),
                noise_ratio=pixel_noise(image) / max(pixel_noise(photo), 1e-8))


_SSIM_WINDOW = 7  # scikit-image's default win_size


def _as_chw(image: torch.Tensor, reference: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Both tensors as float64 ``(3, H, W)`` on the CPU; ValueError if their shapes differ."""
    if not isinstance(image, torch.Tensor) or not isinstance(reference, torch.Tensor):
        raise TypeError("psnr and ssim compare two torch.Tensor images")
    if tuple(image.shape) != tuple(reference.shape):
        raise ValueError(
            f"cannot compare an image of shape {tuple(image.shape)} with a reference of shape "
            f"{tuple(reference.shape)}; resize one to match the other"
        )
    if image.dim() == 4 and image.shape[0] == 1:
        image, reference = image[0], reference[0]
    if image.dim() != 3 or image.shape[0] != 3:
        raise ValueError(
            f"cannot compare images of shape {tuple(image.shape)}; pass (1, 3, H, W) or (3, H, W)"
        )
    return image.detach().to("cpu", torch.float64), reference.detach().to("cpu", torch.float64)


def _hwc(image: torch.Tensor) -> np.ndarray:
    """A ``(3, H, W)`` CPU tensor as a contiguous ``(H, W, 3)`` numpy array."""
    return np.ascontiguousarray(image.permute(1, 2, 0).numpy())


def psnr(image: torch.Tensor, reference: torch.Tensor, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB, ``10 · log10(data_range² / MSE)``; inf if identical."""
    image, reference = _as_chw(image, reference)
    mse = float(torch.mean((image - reference) ** 2))
    if mse == 0.0:
        return math.inf
    return 10.0 * math.log10(data_range**2 / mse)


def _win_size(height: int, width: int) -> int:
    """scikit-image's 7-pixel window, or the largest odd size (>= 3) that fits a smaller image."""
    side = min(height, width, _SSIM_WINDOW)
    win = side if side % 2 == 1 else side - 1
    if win < 3:
        raise ValueError(
            f"SSIM needs an image at least 3×3 pixels, not {height}×{width}; "
            "compare larger images"
        )
    return win


def ssim(image: torch.Tensor, reference: torch.Tensor) -> float:
    """Structural similarity (Wang et al. 2004), the mean over the RGB channels; 1 if identical.

    Uses ``skimage.metrics.structural_similarity`` with a 7-pixel window (smaller, odd, for images
    under 7 pixels on a side) and ``data_range=1``.
    """
    from skimage.metrics import structural_similarity  # imported here: only this needs it

    image, reference = _as_chw(image, reference)
    win = _win_size(int(image.shape[1]), int(image.shape[2]))
    return float(
        structural_similarity(
            _hwc(image), _hwc(reference), channel_axis=-1, data_range=1.0, win_size=win
        )
    )


def spectral_period(image: torch.Tensor) -> float:
    """The power-weighted mean spatial period of the luminance, in pixels: 1 / Σ_f P(f)|f| / Σ P(f)
    over the 2-D spectrum without its mean (|f| in cycles per pixel). Larger brush strokes or
    coarser texture give a longer period."""
    values = colour.luminance(image)[0, 0].double()
    power = torch.fft.fft2(values - values.mean()).abs().pow(2)
    fy = torch.fft.fftfreq(values.shape[0], dtype=torch.float64).view(-1, 1)
    fx = torch.fft.fftfreq(values.shape[1], dtype=torch.float64).view(1, -1)
    radius = (fy.pow(2) + fx.pow(2)).sqrt()
    return float(power.sum() / (power * radius).sum())


# ---------------------------------------------------------------------------------------------
# Losses on a network


def _device(model: FeatureModel) -> torch.device:
    return next(model.parameters()).device


def losses_on(model: FeatureModel, image: torch.Tensor, *, content_layer: str,
              style_layers: Sequence[str], content: torch.Tensor | None = None,
              style: torch.Tensor | None = None, convention: str | None = None) -> dict:
    """L_content (at ``content_layer``) and L_style (``style_layers``, read under
    ``convention``) of ``image`` on ``model``, plus E_l per style layer (``"style/<layer>"``).
    ``style`` is resized as a transfer resizes it: its long side to the image's, its aspect
    kept."""
    styles = [] if style is None else [as_image(style, size=max(image.shape[-2:]))]
    objective = make_objective(model, content=content, styles=styles,
                               content_layers=[content_layer], style_layers=style_layers,
                               ratio=1.0, convention=convention)
    with torch.no_grad():
        return objective(image.to(_device(model))).as_floats()


def style_loss_on(model: FeatureModel, image: torch.Tensor, style: torch.Tensor,
                  layers: Sequence[str], convention: str | None = None) -> float:
    """L_style = Σ_l w_l E_l of ``image`` against ``style`` at ``layers`` on ``model``, without
    a content term."""
    objective = make_objective(model, styles=[style], style_layers=layers, convention=convention)
    with torch.no_grad():
        return float(objective(image.to(_device(model))).style)


def region_style_loss(model: FeatureModel, image: torch.Tensor, style: torch.Tensor,
                        mask: torch.Tensor, layers: Sequence[str],
                        convention: str | None = None) -> float:
    """Σ_l w_l E_l,r: the guided style loss of ``image``'s region ``mask`` against ``style``
    (:meth:`gatys.core.objective.Objective.region_style_losses`), independent of its area."""
    image = image.to(_device(model))
    objective = make_objective(model, content=image, styles=[style], masks=[mask],
                               style_layers=layers, ratio=1.0, convention=convention)
    return objective.region_style_losses(image)[0]
