"""``python -m gatys`` and the ``gatys`` command (its entry point is :func:`run`)."""

from typing import NoReturn

from gatys.ui import interrupts


def run() -> NoReturn:
    interrupts.end_at_once()  # the imports below take a moment; Ctrl-C there ends at once
    from gatys.ui.cli import main

    interrupts.leave(main())


if __name__ == "__main__":
    run()
