"""Process housekeeping for a build's workers: priorities, signals, and memory handed back."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from typing import NoReturn

# Priorities (nice levels) in a build's worker processes: WeasyPrint is the long pole and keeps
# a core to itself at the default level. It waits for the charts' layouts (default level), then
# for the print SVGs (a little lower); nothing waits for the outlined SVGs, the PNGs or the deck
# (lowest), which take what is left of the cores.
SVG_NICE = 5
BACKGROUND_NICE = 15


def lower_priority(level: int) -> None:
    """Run this process at nice `level` (a level is only ever raised: lowering needs root)."""
    if hasattr(os, "nice"):
        now = os.nice(0)
        if now < level:
            os.nice(level - now)


def release_freed_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system (glibc's malloc_trim): a
    process that lives on beside WeasyPrint, or is about to fork, then holds less."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL(None).malloc_trim(0)


# The cyclic garbage collector's thresholds for a build's processes. A layout allocates
# millions of boxes that live until the page is drawn: at Python's default (a young collection
# every 700 allocations, a full one every 100 young ones) the Chinese report's build ran 1,124
# collections, 7 of them full, 75 ms each over the whole heap (0.7 of its 10.5 CPU-s). At 10,000
# it runs 62, none full (0.2 CPU-s), for 1.5 % more peak memory (gc.callbacks; bench/bench.py).
GC_THRESHOLDS = (10_000, 10, 10)


def tune_gc() -> None:
    """Collect garbage less often in this process (GC_THRESHOLDS): the build's objects are
    long-lived, and freeing by reference counts is unaffected."""
    import gc

    gc.set_threshold(*GC_THRESHOLDS)


def die_with_parent(parent: int | None = None) -> None:
    """Make this (forked) process receive SIGTERM when its parent dies, even by `kill -9`:
    a worker must never outlive the build that started it, holding its lock or writing files.
    Linux's PR_SET_PDEATHSIG; elsewhere the closed pipe to the parent ends the worker."""
    import ctypes
    import signal

    # `parent`: the pid the parent had before forking. Read here instead, it may already be
    # init's (a parent killed between the fork and this call), and the death would go unseen.
    parent = os.getppid() if parent is None else parent
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


# Ctrl-C reaches the whole process group, SIGTERM the one process. Only the build answers them
# (one line, cli._stopped); a forked child inherits that handler, and a signal arriving before
# the child has set its own would print the line twice. So the signals are held (blocked)
# while a child is forked: the child takes them only once its own handlers are set, and the
# parent takes one that came meanwhile as soon as the fork is done.
HELD = frozenset({signal.SIGINT, signal.SIGTERM})


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Fork inside this block; the child calls `child_signals` before anything else."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    me = os.getpid()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield
    finally:
        if os.getpid() == me:  # the child leaves the block still holding them
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


# A signal handler runs between two bytecodes of the main thread, whatever it is doing; when
# that is a weakref callback, a __del__ or the garbage collector, Python ignores the exception
# the handler raises ("Exception ignored in …") and the process goes on as if the signal had
# not come; in a class's __set_name__ (during an import) it turns it into a RuntimeError. Seen
# in about one test run of ten: a SIGTERMed build finished and exited 0, a Ctrl-C ended in a
# traceback, and a worker whose build was killed outlived it. So the build remembers the signal
# (`stop`), checks it again before it commits its outputs (`raise_if_stopped`) and exits as
# stopped whatever became of its SystemExit (cli.main); a worker, which has nothing to commit,
# is ended by the kernel (SIGALRM's default action) if it is still there a few seconds later.
_stop_code: int | None = None  # this process's exit code, once a signal has stopped it
UNWIND_SECONDS = 5.0  # a worker's `finally` blocks remove its temporary files in far less


def stop(signum: int) -> NoReturn:
    """In the build's signal handler: stop with the shell's exit code for `signum`."""
    global _stop_code
    _stop_code = 128 + signum
    raise SystemExit(_stop_code)


def stopping() -> bool:
    """A signal has stopped this process (its SystemExit may have been lost)."""
    return _stop_code is not None


def raise_if_stopped() -> None:
    """Raise again a stop whose SystemExit was lost (see `stop`)."""
    if _stop_code is not None:
        raise SystemExit(_stop_code)


def is_stop(exc: BaseException | None) -> bool:
    """`exc` is the SystemExit of a stop (`stop`, or a worker's SIGTERM)."""
    return isinstance(exc, SystemExit) and _stop_code is not None and exc.code == _stop_code


def quiet_lost_stops() -> None:
    """A stop's SystemExit that Python ignores is not printed ("Exception ignored in …" and a
    traceback, after the one line a stop says): the build stops at its next check, a worker
    at its alarm. Forked workers inherit the hook."""

    def hook(unraisable) -> None:
        if not is_stop(unraisable.exc_value):
            sys.__unraisablehook__(unraisable)

    sys.unraisablehook = hook


def _child_stopped(_signum, _frame) -> NoReturn:
    global _stop_code
    _stop_code = 1
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, UNWIND_SECONDS)  # SystemExit lost: the kernel ends us
    sys.exit(1)


def child_signals() -> None:
    """In a forked child: Ctrl-C is the parent's to answer (ignored here), SIGTERM (the parent
    stopping it) unwinds so that `finally` blocks remove temporary files; then take them."""
    signal.signal(signal.SIGTERM, _child_stopped)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD)
