"""Why coarse-to-fine does not pay: where the upsampled coarse result starts the final level.

`make bench` times routes to the single-scale loss and prints each final level's starting loss;
this probe takes that starting point apart. At the final size it evaluates, term by term (α·content
and β·w_l·E_l per style layer), the objective of the paper's recipe (Neckarfront × Starry Night,
the defaults) at

- the paper's white-noise start;
- the coarse level's result (``--coarse`` px, ``--iterations`` from white noise), upsampled;
- the single-scale run's image after the same number of iterations at the final size;

under three normalisations of the network: over the two images of the transfer (what
`gatys transfer` and `make bench` do), over the paper's six images (what the notebooks do), and
over the two images with every channel's gain limited to ten times its layer's median gain.

Usage: python benchmarks/pyramid_start.py [--size 256] [--coarse 128] [--iterations 100]
"""

from __future__ import annotations

import argparse

import torch

from gatys.api.transfer import make_objective, style_transfer
from gatys.core import defaults
from gatys.core.normalisation import channel_means, normalise
from gatys.core.start import as_image, initial_image
from gatys.core.weights import load_vgg
from gatys.io.data import load_paper_image

PAPER_IMAGES = ("tubingen", "shipwreck", "starry_night", "the_scream", "seated_nude",
                "composition_vii")


def gain_floor(means: dict[str, torch.Tensor], fraction: float) -> dict[str, torch.Tensor]:
    """Channel means raised to at least ``fraction`` of their layer's median: no channel's gain
    exceeds 1 / fraction times the layer's typical gain."""
    return {layer: torch.maximum(m, fraction * m.median()) for layer, m in means.items()}


def smallest_mean_ratio(means: dict[str, torch.Tensor], layers) -> tuple[float, str]:
    """The smallest (live channel's mean ÷ its layer's median) over ``layers``, and where."""
    ratios = {}
    for layer in layers:
        m = means[layer]
        live = m[m >= 1e-8]
        ratios[layer] = float((live / live.median()).min())
    layer = min(ratios, key=ratios.get)
    return ratios[layer], layer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--coarse", type=int, default=128)
    parser.add_argument("--iterations", type=int, default=100)
    args = parser.parse_args()
    base = load_vgg()
    content = load_paper_image("tubingen", size=args.size)
    style = load_paper_image("starry_night", size=args.size)
    two = channel_means(base, [content, style])
    six = channel_means(base, [load_paper_image(key, size=args.size) for key in PAPER_IMAGES])
    networks = {"two images (CLI, bench)": two, "six images (notebooks)": six,
                "two, gain <= 10x median": gain_floor(two, 0.1)}
    used = list(dict.fromkeys([*defaults.CONTENT_LAYERS, *defaults.STYLE_LAYERS]))
    print(f"final size {args.size} px, coarse level {args.coarse} px; {args.iterations} iterations "
          f"each; the defaults (α/β {defaults.RATIO:g}, {defaults.CONVENTION})")
    for name, means in networks.items():
        ratio, layer = smallest_mean_ratio(means, used)
        model = normalise(base, means)
        objective = make_objective(model, content=content, styles=[style],
                                   content_layers=defaults.CONTENT_LAYERS,
                                   style_layers=defaults.STYLE_LAYERS, ratio=defaults.RATIO,
                                   convention=defaults.CONVENTION)
        coarse = style_transfer(content, style, model=model, size=args.coarse,
                                iterations=args.iterations, progress=False)
        single = style_transfer(content, style, model=model, size=None,
                                iterations=args.iterations, progress=False)
        starts = {"white noise": initial_image("noise", content.shape, seed=0),
                  f"{args.coarse} px result, upsampled": as_image(coarse.image,
                                                                  shape=content.shape[-2:]),
                  f"{args.size} px after {args.iterations} iterations": single.image}
        print(f"\n{name}: smallest channel mean ÷ layer median {ratio:.5f} ({layer})")
        print(f"  {'image':<34} {'total':>9} {'α·content':>9} "
              + " ".join(f"{layer:>9}" for layer in defaults.STYLE_LAYERS))
        for label, image in starts.items():
            with torch.no_grad():
                terms = objective(image)
            weights = objective.style_layer_weights
            style_terms = [objective.beta * weights[layer] * float(terms.style_per_layer[layer])
                           for layer in defaults.STYLE_LAYERS]
            print(f"  {label:<34} {float(terms.total):>9.3e} "
                  f"{objective.alpha * float(terms.content):>9.3e} "
                  + " ".join(f"{value:>9.2e}" for value in style_terms), flush=True)


if __name__ == "__main__":
    main()
