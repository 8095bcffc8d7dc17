"""Process housekeeping for a build's workers: priorities, and memory handed back."""

from __future__ import annotations

import contextlib
import os
import sys

# Priorities (nice levels) in a build's worker processes: WeasyPrint is the long pole and keeps
# a core to itself at the default level. It waits for the charts' layouts (default level), then
# for the print SVGs (a little lower); nothing waits for the outlined SVGs, the PNGs or the deck
# (lowest), which take what is left of the cores.
SVG_NICE = 5
BACKGROUND_NICE = 15
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def lower_priority(level: int) -> None:
    """Run this process at nice `level` (a level is only ever raised: lowering needs root)."""
    if hasattr(os, "nice"):
        now = os.nice(0)
        if now < level:
            os.nice(level - now)


def die_with_parent(parent: int) -> None:
    """In a forked child: be stopped (SIGTERM, so `finally` blocks still remove temporary files)
    when the process that started it dies, even by `kill -9`; Linux's PR_SET_PDEATHSIG. Where
    that is unavailable, a worker still stops when its pipe to the parent reaches end-of-file.
    Ctrl-C goes to the whole process group: the parent alone answers it and stops the workers.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def release_freed_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system (glibc's malloc_trim): a
    process that lives on beside WeasyPrint, or is about to fork, then holds less."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL(None).malloc_trim(0)
