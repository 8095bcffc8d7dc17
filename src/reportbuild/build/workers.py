"""Stage workers: one stage job in its own process, paced by messages through its pipe.

A worker is forked before its job exists and warms up (imports) meanwhile; the job comes
through the pipe, runs, and its outcome goes back as a plain tuple. While the job runs the
parent may send it news (`StageWorker.tell`), which the job waits for through its `Inbox`; the
job may send the parent news (`Inbox.news`), which `StageWorker.result` hands on. Every job
function takes `inbox` (None when it runs in the parent, with `-j 1`).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from reportbuild.build.staging import cannot_write
from reportbuild.errors import BuildError, ReportError
from reportbuild.procs import child_signals, die_with_parent, lower_priority, signals_held

# A job is sent seconds after a worker starts (the deck's after the chart round); on a machine
# loaded many times over that took more than two minutes. A parent that dies closes the pipe
# (and PR_SET_PDEATHSIG stops the worker): this only bounds a parent that hangs.
JOB_TIMEOUT = 900.0


class Inbox:
    """In a worker: its end of the pipe to the parent, and the news that came through it."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.received: dict[str, object] = {}

    def news(self, kind: str, payload: object = None) -> None:
        """News for the parent, while the job runs (see StageWorker.result)."""
        self.conn.send(("news", kind, payload))

    def expect(self, kind: str, timeout: float, late: str, gone: str) -> Callable[[], object]:
        """A function that waits for the parent's news `kind` and returns what it carried;
        BuildError(`late`) after `timeout` seconds, BuildError(`gone`) if the parent stopped."""

        def wait() -> object:
            while kind not in self.received:
                try:
                    if not self.conn.poll(timeout):
                        raise BuildError(late)
                    got, payload = self.conn.recv()
                except (EOFError, OSError):
                    raise BuildError(gone) from None
                self.received[got] = payload
            return self.received[kind]

        return wait


def internal_error(name: str, exc: BaseException) -> str:
    return (
        f"{name}: internal error {type(exc).__name__}: {exc} "
        "(a bug in reportbuild; run with -v for the traceback)"
    )


def run_job(name: str, fn: Callable, args: tuple, kwargs: dict) -> tuple:
    """Run a stage; the outcome comes back as a plain tuple (exceptions may not pickle):
    ("ok", value, seconds) or ("error", exit code, message, traceback)."""
    t0 = time.perf_counter()
    try:
        value = fn(*args, **kwargs)
    except ReportError as exc:
        return ("error", exc.exit_code, exc.format_message(), "")
    except OSError as exc:  # a write failed: the message names the file
        return ("error", 1, cannot_write(name, exc, Path.cwd()), "")
    except Exception as exc:  # a bug in the stage: report it, keep the other outputs
        import traceback

        return ("error", 1, internal_error(name, exc), "".join(traceback.format_exception(exc)))
    return ("ok", value, time.perf_counter() - t0)


def _worker_main(
    conn, warm: Callable[[Path], None], root: Path, nice: int, siblings, parent: int | None = None
) -> None:
    """A stage worker: warm up now (while the parent loads the sources), then run one job."""
    # A forked worker inherits the parent's ends of the pipes to the workers started before
    # it: closed here, so that each of those sees the end of its pipe when the parent closes it.
    for other in siblings:
        with contextlib.suppress(OSError):
            other.close()
    child_signals()  # Ctrl-C is the parent's to answer; it stops the workers with SIGTERM
    die_with_parent(parent)
    with contextlib.suppress(Exception):  # only a head start: the job reports real failures
        warm(root)
    if nice:  # after warming up, which is done early, while the other processes are small
        lower_priority(nice)
    try:
        if not conn.poll(JOB_TIMEOUT):  # never wait on a parent that waits on us
            print(f"reportbuild: a stage worker had no job after {JOB_TIMEOUT:.0f} s; it stops",
                  file=sys.stderr)  # fmt: skip
            return
        name, fn, args, kwargs = conn.recv()
    except (EOFError, OSError):
        return  # the parent gave up (bad input, Ctrl-C): nothing to do
    conn.send(run_job(name, fn, args, {**kwargs, "inbox": Inbox(conn)}))
    conn.close()


def process_context():
    import multiprocessing
    import threading

    # fork is the fast start (the child inherits what is already imported); with other threads
    # alive (the preview server) only forkserver is safe
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver")


class StageWorker:
    """One stage job in its own process: it warms up (imports) until the job comes through the
    pipe, runs it and sends back the outcome as a plain tuple. While the job runs, `tell` sends
    it news (each kind once); the job waits for what it needs with Inbox.expect.

    `nice`: the worker runs at low priority, on what the PDF (the longest stage) leaves over.
    `siblings`: the workers already started, whose pipe ends a forked child must close.
    """

    def __init__(
        self,
        name: str,
        warm: Callable[[Path], None],
        root: Path,
        nice: int = 0,
        siblings: tuple[StageWorker, ...] = (),
    ):
        ctx = process_context()
        self.name = name
        self.conn, child = ctx.Pipe()
        # a forkserver child inherits nothing of this process: it has no ends to close
        inherited = [w.conn for w in siblings] if ctx.get_start_method() == "fork" else []
        self.proc = ctx.Process(
            target=_worker_main,
            # the build's pid, for a fork child (a forkserver child's parent is the server)
            args=(
                child,
                warm,
                root,
                nice,
                inherited,
                os.getpid() if ctx.get_start_method() == "fork" else None,
            ),
            name=f"reportbuild-{name}",
            daemon=True,
        )
        with signals_held():
            self.proc.start()
        child.close()
        self.sent = False
        self.told: set[str] = set()

    def submit(self, fn: Callable, *args, **kwargs) -> None:
        """Send the job: fn(*args, **kwargs, inbox=…) runs in the worker."""
        self.conn.send((self.name, fn, args, kwargs))
        self.sent = True

    def tell(self, kind: str, payload: object = None) -> None:
        if self.sent and kind not in self.told:
            self.told.add(kind)
            with contextlib.suppress(OSError):  # it died: result() reports that
                self.conn.send((kind, payload))

    def abort(self) -> None:
        """Stop the job before it replaces its output (SIGTERM: it unwinds and removes its
        temporary file; a job that does not stop within seconds is killed)."""
        self.proc.terminate()
        self.proc.join(10)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.sent = False

    def result(self, on_news: Callable[[str, object], None] | None = None) -> tuple:
        """The job's outcome; news it sends meanwhile goes to `on_news(kind, payload)`."""
        try:
            while True:
                got = self.conn.recv()
                if got[0] != "news":
                    return got
                if on_news is not None:
                    on_news(got[1], got[2])
        except (EOFError, OSError):
            self.proc.join(5)
            return ("error", 1, f"{self.name}: its process died (exit {self.proc.exitcode})", "")

    def close(self) -> None:
        self.conn.close()
        if self.sent:  # normally it has answered already; then it exits at once
            self.proc.join(5)
        if self.proc.is_alive():  # still importing, never given a job (bad input, Ctrl-C)
            self.abort()
