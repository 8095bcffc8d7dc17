"""The data figure kinds: bar, grouped, stacked, line, donut, stat.

Each is one `register` call: its model, alt text, data table and checks are here; its drawing
lives in reportbuild.charts.bars and its slide form in reportbuild.deck.charts (both imported
only when a figure is drawn).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, model_validator

from reportbuild.figdata import Words, format_number, format_value, ranked, series_label
from reportbuild.kinds import FigureKind, Report, register
from reportbuild.model import Category, ItemsFigure, SeriesFigure

DEFAULT_TOLERANCE = Decimal("1.5")
MAX_DONUT_PARTS = 6

# ── models ─────────────────────────────────────────────────────────────────


class BarFigure(ItemsFigure):
    """Horizontal bars, one per item: largest first (`order: value`) or as written."""

    kind: Literal["bar"]
    highlight: int = 0
    order: Literal["value", "source"] = "value"


class DonutFigure(ItemsFigure):
    """Parts of a whole (up to six); the first is the one the figure is about."""

    kind: Literal["donut"]
    tolerance: Decimal = Field(default=DEFAULT_TOLERANCE, ge=0)


class StatFigure(ItemsFigure):
    """Key numbers as callouts."""

    kind: Literal["stat"]


def _text(x: Any) -> Any:
    """A YAML number written where a label or id is meant (2018) read as the text it shows."""
    if isinstance(x, bool):
        return x
    return str(x) if isinstance(x, int | Decimal) else x


class SeriesKindFigure(SeriesFigure):
    """Series over categories, with YAML shorthands: a category may be written as its label
    alone (`categories: [2018, 2019]`: id and label '2018'), and ids, labels and value keys
    may be numbers (years)."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        cats = data.get("categories")
        if isinstance(cats, list | tuple):
            data["categories"] = [
                {"id": _text(c), "label": _text(c)}
                if isinstance(c, str | int | Decimal) and not isinstance(c, bool)
                else {k: _text(v) if k in ("id", "label") else v for k, v in c.items()}
                if isinstance(c, dict)
                else c
                for c in cats
            ]
        series = data.get("series")
        if isinstance(series, list | tuple):
            data["series"] = [
                {
                    **s,
                    **({"id": _text(s["id"])} if "id" in s else {}),
                    **({"label": _text(s["label"])} if "label" in s else {}),
                    **(
                        {"values": {_text(k): v for k, v in s["values"].items()}}
                        if isinstance(s.get("values"), dict)
                        else {}
                    ),
                }
                if isinstance(s, dict)
                else s
                for s in series
            ]
        return data


class StackedCategory(Category):
    """A stacked bar; `total` is the published total its parts must add up to (± tolerance)."""

    total: Decimal | None = None


class StackedFigure(SeriesKindFigure):
    """One bar per category, its series stacked: as shares of 100% (`scale: share`, the default
    for a unit of %) or as amounts on one scale (`scale: absolute`, the default otherwise)."""

    kind: Literal["stacked"]
    categories: tuple[StackedCategory, ...] = ()
    tolerance: Decimal = Field(default=DEFAULT_TOLERANCE, ge=0)
    scale: Literal["share", "absolute"] | None = None
    totals: bool = False  # print each bar's total beyond its end (absolute scale)

    @property
    def absolute(self) -> bool:
        if self.scale is not None:
            return self.scale == "absolute"
        return not _percent(self.unit)


class GroupedFigure(SeriesKindFigure):
    """Bars side by side: one group per category, one bar per series (two or more)."""

    kind: Literal["grouped"]


class LineFigure(SeriesKindFigure):
    """One line per series over categories in the order written (years, quarters).

    `y_min`: where the value axis starts when it should not start at zero (declared, never
    guessed: a truncated axis is an editorial choice). `labels: end` names each line at its
    end (a legend instead if the names do not fit); `values`: which points print their value."""

    kind: Literal["line"]
    y_min: Decimal | None = None
    markers: bool = True
    labels: Literal["end", "legend"] = "end"
    values: Literal["last", "all", "none"] = "last"


# ── alt texts and tables ───────────────────────────────────────────────────


def _values(fig, w: Words, items) -> list[str]:
    return [w.t("figure.alt.value", label=it.label, value=format_value(fig, it)) for it in items]


def _bar_alt(fig: BarFigure, w: Words) -> str:
    key = "figure.alt.ranked" if fig.order == "value" else "figure.alt.in_order"
    return w.t(key, values=w.join(_values(fig, w, ranked(fig))))


def _donut_alt(fig: DonutFigure, w: Words) -> str:
    return w.join(
        [w.t("figure.alt.share", label=it.label, value=format_value(fig, it)) for it in fig.items]
    )


def _stat_alt(fig: StatFigure, w: Words) -> str:
    return w.join([v.strip() for v in _values(fig, w, fig.items)])


def _by_category(fig: SeriesFigure, w: Words) -> str:
    """Per category, each series' value: how a reader reads stacked and grouped bars."""
    per_cat = []
    for c in fig.categories:
        segs = [
            w.t("figure.alt.value", label=series_label(fig, s), value=format_value(fig, s, c.id))
            for s in fig.series
            if c.id in s.values
        ]
        if isinstance(fig, StackedFigure) and (total := shown_total(fig, c)) is not None:
            segs.append(w.t("figure.alt.total", value=_format_total(fig, total)))
        per_cat.append(w.t("figure.alt.category", label=c.label, values=w.join(segs, "part")))
    return w.join(per_cat)


def _line_alt(fig: LineFigure, w: Words) -> str:
    """Per series, its values in the categories' order: how a reader follows a line."""
    per_series = []
    for s in fig.series:
        points = [
            w.t("figure.alt.value", label=c.label, value=format_value(fig, s, c.id))
            for c in fig.categories
            if c.id in s.values
        ]
        per_series.append(
            w.t("figure.alt.category", label=series_label(fig, s), values=w.join(points, "part"))
        )
    text = w.join(per_series)
    if fig.y_min is not None and fig.y_min != 0:
        axis = w.t("figure.alt.axis_from", value=format_number(fig.y_min, lang=fig.lang))
        text = w.join([text, axis])
    return text


def _items_table(fig: ItemsFigure, w: Words, items=None) -> tuple[list[str], list[list[str]]]:
    head = [w.t("figure.table.item"), w.t("figure.table.value")]
    return head, [[it.label, format_value(fig, it)] for it in (items or fig.items)]


def _series_table(fig: SeriesFigure, w: Words) -> tuple[list[str], list[list[str]]]:
    headers = [""] + [c.label for c in fig.categories]
    rows = [
        [series_label(fig, s)] + [format_value(fig, s, c.id) for c in fig.categories]
        for s in fig.series
    ]
    if isinstance(fig, StackedFigure) and any(
        shown_total(fig, c) is not None for c in fig.categories
    ):
        rows.append(
            [w.t("figure.table.total")]
            + [
                _format_total(fig, t) if (t := shown_total(fig, c)) is not None else ""
                for c in fig.categories
            ]
        )
    return headers, rows


def stack_sum(fig: SeriesFigure, category: str) -> Decimal:
    return sum((s.values.get(category, Decimal(0)) for s in fig.series), Decimal(0))


def shown_total(fig: StackedFigure, c: StackedCategory) -> Decimal | None:
    """The total a stacked bar prints: the published one where declared, else the sum of its
    parts (with `totals: true`, on an absolute scale); None when no total is shown."""
    if not fig.absolute:
        return None
    if c.total is not None:
        return c.total
    return stack_sum(fig, c.id) if fig.totals else None


def _format_total(fig: SeriesFigure, total: Decimal) -> str:
    return format_number(total, fig.unit or "", lang=fig.lang)


# ── checks ─────────────────────────────────────────────────────────────────


def _percent(unit: str | None) -> bool:
    return (unit or "").strip() == "%"


def _items_check(
    fig: ItemsFigure, report: Report, needs_value: bool, shares: bool, changes: bool = False
) -> None:
    """`shares`: a value in % must lie within 0–100; with `changes` a negative % is a fall
    (a bar of growth rates), so only the upper bound is checked."""
    seen: set[str] = set()
    for i, it in enumerate(fig.items):
        if it.id in seen:
            report(
                ("items", i), f"duplicate item id '{it.id}'; ids must be unique in a figure", "E021"
            )
        seen.add(it.id)
        if needs_value and it.value is None:
            report(
                ("items", i),
                f"item '{it.id}' has no value; a chart shows only given numbers",
                "E011",
            )
        if shares and _percent(it.unit if it.unit is not None else fig.unit):
            for v in (it.value, it.high):
                if v is not None and not ((changes or v >= 0) and v <= 100):
                    report(
                        ("items", i, "value"),
                        f"percentage {v} is outside 0–100; check the number",
                        "E022",
                    )


def _series_check(fig: SeriesFigure, report: Report, shares: bool) -> None:
    cat_ids = [c.id for c in fig.categories]
    from reportbuild.errors import did_you_mean

    if len(set(cat_ids)) != len(cat_ids):
        report(("categories",), "duplicate category id; ids must be unique in a figure", "E021")
    if len({s.id for s in fig.series}) != len(fig.series):
        report(("series",), "duplicate series id; ids must be unique in a figure", "E021")
    for i, s in enumerate(fig.series):
        for cid, v in s.values.items():
            if cid not in cat_ids:
                report(
                    ("series", i, "values", cid),
                    f"category '{cid}' is not in 'categories'{did_you_mean(cid, cat_ids)}",
                    "E023",
                )
            if shares and _percent(fig.unit) and not (0 <= v <= 100):
                report(
                    ("series", i, "values", cid),
                    f"percentage {v} is outside 0–100; check the number",
                    "E022",
                )


def share_totals(fig: StackedFigure | DonutFigure) -> list[tuple[str, Decimal]]:
    """(label, total) of each whole that should be 100 and is off by more than the figure's
    declared rounding tolerance. The one rule `check`, `build` and the lints apply."""
    if isinstance(fig, StackedFigure):
        if fig.absolute or not _percent(fig.unit):
            return []
        out = []
        for c in fig.categories:
            total = stack_sum(fig, c.id)
            if abs(total - 100) > fig.tolerance:
                out.append((c.label, total))
        return out
    shares = [
        it.value
        for it in fig.items
        if it.value is not None and _percent(it.unit if it.unit is not None else fig.unit)
    ]
    total = sum(shares, Decimal(0))
    return [(fig.title, total)] if shares and total > 100 + fig.tolerance else []


def _stacked_check(fig: StackedFigure, report: Report) -> None:
    _series_check(fig, report, shares=not fig.absolute)
    for label, total in share_totals(fig):
        report(
            ("categories",),
            f"shares of '{label}' add up to {total}, not 100 (±{fig.tolerance}); check the "
            "values, declare the rounding with 'tolerance:', or add the remainder as a "
            "derived series",
            "E024",
        )
    for i, c in enumerate(fig.categories):
        if c.total is None:
            continue
        if not fig.absolute:
            report(
                ("categories", i, "total"),
                f"'{c.label}' declares a total, but its bar shows shares of 100%; "
                "add 'scale: absolute' or drop the total",
                "E025",
            )
        elif abs(stack_sum(fig, c.id) - c.total) > fig.tolerance:
            report(
                ("categories", i, "total"),
                f"the parts of '{c.label}' add up to {stack_sum(fig, c.id)}, not its total "
                f"{c.total} (±{fig.tolerance}); check the values, or declare the rounding "
                "with 'tolerance:'",
                "E024",
            )


def _grouped_check(fig: GroupedFigure, report: Report) -> None:
    _series_check(fig, report, shares=False)
    if len(fig.series) == 1:
        report(
            ("series",),
            "a grouped figure compares two or more series; for one, use 'kind: bar' "
            "(with 'order: source' to keep the categories as written)",
            "E025",
        )


def _line_check(fig: LineFigure, report: Report) -> None:
    _series_check(fig, report, shares=False)
    if len(fig.categories) < 2:
        report(("categories",), "a line needs two or more categories (points in time)", "E025")
    if fig.y_min is not None:
        for i, s in enumerate(fig.series):
            low = [(cid, v) for cid, v in s.values.items() if v < fig.y_min]
            if low:
                cid, v = min(low, key=lambda cv: cv[1])
                report(
                    ("series", i, "values", cid),
                    f"value {v} of '{s.label}' is below y_min {fig.y_min}: the line would leave "
                    "the chart; lower y_min or drop it (the axis then starts at zero)",
                    "E025",
                )


def _donut_check(fig: DonutFigure, report: Report) -> None:
    _items_check(fig, report, needs_value=True, shares=True)
    if len(fig.items) > MAX_DONUT_PARTS:
        report(
            ("items",),
            f"a donut shows at most {MAX_DONUT_PARTS} parts, this one has {len(fig.items)}; "
            "more parts read better as bars: use 'kind: bar'",
            "E026",
        )
    for it in fig.items:
        if it.value is not None and it.value < 0:
            report(("items",), f"a donut part cannot be negative ({it.value}); use bars", "E022")
    # a whole of more than 100% cannot be drawn as one: build refuses it as check does
    for _label, total in share_totals(fig):
        report(
            ("items",),
            f"the shares add up to {total}, more than 100 (±{fig.tolerance}); check the values, "
            "or declare the rounding with 'tolerance:'",
            "E024",
        )


# ── the entries ────────────────────────────────────────────────────────────

_BARS = "reportbuild.charts.bars"
_LINES = "reportbuild.charts.lines"
_DECK = "reportbuild.deck.charts"

register(
    FigureKind(
        name="bar",
        model=BarFigure,
        data=True,
        requires="items",
        alt=_bar_alt,
        table=lambda fig, w: _items_table(fig, w, ranked(fig)),
        draw=f"{_BARS}:bar",
        deck=f"{_DECK}:bar",
        check=lambda fig, report: _items_check(
            fig, report, needs_value=True, shares=True, changes=True
        ),
    )
)
register(
    FigureKind(
        name="grouped",
        model=GroupedFigure,
        data=True,
        requires="series",
        alt=_by_category,
        table=_series_table,
        draw=f"{_BARS}:grouped",
        deck=f"{_DECK}:grouped",
        check=_grouped_check,
    )
)
register(
    FigureKind(
        name="stacked",
        model=StackedFigure,
        data=True,
        requires="series",
        alt=_by_category,
        table=_series_table,
        draw=f"{_BARS}:stacked",
        deck=f"{_DECK}:stacked",
        check=_stacked_check,
        word=lambda fig: "stacked_absolute" if fig.absolute else "stacked",
    )
)
register(
    FigureKind(
        name="line",
        model=LineFigure,
        data=True,
        requires="series",
        alt=_line_alt,
        table=_series_table,
        draw=f"{_LINES}:line",
        deck=f"{_DECK}:line",
        check=_line_check,
    )
)
register(
    FigureKind(
        name="donut",
        model=DonutFigure,
        data=True,
        requires="items",
        alt=_donut_alt,
        table=_items_table,
        draw=f"{_BARS}:donut",
        deck=f"{_DECK}:donut",
        check=_donut_check,
    )
)
register(
    FigureKind(
        name="stat",
        model=StatFigure,
        data=True,
        requires="items",
        alt=_stat_alt,
        table=_items_table,
        draw=f"{_BARS}:stat",
        deck=None,  # the deck sets callouts as text (deck/slides.py)
        check=lambda fig, report: _items_check(fig, report, needs_value=False, shares=True),
    )
)
