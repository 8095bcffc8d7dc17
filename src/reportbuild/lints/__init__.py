"""Editorial lints: the report agrees with itself (numbers, repeats, figures, glyphs, layout)."""

from __future__ import annotations

from pathlib import Path

from reportbuild.brand import Brand
from reportbuild.errors import Problem, ReportError
from reportbuild.lints.codes import LINTS, problem
from reportbuild.lints.config import load_config
from reportbuild.lints.content import lint_content
from reportbuild.lints.figures import lint_figures
from reportbuild.lints.glyphs import lint_glyphs
from reportbuild.lints.hygiene import lint_hygiene
from reportbuild.lints.layout import lint_layout
from reportbuild.lints.numbers import lint_numbers
from reportbuild.lints.repeats import lint_repeats
from reportbuild.lints.sites import sites
from reportbuild.model import Report

__all__ = ["LINTS", "LintFailure", "Problem", "failing", "problem", "run_lints"]


def run_lints(
    report: Report, brand: Brand, root: Path | str, extra: list[Problem] = ()
) -> list[Problem]:
    """Every lint over a loaded report, sorted by file and line; accepted findings left out.

    `extra`: findings made elsewhere (the typesetting report of `check --layout`), filtered by
    the same `ignore:` entries of sources/lints.yml.
    """
    root = Path(root)
    cfg = load_config(root)
    texts = sites(report, root)
    found = [
        *cfg.problems,
        *lint_numbers(report, texts),
        *lint_repeats(report, texts, cfg.allow_repeats),
        *lint_figures(report, texts, root),
        *lint_glyphs(brand, texts, root),
        *lint_hygiene(report, texts),
        *lint_layout(report, root),
        *lint_content(report, texts),
        *extra,
    ]
    kept = [p for p in found if not any(i.covers(p) for i in cfg.ignore)]
    return sorted(set(kept))


def failing(problems: list[Problem], strict: bool = False) -> list[Problem]:
    """The problems that fail a run: errors, and warnings too under --strict."""
    return [p for p in problems if p.severity == "error" or strict]


class LintFailure(ReportError):
    """Lints found errors (or, with --strict, warnings). Exit code 2, like bad sources."""

    exit_code = 2
