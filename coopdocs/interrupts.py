"""SIGINT, SIGTERM and SIGHUP all stop a command the same way: an ``Interrupted`` exception.

Ctrl-C raises ``KeyboardInterrupt`` in Python; a ``kill`` (SIGTERM) or a closed terminal (SIGHUP)
would end the process on the spot, skipping every ``finally``: the LibreOffice converters and the
staging folders would stay behind. ``handled()`` makes the three signals raise ``Interrupted``
(a ``KeyboardInterrupt`` that knows its signal), so that the same clean-up runs for each, and the
command exits with 128 + the signal's number: 130 (INT), 143 (TERM), 129 (HUP).

Only the first signal raises: the clean-up it starts is not itself interrupted by a second one
(a second Ctrl-C while ``batch`` waits for its running items is ignored the same way).
``kill -9`` cannot be caught; for it the children are tied to their parent instead (see ``pdf``).

An exception raised from a signal handler can land anywhere in the main thread, including the
middle of ``concurrent.futures``' own lock handling (``wait()`` takes every future's lock in a
loop; an exception between two of them leaves a lock held, and the pool's manager thread then
waits for it forever: a batch that never exits). Code that waits on such machinery runs inside
``deferred()``: there a signal is only recorded, and ``check()`` raises it where the caller
chose.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from types import FrameType
from typing import TypeVar

T = TypeVar("T")

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
POLL = 0.2  # seconds: how soon a signal noted during a wait is acted on


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


class _State:
    """Whether a signal has raised already (once per command), shared by ``handled`` and ``deferred``;
    and the process that handles them (a forked batch worker inherits this state, not the role)."""

    raised = False
    owner: int | None = None


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """While inside, SIGINT, SIGTERM and SIGHUP raise ``Interrupted`` (once) in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    outer = _State.raised, _State.owner
    _State.raised, _State.owner = False, os.getpid()

    def handler(signum: int, frame: FrameType | None) -> None:
        if _State.raised:
            return
        _State.raised = True
        raise Interrupted(signum)

    try:
        with _handlers(handler):
            yield
    finally:
        _State.raised, _State.owner = outer


@contextlib.contextmanager
def deferred() -> Iterator[Callable[[], None]]:
    """While inside, the three signals are recorded, not raised; the ``check`` it gives raises the
    first one (as ``Interrupted``, once per command) at a point the caller chose. A signal recorded
    and not raised yet is raised on leaving. Only where ``handled`` is on, in its own process:
    elsewhere (another thread, a batch worker whose SIGTERM must end it at once) ``check`` does
    nothing and the signals keep their handlers."""
    if threading.current_thread() is not threading.main_thread() or _State.owner != os.getpid():
        yield lambda: None
        return
    received: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if not received and not _State.raised:
            received.append(signum)

    def check() -> None:
        if received and not _State.raised:
            _State.raised = True
            raise Interrupted(received[0])

    with _handlers(handler):
        yield check
    check()


def result(future: Future[T]) -> T:
    """``future.result()``; a signal during the wait is raised between two short waits, never
    inside the future's own locking."""
    with deferred() as check:
        while True:
            check()
            with contextlib.suppress(FutureTimeout):
                return future.result(timeout=POLL)


@contextlib.contextmanager
def _handlers(handler: Callable[[int, FrameType | None], None]) -> Iterator[None]:
    """``handler`` for the three signals, except one ignored (``nohup`` ignores SIGHUP, a batch
    worker SIGINT and SIGHUP): what is ignored stays ignored."""
    ignored = [sig for sig in SIGNALS if signal.getsignal(sig) == signal.SIG_IGN]
    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS if sig not in ignored}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
