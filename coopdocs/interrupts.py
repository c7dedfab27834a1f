"""SIGINT, SIGTERM and SIGHUP all stop a command the same way: an ``Interrupted`` exception.

Ctrl-C raises ``KeyboardInterrupt`` in Python; a ``kill`` (SIGTERM) or a closed terminal (SIGHUP)
would end the process on the spot, skipping every ``finally``: the LibreOffice converters and the
staging folders would stay behind. ``handled()`` makes the three signals raise ``Interrupted``
(a ``KeyboardInterrupt`` that knows its signal), so that the same clean-up runs for each, and the
command exits with 128 + the signal's number: 130 (INT), 143 (TERM), 129 (HUP).

Only the first signal raises: the clean-up it starts is not itself interrupted by a second one
(a second Ctrl-C while ``batch`` waits for its running items is ignored the same way).
``kill -9`` cannot be caught; for it the children are tied to their parent instead (see ``pdf``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(KeyboardInterrupt):
    """A stop asked for by a signal."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def signal_of(exc: BaseException) -> int:
    """The signal behind an interrupt (a plain ``KeyboardInterrupt`` is Ctrl-C)."""
    return exc.signum if isinstance(exc, Interrupted) else signal.SIGINT


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """While inside, SIGINT, SIGTERM and SIGHUP raise ``Interrupted`` (once) in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    raised = False

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal raised
        if raised:
            return
        raised = True
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
