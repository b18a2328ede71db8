"""What a person touches: the command line, the notebook widgets, and the plots."""
