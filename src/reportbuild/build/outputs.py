"""The outputs a build makes: one registry entry each, the only list of them.

An entry says what the output is called (the `--only` choice and the cache manifest's key),
where it goes under output/, which input groups its cache key covers (inputs.input_groups),
what its count counts in the summary, whether it uses the charts, and how it is built: a Stage,
whose three calls the pipeline (pipeline.py) makes for every stale output, in the order of
this registry (which is also the summary's order):

- `begin(report, brand)`: after loading, before the charts are drawn;
- `charts_drawn(report, brand, charts)`: after the chart round (charts: {figure id: files};
  None if the round failed, or did not run because nothing stale uses the charts);
- `finish()`: collect what a worker built.

Before any of that (before the lock), `check(root, opts)` of each requested output may refuse
the build with a BuildError, so that bad options are said before any work.

A stage with `warm` gets a worker process (see workers.py), forked before loading if `early`
(its imports then overlap the loading), else after the stages' `begin` (it then shares the loaded
model's pages and what the print HTML imported).
A stage writes into `build.out_dir` (the staging folder, see staging.py), calls
`build.done(name, files, count, seconds)` for what it wrote, and reports failures with
`build.stage(name)` or `build.finish_job`.

This module imports only the standard library and reportbuild's light modules: the CLI and
a no-op build read it. Heavy imports happen inside the stages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from reportbuild import paths
from reportbuild.atomic import write_text
from reportbuild.errors import BuildError
from reportbuild.procs import BACKGROUND_NICE, release_freed_memory

PRINT_HTML = "report.print.html"  # the print HTML, kept in the cache (see PdfStage.begin)
CHARTS_TIMEOUT = 900.0


@dataclass(frozen=True)
class OutputKind:
    """One output: what the pipeline, the CLI, the cache and the summary know of it."""

    name: str  # the `--only` choice and the manifest's key
    target: str  # its file (or folder) under output/
    depends: tuple[str, ...]  # the input groups its cache key covers
    count_word: str | None = None  # what its count counts, singular (the summary pluralises)
    charts: str | None = None  # "print": typesets the print SVGs; "files": needs every file
    stage: type[Stage] | None = None  # how it is built; None: the chart round's own files
    folder: bool = False  # a folder of files (shown with a trailing / in the summary)


REGISTRY: dict[str, OutputKind] = {}


def register(kind: OutputKind) -> OutputKind:
    if kind.name in REGISTRY:
        raise ValueError(f"output {kind.name!r} is registered twice")
    REGISTRY[kind.name] = kind
    return kind


class Stage:
    """How one output is built (see the module's docstring); `build` is the pipeline's run."""

    warm = None  # function(root) run in a worker forked for this stage, or None: no worker
    early = False
    nice = 0

    def __init__(self, build, kind: OutputKind) -> None:
        self.build, self.kind = build, kind
        self.worker = None  # set by the pipeline when it forked one (`-j 2` and up)

    @staticmethod
    def check(root: Path, opts) -> None:
        """Refuse (BuildError) what cannot be built, before any work."""

    def begin(self, report, brand) -> None:
        pass

    def news(self, kind: str, payload: object) -> None:
        """News of the chart round while it draws (see charts.render_all)."""

    def charts_drawn(self, report, brand, charts: dict | None) -> None:
        pass

    def finish(self) -> None:
        pass


# ── the PDF ──────────────────────────────────────────────────────────────────


def _warm_pdf(root: Path) -> None:
    """Before the PDF job arrives: import WeasyPrint and the PDF stage (with pydantic and the
    model, which unpickling the job needs). The glyph check keeps its own cmap cache."""
    import weasyprint  # noqa: F401

    import reportbuild.pdf  # noqa: F401


def _pdf_job(
    html: str, out: Path, pending: list[Path] | None = None, inbox=None, **kwargs
) -> tuple[int, list[str]]:
    """Typeset the PDF. In a worker, the parent's news paces it (see deferred.py): `pending`
    names the chart SVGs drawn meanwhile."""
    from reportbuild.deferred import PendingCharts
    from reportbuild.pdf import write_pdf

    if inbox is not None:
        late = f"pdf: the charts were not drawn within {CHARTS_TIMEOUT:.0f} s"
        gone = "pdf: the build stopped before the charts were drawn"
        kwargs["charts"] = PendingCharts(
            paths=tuple(pending or ()),
            sizes=inbox.expect("sizes", CHARTS_TIMEOUT, late, gone),
            drawn=inbox.expect("svgs", CHARTS_TIMEOUT, late, gone),
        )
    res = write_pdf(html, out, **kwargs)
    return res.pages, list(getattr(res, "overflow", None) or [])


class PdfStage(Stage):
    """The print HTML goes to the PDF worker before the charts are drawn: WeasyPrint lays the
    pages out around stand-ins of the charts' announced sizes, swaps the print SVGs in once
    they are written, and draws the PDF while the chart round draws the outlined SVGs and PNGs
    (which the PDF does not use)."""

    warm = staticmethod(_warm_pdf)
    early = True
    sent = False

    def begin(self, report, brand) -> None:
        if self.worker is not None:
            with self.build.stage("pdf"):
                self.sent = self._render(report, brand, self.build.chart_plan)

    def news(self, kind: str, payload: object) -> None:
        if self.worker is not None and self.sent:
            self.worker.tell(kind, payload)
            if kind == "sizes":  # this process would only wait for the print SVGs
                self._check_fonts()

    def _check_fonts(self) -> None:
        """The PDF's glyph check (pdf.check_fonts), here rather than on the PDF's path: an
        undrawable character stops the PDF worker, and the build fails with its file:line."""
        from reportbuild.errors import ReportError
        from reportbuild.pdf import check_fonts

        try:
            check_fonts(self.report, self.brand)
        except ReportError as exc:
            self.worker.abort()  # its file is in the staging folder, which goes
            self.sent = False
            self.build.errors.append(exc)

    def charts_drawn(self, report, brand, charts) -> None:
        if charts is None:  # the chart round failed: the build fails, no PDF is needed
            if self.worker is not None and self.sent:
                self.worker.abort()  # its file is in the staging folder, which goes
            self.sent = False
        elif self.worker is None:  # -j 1: typeset now, from the drawn files
            with self.build.stage("pdf"):
                self.sent = self._render(report, brand, None)

    def _render(self, report, brand, chart_plan) -> bool:
        from reportbuild.charts import planned
        from reportbuild.html import render_html

        b = self.build
        t0 = time.perf_counter()
        charts_dir = b.out_dir / "figures"
        html = render_html(
            report, brand, planned(report, charts_dir), mode="print", theme_dirs=b.theme_dirs
        )
        b.fb.detail(f"print HTML {len(html) // 1024} kB in {time.perf_counter() - t0:.2f}s")
        # kept for debugging layout and as the input of bench/bench.py's "WeasyPrint alone"
        # (naming the charts where they will be once the build succeeded)
        kept = html.replace(b.out_dir.resolve().as_uri(), b.final_dir.resolve().as_uri())
        write_text(b.root / paths.CACHE / PRINT_HTML, kept)
        out = b.out_dir / self.kind.target
        kwargs = dict(
            root=b.root, report=report, brand=brand,
            variant=b.opts.pdf_variant, bleed=b.opts.bleed,
            split=b.opts.pdf_split, jobs=b.opts.jobs,
        )  # fmt: skip
        if self.worker is not None:
            pending = chart_plan.pending_prints(charts_dir) if chart_plan else []
            # the fonts are checked here meanwhile (see news)
            self.worker.submit(_pdf_job, html, out, pending, fonts_checked=True, **kwargs)
            self.report, self.brand = report, brand
        self.call = ((html, out), kwargs)
        return True

    def finish(self) -> None:
        if self.sent:
            if self.worker is not None:
                release_freed_memory()  # this process stays beside WeasyPrint's peak
            self.build.finish_job(self, _pdf_job, self.call)


# ── the deck ─────────────────────────────────────────────────────────────────


def _warm_deck(root: Path) -> None:
    """A machine's first build parses the brand fonts' widths here, at once, in children of
    ~80 MB for a moment, while the other processes are small. Otherwise there is nothing to
    do early: python-pptx is imported with the job, at low priority."""
    from reportbuild.brand import load_brand
    from reportbuild.deck import measure
    from reportbuild.machine import machine_cache

    measure.use_cache(machine_cache(root / paths.CACHE))
    for family in load_brand(root).families:
        measure.ensure_cached(family), measure.ensure_cached(family, bold=True)


def _deck_template(root: Path, opts) -> Path | None:
    """--template, or a .pptx in styles/, or None (the built-in master)."""
    if opts.template:
        return Path(opts.template).resolve()
    return paths.ProjectPaths(root).pptx_template


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


def _deck_job(
    report, brand, out: Path, template: Path | None, fonts: str = "brand", inbox=None
) -> tuple:
    from reportbuild.deck import write_deck

    res = write_deck(report, brand, out, template=template, fonts=fonts)
    return res.slides, list(getattr(res, "overflow", None) or [])


class DeckStage(Stage):
    """The deck needs no chart files (its charts are native). Its worker is forked after
    loading and the print HTML (sharing the model's pages and the word segmenter the HTML
    imported) at low priority; the job is sent once the print SVGs are written (the PDF's
    last wait on the charts), so that it runs beside the outlined SVGs and PNGs, which are
    drawn at the same priority, rather than after them: when WeasyPrint is done, the two
    take both cores."""

    warm = staticmethod(_warm_deck)
    nice = BACKGROUND_NICE

    @staticmethod
    def check(root: Path, opts) -> None:
        template = Path(opts.template) if opts.template else paths.ProjectPaths(root).pptx_template
        if template is not None:
            _check_template(template, root)

    def begin(self, report, brand) -> None:
        b = self.build
        template = _deck_template(b.root, b.opts)
        fonts = getattr(b.opts, "deck_fonts", "brand")
        self.call = ((report, brand, b.out_dir / self.kind.target, template, fonts), {})

    def news(self, kind: str, payload: object) -> None:
        if kind == "svgs":
            self._submit()

    def charts_drawn(self, report, brand, charts) -> None:
        self._submit()  # if it was not yet: no chart round, or one without news

    def _submit(self) -> None:
        if self.worker is not None and not self.worker.sent:
            self.worker.submit(_deck_job, *self.call[0])

    def finish(self) -> None:
        self.build.finish_job(self, _deck_job, self.call)


# ── the HTML edition ─────────────────────────────────────────────────────────


class HtmlStage(Stage):
    """Rendered in the main process once the chart files exist (it links the SVGs and PNGs)."""

    def charts_drawn(self, report, brand, charts) -> None:
        if charts is None:
            return
        from reportbuild.html import render_html

        b = self.build
        with b.stage("html"):
            t0 = time.perf_counter()
            target = b.out_dir / self.kind.target
            with b.fb.step("html"):
                text = render_html(report, brand, charts, mode="screen", theme_dirs=b.theme_dirs)
                write_text(target, text)
                pictures = _copy_pictures(report, b.root, b.out_dir)
            b.done("html", [target, *pictures], None, time.perf_counter() - t0)


def _copy_pictures(report, root: Path, out_dir: Path) -> list[Path]:
    """The report's pictures, copied beside the HTML edition (output/images/<project path>):
    the browser and the preview, which serve output/ only, show them from there."""
    import shutil

    from reportbuild.html import IMAGES, report_images

    copies = []
    for rel in report_images(report):
        src, dest = Path(root) / rel, out_dir / IMAGES / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        copies.append(dest)
    return copies


# ── the registry (its order is the summary's) ────────────────────────────────

register(OutputKind(
    "pdf", "report.pdf", ("tool", "sources", "figures", "styles", "epoch", "pdfopts"),
    count_word="page", charts="print", stage=PdfStage,
))  # fmt: skip
register(OutputKind(
    "pptx", "summary.pptx",
    ("tool", "sources", "figures", "brand", "decktemplate", "deckopts", "epoch"),
    count_word="slide", stage=DeckStage,
))  # fmt: skip
register(OutputKind(
    "html", "report.html", ("tool", "sources", "figures", "styles", "epoch"),
    charts="files", stage=HtmlStage,
))  # fmt: skip
register(OutputKind(  # the chart round's files (pipeline.py draws them for every output)
    "charts", "figures", ("tool", "figures", "brand"),
    count_word="figure", charts="files", folder=True,
))  # fmt: skip
