"""Errors a user can cause, each carrying one sentence that names the fix.

Every error the package raises on purpose derives from :class:`GatysError`, so the command line
(and a notebook) can show the message alone instead of a traceback from deep inside torch.
"""


class GatysError(Exception):
    """Base class: the message says what went wrong and how to fix it."""


class ImageError(GatysError, ValueError):
    """An image that cannot be read, is too small or too large, or cannot be written."""


class WeightsError(GatysError, RuntimeError):
    """Network weights that are missing, unreadable or do not fit the architecture."""


class LayerError(GatysError, ValueError):
    """An unknown layer name, or an image too small for the layers requested."""


class SettingError(GatysError, ValueError):
    """A setting (argument, flag or environment variable) with a value that cannot work."""
