"""Probe: does a bfloat16 network pass buy time to quality, or only a faster pass?

`make bench` measured the bare VGG pass under bfloat16 autocast at about half the float32 time on
a CPU with AVX-512 BF16. L-BFGS needs consistent losses and gradients, so that alone says little.
This runs the time-to-quality setting (Neckarfront × Starry Night, the defaults, the paper's
white-noise start) for the same wall time twice in one process: float32 as usual, and with the
network's forward (and so its backward) under bfloat16 autocast, the features cast back to
float32 before the Gram matrices and losses. Both final images are then scored by the float32
objective, against ``--target`` (the loss `make bench` printed for 500 single-scale iterations
at this size), and get the look measures.

Usage: python benchmarks/bfloat16_probe.py --target 5.533e-4 [--size 512] [--seconds 210]
"""

from __future__ import annotations

import argparse
import copy
import time
import types

import torch

from gatys.core import defaults
from gatys.core.normalisation import normalised_vgg
from gatys.core.transfer import make_objective, style_transfer
from gatys.experiments.look import look, reference_network
from gatys.io.data import load_paper_image
from gatys.io.weights import load_vgg


def bfloat16_network(model):
    """A shallow copy of ``model`` whose forward runs under bfloat16 autocast and returns float32
    features (the weights are shared)."""
    network = copy.copy(model)
    forward = type(model).forward

    def autocast_forward(self, image, layers):
        with torch.autocast(image.device.type, dtype=torch.bfloat16):
            features = forward(self, image, layers)
        return {layer: value.float() for layer, value in features.items()}
    network.forward = types.MethodType(autocast_forward, network)
    return network


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, required=True)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--seconds", type=float, default=210)
    args = parser.parse_args()
    content = load_paper_image("tubingen", size=args.size)
    style = load_paper_image("starry_night", size=args.size)
    model = normalised_vgg(load_vgg(), [content, style])
    scorer = make_objective(model, content=content, styles=[style],
                            content_layers=defaults.CONTENT_LAYERS,
                            style_layers=defaults.STYLE_LAYERS, ratio=defaults.RATIO,
                            convention=defaults.CONVENTION)
    print(f"{args.size} px, {args.seconds:g} s each, scored by the float32 objective against the "
          f"target {args.target:.4g}")
    for name, network in (("float32", model), ("bfloat16 autocast", bfloat16_network(model))):
        deadline = time.perf_counter() + args.seconds

        def stop(iteration, image, values):
            if time.perf_counter() > deadline:
                raise KeyboardInterrupt
        result = style_transfer(content, style, model=network, size=None, iterations=500,
                                progress=False, callback=stop)
        with torch.no_grad():
            loss = float(scorer(result.image).total)
        measures = look(result.image, content, style, reference_network())
        print(f"  {name:<18} {result.iterations:>4} iterations in {result.history.seconds[-1]:.0f} s; "
              f"float32 loss ÷ target {loss / args.target:.3f} (its own {result.final_losses['total'] / args.target:.3f}); "
              f"deep texture {measures.deep_texture:.2f}, relu1_1 {measures.fine_texture:.2f}, "
              f"scene {measures.scene:.3f}, noise {measures.noise_ratio:.2f}×, "
              f"look {'yes' if measures.passes() else 'no'}", flush=True)


if __name__ == "__main__":
    main()
