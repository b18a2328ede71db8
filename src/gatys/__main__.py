"""``python -m gatys``: the same as the ``gatys`` command."""

import sys

from .cli import main

sys.exit(main())
