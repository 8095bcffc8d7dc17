"""The command line: parse options, delegate to plain functions, print what they return."""

from __future__ import annotations

from pathlib import Path

import click

from reportbuild import __version__

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
def check(project: Path, strict: bool, fmt: str | None) -> None:
    """Validate the sources, run the editorial lints, print a one-screen summary (exit 0, or 2)."""
    from reportbuild.brand import load_brand
    from reportbuild.errors import SourceError
    from reportbuild.lints import LintFailure, failing, run_lints
    from reportbuild.lints.report_format import default_format, render, verdict
    from reportbuild.load import load_project
    from reportbuild.summary import summarize

    fmt = fmt or default_format()
    try:
        report = load_project(project)
        brand = load_brand(project)
    except SourceError as exc:
        if fmt == "text":
            raise
        click.echo(render(exc.problems, fmt))
        raise LintFailure(f"{len(failing(exc.problems))} error(s) in the sources") from None
    problems = run_lints(report, brand, project)
    if problems or fmt == "json":
        click.echo(render(problems, fmt))
    summary = summarize(report)
    if summary.rsplit("\n", 1)[-1].startswith("ok:"):  # the loader's verdict; the lints' follows
        summary = summary.rsplit("\n", 1)[0]
    click.echo(f"{summary}\n{verdict(problems, strict)}", err=fmt == "json")
    if failing(problems, strict):
        raise LintFailure(f"{len(failing(problems, strict))} finding(s) fail the check")


def main() -> None:
    cli(prog_name="reportbuild")
