"""The defaults, once: every API function, the command line and the notebooks read them here.

- Layers (arXiv Fig. 2): content at conv4_2, style at conv1_1 … conv5_1, taken after the ReLU as
  in the authors' code (so ``relu4_2`` for the paper's "conv4_2").
- The network: average pooling, normalised so that each channel's mean activation is 1.
- How α/β is read: the authors' released code (:data:`gatys.core.objective.LOSS_CONVENTIONS`),
  chosen and shown in notebooks/06_alpha_beta_calibration.ipynb.
- The start: the paper's white noise, with the amplitude of the authors' code.
- The optimiser: L-BFGS keeping 100 (step, gradient-change) pairs, as the authors' code does
  (torch7's optim.lbfgs, nCorrection 100).
"""

CONTENT_LAYERS = ("relu4_2",)
STYLE_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
POOLING = "avg"
NORMALISED = True
CONVENTION = "gatys-code"
# α/β: the paper's value for three of the five styles of Fig. 2, read under CONVENTION.
RATIO = 1e-3
# The paper's start: white noise as the authors' code draws it (gatys.core.start.white_noise).
INIT = "noise"
# L-BFGS's history: pairs of image-sized vectors kept (memory: 2 × this × the image's floats).
HISTORY_SIZE = 100
