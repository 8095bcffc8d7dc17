"""The pipeline: cache keys, the no-op fast path, the lock, a full build of a new report."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import copy_build, pages_text, print_html

from reportbuild.build import (
    BuildLock,
    BuildOptions,
    artifact_keys,
    input_groups,
    is_fresh,
    run_build,
)
from reportbuild.commands.new import new_project
from reportbuild.errors import BuildError

EPOCH = "1700000000"
HEAVY = ("weasyprint", "matplotlib", "pptx", "pydantic")


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    env.update(extra)
    return env


def _reportbuild(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportbuild", *args],
        capture_output=True, text=True, env=_env(), timeout=300, **kw,
    )  # fmt: skip


# ── a new report as `reportbuild new` makes it and `reportbuild build` builds it (conftest's
# built_once, once per test run), copied for this module: the tests below build it again ──


@pytest.fixture(scope="module")
def built(built_once, tmp_path_factory) -> Path:
    return copy_build(built_once, tmp_path_factory.mktemp("new") / "my-report")


def test_new_report_builds_without_edits(built):
    out = built / "output"
    pdf, deck, html = out / "report.pdf", out / "summary.pptx", out / "report.html"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert deck.read_bytes().startswith(b"PK")  # a zip: the pptx package
    assert 'src="figures/survey.svg"' in html.read_text(encoding="utf-8")
    assert (out / "figures" / "survey.svg").is_file() and (out / "figures" / "survey.png").is_file()
    assert (built / ".gitignore").read_text().splitlines() == ["output/", ".reportbuild-cache/"]


def test_new_report_pdf_holds_the_skeleton_text(built):
    text = "".join(pages_text(built / "output" / "report.pdf"))
    squeezed = "".join(text.split())
    assert "第一章的标题" in squeezed and "示例研究报告" in squeezed


def test_noop_build_imports_nothing_heavy_and_is_fast(built):
    t0 = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reportbuild", "build", "-C", str(built)],
        capture_output=True, text=True, env=_env(), timeout=60,
    )  # fmt: skip
    wall = time.perf_counter() - t0
    assert res.returncode == 0, res.stderr
    assert "up to date" in res.stderr
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in res.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert imported, "no -X importtime output"
    assert not imported & set(HEAVY), imported & set(HEAVY)
    assert wall < 3.0  # the target is 0.5 s (bench/bench.py); generous here for busy CI cores


# (in this process: what is tested is the pipeline, not the command; a process of its own
# costs a second of imports)


def test_deck_is_byte_identical_when_rebuilt(built, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    deck = built / "output" / "summary.pptx"
    before = deck.read_bytes()
    result = run_build(built, BuildOptions(only="pptx", force=True, verbosity=0))
    assert [(o.artifact, o.built) for o in result.outputs] == [("pptx", True)]
    assert deck.read_bytes() == before


def test_edited_output_is_rebuilt(built, monkeypatch):
    """The cache trusts recorded hashes of the outputs, not their mere presence."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    html = built / "output" / "report.html"
    good = html.read_bytes()
    html.write_bytes(good + b"<!-- edited by hand -->")
    result = run_build(built, BuildOptions(only="html", verbosity=0))
    assert not result.up_to_date
    assert any(o.artifact == "html" and o.built for o in result.outputs)
    assert html.read_bytes() == good


# ── cache keys (no rendering) ──────────────────────────────────────────────


def _keys(root: Path, **opts) -> dict[str, str]:
    return artifact_keys(input_groups(root, BuildOptions(**opts)))


def test_keys_follow_what_each_artifact_reads(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    base = _keys(project)

    chapter = project / "sources" / "chapters" / "01-intro.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    after_chapter = _keys(project)
    assert after_chapter["charts"] == base["charts"]
    for a in ("html", "pdf", "pptx"):
        assert after_chapter[a] != base[a]

    fig = project / "figures" / "survey.yml"
    fig.write_text(fig.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    after_figure = _keys(project)
    assert all(after_figure[a] != after_chapter[a] for a in after_figure)

    (project / "styles" / "extra.css").write_text("p { color: red }\n", encoding="utf-8")
    after_css = _keys(project)
    assert after_css["pptx"] == after_figure["pptx"]
    assert after_css["charts"] == after_figure["charts"]
    assert after_css["pdf"] != after_figure["pdf"] and after_css["html"] != after_figure["html"]

    variant = _keys(project, pdf_variant="pdf/ua-1")
    assert variant["pdf"] != after_css["pdf"] and variant["html"] == after_css["html"]

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")
    assert _keys(project)["pdf"] != after_css["pdf"]


def test_editor_temp_files_are_not_inputs(project):
    base = _keys(project)
    (project / "sources" / ".01-intro.md.swp").write_text("x")
    (project / "sources" / "chapters" / "01-intro.md~").write_text("x")
    assert _keys(project) == base


def test_is_fresh_checks_key_and_file_hashes(tmp_path):
    from reportbuild.build import _record

    f = tmp_path / "report.html"
    f.write_text("a")
    entry = {"key": "k", "files": _record(tmp_path, [f])}
    assert is_fresh(entry, "k", tmp_path)
    assert not is_fresh(entry, "other", tmp_path)
    f.write_text("b")
    assert not is_fresh(entry, "k", tmp_path)
    f.unlink()
    assert not is_fresh(entry, "k", tmp_path)


# ── the lock ───────────────────────────────────────────────────────────────


def test_second_build_waits_for_the_lock(tmp_path):
    messages: list[str] = []
    first = BuildLock(tmp_path, timeout=5)
    first.__enter__()
    threading.Timer(0.3, first.__exit__, (None, None, None)).start()
    t0 = time.monotonic()
    with BuildLock(tmp_path, timeout=5, on_wait=messages.append):
        waited = time.monotonic() - t0
    assert waited >= 0.25
    assert len(messages) == 1 and messages[0].startswith("waiting for another build…")


def test_build_gives_up_after_the_lock_timeout(project):
    with (
        BuildLock(project / ".reportbuild-cache"),
        pytest.raises(BuildError, match="another build .* has held"),
    ):
        run_build(project, BuildOptions(only="charts", lock_timeout=0.2, verbosity=0))
    assert not (project / "output").exists()  # nothing was written while waiting


def test_cli_build_reports_the_lock_and_exits_1(project):
    with BuildLock(project / ".reportbuild-cache"):
        res = _reportbuild("build", "-C", str(project), "--lock-timeout", "0.3")
    assert res.returncode == 1
    assert "waiting for another build…" in res.stderr
    assert f"(pid {os.getpid()})" in res.stderr
    assert "Traceback" not in res.stderr


def test_stage_workers_start_safely_beside_other_threads(project, monkeypatch):
    """With threads alive (as in the preview) workers come from forkserver, not a bare fork."""
    from reportbuild.build import _process_context

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert _process_context().get_start_method() == "forkserver"
        result = run_build(project, BuildOptions(only="pptx", jobs=2, verbosity=0))
    finally:
        stop.set()
    (deck,) = result.outputs
    assert deck.built and deck.count and deck.count > 0
    assert (project / "output" / "summary.pptx").read_bytes().startswith(b"PK")


def test_clean_waits_for_a_running_build(project):
    from reportbuild.commands.clean import clean_project

    (project / "output").mkdir()
    (project / "output" / "report.pdf").write_bytes(b"%PDF-")
    with BuildLock(project / ".reportbuild-cache"), pytest.raises(BuildError, match="another"):
        clean_project(project, lock_timeout=0.2)
    assert (project / "output" / "report.pdf").is_file()  # untouched while the build runs
    assert clean_project(project) == ["output/", ".reportbuild-cache/"]
    assert not (project / "output").exists() and not (project / ".reportbuild-cache").exists()


# ── the PDF typesets while the charts are drawn ────────────────────────────


@pytest.fixture(scope="module")
def built_skeleton(built_once):
    """A `reportbuild new` project built once (conftest's, shared with other test files);
    tests that build it again work on copies."""
    return built_once


def _edited_copy(built: Path, tmp_path: Path) -> tuple[Path, bytes]:
    """A copy of the built project, its PDF's bytes, and a chapter edited since."""
    import shutil

    root = tmp_path / "r"
    shutil.copytree(built, root, symlinks=True)
    chapter = next((root / "sources" / "chapters").glob("*.md"))
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    return root, (root / "output" / "report.pdf").read_bytes()


def test_a_failed_chart_stage_leaves_the_previous_pdf(built_skeleton, tmp_path, monkeypatch):
    """WeasyPrint starts before the charts exist; when they fail, its PDF is never written.
    A label the chart font cannot draw fails the chart stage as it lays the figure out."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root, before = _edited_copy(built_skeleton, tmp_path)
    figure = root / "figures" / "survey.yml"
    figure.write_text(figure.read_text(encoding="utf-8").replace("不确定", "不确定\U0001f600"))
    with pytest.raises(BuildError, match="survey.* cannot draw: \U0001f600"):
        run_build(root, BuildOptions(verbosity=0))
    assert (root / "output" / "report.pdf").read_bytes() == before


def test_a_chart_stage_failing_after_the_print_svgs_leaves_the_previous_pdf(
    built_skeleton, tmp_path, monkeypatch
):
    """The PDF is typeset and its charts swapped in as soon as the print SVGs are written, but
    it is written only once every chart file (outlined SVGs, PNGs) has been written too. A
    folder where a chart's PNG goes fails the last round, after the print SVGs."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root, before = _edited_copy(built_skeleton, tmp_path)
    png = root / "output" / "figures" / "survey.png"
    png.unlink()
    png.mkdir()  # the chart is redrawn (its PNG is missing) and cannot be saved
    with pytest.raises(BuildError) as err:
        run_build(root, BuildOptions(verbosity=0))
    # named as the user knows it (not the staged temporary file), with what to do about it
    assert "output/figures/survey.png is a folder where a file goes; remove or rename" in str(
        err.value
    ), err.value
    assert (root / "output" / "report.pdf").read_bytes() == before
    assert not list((root / "output").rglob("*.tmp*")), "no temporary file is left behind"


def test_a_chapter_edit_imports_no_matplotlib_in_any_process(built_skeleton, tmp_path):
    """No figure changed: no process of the build (the main one or a worker forked from it)
    imports matplotlib, nor brand_yml. -X importtime reports the forked workers' imports too:
    WeasyPrint, which only the PDF worker imports, shows that the probe sees them."""
    root, before = _edited_copy(built_skeleton, tmp_path)
    res = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reportbuild", "build", "-C", str(root)],
        capture_output=True, text=True, env=_env(), timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in res.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "weasyprint" in imported and "pptx" in imported
    assert "matplotlib" not in imported
    assert "brand_yml" not in imported  # the brand as the last build read it (build cache)
    assert (root / "output" / "report.pdf").read_bytes() != before


def test_the_pdf_is_the_same_whether_charts_are_drawn_before_or_beside_it(
    built_skeleton, tmp_path, monkeypatch
):
    """-j 1 draws the charts first and typesets with the files; -j 2 (the shared build)
    typesets with stand-ins of the announced sizes and swaps the drawn SVGs in: same bytes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = new_project(tmp_path / "j1")
    run_build(root, BuildOptions(verbosity=0, jobs=1))
    beside = built_skeleton / "output" / "report.pdf"
    assert (root / "output" / "report.pdf").read_bytes() == beside.read_bytes()


def test_chart_text_is_text_in_the_pdf(built_skeleton):
    """The print SVG keeps the chart's labels as text, set in the brand font: searchable."""
    root = built_skeleton
    pdf = root / "output" / "report.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    for label in ("同意", "不同意", "不确定", "62%"):
        assert label in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "Type 3" not in fonts and "CJK-SC" in fonts and "CJK-JP" not in fonts
    # the file for other uses has its glyphs as outlines: no font needed to show it
    assert "<text" not in (root / "output" / "figures" / "survey.svg").read_text()


@pytest.fixture(scope="module")
def built_new(built_skeleton, tmp_path_factory):
    """A copy of the built new report with what write_pdf takes: its print HTML, model and
    brand (the tests typeset into it)."""
    from reportbuild.brand import load_brand
    from reportbuild.load import load_project

    root = copy_build(built_skeleton, tmp_path_factory.mktemp("built-new") / "proj")
    return root, print_html(root, built_skeleton), load_project(root), load_brand(root)


def _pending(printed: Path, size: tuple[str, str] | None = None):
    """The print SVG as a chart still being drawn, announced at `size` (default: its own)."""
    import re

    from reportbuild.deferred import PendingCharts

    if size is None:
        head = printed.read_text(encoding="utf-8")[:400]
        size = tuple(re.search(rf'{a}="([\d.]+)pt"', head)[1] for a in ("width", "height"))
    return PendingCharts(paths=(printed,), sizes=lambda: {str(printed): size}, drawn=lambda: None)


def test_a_chart_drawn_at_another_size_than_announced_is_an_error(built_new, monkeypatch):
    from reportbuild.pdf import write_pdf

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root, html, report, brand = built_new
    printed = (root / "output" / "figures" / ".print" / "survey.svg").resolve()
    charts = _pending(printed, ("100", "50"))  # not what was drawn
    out = root / "output" / "report.pdf"
    before = out.read_bytes()
    wrong = r"survey.svg was drawn 453.5\d* × .* but laid out 100 × 50 pt"
    with pytest.raises(BuildError, match=wrong):
        write_pdf(html, out, root=root, report=report, brand=brand, charts=charts)
    assert out.read_bytes() == before


@pytest.mark.parametrize("broken", ["can_swap_svg", "swap_svg"])
def test_a_weasyprint_that_cannot_swap_charts_in_gets_the_same_pdf(
    built_new, monkeypatch, tmp_path, broken
):
    """Another WeasyPrint whose SVG images the adapter cannot reach: known before typesetting
    (the PDF waits for the charts), or found only when swapping (the PDF is typeset again).
    Either way the PDF is the one the pipelined build made, and nothing fails."""
    from reportbuild import weasy
    from reportbuild.pdf import write_pdf

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root, html, report, brand = built_new
    printed = (root / "output" / "figures" / ".print" / "survey.svg").resolve()
    charts = _pending(printed)
    waited = []
    charts = type(charts)(charts.paths, charts.sizes, lambda: waited.append(True))
    if broken == "can_swap_svg":
        monkeypatch.setattr(weasy, "can_swap_svg", lambda: False)
    else:

        def unsupported(image, data, url):
            raise weasy.Unsupported("WeasyPrint's SVG images have no _svg")

        monkeypatch.setattr(weasy, "swap_svg", unsupported)
    out = tmp_path / "report.pdf"
    write_pdf(html, out, root=root, report=report, brand=brand, charts=charts)
    assert waited and charts.served == (
        {} if broken == "can_swap_svg" else {printed.as_uri(): printed}
    )
    assert out.read_bytes() == (root / "output" / "report.pdf").read_bytes()


def test_the_fetcher_serves_stand_ins_for_pending_files_only(tmp_path):
    from reportbuild.fetcher import make_url_fetcher

    charts = tmp_path / "output" / "figures"
    pending = charts / "a.svg"  # not written yet
    asked = []

    def stand_in(path, url):
        asked.append(path.name)
        return b"<svg xmlns='http://www.w3.org/2000/svg'/>" if path == pending else None

    fetch = make_url_fetcher([tmp_path], stand_in=stand_in)
    (tmp_path / "style.css").write_text("p {}")
    assert fetch((tmp_path / "style.css").as_uri()).read() == b"p {}"
    response = fetch(pending.as_uri())
    assert response.read().startswith(b"<svg") and response.content_type == "image/svg+xml"
    assert asked == ["style.css", "a.svg"]
    outside = tmp_path.parent / "elsewhere.svg"
    outside.write_text("<svg/>")
    with pytest.raises(BuildError, match="outside the project"):
        fetch(outside.as_uri())  # a stand-in opens no other door


def test_a_pdf_alone_draws_only_what_the_pdf_uses(tmp_path, monkeypatch):
    """--only pdf draws the print SVGs, not the outlined SVGs and PNGs; a figure redrawn for the
    PDF alone loses its older files, so the next build that needs them draws them anew. (One
    job, in this process: what is drawn does not depend on the jobs.)"""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = new_project(tmp_path / "r")
    figures = root / "output" / "figures"
    result = run_build(root, BuildOptions(verbosity=0, jobs=1, only="pdf"))
    assert [o.artifact for o in result.outputs] == ["pdf"]
    assert (figures / ".print" / "survey.svg").is_file()
    assert not list(figures.glob("*.png")) and not list(figures.glob("*.svg"))
    drawn = (figures / ".print" / "survey.svg").stat().st_ino
    chapter = root / "sources" / "chapters" / "01-intro.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    run_build(root, BuildOptions(verbosity=0, jobs=1, only="pdf"))  # its print SVG is current: kept
    assert (figures / ".print" / "survey.svg").stat().st_ino == drawn
    pdf = (root / "output" / "report.pdf").read_bytes()

    result = run_build(root, BuildOptions(verbosity=0, jobs=1))
    assert sorted(o.artifact for o in result.outputs if o.built) == ["charts", "html", "pptx"]
    assert (root / "output" / "report.pdf").read_bytes() == pdf  # up to date: not redrawn
    assert (figures / "survey.png").is_file() and (figures / "survey.svg").is_file()

    fig = root / "figures" / "survey.yml"
    fig.write_text(fig.read_text(encoding="utf-8").replace("示例问卷调查", "另一调查"), "utf-8")
    run_build(root, BuildOptions(verbosity=0, jobs=1, only="pdf"))
    assert "另一调查" in (figures / ".print" / "survey.svg").read_text(encoding="utf-8")
    assert not (figures / "survey.png").exists() and not (figures / "survey.svg").exists()
    result = run_build(root, BuildOptions(verbosity=0, jobs=1, only="charts"))
    assert [o.artifact for o in result.outputs if o.built] == ["charts"]
    assert (figures / "survey.png").is_file() and (figures / "survey.svg").is_file()


def test_an_output_is_one_registry_entry(project, monkeypatch):
    """A new output is one entry of the outputs registry: the pipeline builds it, the cache
    keeps it, -v says why it is stale, the summary counts it and the CLI offers it."""
    from reportbuild.atomic import write_text
    from reportbuild.build import REGISTRY, OutputKind, Stage, summary_lines
    from reportbuild.cli import ONLY

    assert ONLY == tuple(REGISTRY) == ("pdf", "pptx", "html", "charts")

    class TextStage(Stage):
        def charts_drawn(self, report, brand, charts):
            out = self.build.out_dir / self.kind.target
            with self.build.stage("txt"):
                lines = [r.text for r in report.all_prose()]
                write_text(out, "\n".join(lines))
                self.build.done("txt", [out], len(lines), 0.0)

    kind = OutputKind("txt", "report.txt", ("tool", "sources"), "line", stage=TextStage)
    monkeypatch.setitem(REGISTRY, "txt", kind)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)

    result = run_build(project, BuildOptions(only="txt", verbosity=0))
    assert [o.artifact for o in result.outputs] == ["txt"]
    text = (project / "output" / "report.txt").read_text(encoding="utf-8")
    assert "第一章" in text or "这是前言" in text
    assert not (project / "output" / "report.pdf").exists()  # only what was asked for

    again = run_build(project, BuildOptions(only="txt", verbosity=0))
    assert again.up_to_date
    (row,) = summary_lines(again, project)
    count = len(text.split("\n"))
    words = " ".join(row.split())
    assert words.startswith("output/report.txt ") and words.endswith(f"{count} lines (up to date)")

    chapter = project / "sources" / "chapters" / "01-intro.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    assert not run_build(project, BuildOptions(only="txt", verbosity=0)).up_to_date
    assert "新的一段" in (project / "output" / "report.txt").read_text(encoding="utf-8")
    with pytest.raises(BuildError, match="choose one of pdf, pptx, html, charts, txt"):
        run_build(project, BuildOptions(only="docx", verbosity=0))
