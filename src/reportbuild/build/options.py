"""What a build is asked to do, what it tells the user meanwhile, and what it returns."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from reportbuild import procs
from reportbuild.build.outputs import REGISTRY


@dataclass(frozen=True)
class BuildOptions:
    """What to build and how; everything here that changes an output is part of the cache key."""

    only: str | tuple[str, ...] | None = None  # outputs' names (outputs.REGISTRY); None: all
    force: bool = False
    pdf_variant: str | None = None
    bleed: bool = False
    pdf_split: str = "auto"  # auto | on | off: chapters typeset in parallel (pdfsplit.py)
    template: Path | None = None
    deck_fonts: str = "brand"  # brand | office: the faces the deck names (deck/theme.py)
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
    count: int | None = None  # pages (pdf), slides (pptx), figures (charts): see outputs.py
    seconds: float = 0.0


@dataclass
class BuildResult:
    outputs: list[Output] = field(default_factory=list)
    up_to_date: bool = False
    seconds: float = 0.0
    findings: list = field(default_factory=list)  # the editorial lints' (errors.Problem)


class Feedback:
    """Progress on stderr: each step with its time; -q silences it, -v adds details."""

    def __init__(self, verbosity: int = 1, stream=None):
        self.verbosity = verbosity
        self.stream = stream

    def _write(self, text: str) -> None:
        import click

        if procs.stopping():  # a stop said its one line (cli._stopped): nothing comes after it
            return
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
        procs.raise_if_stopped()  # a stop whose SystemExit Python lost ends the build here
        extra = f"  {note()}" if note else ""
        self.info(f"{name:<7} {time.perf_counter() - t0:5.2f}s{extra}")


# ── the closing summary ──────────────────────────────────────────────────────


def human_size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def counted(artifact: str, count: int) -> str:
    """'37 pages', '1 slide': the output's count word (outputs.REGISTRY), pluralised."""
    return f"{count} {REGISTRY[artifact].count_word}{'' if count == 1 else 's'}"


def findings_lines(findings: list, shown: int = 5) -> list[str]:
    """The lints' findings under the summary: their count, the first few, where the rest are."""
    if not findings:
        return []
    n_err = sum(p.severity == "error" for p in findings)
    counts = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in (
        (n_err, "error"), (len(findings) - n_err, "warning")) if n]  # fmt: skip
    rows = [f"  lints: {', '.join(counts)} (reportbuild check lists them; --strict fails on any)"]
    rows += [f"    {p.format()}" for p in findings[:shown]]
    if len(findings) > shown:
        rows.append(f"    … and {len(findings) - shown} more")
    return rows


def summary_lines(result: BuildResult, root: Path) -> list[str]:
    rows = []
    for o in result.outputs:
        try:
            shown = o.path.relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            shown = str(o.path)
        if REGISTRY[o.artifact].folder:
            shown += "/"
        count = "" if o.count is None else counted(o.artifact, o.count)
        state = "" if o.built else "(up to date)"
        rows.append(f"  {shown:<22} {human_size(o.size):>9}  {count:<11} {state}".rstrip())
    return rows
