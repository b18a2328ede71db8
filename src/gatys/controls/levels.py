"""The sizes of a coarse-to-fine run (:mod:`gatys.api.pyramid`), without torch, so that the
command line can check its coarsest level against the layers before any work."""

from __future__ import annotations

from gatys.io.errors import SettingError


def pyramid_sizes(size: int, smallest: int) -> list[int]:
    """Long sides from coarse to fine: ``size`` halved while it stays >= ``smallest``.

    >>> pyramid_sizes(512, 128)
    [128, 256, 512]
    >>> pyramid_sizes(600, 128)
    [150, 300, 600]
    """
    if size < 1 or smallest < 1:
        raise SettingError(f"sizes must be positive, got size={size}, smallest={smallest}")
    sizes = [size]
    while round(sizes[0] / 2) >= smallest:
        sizes.insert(0, round(sizes[0] / 2))
    return sizes
