"""The recipe probe: where the paper's look appears under a recipe, and when.

For each configuration (normalisation set, gain limit, convention, α/β) it runs one transfer of
the Neckarfront in a painting from the paper's white-noise start and prints the look measures
(:mod:`gatys.experiments.measures`: texture ratios with the reference network, palette, scene) at
checkpoints, so the table says both where the look is and how many iterations it needs. The
final images go under ``--images`` to be opened.

    .venv/bin/python benchmarks/recipe_probe.py --size 256 --iterations 300 \\
        --config six:1e-3 --config six:1e-1 --config two:1e-1 --config two-nolimit:1e-1

A configuration is ``NORMALISATION:RATIO[:CONVENTION]``; NORMALISATION is ``six`` (the paper's
six images, as the notebooks), ``two`` (the photograph and the painting, as the command line),
``two-nolimit``/``six-nolimit`` (the same without the gain limit), ``photos`` (the photograph and
four of scikit-image's sample photographs, no painting) or ``none``. CONVENTION
``mismatched`` is what this project ran before the recipes were paired with their networks: the
original network's w_l = 4/N_l² on the normalised network (given as explicit layer weights,
since the pairing is refused otherwise). Needs the real
weights and the paper's images (GATYS_MODEL, GATYS_WEIGHTS, GATYS_DATA).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import gatys
from gatys.core import defaults
from gatys.core.normalisation import GAIN_LIMIT, normalised_vgg
from gatys.core.weights import load_vgg
from gatys.experiments import recipes
from gatys.experiments.measures import look, reference_network
from gatys.io.data import load_paper_image
from gatys.io.images import load_image

CHECKPOINTS = (50, 100, 150, 200, 300, 400, 500)
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")  # scikit-image's sample photographs


def network(normalisation: str, content, style, normalisation_size: int):
    base = load_vgg()
    if normalisation == "none":
        return base
    limit = None if normalisation.endswith("-nolimit") else GAIN_LIMIT
    if normalisation.startswith("six"):
        images = [load_paper_image(key, size=normalisation_size)
                  for key in ("tubingen", *(r.image for r in recipes.FIVE_STYLES))]
    elif normalisation.startswith("photos"):
        # Photographs only, none of them a painting: nearer ImageNet's kind of image than the six.
        import skimage.data

        images = [load_paper_image("tubingen", size=normalisation_size)]
        images += [load_image(getattr(skimage.data, name)(), size=normalisation_size)
                   for name in PHOTOS]
    else:
        images = [content, style]
    return normalised_vgg(base, images, gain_limit=limit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--style", default="starry_night")
    parser.add_argument("--init", default="noise", help="the start (default: the paper's noise)")
    parser.add_argument("--config", action="append", required=True)
    parser.add_argument("--normalisation-size", type=int,
                        default=recipes.profile("cpu").normalisation_size,
                        help="long side of the images the channel means are measured on "
                             "(default: the CPU profile's; the paper profile's is 512)")
    parser.add_argument("--images", default="build/probe")
    parser.add_argument("--json", default=None, help="append each row as a JSON line here")
    args = parser.parse_args()
    content = load_paper_image("tubingen", size=args.size)
    style = load_paper_image(args.style, size=args.size)
    reference = reference_network()
    Path(args.images).mkdir(parents=True, exist_ok=True)
    print(f"{'config':<34} {'it':>4} {'r1_1':>5} {'r3_1':>5} {'r4_1':>5} {'r5_1':>5} "
          f"{'deep':>5} {'pal':>5} {'scene':>5} {'look':>4} {'s':>6}", flush=True)
    for config in args.config:
        normalisation, ratio, *rest = config.split(":")
        convention = rest[0] if rest else (defaults.CONVENTION if normalisation != "none"
                                           else "gatys-code-original")
        model = network(normalisation, content, style, args.normalisation_size)
        weights = None
        if convention == "mismatched":
            convention = defaults.CONVENTION
            weights = {layer: 4.0 / model.channels(layer) ** 2 for layer in defaults.STYLE_LAYERS}
        rows = []
        start = time.perf_counter()

        def checkpoint(iteration, image, losses, config=config, rows=rows):
            if iteration in CHECKPOINTS or iteration == args.iterations:
                measured = look(image, content, style, reference)
                t = measured.texture
                rows.append(dict(config=config, size=args.size, init=args.init,
                                 iteration=iteration, **measured.as_dict(),
                                 passes=measured.passes(), seconds=time.perf_counter() - start))
                print(f"{config:<34} {iteration:>4} {t['relu1_1']:>5.2f} {t['relu3_1']:>5.2f} "
                      f"{t['relu4_1']:>5.2f} {t['relu5_1']:>5.2f} {measured.deep_texture:>5.2f} "
                      f"{measured.palette:>5.2f} {measured.scene:>5.2f} "
                      f"{'yes' if measured.passes() else 'no':>4} "
                      f"{time.perf_counter() - start:>6.0f}", flush=True)

        result = gatys.style_transfer(content, style, model=model, size=None,
                                      ratio=float(ratio), convention=convention, init=args.init,
                                      style_layer_weights=weights,
                                      iterations=args.iterations, callback=checkpoint,
                                      progress=False)
        print(f"{config:<34} stop: {result.stop_reason}", flush=True)
        name = f"{args.size}px_{args.init}_{config.replace(':', '_')}.png"
        gatys.save_image(result.image, Path(args.images) / name)
        if args.json:
            with open(args.json, "a") as out:
                for row in rows:
                    out.write(json.dumps({**row, "stop": result.stop_reason}) + "\n")


if __name__ == "__main__":
    main()
