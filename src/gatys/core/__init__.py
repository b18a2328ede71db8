"""The paper: the network (vgg), its equations (losses), the objective they add up to and the
pixel optimisation that minimises it (synthesis), the three uses of it (transfer) and the
normalised network (normalisation)."""
