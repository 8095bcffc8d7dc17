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
def check(project: Path) -> None:
    """Validate the sources and print a one-screen summary (exit 0, or 2 on problems)."""
    from reportbuild.load import load_project
    from reportbuild.summary import summarize

    report = load_project(project)
    click.echo(summarize(report))


def main() -> None:
    cli(prog_name="reportbuild")
