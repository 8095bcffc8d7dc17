"""The command line: parse options, delegate to plain functions, print what they return."""

from __future__ import annotations

from pathlib import Path

import click

from reportbuild import __version__, procs
from reportbuild.build.outputs import REGISTRY as OUTPUTS

PROJECT = click.option(
    "-C", "--project", "project", type=click.Path(file_okay=False, path_type=Path), default=".",
    show_default=True, help="The report project folder (holds sources/, figures/, styles/).",
)  # fmt: skip


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reportbuild")
def cli() -> None:
    """Build a research report kept as Markdown and YAML into PDF, PPTX and HTML."""


@cli.command()
@PROJECT
@click.option("--strict", is_flag=True, help="Fail (exit 2) on warnings too; what CI runs.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "github"]), default=None,
    help="Findings as text, json or github annotations [default: github in GitHub Actions].",
)  # fmt: skip
@click.option(
    "--layout", is_flag=True,
    help="Also measure the built PDF's typesetting (short lines, lone last lines, split "
    "units, stranded headings, holes); counts go to .reportbuild-cache/typeset.json.",
)  # fmt: skip
def check(project: Path, strict: bool, fmt: str | None, layout: bool) -> None:
    """Validate the sources, run the editorial lints, print a one-screen summary (exit 0, or 2)."""
    from reportbuild.brand import load_brand
    from reportbuild.errors import SourceError
    from reportbuild.lints import LintFailure, failing, run_lints
    from reportbuild.lints.report_format import default_format, render, verdict
    from reportbuild.load import load_project
    from reportbuild.summary import summarize

    fmt = fmt or default_format()
    # the sources and the brand are checked together: an error in one never hides the other
    found: list = []
    try:
        report = load_project(project)
    except SourceError as exc:
        found.extend(exc.problems)
    try:
        brand = load_brand(project)
    except SourceError as exc:
        found.extend(exc.problems)
    if found:
        exc = SourceError(sorted(set(found)))
        if fmt == "text":
            raise exc
        click.echo(render(exc.problems, fmt))
        raise LintFailure(f"{len(failing(exc.problems))} error(s) in the sources") from None
    typeset: list = []
    counts: dict = {}
    if layout:
        from reportbuild.lints.typeset import format_counts, lint_typeset

        typeset, counts = lint_typeset(report, project)
    problems = run_lints(report, brand, project, typeset)
    if problems or fmt == "json":
        click.echo(render(problems, fmt))
    summary = summarize(report)
    if summary.rsplit("\n", 1)[-1].startswith("ok:"):  # the loader's verdict; the lints' follows
        summary = summary.rsplit("\n", 1)[0]
    if counts:
        click.echo(format_counts(counts), err=fmt == "json")
    click.echo(f"{summary}\n{verdict(problems, strict)}", err=fmt == "json")
    if failing(problems, strict):
        raise LintFailure(f"{len(failing(problems, strict))} finding(s) fail the check")


# ── build, preview, new, clean, doctor (the pipeline lives in build/, preview.py, commands/) ──

ONLY = tuple(OUTPUTS)  # the outputs registry (build/outputs.py): the only list of them
QUIET = click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
VERBOSE = click.option("-v", "--verbose", count=True, help="Print more detail (notes, cache).")


def _verbosity(quiet: bool, verbose: int) -> int:
    return 0 if quiet else 1 + verbose


@cli.command()
@PROJECT
@click.option(
    "--only", type=click.Choice(ONLY), multiple=True,
    help="Build this output only (and what it needs); repeat for more: --only pdf --only html.",
)  # fmt: skip
@click.option("--force", is_flag=True, help="Ignore the cache: rebuild everything requested.")
@click.option("--pdf-variant", type=click.Choice(["pdf/ua-1", "pdf/a-3b"]), help="A PDF standard.")
@click.option("--bleed", is_flag=True, help="Print production: 3 mm bleed and crop marks.")
@click.option(
    "--pdf-split", type=click.Choice(["auto", "on", "off"]), default="auto", show_default=True,
    help="Typeset groups of chapters in parallel processes and join them (auto: long reports; "
    "a single pass whenever the split cannot reproduce it).",
)  # fmt: skip
@click.option(
    "--template", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A corporate PowerPoint master (.pptx) for the deck.",
)  # fmt: skip
@click.option(
    "--deck-fonts", type=click.Choice(["brand", "office"]), default="brand", show_default=True,
    help="Faces the deck names: the brand's (exact where installed) or ones Office installs "
    "(Calibri, Microsoft YaHei). Fonts are not embedded.",
)  # fmt: skip
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="1: build in this process, in order; more: a process per stage (PDF, charts, "
    "deck) beside it [default: CPUs].",
)
@click.option("--lock-timeout", type=float, default=600.0, show_default=True,
              help="Seconds to wait for another build of the same project.")  # fmt: skip
@QUIET
@VERBOSE
def build(
    project: Path, only: tuple[str, ...], force: bool, pdf_variant: str | None, bleed: bool,
    pdf_split: str, template: Path | None, deck_fonts: str, jobs: int | None, lock_timeout: float,
    quiet: bool, verbose: int,
) -> None:  # fmt: skip
    """Build what changed: PDF, deck, HTML and charts.

    Writes output/report.pdf, summary.pptx, report.html and figures/; whatever is up to date
    according to .reportbuild-cache/ is left alone (--force rebuilds it).
    """
    import os

    from reportbuild.build import (
        BuildOptions,
        Feedback,
        findings_lines,
        run_build,
        summary_lines,
    )

    opts = BuildOptions(
        only=only or None, force=force, pdf_variant=pdf_variant, bleed=bleed, pdf_split=pdf_split,
        template=template,
        deck_fonts=deck_fonts, jobs=jobs or os.cpu_count() or 1,
        verbosity=_verbosity(quiet, verbose),
        lock_timeout=lock_timeout,
    )  # fmt: skip
    fb = Feedback(opts.verbosity)
    result = run_build(project, opts, fb)
    if result.up_to_date:
        fb.info(f"up to date ({result.seconds:.2f}s)")
        for line in summary_lines(result, project):
            fb.detail(line.strip())
        return
    fb.info(f"built in {result.seconds:.1f}s:")
    for line in summary_lines(result, project):
        fb.info(line)
    if any(o.artifact == "pptx" and o.built for o in result.outputs):
        fb.info(_deck_fonts_note(deck_fonts, project))
    for line in findings_lines(result.findings):
        fb.info(line)


def _deck_fonts_note(choice: str, project: Path) -> str:
    """Which faces the deck names and what that means for whoever opens it: the deck does
    not embed fonts (README, "The deck": why not)."""
    if choice == "office":
        return (
            "  deck fonts: Office's (Calibri; Microsoft YaHei for Chinese), not the brand's; "
            "lines measured with the brand fonts"
        )
    from reportbuild.brand import load_brand

    brand = load_brand(project)
    faces = ", ".join(dict.fromkeys([brand.font_base, brand.font_headings]))
    return (
        f"  deck fonts: the brand's ({faces}), not embedded: open it where they are "
        "installed, or build with --deck-fonts office for faces every Office has "
        "(PowerPoint substitutes missing fonts and lines may reflow)"
    )


@cli.command()
@PROJECT
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--open/--no-open", "open_browser", default=False, help="Open a browser tab.")
@QUIET
@VERBOSE
def preview(project: Path, port: int, open_browser: bool, quiet: bool, verbose: int) -> None:
    """Serve the HTML edition; rebuild and reload on save.

    Binds 127.0.0.1 only and serves nothing outside output/.
    """
    from reportbuild.preview import serve

    serve(project, port=port, open_browser=open_browser, verbosity=_verbosity(quiet, verbose))


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--lang",
    default="zh-CN",
    show_default=True,
    help="the report's language: its skeleton, generated words and typesetting rules",
    type=click.Choice(["zh-CN", "en-US"], case_sensitive=False),
)
def new(directory: Path, lang: str) -> None:
    """Create a new report that builds as it is."""
    from reportbuild.commands.new import new_project

    new_project(directory, lang)
    click.echo(f"created {directory}/ — next: reportbuild build -C {directory}", err=True)


@cli.command()
@PROJECT
def clean(project: Path) -> None:
    """Remove output/ and the build cache."""
    from reportbuild.commands.clean import clean_project

    for removed in clean_project(project):
        click.echo(f"removed {removed}", err=True)


@cli.command()
@PROJECT
@click.option(
    "--template", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Instead: list this PowerPoint master's layouts and the one each slide kind uses.",
)  # fmt: skip
def doctor(project: Path, template: Path | None) -> None:
    """Check fonts, HarfBuzz-Subset, versions, tools.

    Exit 1 if something a build needs is missing, with what to install.
    """
    from reportbuild.commands.doctor import diagnose, inspect_template

    ok, lines = inspect_template(template) if template else diagnose(project)
    for line in lines:
        click.echo(line)
    if not ok:
        raise SystemExit(1)


def _stopped(signum: int, _frame) -> None:
    """Ctrl-C or SIGTERM: one line, no traceback; unwinding removes temporary files and the
    workers stop with their parent. Exit 130 / 143, as shells report a signal."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt cleanup
    name = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    click.echo(f"reportbuild: stopped ({name}); outputs not yet written are left as they were",
               err=True)  # fmt: skip
    procs.stop(signum)  # raised again before the outputs are committed, should Python lose it


def main() -> None:
    import signal

    procs.tune_gc()  # inherited by the stage workers and the split's parts (they are forked)
    signal.signal(signal.SIGINT, _stopped)
    signal.signal(signal.SIGTERM, _stopped)
    procs.quiet_lost_stops()
    try:
        cli(prog_name="reportbuild")
    except BaseException as done:
        if not procs.is_stop(done):
            # the stop's SystemExit lost (after the commit), or turned into another exception
            # (a RuntimeError, raised in a class's __set_name__ during an import): exit as
            # stopped, without a traceback
            procs.raise_if_stopped()
        raise
