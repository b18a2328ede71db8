"""A reference implementation written the way the PyTorch tutorial writes it, for `make bench`.

"Neural Transfer Using PyTorch" (pytorch.org/tutorials/advanced/neural_style_tutorial): loss
modules inserted after the chosen layers of a copied ``nn.Sequential``, which is cut after the
last loss; targets computed while the copy is built; ``optim.LBFGS([image])`` with its defaults
(up to 20 evaluations per ``step``); the image clamped to 0..1 inside the closure. It runs on the
same network (weights, pooling, input convention) and layers as gatys, so the benchmark compares
implementations, not models. Its loss constants are the tutorial's; they do not affect the time.
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
from torch import nn

from gatys.core.vgg import VGGFeatures


class Preprocess(nn.Module):
    """The network's input convention (the tutorial's ``Normalization`` module)."""

    def __init__(self, model: VGGFeatures):
        super().__init__()
        self.convention = model.convention

    def forward(self, image):
        return self.convention.apply(image)


class ContentLoss(nn.Module):
    def __init__(self, target):
        super().__init__()
        self.target = target.detach()

    def forward(self, input):
        self.loss = F.mse_loss(input, self.target)
        return input


def gram_matrix(input):
    a, b, c, d = input.size()
    features = input.view(a * b, c * d)
    return torch.mm(features, features.t()).div(a * b * c * d)


class StyleLoss(nn.Module):
    def __init__(self, target_feature):
        super().__init__()
        self.target = gram_matrix(target_feature).detach()

    def forward(self, input):
        self.loss = F.mse_loss(gram_matrix(input), self.target)
        return input


def build(model: VGGFeatures, content, style, content_layers, style_layers):
    """The tutorial's ``get_style_model_and_losses`` on gatys's network and layer names."""
    sequential = nn.Sequential(Preprocess(model))
    content_losses, style_losses = [], []
    for name, layer in zip(model.names, model.features):
        sequential.add_module(name, layer)
        if name in content_layers:
            loss = ContentLoss(sequential(content).detach())
            sequential.add_module(f"content_loss_{name}", loss)
            content_losses.append(loss)
        if name in style_layers:
            loss = StyleLoss(sequential(style).detach())
            sequential.add_module(f"style_loss_{name}", loss)
            style_losses.append(loss)
        if len(content_losses) == len(content_layers) and len(style_losses) == len(style_layers):
            break
    return sequential, content_losses, style_losses


def seconds_per_evaluation(model: VGGFeatures, content, style, content_layers, style_layers,
                           evaluations: int, synchronize) -> float:
    """Median seconds per closure evaluation of the tutorial's loop (after one warm-up step)."""
    sequential, content_losses, style_losses = build(model, content, style, content_layers,
                                                     style_layers)
    sequential.requires_grad_(False)
    image = content.clone().requires_grad_(True)
    optimizer = torch.optim.LBFGS([image])
    stamps: list[float] = []

    def closure():
        with torch.no_grad():
            image.clamp_(0, 1)
        optimizer.zero_grad()
        sequential(image)
        style_score = sum(loss.loss for loss in style_losses)
        content_score = sum(loss.loss for loss in content_losses)
        loss = 1_000_000 * style_score + content_score
        loss.backward()
        synchronize()
        stamps.append(time.perf_counter())
        return loss

    while len(stamps) <= evaluations + 1:
        optimizer.step(closure)
    gaps = sorted(b - a for a, b in zip(stamps[1:], stamps[2:]))
    return gaps[len(gaps) // 2]
