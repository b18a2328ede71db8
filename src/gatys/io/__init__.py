"""Around the science: images, weights, the paper's data, settings, errors, memory, files."""
