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

__all__ = [
    "LINTS",
    "LintFailure",
    "Problem",
    "build_layout_findings",
    "failing",
    "problem",
    "run_lints",
]


def run_lints(
    report: Report,
    brand: Brand,
    root: Path | str,
    extra: list[Problem] = (),
    *,
    layout: bool = True,
) -> list[Problem]:
    """Every lint over a loaded report, sorted by file and line; accepted findings left out.

    `extra`: findings made elsewhere (the typesetting report of `check --layout`), filtered by
    the same `ignore:` entries of sources/lints.yml. `layout=False` leaves out the findings read
    from the last build's layout reports (a build runs them once its stages have written them).
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
        *(lint_layout(report, root) if layout else ()),
        *lint_content(report, texts),
        *extra,
    ]
    return accepted(found, cfg)


def accepted(found: list[Problem], cfg) -> list[Problem]:
    """`found` without what sources/lints.yml accepts (`ignore:`), sorted by file and line."""
    kept = [p for p in found if not any(i.covers(p) for i in cfg.ignore)]
    return sorted(set(kept))


def build_layout_findings(report: Report, root: Path | str) -> list[Problem]:
    """The layout findings a build's stages just wrote (overflow, long slide titles), accepted
    ones left out. A report the build did not rewrite (`--only deck`: the PDF's) is stale,
    which is `check`'s business, not the build's: L500 is left out here."""
    root = Path(root)
    found = [p for p in lint_layout(report, root) if p.code != "L500"]
    return accepted(found, load_config(root))


def failing(problems: list[Problem], strict: bool = False) -> list[Problem]:
    """The problems that fail a run: errors, and warnings too under --strict."""
    return [p for p in problems if p.severity == "error" or strict]


class LintFailure(ReportError):
    """Lints found errors (or, with --strict, warnings). Exit code 2, like bad sources."""

    exit_code = 2
