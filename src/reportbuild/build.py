"""The build pipeline: input hashes and cache, the project lock, stages in parallel, a summary.

Reads top to bottom as the pipeline. The first half (hashing, cache manifest, lock) uses only
the standard library, so that a build with nothing to do never imports pydantic, WeasyPrint,
matplotlib or python-pptx and answers in a fraction of a second.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from reportbuild import __version__, paths
from reportbuild.atomic import write_text
from reportbuild.errors import BuildError, ReportError
from reportbuild.procs import (
    BACKGROUND_NICE,
    SVG_NICE,
    die_with_parent,
    lower_priority,
    release_freed_memory,
)

ARTIFACTS = ("charts", "html", "pdf", "pptx")
CACHE_DIR = paths.CACHE
OUTPUT_DIR = paths.OUTPUT
OUTPUTS = {"pdf": "report.pdf", "pptx": "summary.pptx", "html": "report.html", "charts": "figures"}
SUMMARY_ORDER = ("pdf", "pptx", "html", "charts")
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b")
MANIFEST_VERSION = 1
PRINT_HTML = "report.print.html"
PACKAGE_DIR = Path(__file__).resolve().parent
# Parts of the package that cannot change an output: the `new` skeleton, bytecode, the lints.
PACKAGE_SKIP = {"skeleton", "__pycache__", "lints"}


@dataclass(frozen=True)
class BuildOptions:
    """What to build and how; everything here that changes an output is part of the cache key."""

    only: str | None = None  # one of ARTIFACTS, or None for all of them
    force: bool = False
    pdf_variant: str | None = None
    bleed: bool = False
    template: Path | None = None
    jobs: int = 2
    verbosity: int = 1  # 0 quiet, 1 steps and summary, 2 details
    lock_timeout: float = 600.0


@dataclass
class Output:
    """One artifact after a build: where it is and what it holds."""

    artifact: str
    path: Path
    size: int
    built: bool  # False when the cache said it was up to date
    count: int | None = None  # pages (pdf), slides (pptx), figures (charts)
    seconds: float = 0.0


@dataclass
class BuildResult:
    outputs: list[Output] = field(default_factory=list)
    up_to_date: bool = False
    seconds: float = 0.0


# ── feedback ─────────────────────────────────────────────────────────────────


class Feedback:
    """Progress on stderr: each step with its time; -q silences it, -v adds details."""

    def __init__(self, verbosity: int = 1, stream=None):
        self.verbosity = verbosity
        self.stream = stream

    def _write(self, text: str) -> None:
        import click

        click.echo(text, err=self.stream is None, file=self.stream)

    def info(self, text: str) -> None:
        if self.verbosity >= 1:
            self._write(text)

    def detail(self, text: str) -> None:
        if self.verbosity >= 2:
            self._write(f"  {text}")

    @contextmanager
    def step(self, name: str, note: Callable[[], str] | None = None) -> Iterator[None]:
        t0 = time.perf_counter()
        yield
        extra = f"  {note()}" if note else ""
        self.info(f"{name:<7} {time.perf_counter() - t0:5.2f}s{extra}")


# ── inputs and their hashes (stdlib only) ────────────────────────────────────


def _skipped(name: str) -> bool:
    # editor droppings (.#x, x~, .x.swp) and our own temp files never count as inputs
    return name.startswith(".") or name.endswith("~")


def _walk(folder: Path, skip: set[str] = frozenset()) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    for e in entries:
        if _skipped(e.name) or e.name in skip:
            continue
        if e.is_dir():
            yield from _walk(Path(e.path), skip)
        elif e.is_file():
            yield Path(e.path)


def _short_blake():
    return hashlib.blake2b(digest_size=16)


def _hash_files(files: Iterator[Path] | list[Path], base: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    for p in files:
        try:
            rel = p.relative_to(base).as_posix()
        except ValueError:
            rel = p.as_posix()
        h.update(rel.encode() + b"\0")
        with open(p, "rb") as f:
            h.update(hashlib.file_digest(f, _short_blake).digest())
    return h.hexdigest()


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def brand_file(root: Path) -> Path:
    return paths.ProjectPaths(root).brand_file


def input_groups(root: Path, opts: BuildOptions) -> dict[str, str]:
    """Digests of each group of inputs: the folders people edit, the tool itself, the options."""
    root = Path(root)
    where = paths.ProjectPaths(root)
    template = opts.template
    return {
        "sources": _hash_files(_walk(where.sources), root),
        "figures": _hash_files(_walk(where.figures), root),
        "styles": _hash_files(_walk(where.styles), root),
        "brand": _hash_files([where.brand_file], root),
        # a deck master may be passed with --template or kept in styles/
        "decktemplate": _hash_files(
            where.pptx_templates() + ([Path(template)] if template else []), root
        ),
        "tool": _digest(__version__, _hash_files(_walk(PACKAGE_DIR, PACKAGE_SKIP), PACKAGE_DIR)),
        "epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
        "pdfopts": f"{opts.pdf_variant or ''}|{int(opts.bleed)}",
    }


# Which input groups each artifact depends on.
DEPENDS = {
    "charts": ("tool", "figures", "brand"),
    "html": ("tool", "sources", "figures", "styles", "epoch"),
    "pdf": ("tool", "sources", "figures", "styles", "epoch", "pdfopts"),
    "pptx": ("tool", "sources", "figures", "brand", "decktemplate", "epoch"),
}


def artifact_keys(groups: dict[str, str]) -> dict[str, str]:
    return {a: _digest(a, *(f"{g}={groups[g]}" for g in deps)) for a, deps in DEPENDS.items()}


# ── the cache manifest ───────────────────────────────────────────────────────


def _read_manifest(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return {}
    arts = data.get("artifacts")
    return arts if isinstance(arts, dict) else {}


def _write_manifest(path: Path, artifacts: dict) -> None:
    data = {"version": MANIFEST_VERSION, "artifacts": artifacts}
    write_text(path, json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def _file_hash(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, _short_blake).hexdigest()
    except OSError:
        return None


def _record(out_dir: Path, files: list[Path]) -> dict[str, str]:
    return {p.relative_to(out_dir).as_posix(): _file_hash(p) or "" for p in files}


def is_fresh(entry: object, key: str, out_dir: Path) -> bool:
    """The artifact was built from these inputs and its files are still exactly what we wrote."""
    if not isinstance(entry, dict) or entry.get("key") != key:
        return False
    files = entry.get("files")
    if not isinstance(files, dict) or not files:
        return False
    return all(_file_hash(out_dir / rel) == h for rel, h in files.items())


# ── the lock ─────────────────────────────────────────────────────────────────


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


# ── the pipeline ─────────────────────────────────────────────────────────────


def _requested(only: str | None) -> list[str]:
    if only is None:
        return list(ARTIFACTS)
    if only not in ARTIFACTS:
        raise BuildError(f"--only {only}: choose one of {', '.join(ARTIFACTS)}")
    return [only]


# In a stage worker: its end of the pipe to the parent, and the messages that came through it
# after the job (the PDF worker hears how the charts it typesets around are getting on).
_INBOX = None
_RECEIVED: dict[str, object] = {}
_PARENT_ENDS: list = []  # in the parent: its ends of the pipes to live workers
CHARTS_TIMEOUT = 900.0
JOB_TIMEOUT = 120.0  # a job is sent seconds after a worker starts (after loading)


def _expect(kind: str) -> Callable[[], object]:
    """A function that waits for the parent's message `kind` and returns what it carried."""

    def wait() -> object:
        while kind not in _RECEIVED:
            try:
                if _INBOX is None or not _INBOX.poll(CHARTS_TIMEOUT):
                    raise BuildError(
                        f"pdf: the charts were not drawn within {CHARTS_TIMEOUT:.0f} s"
                    )
                got, payload = _INBOX.recv()
            except (EOFError, OSError):
                raise BuildError("pdf: the build stopped before the charts were drawn") from None
            _RECEIVED[got] = payload
        return _RECEIVED[kind]

    return wait


def _pdf_job(
    html: str, out: Path, pending: list[Path] | None = None, **kwargs
) -> tuple[int, list[str]]:
    """Typeset the PDF. In a worker, the parent's news paces it (see deferred.py): `pending`
    names the chart SVGs drawn meanwhile, and the PDF is written when the parent says so."""
    from reportbuild.deferred import PendingCharts
    from reportbuild.pdf import write_pdf

    if _INBOX is not None:
        kwargs["charts"] = PendingCharts(
            paths=tuple(pending or ()),
            sizes=_expect("sizes"),
            drawn=_expect("svgs"),
        )
    res = write_pdf(html, out, **kwargs)
    return res.pages, list(getattr(res, "overflow", None) or [])


def _tell_parent(kind: str, payload: object = None) -> None:
    """From a stage job: news for the parent (see StageWorker.result)."""
    if _INBOX is not None:
        _INBOX.send(("news", kind, payload))


def _charts_job(report, brand, out_dir: Path, chart_plan, split: bool = True) -> dict:
    """Draw the charts, telling the parent when their sizes are known and when the print SVGs
    are written (it passes both on to the PDF); from then on at lower priority. `split`: the
    outlined SVGs and PNGs in two processes (when no PDF is drawn beside them on the other
    core)."""
    from reportbuild.charts import render_all

    def sizes(known: dict) -> None:
        _tell_parent("sizes", known)
        lower_priority(SVG_NICE)

    def svgs() -> None:
        _tell_parent("svgs")
        lower_priority(BACKGROUND_NICE)

    return render_all(
        report, brand, out_dir, on_sizes=sizes, on_svgs=svgs, chart_plan=chart_plan, split=split
    )


def _deck_job(report, brand, out: Path, template: Path | None) -> tuple[int, list[str]]:
    from reportbuild.deck import write_deck

    res = write_deck(report, brand, out, template=template)
    return res.slides, list(getattr(res, "overflow", None) or [])


def _run_job(name: str, fn: Callable, args: tuple, kwargs: dict) -> tuple:
    """Run a stage; the outcome comes back as a plain tuple (exceptions may not pickle)."""
    t0 = time.perf_counter()
    try:
        value = fn(*args, **kwargs)
    except ReportError as exc:
        return ("error", exc.exit_code, exc.format_message(), "")
    except OSError as exc:  # a write failed: the message names the file
        return ("error", 1, _cannot_write(name, exc, Path.cwd()), "")
    except Exception as exc:  # a bug in the stage: report it, keep the other outputs
        import traceback

        return ("error", 1, _internal(name, exc), "".join(traceback.format_exception(exc)))
    return ("ok", value, time.perf_counter() - t0)


def _internal(name: str, exc: BaseException) -> str:
    return (
        f"{name}: internal error {type(exc).__name__}: {exc} "
        "(a bug in reportbuild; run with -v for the traceback)"
    )


def _shared_imports() -> None:
    """What this process and the PDF and chart workers all import (pydantic with the model, the
    brand, the figures' data): imported before they fork, it is imported and held once."""
    import reportbuild.brand
    import reportbuild.figdata
    import reportbuild.model  # noqa: F401


def _cannot_write(name: str, exc: OSError, root: Path) -> str:
    """One line for a failed write (read-only folder, a folder where a file goes, disk full)."""
    where = Path(exc.filename) if exc.filename else None
    if where is not None:
        with contextlib.suppress(ValueError):
            where = where.relative_to(root)
    what = f"cannot write {where}" if where is not None else "cannot write the outputs"
    return (
        f"{name}: {what}: {exc.strerror or exc}; make the folder writable and free space, "
        "then build again (the previous outputs are unchanged)"
    )


def _copy_pictures(report, root: Path, out_dir: Path) -> list[Path]:
    """The report's pictures, copied beside the HTML edition (output/images/<project path>):
    the browser and the preview, which serve output/ only, show them from there."""
    from reportbuild.html import IMAGES, report_images

    copies = []
    for rel in report_images(report):
        src, dest = root / rel, out_dir / IMAGES / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        copies.append(dest)
    return copies


def _stage_folder(staging: Path, final: Path, figures: bool) -> None:
    """An empty staging folder; with `figures`, a copy of output/figures to draw over (the
    print HTML names chart files there, and charts are redrawn only where they changed)."""
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if figures and (final / "figures").is_dir():
        shutil.copytree(final / "figures", staging / "figures", symlinks=False)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _move_into(src: Path, dst: Path) -> None:
    """Put a staged file in its place: a rename, or an atomic copy across file systems."""
    if dst.is_dir() and not dst.is_symlink():
        raise IsADirectoryError(21, "a folder stands where the file goes", str(dst))
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        from reportbuild.atomic import atomic_path

        with atomic_path(dst) as tmp:
            shutil.copyfile(src, tmp)


def _warm_pdf(root: Path) -> None:
    """Before the PDF job arrives: import WeasyPrint and the PDF stage (with pydantic and the
    model, which unpickling the job needs). The glyph check keeps its own cmap cache."""
    import weasyprint  # noqa: F401

    import reportbuild.pdf  # noqa: F401


def _warm_charts(root: Path) -> None:
    import reportbuild.charts.draw  # noqa: F401 - matplotlib, with what drawing uses


def _warm_deck(root: Path) -> None:
    """A machine's first build parses the brand fonts' widths here, at once, in children of
    ~80 MB for a moment, while the other processes are small. Otherwise there is nothing to
    do early: python-pptx is imported with the job, at low priority."""
    from reportbuild.brand import load_brand
    from reportbuild.deck import measure
    from reportbuild.machine import machine_cache

    measure.use_cache(machine_cache(root / CACHE_DIR))
    for family in load_brand(root).families:
        measure.ensure_cached(family), measure.ensure_cached(family, bold=True)


def _worker_main(conn, warm: Callable[[Path], None], root: Path, nice: int) -> None:
    """A stage worker: warm up now (while the parent loads the sources), then run one job."""
    global _INBOX
    # A forked worker inherits the parent's ends of the pipes to the workers started before
    # it: closed here, so that each of those sees the end of its pipe when the parent closes it.
    for other in _PARENT_ENDS:
        if other is not conn:
            with contextlib.suppress(OSError):
                other.close()
    _PARENT_ENDS.clear()
    _INBOX = conn
    _RECEIVED.clear()
    # stopped by the parent (abort): unwind, so that `finally` blocks remove temporary files
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    # Ctrl-C reaches the whole process group: the parent alone answers it and stops the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
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
    conn.send(_run_job(name, fn, args, kwargs))
    conn.close()


class StageWorker:
    """One stage job in its own process: it warms up (imports) until the job comes through the
    pipe, runs it and sends back the outcome as a plain tuple. While the job runs, `tell` sends
    it news (each kind once); the job waits for what it needs with _expect.

    `nice`: the worker runs at low priority, on what the PDF (the longest stage) leaves over.
    """

    def __init__(self, name: str, warm: Callable[[Path], None], root: Path, nice: int = 0):
        ctx = _process_context()
        self.name = name
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=_worker_main,
            args=(child, warm, root, nice),
            name=f"reportbuild-{name}",
            daemon=True,
        )
        self.proc.start()
        child.close()
        _PARENT_ENDS.append(self.conn)
        self.sent = False
        self.told: set[str] = set()

    def submit(self, fn: Callable, *args, **kwargs) -> None:
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
        with contextlib.suppress(ValueError):
            _PARENT_ENDS.remove(self.conn)
        self.conn.close()
        if self.sent:  # normally it has answered already; then it exits at once
            self.proc.join(5)
        if self.proc.is_alive():  # still importing, never given a job (bad input, Ctrl-C)
            self.abort()


def _process_context():
    import multiprocessing
    import threading

    # fork is the fast start (the child inherits what is already imported); with other threads
    # alive (the preview server) only forkserver is safe
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver")


def _theme_dirs(root: Path) -> tuple[Path, ...]:
    styles = paths.ProjectPaths(root).styles
    return (styles,) if styles.is_dir() else ()


def run_build(
    root: Path | str, opts: BuildOptions | None = None, feedback: Feedback | None = None
) -> BuildResult:
    """Build what is out of date among the requested artifacts; raise ReportError on failure."""
    opts = opts or BuildOptions()
    fb = feedback or Feedback(opts.verbosity)
    t_start = time.perf_counter()
    root = Path(root).resolve()
    if not paths.ProjectPaths(root).sources.is_dir():
        raise BuildError(f"{root} has no sources/ folder; run in a report project or pass -C DIR")
    if opts.template is not None and not Path(opts.template).is_file():
        raise BuildError(f"--template {opts.template}: no such file")
    if opts.pdf_variant is not None and opts.pdf_variant not in PDF_VARIANTS:
        raise BuildError(
            f"--pdf-variant {opts.pdf_variant}: choose one of {', '.join(PDF_VARIANTS)}"
        )
    requested = _requested(opts.only)
    out_dir = root / OUTPUT_DIR
    cache_dir = root / CACHE_DIR
    if "pptx" in requested:
        template = Path(opts.template) if opts.template else _styles_template(root)
        if template is not None:
            _check_template(template, root)
    _check_writable(out_dir, [OUTPUTS[a] for a in requested], root)
    manifest_path = cache_dir / "manifest.json"

    with BuildLock(cache_dir, opts.lock_timeout, fb.info):
        groups = input_groups(root, opts)
        keys = artifact_keys(groups)
        manifest = _read_manifest(manifest_path)
        stale = [
            a for a in requested if opts.force or not is_fresh(manifest.get(a), keys[a], out_dir)
        ]  # fmt: skip
        if not stale:
            shown = [a for a in SUMMARY_ORDER if a in requested]
            fresh = [_output_from_manifest(a, manifest[a], out_dir) for a in shown]
            result = BuildResult(fresh, up_to_date=True)
            result.seconds = time.perf_counter() - t_start
            return result
        for a in stale:
            fb.detail(f"{a}: {_why_stale(a, manifest.get(a), groups, opts.force)}")
        build = _Build(root, opts, fb, stale, manifest, groups, manifest_path)
        outputs = build.run()

    fresh = [_output_from_manifest(a, manifest[a], out_dir) for a in requested if a not in stale]
    by_name = {o.artifact: o for o in outputs + fresh}
    # what was asked for, and what was rebuilt on the way (charts for the HTML, say)
    shown = [a for a in SUMMARY_ORDER if a in requested or a in by_name]
    result = BuildResult([by_name[a] for a in shown if a in by_name], False)
    result.seconds = time.perf_counter() - t_start
    return result


def _check_template(path: Path, root: Path) -> None:
    """A deck template must be a PowerPoint presentation with slide layouts: said before any
    work, not as a python-pptx traceback after the PDF was made."""
    import zipfile

    shown = path if not path.is_relative_to(root) else path.relative_to(root)
    fix = "give a .pptx saved by PowerPoint, LibreOffice Impress or Google Slides"
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            types = z.read("[Content_Types].xml").decode("utf-8", "replace")
    except (OSError, zipfile.BadZipFile, KeyError):
        raise BuildError(f"template {shown}: not a PowerPoint file; {fix}", exit_code=2) from None
    if "template.main+xml" in types:
        raise BuildError(
            f"template {shown}: a .potx template; open it and save it as a .pptx presentation",
            exit_code=2,
        )
    if "ppt/presentation.xml" not in names:
        raise BuildError(f"template {shown}: not a PowerPoint file; {fix}", exit_code=2)
    if not any(n.startswith("ppt/slideLayouts/slideLayout") for n in names):
        raise BuildError(
            f"template {shown}: has no slide layouts; save its master with layouts", exit_code=2
        )


def _check_writable(out_dir: Path, names: list[str], root: Path) -> None:
    """output/ and each output's place can take a new file (checked before any work)."""
    probe = out_dir if out_dir.exists() else out_dir.parent
    problems = []
    if probe.exists() and not probe.is_dir():
        problems.append(f"{probe.relative_to(root)} is a file; output/ must be a folder")
    elif not os.access(probe, os.W_OK | os.X_OK):
        problems.append(f"{probe.relative_to(root) if probe != root else '.'} is not writable")
    for name in names:
        target = out_dir / name
        if name != OUTPUTS["charts"] and target.is_dir() and not target.is_symlink():
            problems.append(f"{target.relative_to(root)} is a folder where the file goes")
    if problems:
        raise BuildError(
            "cannot write the outputs: " + "; ".join(problems) + "; fix it, then build again",
            exit_code=2,
        )


def _why_stale(artifact: str, entry: object, groups: dict[str, str], force: bool) -> str:
    """Why an artifact is rebuilt, for -v: which inputs changed, or what happened to its files."""
    if force:
        return "rebuilt (--force)"
    if not isinstance(entry, dict):
        return "not built yet"
    old = entry.get("inputs") or {}
    changed = [g for g in DEPENDS[artifact] if old.get(g) != groups[g]]
    if changed:
        return "inputs changed: " + ", ".join(changed)
    return "its files are missing or were changed since the last build"


def _output_from_manifest(artifact: str, entry: dict, out_dir: Path) -> Output:
    path = out_dir / OUTPUTS[artifact]
    return Output(artifact, path, entry.get("size", 0), False, entry.get("count"))


def _styles_template(root: Path) -> Path | None:
    return paths.ProjectPaths(root).pptx_template


class _Build:
    """One run over the stale artifacts: load → charts → HTML → PDF, with the deck beside them.

    The PDF and the deck run in their own processes (started first, so their imports overlap
    with loading); WeasyPrint typesets while this process writes the HTML edition.
    """

    def __init__(self, root, opts, fb, stale, manifest, groups, manifest_path):
        self.root, self.opts, self.fb, self.stale = root, opts, fb, set(stale)
        # Every stage writes into the staging folder; output/ changes only once all of them
        # succeeded (commit), so a failed build leaves the previous outputs untouched.
        self.final_dir = root / OUTPUT_DIR
        self.out_dir = paths.ProjectPaths(root).staging
        self.files: dict[str, list[Path]] = {}
        self.dropped: list[Path] = []  # files to remove from output/ (relative to it)
        self.manifest, self.groups, self.manifest_path = manifest, groups, manifest_path
        self.keys = artifact_keys(groups)
        self.outputs: list[Output] = []
        self.errors: list[ReportError] = []

    def done(self, artifact: str, files: list[Path], count: int | None, seconds: float) -> None:
        size = sum(p.stat().st_size for p in files)
        self.manifest[artifact] = {
            "key": self.keys[artifact],
            "inputs": {g: self.groups[g] for g in DEPENDS[artifact]},
            "files": _record(self.out_dir, files),
            "size": size,
        } | ({"count": count} if count is not None else {})  # fmt: skip
        self.outputs.append(
            Output(artifact, self.final_dir / OUTPUTS[artifact], size, True, count, seconds)
        )
        self.files[artifact] = files

    def failed(self, exit_code: int, message: str, trace: str = "") -> None:
        if trace:
            self.fb.detail(trace)
        err = BuildError(message)
        err.exit_code = exit_code
        self.errors.append(err)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Collect a stage's failure and go on with the others; a bug is reported, no traceback."""
        try:
            yield
        except ReportError as exc:
            self.errors.append(exc)
        except OSError as exc:
            self.failed(1, _cannot_write(name, exc, self.root))
        except Exception as exc:
            import traceback

            self.failed(1, _internal(name, exc), "".join(traceback.format_exception(exc)))

    def run(self) -> list[Output]:
        # Started before loading, so their imports overlap the loading: WeasyPrint and
        # matplotlib (the charts), one process each. The deck's comes after loading (_run).
        workers: dict[str, StageWorker] = {}
        try:
            _stage_folder(
                self.out_dir,
                self.final_dir,
                figures=bool({"charts", "html", "pdf"} & self.stale),
            )
        except OSError as exc:
            raise BuildError(_cannot_write("build", exc, self.root)) from None
        if self.opts.jobs > 1:
            _shared_imports()  # once, here: the workers forked below inherit them
            if "pdf" in self.stale:
                workers["pdf"] = StageWorker("pdf", _warm_pdf, self.root)
            # the figures changed (else the chart stage only checks its files, here, quickly)
            if "charts" in self.stale:
                workers["charts"] = StageWorker("charts", _warm_charts, self.root)
        try:
            try:
                self._run(workers)
            finally:
                for w in workers.values():
                    w.close()
            if not self.errors:
                with self.stage("output"):
                    self._commit()
        finally:  # failed, interrupted or done: no staged file stays behind
            shutil.rmtree(self.out_dir, ignore_errors=True)
        if self.errors:
            if len(self.errors) == 1:
                raise self.errors[0]
            exc = BuildError("\n".join(e.format_message() for e in self.errors))
            exc.exit_code = max(e.exit_code for e in self.errors)
            raise exc
        return self.outputs

    def _commit(self) -> None:
        """Move every staged file into output/ (a rename each, after all stages succeeded), drop
        figure files no longer drawn, then record the manifest."""
        final, staged = self.final_dir, self.out_dir
        # each file replaced keeps its previous version (a hard link) until all are in place:
        # a move that fails (disk full on another file system, say) puts the earlier ones back
        previous = staged / ".previous"
        moved: list[tuple[Path, Path | None]] = []
        try:
            for files in self.files.values():
                for src in files:
                    rel = src.relative_to(staged)
                    dst, keep = final / rel, None
                    if dst.is_file():
                        keep = previous / rel
                        keep.parent.mkdir(parents=True, exist_ok=True)
                        _link_or_copy(dst, keep)
                    _move_into(src, dst)
                    moved.append((dst, keep))
        except OSError:
            for dst, keep in reversed(moved):
                if keep is not None:
                    os.replace(keep, dst)
                else:
                    dst.unlink(missing_ok=True)
            raise
        if "charts" in self.files and (final / "figures").is_dir():
            keep = {p.relative_to(staged) for p in self.files["charts"]}
            for old in (final / "figures").rglob("*"):
                if old.is_file() and old.relative_to(final) not in keep:
                    old.unlink()
        for rel in self.dropped:
            (final / rel).unlink(missing_ok=True)
        _write_manifest(self.manifest_path, self.manifest)

    def _run(self, workers: dict[str, StageWorker]) -> None:
        # Only now the heavy part: pydantic, the loader, the stages.
        from reportbuild.brand import load_brand
        from reportbuild.load import load_project

        root, out_dir, opts, fb = self.root, self.out_dir, self.opts, self.fb
        with fb.step("load"):
            report = load_project(root)  # SourceError (exit 2) before anything is written
            brand = load_brand(root)

        deck_out = out_dir / OUTPUTS["pptx"]
        template = Path(opts.template).resolve() if opts.template else _styles_template(root)
        deck_args = (report, brand, deck_out, template)
        if "pptx" in self.stale and opts.jobs > 1:
            # Forked now, with the loaded model (its pages shared with this process), at low
            # priority; its job comes once the charts are drawn (see below).
            workers["pptx"] = StageWorker("pptx", _warm_deck, root, nice=BACKGROUND_NICE)

        # Charts drawn in this build: the print HTML names their files before they exist.
        chart_plan = None
        if {"charts", "html", "pdf"} & self.stale:
            from reportbuild.charts import plan

            chart_plan = plan(report, brand, out_dir / "figures", force=opts.force)
        # The PDF worker typesets from here on: it lays the pages out with the sizes of the
        # charts being drawn as soon as the charts stage knows them (the parent passes the news
        # on), reads the print SVGs once they are written, and writes the PDF when told to.
        pdf = workers.get("pdf")
        pdf_sent = False
        if pdf is not None:
            with self.stage("pdf"):
                pdf_sent = self._pdf_start(report, brand, pdf, chart_plan)
        charts = None
        if chart_plan is not None:
            relay = pdf.tell if pdf is not None and pdf_sent else None
            with self.stage("charts"):
                charts = self._charts(report, brand, chart_plan, workers.get("charts"), relay)
        # the charts stage has passed on "sizes" and "svgs" (render_all always tells) unless it
        # failed: then the PDF must not be written
        if pdf is not None and pdf_sent and charts is None:
            pdf.abort()  # its file is in the staging folder, which goes
            pdf_sent = False
        if charts is not None and "pdf" in self.stale and pdf is None:
            with self.stage("pdf"):
                pdf_sent = self._pdf_start(report, brand, None, None)
        if charts is not None and "html" in self.stale:
            with self.stage("html"):
                self._html(report, brand, charts)
        # The deck (it needs no chart files: its charts are native) is built while WeasyPrint
        # writes the PDF, on the core the writing leaves free: the chart processes are gone by
        # then, and the deck is small beside WeasyPrint's peak.
        if "pptx" in workers:
            workers["pptx"].submit(_deck_job, *deck_args)
        if pdf_sent:
            if pdf is not None:
                release_freed_memory()  # this process stays beside WeasyPrint's peak
            self._finish("pdf", pdf, _pdf_job, self._pdf_call)
        if "pptx" in self.stale:
            self._finish("pptx", workers.get("pptx"), _deck_job, (deck_args, {}))

    def _charts(self, report, brand, chart_plan, worker=None, relay=None) -> dict | None:
        """Draw the charts (in `worker` if given, passing its news on to `relay(kind, payload)`);
        None if that failed (the failure is recorded)."""
        from reportbuild.charts import render_all

        t0 = time.perf_counter()
        n = len(report.figures)
        figures = self.out_dir / "figures"
        # the outlined SVGs and PNGs are for the charts and the HTML: a PDF alone goes without
        portable = bool({"charts", "html"} & self.stale)
        with self.fb.step("charts", lambda: f"{n} figure{'' if n == 1 else 's'}"):
            if worker is None:  # drawn here: the news goes out all the same
                tell = relay or (lambda kind, payload=None: None)
                charts = render_all(
                    report, brand, figures, chart_plan=chart_plan, portable=portable,
                    on_sizes=lambda sizes: tell("sizes", sizes), on_svgs=lambda: tell("svgs"),
                )  # fmt: skip
            else:
                split = "pdf" not in self.stale
                worker.submit(_charts_job, report, brand, figures, chart_plan, split)
                res = worker.result(on_news=relay)
                if res[0] != "ok":
                    self.failed(res[1], res[2], res[3])
                    return None
                charts = res[1]
        extra = figures / ".charts.json"
        if not portable and chart_plan.todo:
            # Drawn for the PDF alone: the print SVGs and the charts' own manifest go to output/
            # with it, and the redrawn figures' older SVG and PNG leave it (the next build that
            # needs them draws them). The charts output itself is not complete.
            drawn = [charts[f.id] for f in chart_plan.todo]
            self.files["charts/print"] = [c.print_svg for c in drawn] + [extra]
            self.dropped += [p.relative_to(self.out_dir) for c in drawn for p in (c.svg, c.png)]
            return charts
        files = [f for c in charts.values() for f in c.paths]
        files += [extra] if extra.is_file() else []
        self.done("charts", files, n, time.perf_counter() - t0)
        return charts

    def _html(self, report, brand, charts) -> None:
        from reportbuild.html import render_html

        t0 = time.perf_counter()
        target = self.out_dir / OUTPUTS["html"]
        with self.fb.step("html"):
            text = render_html(
                report, brand, charts, mode="screen", theme_dirs=_theme_dirs(self.root)
            )
            write_text(target, text)
            pictures = _copy_pictures(report, self.root, self.out_dir)
        self.done("html", [target, *pictures], None, time.perf_counter() - t0)

    def _pdf_start(self, report, brand, worker: StageWorker | None, chart_plan) -> bool:
        from reportbuild.charts import planned
        from reportbuild.html import render_html

        t0 = time.perf_counter()
        charts_dir = self.out_dir / "figures"
        html = render_html(
            report,
            brand,
            planned(report, charts_dir),
            mode="print",
            theme_dirs=_theme_dirs(self.root),
        )
        self.fb.detail(f"print HTML {len(html) // 1024} kB in {time.perf_counter() - t0:.2f}s")
        # kept for debugging layout and as the input of bench/bench.py's "WeasyPrint alone"
        # (naming the charts where they will be once the build succeeded)
        kept = html.replace(self.out_dir.resolve().as_uri(), self.final_dir.resolve().as_uri())
        write_text(self.root / CACHE_DIR / PRINT_HTML, kept)
        kwargs = dict(
            root=self.root, report=report, brand=brand,
            variant=self.opts.pdf_variant, bleed=self.opts.bleed,
        )  # fmt: skip
        if worker is not None:
            pending = chart_plan.pending_prints(charts_dir) if chart_plan else []
            worker.submit(_pdf_job, html, self.out_dir / OUTPUTS["pdf"], pending, **kwargs)
        self._pdf_call = ((html, self.out_dir / OUTPUTS["pdf"]), kwargs)
        return True

    def _finish(self, name: str, worker: StageWorker | None, fn: Callable, call: tuple) -> None:
        args, kwargs = call
        res = worker.result() if worker is not None else _run_job(name, fn, args, kwargs)
        if res[0] != "ok":
            self.failed(res[1], res[2], res[3])
            return
        (count, notes), secs = res[1], res[2]
        self.fb.info(f"{name:<7} {secs:5.2f}s  {count} {'pages' if name == 'pdf' else 'slides'}")
        for note in notes:
            self.fb.detail(f"{name}: {note}")
        self.done(name, [self.out_dir / OUTPUTS[name]], count, secs)


# ── the closing summary ──────────────────────────────────────────────────────


def human_size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


COUNT_WORD = {"pdf": "page", "pptx": "slide", "charts": "figure"}


def summary_lines(result: BuildResult, root: Path) -> list[str]:
    rows = []
    for o in result.outputs:
        try:
            shown = o.path.relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            shown = str(o.path)
        if o.artifact == "charts":
            shown += "/"
        count = ""
        if o.count is not None:
            count = f"{o.count} {COUNT_WORD[o.artifact]}{'' if o.count == 1 else 's'}"
        state = "" if o.built else "(up to date)"
        rows.append(f"  {shown:<22} {human_size(o.size):>9}  {count:<11} {state}".rstrip())
    return rows
