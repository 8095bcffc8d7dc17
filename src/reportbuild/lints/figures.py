"""L301–L307: figures are referenced, sourced, add up, numbered without gaps and placed.

L302 (a reference @fig-ID that resolves to no placed figure) is a loader error (E030): the
report does not load with it, so it never reaches the lints.
"""

from __future__ import annotations

import re
from pathlib import Path

from reportbuild.errors import Problem
from reportbuild.lints.codes import problem
from reportbuild.lints.sites import Locator, Site, blank_bindings
from reportbuild.markup import XREF
from reportbuild.model import Block, FigureRef, Report

PLACEHOLDER = re.compile(
    r"^\s*(todo|tbd|fixme|xxx+|\?+|？+|待补充?|待定|待确认|暂无|无|-+|—+)\s*$", re.I
)
LITERAL_NUMBER = re.compile(r"图\s*(\d+)\s*[-–－.]\s*(\d+)")


def placements(report: Report) -> list[tuple[int, FigureRef]]:
    """(chapter number, placement) for every `::: figure` in chapter order."""
    return [(c.number, b) for c in report.chapters for b in c.blocks() if isinstance(b, FigureRef)]


def numbered(report: Report) -> list[tuple[int, Block]]:
    """Every block the figures' counter numbers (`::: figure`, `::: image`), in order."""
    return [
        (c.number, b)
        for c in report.chapters
        for b in c.blocks()
        if isinstance(b, FigureRef) or b.kind == "image"
    ]


def lint_figures(report: Report, sites: list[Site], root: Path | str) -> list[Problem]:
    loc = Locator(Path(root))
    out: list[Problem] = []
    placed = placements(report)

    referenced = {m.group(1) for s in sites for m in XREF.finditer(s.source)}
    for _, ref in placed:
        fig = report.figures.get(ref.figure)
        if fig and ref.figure not in referenced:
            out.append(
                problem(
                    "L301",
                    ref.loc.path,
                    ref.loc.line,
                    f"figure '{fig.id}' ({fig.label}, {fig.title}) is never referenced; "
                    f"point the reader to it from the prose with @fig-{fig.id}",
                )
            )

    for fig in report.figures.values():
        path = fig.loc.path
        if fig.is_data and (not fig.source or PLACEHOLDER.match(fig.source)):
            line = loc.find(path, "source:") if fig.source else 1
            got = f"'{fig.source}' is a placeholder" if fig.source else "there is none"
            out.append(
                problem(
                    "L303",
                    path,
                    line,
                    f"data figure '{fig.id}' needs a source note (数据来源); {got}: "
                    "write where the numbers come from in 'source:'",
                )
            )
        if not fig.number:
            uses = [
                f"deck.yml:{s.loc.line}"
                for s in report.deck
                if s.kind == "figure" and s.ref == fig.id
            ]
            uses += [
                f"strategy '{s.id}'" for s in report.strategies.strategies if fig.id in s.figures
            ]
            also = f" (it is used by {', '.join(uses)})" if uses else ""
            out.append(
                problem(
                    "L306",
                    path,
                    1,
                    f"figure '{fig.id}' is placed in no chapter{also}; place it with "
                    f"'::: figure {fig.id}' where the text discusses it, or delete the file",
                )
            )

    from reportbuild.locale import get_locale

    number_form = get_locale(report.lang).rule("figure_number")  # '1-2' or '1.2'
    expected: dict[int, int] = {}
    for chapter, ref in numbered(report):
        fig = report.figures.get(ref.figure) if isinstance(ref, FigureRef) else ref
        if fig is None:
            continue
        expected[chapter] = expected.get(chapter, 0) + 1
        want = number_form.format(chapter=chapter, n=expected[chapter])
        if fig.number != want:
            out.append(
                problem(
                    "L305",
                    ref.loc.path,
                    ref.loc.line,
                    f"figure '{fig.id}' is numbered {fig.number or '(none)'} but is "
                    f"figure {want} in reading order; figure numbers must run 1, 2, 3 … "
                    "in each chapter",
                )
            )

    numbers = {f.number: f for f in report.figures.values() if f.number}
    for s in sites:
        if not s.prose:
            continue
        text = blank_bindings(s.source)
        for m in LITERAL_NUMBER.finditer(text):
            n = f"{m.group(1)}-{m.group(2)}"
            fig = numbers.get(n)
            hint = (
                f"write @fig-{fig.id}"
                if fig
                else f"no figure is numbered {n}; reference the figure with @fig-ID"
            )
            out.append(
                problem(
                    "L307",
                    s.path,
                    s.line_at(m.start()),
                    f"'{m.group(0)}' is a figure number typed by hand and will not follow "
                    f"renumbering; {hint}",
                )
            )
    return out
