"""A signal stops a command once, at a point the code chose while it waits on worker pools, and
a signal the user's shell ignores (``nohup``) stays ignored."""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from coopdocs import interrupts


def send(sig: signal.Signals) -> None:
    os.kill(os.getpid(), sig)


def test_inside_deferred_a_signal_waits_for_check_and_a_second_one_is_ignored() -> None:
    with interrupts.handled(), pytest.raises(interrupts.Interrupted) as stopped, interrupts.deferred() as check:  # noqa: PT012
        send(signal.SIGHUP)
        reached = True  # the handler ran (signals are handled between bytecodes) and raised nothing
        send(signal.SIGTERM)  # noted after the first: ignored
        check()
    assert reached
    assert stopped.value.signum == signal.SIGHUP and stopped.value.exit_code == 129


def test_a_signal_noted_and_not_yet_raised_is_raised_on_leaving() -> None:
    with interrupts.handled(), pytest.raises(interrupts.Interrupted) as stopped, interrupts.deferred():
        send(signal.SIGTERM)
    assert stopped.value.signum == signal.SIGTERM


def test_after_a_signal_raised_the_clean_up_is_not_interrupted_again() -> None:
    cleaned = False
    with interrupts.handled():
        try:
            with interrupts.deferred() as check:
                send(signal.SIGINT)
                check()
        except interrupts.Interrupted:
            send(signal.SIGTERM)  # during the clean-up: ignored
            cleaned = True
    assert cleaned


def test_an_ignored_signal_stays_ignored() -> None:
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup leaves it
    try:
        with interrupts.handled():
            send(signal.SIGHUP)
            with interrupts.deferred() as check:
                send(signal.SIGHUP)
                check()
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_handlers_are_restored_on_leaving() -> None:
    before = {sig: signal.getsignal(sig) for sig in interrupts.SIGNALS}
    with interrupts.handled(), interrupts.deferred():
        pass
    assert {sig: signal.getsignal(sig) for sig in interrupts.SIGNALS} == before


def test_a_wait_on_a_future_is_stopped_by_a_signal_and_the_pool_still_shuts_down() -> None:
    release = threading.Event()
    pool = ThreadPoolExecutor(1)
    future = pool.submit(release.wait, 60)
    timer = threading.Timer(0.3, send, (signal.SIGTERM,))
    try:
        with interrupts.handled(), pytest.raises(interrupts.Interrupted):
            timer.start()
            interrupts.result(future)
        assert not future.done()  # the signal stopped the wait, not the work
    finally:
        timer.cancel()
        release.set()
        pool.shutdown(wait=True)  # the worker thread can still finish: no lock was left held
    assert future.result() is True


def test_outside_the_main_thread_check_does_nothing() -> None:
    seen: list[str] = []

    def body() -> None:
        with interrupts.deferred() as check:
            check()
            seen.append("ok")

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert seen == ["ok"]


def test_in_a_forked_worker_deferred_leaves_sigterm_alone() -> None:
    """A batch worker is forked while its parent handles the signals; SIGTERM must still end it at once."""
    import multiprocessing

    def child(queue: multiprocessing.Queue[str]) -> None:  # type: ignore[type-arg]
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # as batch's worker initializer leaves it
        with interrupts.deferred():
            queue.put(str(signal.getsignal(signal.SIGTERM)))

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    with interrupts.handled():
        process = context.Process(target=child, args=(queue,))
        process.start()
        seen = queue.get(timeout=30)
        process.join(30)
    assert seen == str(signal.SIG_DFL)
