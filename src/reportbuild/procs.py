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
