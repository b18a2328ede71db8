"""``make demo``: the Neckarfront in the style of Starry Night, in about a minute on a CPU.

After ``make data``; the result and an animation of it forming go to the checkout's
``build/demo/`` (the working directory's when not run from a checkout), and the last lines say
where. Any ``gatys transfer`` option can follow, e.g. ``python -m gatys.ui.demo --size 256``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from gatys.io.settings import data_dir, project_root
from gatys.ui import cli

CONTENT, STYLE = "tubingen.jpg", "starry_night.jpg"  # gatys.io.data.PAPER_IMAGES' files
# 192 px × 100 iterations: `make demo` took 49 s with VGG-16 on this project's 2-core CPU, the
# painting's motifs over the scene's outline (larger and longer: `gatys transfer --size 512`).
SIZE, ITERATIONS = 192, 100


def main(argv: Sequence[str] | None = None) -> int:
    folder = data_dir()
    missing = [name for name in (CONTENT, STYLE) if not (folder / name).is_file()]
    if missing:
        print(f"gatys demo: error: {', '.join(missing)} not in {folder}; run `make data` first "
              f"(or set GATYS_DATA to the folder that holds the paper's images)", file=sys.stderr)
        return cli.EXIT_ERROR
    out = (project_root() or Path.cwd()) / "build" / "demo"
    image, animation = out / "neckarfront_starry_night.png", out / "neckarfront_starry_night.gif"
    code = cli.main(["transfer", str(folder / CONTENT), str(folder / STYLE), "-o", str(image),
                     "--size", str(SIZE), "--iterations", str(ITERATIONS), "--animate",
                     str(animation), *(sys.argv[1:] if argv is None else argv)])
    if code == 0:
        print(f"the result: {image}\nits forming: {animation}")
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
