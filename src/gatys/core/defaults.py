"""The defaults, once: every API function, the command line and the notebooks read them here.

- Layers (arXiv Fig. 2): content at conv4_2, style at conv1_1 … conv5_1, taken after the ReLU as
  in the authors' code (so ``relu4_2`` for the paper's "conv4_2").
- The network: average pooling, normalised so that each channel's mean activation is 1.
- How α/β is read: the authors' released code for the network in use
  (:data:`gatys.core.objective.LOSS_CONVENTIONS`: their normalised-network weights by default,
  their original-network weights on an unnormalised network); RATIO is calibrated by
  benchmarks/recipe_probe.py (docs/conventions.md).
- The start: the paper's white noise, with the amplitude of the authors' code.
- The optimiser: L-BFGS keeping 100 (step, gradient-change) pairs, as the authors' code does
  (torch7's optim.lbfgs, nCorrection 100).
"""

# The paper's long side of a result (CVPR 2016, Fig. 3: 512 px), and its optimiser's length.
SIZE = 512
ITERATIONS = 500
OPTIMIZER = "lbfgs"  # the paper's; Adam is the alternative people try
OPTIMIZERS = ("lbfgs", "adam")
CONTENT_LAYERS = ("relu4_2",)
STYLE_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
POOLING = "avg"
POOLINGS = ("avg", "max")
NORMALISED = True
CONVENTION = "gatys-code-normalised"
# The recipe of the original (unnormalised) network, used when such a network is passed.
ORIGINAL_CONVENTION = "gatys-code-original"
# α/β under CONVENTION. The authors' weights make the paper's printed 1e-3; from the paper's
# white-noise start at 256 px the same balance (the painting's motifs over the scene) appears
# from 1e-1 to 3e-1; 1e-1 keeps the look on the paper's pair and on the tests' unseen ones with
# room on both bounds (benchmarks/recipe_probe.py, tests/test_look.py; docs/conventions.md).
RATIO = 1e-1
# The paper's start: white noise as the authors' code draws it (gatys.core.start.white_noise).
INIT = "noise"
# The starts the optimisation knows by name (gatys.core.start); any other start is an image file.
INITS = ("noise", "uniform-noise", "content", "style")
# L-BFGS's history: pairs of image-sized vectors kept (memory: 2 × this × the image's floats).
HISTORY_SIZE = 100
# Beyond the paper (Gatys et al. 2017): keep the photograph's colours, by either method.
COLOUR_METHODS = ("luminance", "histogram")
# How the network's pass is computed (gatys.core.route): measured per machine by default, since
# bfloat16 halves a CPU pass on some hosts and slows it many times on others.
PRECISION = "auto"
PRECISIONS = ("auto", "fp32", "bf16")
LAYOUT = "auto"
LAYOUTS = ("auto", "channels-last", "contiguous")
