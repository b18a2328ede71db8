"""One place for the paper's settings: every figure's recipe, and the run profiles.

Sources: arXiv 1508.06576 (2015) and CVPR 2016. Layer names are post-ReLU ("conv4_2" in the
paper is ``relu4_2`` here, as in the authors' code). Values marked (unverified) come from
secondary copies of the paper.
"""

from __future__ import annotations

from dataclasses import dataclass

from gatys.core import defaults

# The network, the convention and the layers: the package's defaults (gatys.core.defaults).
POOLING = defaults.POOLING
NORMALISED = defaults.NORMALISED
CONVENTION = defaults.CONVENTION
CONTENT_LAYER = defaults.CONTENT_LAYERS[0]
STYLE_LAYERS = defaults.STYLE_LAYERS
# Fig. 1 (bottom) and Fig. 3 rows: the style layer sets grow one block at a time.
STYLE_LAYER_SETS = tuple(STYLE_LAYERS[: k + 1] for k in range(len(STYLE_LAYERS)))

# Fig. 1 (top): content reconstructions; arXiv uses conv*_1, CVPR conv*_2.
CONTENT_LAYERS = {
    "arxiv": ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"),
    "cvpr": ("relu1_2", "relu2_2", "relu3_2", "relu4_2", "relu5_2"),
}

CONTENT_IMAGE = "tubingen"

# The paper prints its ratios for its own setting: the network normalised over ImageNet, about
# 512 px. Here, from the paper's white-noise start at the profile's size and iterations, the
# same look (the painting's motifs with the scene; gatys.experiments.measures) appears at
# RATIO_CALIBRATION times the printed value (notebook 06; benchmarks/README.md, "the recipe
# probe"). Every figure runs the printed ratio times this factor and labels both.
PRINTED_RATIO = 1e-3
RATIO_CALIBRATION = defaults.RATIO / PRINTED_RATIO


def calibrated(printed: float) -> float:
    """The ratio a figure runs for the paper's printed α/β (see RATIO_CALIBRATION)."""
    return float(f"{printed * RATIO_CALIBRATION:.6g}")


@dataclass(frozen=True)
class StyleRecipe:
    """One panel of arXiv Fig. 2 / CVPR Fig. 3: a painting and the paper's printed α/β for it
    (the figure runs :func:`calibrated` of it)."""

    image: str
    arxiv_ratio: float
    cvpr_ratio: float


FIVE_STYLES = (
    StyleRecipe("shipwreck", 1e-3, 1e-3),
    StyleRecipe("starry_night", 1e-3, 8e-4),
    StyleRecipe("the_scream", 1e-3, 5e-3),
    StyleRecipe("seated_nude", 1e-4, 5e-4),
    StyleRecipe("composition_vii", 1e-4, 5e-4),
)

# Fig. 1 (bottom): style reconstructions of these paintings.
TEXTURE_IMAGES = ("starry_night", "composition_vii")

# arXiv Fig. 3 / CVPR Fig. 4: rows = STYLE_LAYER_SETS, columns = these printed ratios
# (unverified), run calibrated.
TRADEOFF_IMAGE = "composition_vii"
TRADEOFF_PRINTED_RATIOS = (1e-5, 1e-4, 1e-3, 1e-2)
TRADEOFF_RATIOS = tuple(calibrated(ratio) for ratio in TRADEOFF_PRINTED_RATIOS)

# CVPR Fig. 5: content layer choice, at α/β = 1e-3.
CONTENT_LAYER_CHOICE = ("relu2_2", "relu4_2")
CONTENT_LAYER_CHOICE_RATIO = calibrated(1e-3)
CONTENT_LAYER_CHOICE_STYLE = "starry_night"

# Content reconstructions (Fig. 1 top, the start's amplitude, the random networks) measure how
# much of the photograph a layer keeps, so they run in float32 whatever route the transfers
# take: a bfloat16 network pass floors relu1_1's reconstruction at 45.3 dB PSNR against 55.0 dB
# in float32 (CPU profile; benchmarks/compare_figures.py on notebook 01 run both ways).
RECONSTRUCTION_PRECISION = "fp32"

# CVPR Fig. 6: initialisation from content, style and four noise seeds.
INIT_STYLE = "starry_night"
INIT_RATIO = calibrated(1e-3)
INIT_NOISE_SEEDS = (0, 1, 2, 3)

# Notebook 05, the white-noise start's amplitude (the paper does not give it): the authors'
# code (σ = 1/255 around the mean pixel, gatys.core.start), larger Gaussian amplitudes, and
# full-amplitude uniform noise; each for content reconstructions and a transfer.
START_NOISE_STDS = (1 / 255, 0.03, 0.1)
START_CONTENT_LAYERS = ("relu2_1", "relu3_1", "relu4_1")

# The calibration sweep (notebook 06): ratios over many decades, both conventions.
CALIBRATION_STYLE = "starry_night"
CALIBRATION_RATIOS = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0)


@dataclass(frozen=True)
class Profile:
    """How big and how long: the paper's settings on a GPU, smaller ones on a CPU."""

    name: str
    size: int  # long side of the result, px
    iterations: int  # L-BFGS iterations per panel
    normalisation_size: int  # long side of the images the channel means are measured on
    # The extension notebooks (07 onwards) have several times more panels than a paper figure;
    # on a CPU they run smaller and shorter so that `make figures` stays within its hour.
    extension_size: int
    extension_iterations: int
    # α/β of the extensions' transfers: the balance moves with the image size (a smaller image
    # needs more content weight for its scene to form from noise), so it is calibrated at the
    # extension size as the figures' ratio is at theirs (benchmarks/recipe_probe.py).
    extension_ratio: float
    # The budget of a transfer panel of the paper's figures (Fig. 2, 3, 5, 6, the calibration):
    # each runs until its look has settled (gatys.experiments.settling) or this many iterations.
    settle_budget: int


# The extensions' α/β at 128 px, 150 iterations: the look from 0.3 (deep texture 0.50, scene
# 0.51) to 1 (0.63, 0.79), none at 0.1 (scene 0.13) or 3 (deep 0.80); recipe_probe.py --size 128
# --iterations 150 --config six:0.1 --config six:0.3 --config six:1 --config six:3.
SMALL_EXTENSION_RATIO = 0.3
# At 256 px the probe's four long runs settle or stall by 740 iterations
# (benchmarks/results/convergence.json); the budget leaves room above that.
SETTLE_BUDGET_CPU = 1000

PROFILES = {
    # CVPR Sec. 4: ~512 px, the authors ran 500 L-BFGS iterations; the extensions at the same
    # size take the figures' ratio; a transfer panel may run twice the authors' budget to settle.
    "paper": Profile("paper", 512, 500, 512, 512, 500, defaults.RATIO, 1000),
    # A 2-core CPU: the paper's figures at 256 px (reconstructions 150 iterations, transfers
    # until settled, at most SETTLE_BUDGET_CPU), the extensions at 128 px.
    "cpu": Profile("cpu", 256, 150, 256, 128, 150, SMALL_EXTENSION_RATIO, SETTLE_BUDGET_CPU),
    # A first look on a CPU in minutes (`make figures PROFILE=quick`); its 64 px extensions take
    # the 128 px ratio (not calibrated at 64 px).
    "quick": Profile("quick", 128, 100, 128, 64, 100, SMALL_EXTENSION_RATIO, 400),
    # CI: every notebook end to end in seconds; the numbers mean nothing (no panel runs long
    # enough to be checked for settling: each stops at its budget).
    "smoke": Profile("smoke", 32, 3, 32, 32, 3, defaults.RATIO, 3),
}


def profile(name: str, device_type: str = "cpu") -> Profile:
    """The named profile; ``"auto"`` is ``paper`` on a GPU and ``cpu`` otherwise."""
    if name == "auto":
        name = "cpu" if device_type == "cpu" else "paper"
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose auto, {', '.join(PROFILES)}") from None


# ---------------------------------------------------------------------------------------------
# "For the pros" (notebooks 07-10, gatys.experiments.variations): extensions the course handout asks for. They run
# at the profile's extension_size / extension_iterations; transfers use the convention above.

# Every extension transfer runs the profile's extension_ratio (see PROFILES).
PROS_STYLE = "starry_night"

# Notebook 07: the trained network against untrained ones (random He-normal weights, normalised
# over the same images with the same recipe) and the one-layer random-filter model.
RANDOM_SEEDS = (0, 1, 2)
RANDOM_CONTENT_LAYERS = ("relu2_1", "relu4_1")
RANDOM_TEXTURE_IMAGE = "starry_night"
RANDOM_TEXTURE_LAYERS = STYLE_LAYERS
# The random-filter model (Ustyuzhaninov et al. 2017): filter sizes and filters per scale by
# profile. The paper profile is their model (8 scales × 128 = 1024 maps); on a CPU the 37 and 55 px
# scales alone cost seconds per evaluation, so the CPU profile drops them (the largest filter,
# 23 px, then spans a quarter of the 96 px image, as their 55 px did of a 256 px one) and keeps
# 32 filters per scale (192 maps). Deviation named in the notebook.
RANDOM_FILTERS = {
    "paper": ((3, 5, 7, 11, 15, 23, 37, 55), 128),
    "cpu": ((3, 5, 7, 11, 15, 23), 32),
    "quick": ((3, 5, 7, 11, 15), 16),
    "smoke": ((3, 5, 7), 8),
}

# Notebook 08: two styles blended, the weight of the first sweeping from 1 to 0.
BLEND_STYLES = ("starry_night", "composition_vii")
BLEND_WEIGHTS = (1.0, 0.75, 0.5, 0.25, 0.0)

# Notebook 09: content layer sweep (CVPR Fig. 1's conv*_2), other style layer sets, pre-ReLU.
CONTENT_SWEEP = CONTENT_LAYERS["cvpr"]
HIGH_STYLE_LAYERS = ("relu4_1", "relu5_1")
PRE_RELU_STYLE_LAYERS = tuple(layer.replace("relu", "conv") for layer in STYLE_LAYERS)
PRE_RELU_CONTENT_LAYER = CONTENT_LAYER.replace("relu", "conv")

# Notebook 10: the network variants, (pooling, normalised); the first is the paper's.
NETWORK_VARIANTS = (("avg", True), ("max", True), ("avg", False), ("max", False))


# ---------------------------------------------------------------------------------------------
# Beyond the paper (notebook 11): the controls of Gatys, Ecker, Bethge, Hertzmann & Shechtman,
# "Controlling Perceptual Factors in Neural Style Transfer" (CVPR 2017), and total variation.
# Every panel is the Neckarfront at the profile's extension size and iterations, from white noise.

# α/β under CONVENTION: the profile's extension_ratio, as in the extensions above.
# Colour preservation: a painting whose colours (orange sky) differ from the photograph's.
COLOUR_STYLE = "the_scream"
# Scale control: the style image's long side relative to the content's.
STYLE_SCALE_STYLE = "the_scream"
STYLE_SCALES = (0.5, 1.0, 2.0)
# Combining scales: one painting's fine scales with another's coarse ones, and the reverse.
FINE_LAYERS = ("relu1_1", "relu2_1")
COARSE_LAYERS = ("relu3_1", "relu4_1", "relu5_1")
SCALE_PAIR = ("starry_night", "the_scream")
# Coarse-to-fine: the result at the extension size; the pyramid starts at half of it with the
# extension iterations, then refines for half as many at the final size.
COARSE_TO_FINE_STYLE = "starry_night"
# Spatial control: the sky in one painting, the rest in another.
SKY_STYLE = "starry_night"
GROUND_STYLE = "composition_vii"
# Total variation (not in the paper): λ_TV against the objective's raw value, which is of order 1
# at the end of an extension run under the recipe (content ≈ 5, style ≈ 1.4 at α/β 0.3), while a
# stylised image's TV is about 0.01: at the end of notebook 11's runs λ_TV · TV is about 3 %
# (λ_TV = 10, TV 0.0083) and 14 % (100, TV 0.0042) of the objective.
TV_STYLE = "the_scream"
TV_WEIGHTS = (0.0, 10.0, 100.0)
