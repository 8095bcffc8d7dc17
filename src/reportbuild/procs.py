"""Process housekeeping for a build's workers: priorities, and memory handed back."""

from __future__ import annotations

import contextlib
import os

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
