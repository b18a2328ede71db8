"""Beyond the paper: colour preservation, coarse-to-fine, and the random-filter texture model."""
