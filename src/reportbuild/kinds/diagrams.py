"""The diagram kinds: process, ladder, layers, comparison.

Each is one `register` call: its model, alt text, appendix table and outline, and checks are
here; its drawing lives in reportbuild.charts.diagrams and its slide form in
reportbuild.deck.diagrams (both imported only when a figure is drawn).
"""

from __future__ import annotations

from typing import Literal

from reportbuild.errors import did_you_mean
from reportbuild.figdata import OutlineGroup, Words, outline_row
from reportbuild.kinds import FigureKind, Report, register
from reportbuild.model import Column, Example, Figure, Footer, Group, Layer, Stage, Step

# ── models ─────────────────────────────────────────────────────────────────


class ProcessFigure(Figure):
    kind: Literal["process"]
    steps: tuple[Step, ...] = ()
    example: Example | None = None


class LadderFigure(Figure):
    kind: Literal["ladder"]
    stages: tuple[Stage, ...] = ()
    current: tuple[str, ...] = ()


class LayersFigure(Figure):
    kind: Literal["layers"]
    layers: tuple[Layer, ...] = ()
    sides: tuple[Group, ...] = ()


class ComparisonFigure(Figure):
    kind: Literal["comparison"]
    columns: tuple[Column, ...] = ()
    footer: Footer | None = None


# ── process ────────────────────────────────────────────────────────────────


def _detail(w: Words, title: str, text: str) -> str:
    return w.t("figure.alt.detail", title=title, text=text) if text else title


def _process_alt(fig: ProcessFigure, w: Words) -> str:
    arrow = w.t("figure.alt.arrow")
    parts = [
        w.t("figure.alt.steps", n=len(fig.steps), steps=arrow.join(s.title for s in fig.steps)),
        w.join([_detail(w, s.title, s.text) for s in fig.steps if s.text]),
    ]
    if fig.example:
        ex = w.join([_detail(w, s.title, s.text) for s in fig.example.steps])
        parts.append(w.t("figure.alt.detail", title=fig.example.title, text=ex))
    return w.sentences(parts)


def _process_table(fig: ProcessFigure, w: Words):
    headers = [w.t("figure.table.step"), w.t("figure.table.description")]
    rows = [[s.title, s.text] for s in fig.steps]
    if fig.example:
        headers.append(fig.example.title)
        for row, ex in zip(rows, fig.example.steps, strict=False):
            row.append(_detail(w, ex.title, ex.text))
    return headers, rows


def _process_outline(fig: ProcessFigure, w: Words) -> list[OutlineGroup]:
    arrow = w.t("figure.alt.arrow")
    groups = [
        OutlineGroup(
            "",
            arrow.join(s.title for s in fig.steps),
            tuple(outline_row(s.title, s.text) for s in fig.steps),
        )
    ]
    if fig.example:
        groups.append(
            OutlineGroup(
                fig.example.title,
                "",
                tuple(outline_row(s.title, s.text) for s in fig.example.steps),
            )
        )
    return groups


def _process_check(fig: ProcessFigure, report: Report) -> None:
    if fig.example and fig.steps and len(fig.example.steps) != len(fig.steps):
        report(
            ("example",),
            f"the example has {len(fig.example.steps)} steps but the process has "
            f"{len(fig.steps)}; give one per step",
            "E025",
        )


# ── ladder ─────────────────────────────────────────────────────────────────


def _tags(w: Words, s: Stage) -> list[str]:
    return [
        w.t("figure.alt.keywords", list=w.join(list(s.tags), "enum")) if s.tags else "",
        w.t("figure.alt.cases", list=w.join(list(s.examples), "enum")) if s.examples else "",
    ]


def _ladder_alt(fig: LadderFigure, w: Words) -> str:
    parts = []
    for i, s in enumerate(fig.stages, 1):
        p = w.t("figure.alt.stage", i=i, title=s.title)
        if s.headline:
            p = w.t("figure.alt.paren", text=p, inner=s.headline)
        parts.append(w.join([p, w.join(list(s.points), "enum"), *_tags(w, s)], "part"))
    out = [w.t("figure.alt.stages", n=len(fig.stages), stages=w.join(parts))]
    if fig.current:
        names = [s.title for s in fig.stages if s.id in fig.current]
        out.append(w.t("figure.alt.current", list=w.join(names, "enum")))
    return w.sentences(out)


def _ladder_table(fig: LadderFigure, w: Words):
    heads = ["stage", "feature", "points", "keywords", "cases"]
    return [w.t(f"figure.table.{h}") for h in heads], [
        [
            s.title,
            s.headline,
            w.join(list(s.points)),
            w.join(list(s.tags), "enum"),
            w.join(list(s.examples), "enum"),
        ]
        for s in fig.stages
    ]


def _ladder_outline(fig: LadderFigure, w: Words) -> list[OutlineGroup]:
    rows = tuple(outline_row(s.title, s.headline, *s.points, *_tags(w, s)) for s in fig.stages)
    return [OutlineGroup("", w.t("figure.alt.arrow").join(s.title for s in fig.stages), rows)]


def _ladder_check(fig: LadderFigure, report: Report) -> None:
    stage_ids = [s.id for s in fig.stages]
    for cur in fig.current:
        if cur not in stage_ids:
            report(
                ("current",),
                f"'current' names unknown stage '{cur}'{did_you_mean(cur, stage_ids)}",
                "E023",
            )


# ── layers ─────────────────────────────────────────────────────────────────


def _group(w: Words, g: Group) -> str:
    items = w.join(list(g.items), "enum")
    return w.t("figure.alt.paren", text=g.title, inner=items) if g.title else items


def _layers_alt(fig: LayersFigure, w: Words) -> str:
    parts = []
    for layer in fig.layers:
        inner = [_group(w, g) for g in layer.groups]
        if layer.items:
            inner.append(w.join(list(layer.items), "enum"))
        p = layer.title
        if layer.text:
            p = w.t("figure.alt.paren", text=p, inner=layer.text)
        parts.append(w.t("figure.alt.detail", title=p, text=w.join(inner, "part")) if inner else p)
    out = [w.t("figure.alt.layers", n=len(fig.layers), layers=w.join(parts))]
    if fig.sides:
        sides = [
            w.t("figure.alt.paren", text=g.title, inner=w.join(list(g.items), "enum"))
            if g.items
            else g.title
            for g in fig.sides
        ]
        out.append(w.t("figure.alt.sides", list=w.join(sides)))
    return w.sentences(out)


def _layers_table(fig: LayersFigure, w: Words):
    rows = []
    for layer in fig.layers:
        for g in layer.groups:
            rows.append([layer.title, g.title, w.join(list(g.items), "enum")])
        if layer.items or not layer.groups:
            rows.append([layer.title, layer.text, w.join(list(layer.items), "enum")])
    across = w.t("figure.across_layers")
    for g in fig.sides:
        rows.append([across, g.title, w.join(list(g.items), "enum")])
    heads = ["layer", "group", "contents"]
    return [w.t(f"figure.table.{h}") for h in heads], rows


def _layers_outline(fig: LayersFigure, w: Words) -> list[OutlineGroup]:
    rows = []
    for layer in fig.layers:
        lines = [layer.text]
        lines += [
            w.t("figure.alt.detail", title=g.title, text=w.join(list(g.items), "enum"))
            if g.title
            else w.join(list(g.items), "enum")
            for g in layer.groups
        ]
        lines.append(w.join(list(layer.items), "enum"))
        rows.append(outline_row(layer.title, *lines))
    arrow = w.t("figure.alt.arrow")
    groups = [OutlineGroup("", arrow.join(layer.title for layer in fig.layers), tuple(rows))]
    if fig.sides:
        sides = tuple(outline_row(g.title, w.join(list(g.items), "enum")) for g in fig.sides)
        groups.append(OutlineGroup(w.t("figure.across_layers"), "", sides))
    return groups


# ── comparison ─────────────────────────────────────────────────────────────


def _column_title(w: Words, c: Column) -> str:
    return w.t("figure.alt.paren", text=c.title, inner=c.subtitle) if c.subtitle else c.title


def _comparison_alt(fig: ComparisonFigure, w: Words) -> str:
    parts = []
    for c in fig.columns:
        items = w.join(list(c.items), "enum")
        extra = [c.text, w.t("figure.alt.for_example", list=items) if items else ""]
        joined = w.join(extra, "part")
        title = _column_title(w, c)
        parts.append(w.t("figure.alt.detail", title=title, text=joined) if joined else title)
    out = [w.t("figure.alt.columns", n=len(fig.columns), columns=w.join(parts))]
    if fig.footer:
        out.append(_detail(w, fig.footer.title, w.join(list(fig.footer.items), "enum")))
    return w.sentences(out)


def _comparison_table(fig: ComparisonFigure, w: Words):
    rows = [[_column_title(w, c), c.text, w.join(list(c.items), "enum")] for c in fig.columns]
    if fig.footer:
        rows.append([fig.footer.title, "", w.join(list(fig.footer.items), "enum")])
    heads = ["category", "description", "contents"]
    return [w.t(f"figure.table.{h}") for h in heads], rows


def _comparison_outline(fig: ComparisonFigure, w: Words) -> list[OutlineGroup]:
    rows = [
        outline_row(_column_title(w, c), c.text, w.join(list(c.items), "enum")) for c in fig.columns
    ]
    if fig.footer:
        rows.append(outline_row(fig.footer.title, w.join(list(fig.footer.items), "enum")))
    return [OutlineGroup("", w.join([c.title for c in fig.columns], "enum"), tuple(rows))]


# ── the entries ────────────────────────────────────────────────────────────

_DRAW = "reportbuild.charts.diagrams"
_DECK = "reportbuild.deck.diagrams"

for _name, _model, _requires, _alt, _table, _outline, _check in (
    ("process", ProcessFigure, "steps", _process_alt, _process_table, _process_outline,
     _process_check),
    ("ladder", LadderFigure, "stages", _ladder_alt, _ladder_table, _ladder_outline, _ladder_check),
    ("layers", LayersFigure, "layers", _layers_alt, _layers_table, _layers_outline, None),
    ("comparison", ComparisonFigure, "columns", _comparison_alt, _comparison_table,
     _comparison_outline, None),
):  # fmt: skip
    register(
        FigureKind(
            name=_name,
            model=_model,
            data=False,
            requires=_requires,
            alt=_alt,
            table=_table,
            outline=_outline,
            draw=f"{_DRAW}:{_name}",
            deck=f"{_DECK}:{_name}",
            check=_check,
        )
    )
