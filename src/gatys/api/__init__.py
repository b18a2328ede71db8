"""The user's entry points: the paper's syntheses from images and settings, and coarse to fine."""
