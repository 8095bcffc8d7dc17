"""The built-in kinds of block: prose, headings, and the directives that place model items."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportbuild import model
from reportbuild.directives import Directive, register
from reportbuild.errors import did_you_mean


def _prose(loader: Any, path: Path, raw: Any) -> model.Block:
    return model.Prose(body=loader.rich(raw.text, path, raw.line))


def _heading(loader: Any, path: Path, raw: Any) -> model.Block:
    return model.Heading(
        level=raw.level, id=raw.anchor or "", title=raw.title, loc=loader.loc(path, raw.line)
    )


def _note(loader: Any, path: Path, raw: Any) -> model.Block:
    return model.Note(body=loader.rich(raw.text, path, raw.line + 1))


def _figure(loader: Any, path: Path, raw: Any) -> model.Block | None:
    return model.FigureRef(figure=raw.args[0], loc=loader.loc(path, raw.line)) if raw.args else None


def _place_figure(loader: Any, chapter: dict, raw: Any) -> None:
    if raw.args:
        loader.place_numbered("figure", raw.args[0], chapter, raw.line)


def _check_figure(loader: Any, b: model.FigureRef) -> None:
    figures = loader.final["figures"]
    if b.figure not in figures and b.figure not in loader.broken:
        loader.error(
            loader.root / b.loc.path,
            b.loc.line,
            f"'::: figure {b.figure}' names no figure{did_you_mean(b.figure, figures)}; "
            f"add figures/{b.figure}.yml",
            "E040",
        )


def _case(loader: Any, path: Path, raw: Any) -> model.Block | None:
    return model.CaseRef(case=raw.args[0], loc=loader.loc(path, raw.line)) if raw.args else None


def _place_case(loader: Any, chapter: dict, raw: Any) -> None:
    if raw.args:
        loader.case_chapter.setdefault(raw.args[0], chapter["id"])


def _check_case(loader: Any, b: model.CaseRef) -> None:
    cases = loader.final["cases"]
    if b.case not in cases and b.case not in loader.broken:
        loader.error(
            loader.root / b.loc.path,
            b.loc.line,
            f"'::: case {b.case}' names no case{did_you_mean(b.case, cases)}; add "
            f"sources/cases/{b.case}.yml",
            "E040",
        )


def _quotes(loader: Any, path: Path, raw: Any) -> model.Block:
    return model.QuotesRef(quotes=raw.args, loc=loader.loc(path, raw.line))


def _check_quotes(loader: Any, b: model.QuotesRef) -> None:
    quote_ids = loader.final["quotes"]
    for q in b.quotes:
        if q not in quote_ids:
            loader.error(
                loader.root / b.loc.path,
                b.loc.line,
                f"'::: quotes' names no quote '{q}'{did_you_mean(q, quote_ids)}",
                "E040",
            )


def _strategies(loader: Any, path: Path, raw: Any) -> model.Block:
    return model.StrategiesRef(loc=loader.loc(path, raw.line))


def _walk_quotes(walker: Any, where: str, b: model.QuotesRef) -> None:
    walker.quotes_intro()
    for qid in b.quotes or [q.id for q in walker.report.quotes.quotes]:
        walker.quote(qid)


register(
    Directive(
        "prose",
        model.Prose,
        _prose,
        "blocks/prose.html.j2",
        walk=lambda w, where, b: w.rich(f"{where} prose", b.body),
        container=False,
    )
)
register(
    Directive(
        "heading",
        model.Heading,
        _heading,
        "blocks/heading.html.j2",
        walk=lambda w, where, b: w.plain(f"{where} heading", b.loc.path, b.title, b.loc.line),
        container=False,
    )
)
register(
    Directive(
        "figure",
        model.FigureRef,
        _figure,
        "blocks/figure.html.j2",
        walk=lambda w, where, b: w.figure(b.figure),
        check=_check_figure,
        place=_place_figure,
        args="one",
    )
)
register(
    Directive(
        "case",
        model.CaseRef,
        _case,
        "blocks/case.html.j2",
        walk=lambda w, where, b: w.case(b.case),
        check=_check_case,
        place=_place_case,
        args="one",
    )
)
register(
    Directive(
        "quotes",
        model.QuotesRef,
        _quotes,
        "blocks/quotes.html.j2",
        walk=_walk_quotes,
        check=_check_quotes,
    )
)
register(
    Directive(
        "strategies",
        model.StrategiesRef,
        _strategies,
        "blocks/strategies.html.j2",
        walk=lambda w, where, b: w.strategies(),
        args="none",
    )
)
register(
    Directive(
        "note",
        model.Note,
        _note,
        "blocks/note.html.j2",
        walk=lambda w, where, b: w.rich(f"{where} note", b.body),
        args="none",
        body=True,
    )
)
