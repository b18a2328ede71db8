"""``python -m gatys``: the same as the ``gatys`` command."""

import sys

from gatys.ui.cli import main

sys.exit(main())
