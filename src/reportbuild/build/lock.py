"""The project lock: builds (and `clean`) of one project never interleave."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path

from reportbuild.errors import BuildError

_HELD_LOCKS: set[BuildLock] = set()


def _drop_locks_in_child() -> None:
    """A forked process must not share the project lock: flock holds while any copy of the
    descriptor is open, so a worker orphaned by a `kill -9` would keep the project locked."""
    for lock in _HELD_LOCKS:
        if lock.fd is not None:
            with contextlib.suppress(OSError):
                os.close(lock.fd)
            lock.fd = None
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_locks_in_child)


class BuildLock:
    """An exclusive lock on the project (flock on .reportbuild-cache/lock): builds never interleave.

    A second build waits, saying so, and gives up with a clear message after `timeout` seconds.
    """

    def __init__(self, cache_dir: Path, timeout: float = 600.0, on_wait=None):
        self.path = Path(cache_dir) / "lock"
        self.timeout = timeout
        self.on_wait = on_wait
        self.fd: int | None = None

    def __enter__(self) -> BuildLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.timeout
        told = False
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
                os.close(fd)
                if not told and self.on_wait:
                    self.on_wait(f"waiting for another build… (pid {holder or '?'})")
                    told = True
                if time.monotonic() >= deadline:
                    raise BuildError(
                        f"another build (pid {holder or '?'}) has held {self.path} for "
                        f"{self.timeout:g}s; wait for it to finish and run the build again"
                    ) from None
                time.sleep(0.05)
                continue
            # `clean` may have removed the file between our open and flock: lock the live one
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            self.fd = fd
            _HELD_LOCKS.add(self)
            return self

    def __exit__(self, *exc: object) -> None:
        _HELD_LOCKS.discard(self)
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the flock
            self.fd = None
