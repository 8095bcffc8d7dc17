"""The data figure kinds: bar, stacked, donut, stat.

Each is one `register` call: its model, alt text, data table and checks are here; its drawing
lives in reportbuild.charts.bars and its slide form in reportbuild.deck.charts (both imported
only when a figure is drawn).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from reportbuild.figdata import Words, format_value, ranked, series_label
from reportbuild.kinds import FigureKind, Report, register
from reportbuild.model import ItemsFigure, SeriesFigure

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


class StackedFigure(SeriesFigure):
    """One bar per category, its series stacked as shares of 100%."""

    kind: Literal["stacked"]
    tolerance: Decimal = Field(default=DEFAULT_TOLERANCE, ge=0)


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
        per_cat.append(w.t("figure.alt.category", label=c.label, values=w.join(segs, "part")))
    return w.join(per_cat)


def _items_table(fig: ItemsFigure, w: Words, items=None) -> tuple[list[str], list[list[str]]]:
    head = [w.t("figure.table.item"), w.t("figure.table.value")]
    return head, [[it.label, format_value(fig, it)] for it in (items or fig.items)]


def _series_table(fig: SeriesFigure, w: Words) -> tuple[list[str], list[list[str]]]:
    headers = [""] + [c.label for c in fig.categories]
    rows = [
        [series_label(fig, s)] + [format_value(fig, s, c.id) for c in fig.categories]
        for s in fig.series
    ]
    return headers, rows


# ── checks ─────────────────────────────────────────────────────────────────


def _percent(unit: str | None) -> bool:
    return (unit or "").strip() == "%"


def _items_check(fig: ItemsFigure, report: Report, needs_value: bool, shares: bool) -> None:
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
                if v is not None and not (0 <= v <= 100):
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
        if not _percent(fig.unit):
            return []
        out = []
        for c in fig.categories:
            total = sum((s.values.get(c.id, Decimal(0)) for s in fig.series), Decimal(0))
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
    _series_check(fig, report, shares=True)
    for label, total in share_totals(fig):
        report(
            ("categories",),
            f"shares of '{label}' add up to {total}, not 100 (±{fig.tolerance}); check the "
            "values, declare the rounding with 'tolerance:', or add the remainder as a "
            "derived series",
            "E024",
        )


def _donut_check(fig: DonutFigure, report: Report) -> None:
    _items_check(fig, report, needs_value=True, shares=True)
    if len(fig.items) > MAX_DONUT_PARTS:
        report(
            ("items",),
            f"a donut shows at most {MAX_DONUT_PARTS} parts, this one has {len(fig.items)}; "
            "use a bar figure",
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
        check=lambda fig, report: _items_check(fig, report, needs_value=True, shares=True),
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
