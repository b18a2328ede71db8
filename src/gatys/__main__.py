"""``python -m gatys``: the same as the ``gatys`` command."""

import sys

try:
    from gatys.ui.cli import main
except KeyboardInterrupt:  # Ctrl-C in the first moments: no traceback for it
    print("gatys: interrupted before the optimisation started; nothing written", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
