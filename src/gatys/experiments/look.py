"""Does a result have the paper's look? Three measures of what a viewer sees, and the yardstick.

A falling loss is not a stylised picture: from the content start L-BFGS lowers the style loss
several times with changes nobody can see. So a result is judged against its photograph on:

- **moved**: mean |x − p| over pixels and channels (0..1 units): did it leave the photograph?
- **scene**: SSIM of the two images' greys after an 8× area downsampling: is the scene (the
  arrangement of large shapes) still there, whatever the brush work on top?
- **noise**: mean |x − median₃ₓ₃(x)|, pixel noise (isolated speckle), as a ratio to the
  photograph's own at the same size: is the picture clean?

The paper's look (:data:`PAPERS_LOOK`): moved ≥ 0.08, 0.15 ≤ scene ≤ 0.95, noise ≤ 3× the
photograph's. The thresholds come from issue 13 of this project, where the committed figures and
the command line were judged on them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F

__all__ = ["Look", "PAPERS_LOOK", "look", "moved", "pixel_noise", "scene_kept"]

SCENE_DOWNSAMPLING = 8


@dataclass(frozen=True)
class Yardstick:
    """Bounds on the three measures; :meth:`Look.passes` checks a result against them."""

    min_moved: float
    min_scene: float
    max_scene: float
    max_noise_ratio: float


PAPERS_LOOK = Yardstick(min_moved=0.08, min_scene=0.15, max_scene=0.95, max_noise_ratio=3.0)


@dataclass(frozen=True)
class Look:
    moved: float  # mean |x − p|
    scene: float  # SSIM of 8×-downsampled greys
    noise: float  # mean |x − median3×3(x)|
    photo_noise: float  # the same for the photograph

    @property
    def noise_ratio(self) -> float:
        return self.noise / max(self.photo_noise, 1e-8)

    def failures(self, yardstick: Yardstick = PAPERS_LOOK) -> list[str]:
        """What keeps the result from the look, in words (empty: it has it)."""
        failed = []
        if self.moved < yardstick.min_moved:
            failed.append(f"it stayed the photograph (moved {self.moved:.3f} < "
                          f"{yardstick.min_moved})")
        if self.scene < yardstick.min_scene:
            failed.append(f"the scene is lost (SSIM {self.scene:.3f} < {yardstick.min_scene})")
        if self.scene > yardstick.max_scene:
            failed.append(f"the scene is unchanged (SSIM {self.scene:.3f} > "
                          f"{yardstick.max_scene})")
        if self.noise_ratio > yardstick.max_noise_ratio:
            failed.append(f"pixel noise {self.noise_ratio:.1f}× the photograph's "
                          f"(> {yardstick.max_noise_ratio}×)")
        return failed

    def passes(self, yardstick: Yardstick = PAPERS_LOOK) -> bool:
        return not self.failures(yardstick)

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "noise_ratio": self.noise_ratio}


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


def look(image: torch.Tensor, photo: torch.Tensor) -> Look:
    """The three measures of ``image`` (a result) against ``photo`` (its content image)."""
    return Look(moved=moved(image, photo), scene=scene_kept(image, photo),
                noise=pixel_noise(image), photo_noise=pixel_noise(photo))
