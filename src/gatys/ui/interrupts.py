"""Ctrl-C in the command line, in three phases.

Before the optimisation nothing is written, and a KeyboardInterrupt raised inside a library's
import (numpy's, torch's) can be swallowed by that library (the run then goes on) or leave a
half-imported module that fails later with an unrelated traceback; so until the transfer
itself begins, Ctrl-C ends the process at once, with one line and exit status 130
(:func:`end_at_once`). While the objective is built and the image optimised it is a
KeyboardInterrupt (:func:`raising`), which :func:`gatys.core.optimize.synthesize` turns into the
last good image. While that image and its history are written it waits (:func:`deferred`): a
second Ctrl-C must not lose the result it asked for.

This module imports nothing but the standard library, so that ``python -m gatys`` can install
the first phase before anything else is imported.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

EXIT_INTERRUPTED = 130
BEFORE_OPTIMISATION = "gatys: interrupted before the optimisation started; nothing written"


def _end_at_once(signum, frame) -> NoReturn:
    # os.write and os._exit: safe in a signal handler whatever the interpreter was doing, and
    # nothing is half-written in this phase.
    os.write(sys.stderr.fileno(), (BEFORE_OPTIMISATION + "\n").encode())
    os._exit(EXIT_INTERRUPTED)


def _ours_to_change() -> bool:
    """Only the main thread may set handlers; and a SIGINT that is ignored (``nohup``, a
    shell's background job) or taken by a host program stays as it is. Python's default and
    this module's own handlers (the phases nest) may be changed."""
    if threading.current_thread() is not threading.main_thread():
        return False
    current = signal.getsignal(signal.SIGINT)
    return current in (signal.default_int_handler, _end_at_once) or isinstance(current, _Deferred)


def end_at_once() -> None:
    """From now on Ctrl-C prints :data:`BEFORE_OPTIMISATION` and exits with 130 at once.

    Only for the ``gatys`` process (:func:`gatys.__main__.run`, before its imports): called in
    a notebook's kernel, Ctrl-C would end the kernel, so :func:`gatys.ui.cli.main` called there
    keeps Python's KeyboardInterrupt until the optimisation."""
    if _ours_to_change():
        signal.signal(signal.SIGINT, _end_at_once)


@contextmanager
def _handler(handler) -> Iterator[None]:
    previous = signal.getsignal(signal.SIGINT)
    changed = _ours_to_change()
    if changed:
        signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        if changed:
            signal.signal(signal.SIGINT, previous)


def raising():
    """Within: Ctrl-C raises KeyboardInterrupt, Python's default."""
    return _handler(signal.default_int_handler)


class _Deferred:
    def __init__(self) -> None:
        self.asked = False

    def __call__(self, signum, frame) -> None:
        self.asked = True


@contextmanager
def deferred() -> Iterator[_Deferred]:
    """Within: Ctrl-C is remembered, not acted on; ``.asked`` says whether it came."""
    waiting = _Deferred()
    with _handler(waiting):
        yield waiting


def leave(status: int) -> NoReturn:
    """End the ``gatys`` process with ``status``.

    An interrupted run leaves through ``os._exit`` (after flushing): under ``-m``, CPython dies
    by SIGINT instead (status -2, not 130) once a KeyboardInterrupt has ended inside code run
    from a string (``exec``; dataclasses build their methods so), even one that was caught
    (``run_eval_code_obj`` sets ``unhandled_keyboard_interrupt``; ``Py_RunMain`` reads it).
    """
    if status == EXIT_INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)
