"""Shared fixtures: the real project, and throwaway copies of the skeleton to break.

The example reports and the skeleton are built once per test run, not once per module or per
xdist worker: `shared_build` builds into the run's temporary folder under a file lock, and the
first worker to get there builds while the other waits and then reads the same files. These
builds are read-only; a test that edits or builds again works on a copy (`copy_build`)."""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from reportbuild.procs import tune_gc

ROOT = Path(__file__).resolve().parent.parent
SKELETON = ROOT / "src" / "reportbuild" / "skeleton"
EXAMPLE = ROOT / "examples" / "minimum-wage-2013"
EPOCH = "1700000000"  # SOURCE_DATE_EPOCH of the shared builds
INPUTS = ("sources", "figures", "styles")

# The per-machine cache (font widths, compiled templates, brands) of the tests is their own,
# never the user's ~/.cache: a test run neither reads a stale one nor leaves files behind. Set
# before anything is imported, so the builds the tests start in subprocesses inherit it. It is
# one folder per run: xdist's workers inherit it from the process that starts them (which
# imports this file first and removes the folder at its exit), so the caches are filled once,
# not once per worker.
_CACHE = os.environ.get("REPORTBUILD_TEST_CACHE")
if not _CACHE:
    _CACHE = os.environ["REPORTBUILD_TEST_CACHE"] = tempfile.mkdtemp(
        prefix="reportbuild-test-cache-"
    )
    atexit.register(shutil.rmtree, _CACHE, True)
os.environ["XDG_CACHE_HOME"] = _CACHE
# matplotlib's list of the machine's fonts, which set-up writes into the virtual environment
# (scripts/setup.sh) after installing the fonts: read, not rebuilt by each worker of each run
# (0.7 CPU-s a worker) in the run's new cache folder
_FONT_LIST = Path(sys.prefix) / "matplotlib"
if _FONT_LIST.is_dir() and "MPLCONFIGDIR" not in os.environ:
    os.environ["MPLCONFIGDIR"] = str(_FONT_LIST)

# The test processes build in-process as `reportbuild` does, with its garbage collector settings;
# they also hold every module's fixtures (projects, decks, parsed PDFs), over which each full
# collection ran: at Python's default, 13 of the suite's CPU-s were spent collecting.
tune_gc()


def pytest_collection_finish(session) -> None:
    """What collecting imported (every module the tests use, the test modules) lives as long as
    the process: frozen out of the garbage collector's full passes, which otherwise walk it
    again each time the fixtures' documents and decks are collected."""
    import gc

    gc.collect()
    gc.freeze()


# xdist (-n 2 --dist loadfile, pyproject) runs each test file on one worker, so that its module
# fixtures are built once. The files that read the shared build of this report run on one
# worker too: the other never waits on the lock while it is built, and with these files on one
# worker and the rest on the other both finish together. (xdist_group marks would say this, but
# xdist 3.8's loadgroup no longer takes them under pytest 9.2: it renames items by `_nodeid`.)
REPORT_BUILDS = {"test_example_en", "test_pdf", "test_pdfsplit", "test_typeset"}
# Each worker takes the next file when it is free (xdist hands it one more while its last two
# tests run), xdist's queue going from most tests to fewest; the heaviest files go first
# instead, so that what is left at the end is small and both workers finish together (files
# of few but slow tests, test_kinds or test_signals, came last and left one worker 11 s behind).
# CPU-s per file, measured on the whole suite (-n 2; a file not listed counts as 0.5).
CPU_SECONDS = {
    "report-builds": 43.4, "test_build": 15.0, "test_deck_masters": 8.5, "test_charts": 8.3,
    "test_deck": 5.9, "test_signals": 4.7, "test_hostile": 3.9, "test_kinds": 3.0,
    "test_svg_lean": 3.0, "test_tables": 2.6, "test_notes_refs": 2.4, "test_preview": 2.0,
    "test_lints": 1.6, "test_load": 1.0, "test_dead_code": 1.0, "test_locale": 0.9,
    "test_images": 0.9, "test_compat": 0.8,
}  # fmt: skip


# A build whose outputs a test reads (not one that tests the pipeline's processes) runs in the
# test's own process: its fonts and caches stay warm from build to build, where each forked
# stage worker starts cold (0.3 CPU-s a build). The bytes are those of two jobs (test_build's
# test_the_pdf_is_the_same_whether_charts_are_drawn_before_or_beside_it).
ONE_JOB = ("-j", "1")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None  # xdist's own
    from xdist.scheduler import LoadFileScheduling

    class Scheduler(LoadFileScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            path = super()._split_scope(nodeid)
            return "report-builds" if Path(path).stem in REPORT_BUILDS else path

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:  # the queue is complete before the first file is handed out
                self.ordered = True

                def rank(scope: str) -> float:
                    name = Path(scope).stem if scope != "report-builds" else scope
                    return -CPU_SECONDS.get(name, 0.5)

                queue = sorted(self.workqueue.items(), key=lambda item: rank(item[0]))
                self.workqueue.clear()
                self.workqueue.update(queue)
            super()._assign_work_unit(node)

    return Scheduler(config, log)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the minimal report made by `reportbuild new`, to edit in a test."""
    dest = tmp_path / "proj"
    shutil.copytree(SKELETON, dest)
    return dest


@dataclass(frozen=True)
class SharedBuild:
    """A project built once per test run: its root (outputs and cache included; never edit
    them), what WeasyPrint and the PDF stage logged as warnings while it was typeset, and
    the build's counts."""

    root: Path
    warnings: list[str] | None  # None: typeset in a worker process (jobs > 1), not caught
    counts: dict[str, int | None]  # what the build's summary counts: pages, slides, figures
    # the PDF's layout as the build made it (pagefit's holes, fitted, renders and
    # `layout_pages`), where asked for (`_in_process(..., layout=True)`)
    layout: dict | None = None

    @property
    def pdf(self) -> Path:
        return self.root / "output" / "report.pdf"


def _run_folder(tmp_path_factory) -> Path:
    """The test run's temporary folder: under xdist each worker's base is a folder in it."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def _locked(path: Path):
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # released when the file is closed, also on a crash
        yield


def pages_text(pdf: Path) -> list[str]:
    """Each page's text as PDFium extracts it, in the order the page draws it (not pdftotext's
    reading order by position), lines ending in "\\n" and a line-end hyphen as "-" (PDFium
    marks it U+0002). pdftotext spends 3.1 CPU-s on this report, PDFium 0.2."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [
            page.get_textpage().get_text_range().replace("\r\n", "\n").replace("\x02", "-")
            for page in doc
        ]
    finally:
        doc.close()


def layout_pages(document) -> list[list]:
    """Each page of a laid-out WeasyPrint document: its text, and where each line and image is
    and how large (lists and numbers, as JSON keeps them)."""
    from reportbuild import weasy

    out = []
    for page in document.pages:
        boxes = list(weasy.descendants(weasy.page_box(page)))
        text = "".join(b.text for b in boxes if weasy.is_text(b))
        placed = [
            [weasy.is_replaced(b), round(b.position_x, 3), round(b.position_y, 3),
             round(b.width, 3), round(b.height, 3)]
            for b in boxes if weasy.is_line(b) or weasy.is_replaced(b)
        ]  # fmt: skip
        out.append([text, placed])
    return out


def _in_process(root: Path, layout: bool = False, only: tuple[str, ...] | None = None) -> dict:
    """Build `root` in this process, one job: the PDF is typeset here, so its warnings are
    caught; the bytes are those of two jobs (see test_build's
    test_the_pdf_is_the_same_whether_charts_are_drawn_before_or_beside_it). With `layout`,
    the PDF's pages as pagefit laid them out are kept too (test_typeset compares them with
    a second layout: the build's own layout need not be made again)."""
    from reportbuild import pagefit
    from reportbuild.build import BuildOptions, run_build
    from reportbuild.pdf import WarningLog

    seen, laid = WarningLog(), {}
    render = pagefit.render

    def kept(source, **kw):
        fitted = render(source, **kw)
        laid.update(holes=fitted.holes, fitted=fitted.fitted, renders=fitted.renders)
        laid["pages"] = layout_pages(fitted.document)
        return fitted

    loggers = [logging.getLogger(n) for n in ("reportbuild.pdf", "weasyprint")]
    for lg in loggers:
        lg.addHandler(seen)
    try:
        with pytest.MonkeyPatch.context() as mp:
            if layout:
                mp.setattr(pagefit, "render", kept)
            result = run_build(root, BuildOptions(verbosity=0, jobs=1, only=only))
    finally:
        for lg in loggers:
            lg.removeHandler(seen)
    counts = {o.artifact: o.count for o in result.outputs}
    return {"warnings": seen.messages, "counts": counts, "layout": laid if layout else None}


def _by_the_cli(root: Path) -> dict:
    """Build `root` as a user does: `reportbuild build` in its own process (two jobs: the PDF
    typeset beside the charts)."""
    res = subprocess.run(
        [sys.executable, "-m", "reportbuild", "build", "-C", str(root), "-q"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    return {"warnings": None, "counts": {}}


def shared_build(tmp_path_factory, name: str, make, build=_in_process) -> SharedBuild:
    """A project made by `make(root)` and built (SOURCE_DATE_EPOCH=EPOCH) once per test run."""
    folder = _run_folder(tmp_path_factory) / "shared-builds"
    folder.mkdir(exist_ok=True)
    root, done = folder / name, folder / f"{name}.json"
    with _locked(folder / f"{name}.lock"):
        if not done.is_file():
            shutil.rmtree(root, ignore_errors=True)  # a build that failed before us
            make(root)
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
                record = build(root)
            done.write_text(json.dumps(record), encoding="utf-8")
    return SharedBuild(root, **json.loads(done.read_text(encoding="utf-8")))


def _inputs_of(source: Path):
    def make(root: Path) -> None:
        for part in INPUTS:
            if (source / part).is_dir():
                shutil.copytree(
                    source / part, root / part,
                    ignore=shutil.ignore_patterns("output", ".reportbuild-cache"),
                )  # fmt: skip

    return make


def copy_build(build: SharedBuild | Path, dest: Path) -> Path:
    """A copy of a shared build (sources, outputs and cache) to edit or build again."""
    shutil.copytree(build.root if isinstance(build, SharedBuild) else build, dest, symlinks=True)
    return dest


def print_html(copy: Path, built_at: Path) -> str:
    """The print HTML of a copied build: it names the chart files by their URL, in the
    folder it was built in."""
    html = (copy / ".reportbuild-cache" / "report.print.html").read_text(encoding="utf-8")
    return html.replace(built_at.as_uri() + "/", copy.as_uri() + "/")


@pytest.fixture(scope="session")
def built_zh(tmp_path_factory) -> SharedBuild:
    """This repository's (Chinese) report, built once per test run: never edit it. Its PDF and
    HTML (and so its charts, all their files): its deck is built and read by test_deck
    (`real_deck`) and test_deck_masters, from the sources."""
    build = partial(_in_process, layout=True, only=("pdf", "html"))
    return shared_build(tmp_path_factory, "zh", _inputs_of(ROOT), build)


@pytest.fixture(scope="session")
def built_en(tmp_path_factory) -> SharedBuild:
    """The English example report, built once per test run: never edit it."""
    return shared_build(tmp_path_factory, "en", _inputs_of(EXAMPLE))


@pytest.fixture(scope="session")
def built_once(tmp_path_factory) -> Path:
    """A report made by `reportbuild new` and built by `reportbuild build`, once per test run
    (SOURCE_DATE_EPOCH=1700000000), outputs and cache: never edit it; tests that edit or build
    again take a copy (`built_project`)."""
    from reportbuild.commands.new import new_project

    return shared_build(tmp_path_factory, "new", new_project, _by_the_cli).root


@pytest.fixture
def built_project(built_once: Path, tmp_path: Path) -> Path:
    """A copy of the built skeleton (its outputs and cache up to date), to edit in a test."""
    return copy_build(built_once, tmp_path / "proj")


@pytest.fixture(scope="session")
def real_report():
    """The city-commercial-bank report, loaded once."""
    from reportbuild.load import load_project

    return load_project(ROOT)
