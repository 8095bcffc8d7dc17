"""The one family of user-facing failures: problems with a path, a line and what to do."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import click


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the sources (or, for lints, one thing to look at)."""

    path: str
    line: int
    message: str
    code: str = "E000"
    severity: str = "error"  # "error" | "warning"

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity} {self.code}: {self.message}"


@dataclass
class Problems:
    """Collects problems across files so that one bad file never hides another."""

    root: Path | None = None
    items: list[Problem] = field(default_factory=list)

    def rel(self, path: Path | str) -> str:
        p = Path(path)
        if self.root is not None:
            root = self.root.resolve()
            # as written first: a symlink is named by where it stands, not where it points
            for candidate in (p.absolute(), p.resolve()):
                try:
                    return candidate.relative_to(root).as_posix()
                except ValueError:
                    pass
        return p.as_posix()

    def add(
        self,
        path: Path | str,
        line: int,
        message: str,
        code: str = "E000",
        severity: str = "error",
    ) -> None:
        self.items.append(Problem(self.rel(path), int(line or 0), message, code, severity))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise SourceError(sorted(set(self.items)))


class ReportError(click.ClickException):
    """Base of every failure a user can act on: shown without a traceback."""

    exit_code = 1


class SourceError(ReportError):
    """Bad input: one or more problems in the sources. Exit code 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        n = len([p for p in problems if p.severity == "error"])
        lines = [p.format() for p in problems]
        lines.append(f"{n} error{'s' if n != 1 else ''} in the sources; nothing was built.")
        super().__init__("\n".join(lines))

    def show(self, file=None) -> None:  # noqa: D401 - click API
        click.echo(self.format_message(), err=True)


class BuildError(ReportError):
    """A stage could not produce its output (missing font, typesetting failure…)."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean …?)' suffix for a misspelt name, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
