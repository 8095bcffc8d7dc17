"""What a figure says, without drawing it: formatted values, alt text, data tables, content hash."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from reportbuild.brand import Brand
from reportbuild.locale import DEFAULT, Locale, get_locale
from reportbuild.model import Figure, Item, Series


def _loc(fig: Figure) -> Locale:
    return get_locale(fig.lang)


def number(v: Decimal) -> str:
    """The digits as written ('1.90' stays '1.90'), never in exponent form, minus as U+2212."""
    s = format(v, "f")
    return "\u2212" + s[1:] if s.startswith("-") else s


def format_number(
    value: Decimal | None,
    unit: str = "",
    high: Decimal | None = None,
    approx: bool = False,
    lang: str = DEFAULT,
) -> str:
    """'89%', '96%–97%', '约1.20个百分点' / 'about 1.20 percentage points'; '' for no value.

    A word unit stands apart from its number where the locale says so ('1.2 percentage
    points'); signs (%, ‰, °) and CJK units stay tight."""
    if value is None:
        return ""
    loc = get_locale(lang)
    apart = loc.rule("number_unit_space") and unit[:1].isalpha() and unit[:1].isascii()
    sep = " " if apart else ""
    text = f"{number(value)}{sep}{unit}"
    if high is not None:
        text = loc.t("range", low=text, high=f"{number(high)}{sep}{unit}")
    return loc.t("approx", text=text) if approx else text


def item_unit(fig: Figure, item: Item) -> str:
    return item.unit if item.unit is not None else (fig.unit or "")


def format_value(fig: Figure, item: Item | Series, category: str | None = None) -> str:
    """An item's value with its unit (the item's own unit overrides the figure's).

    For a stacked figure pass a series and a category id.
    """
    if isinstance(item, Series):
        if category is None or category not in item.values:
            return ""
        return format_number(item.values[category], fig.unit or "", lang=fig.lang)
    return format_number(item.value, item_unit(fig, item), item.high, item.approx, fig.lang)


def ranked(fig: Figure) -> list[Item]:
    """Bar items as the chart draws them: largest first, ties kept in source order."""
    return sorted(fig.items, key=lambda it: -(it.value or Decimal(0)))


def _series_label(s: Series, loc: Locale) -> str:
    return s.label + (loc.t("paren", text=loc.t("figure.derived")) if s.derived else "")


def series_label(fig: Figure, s: Series) -> str:
    """A series' name as charts and tables print it ('中部及其他（推算）')."""
    return _series_label(s, _loc(fig))


def _join(parts: list[str], sep: str) -> str:
    return sep.join(p for p in parts if p)


def _end(sentence: str, loc: Locale) -> str:
    """The sentence with its full stop, ready for the next one ('。' / '. ')."""
    sentence = sentence.rstrip()
    if not sentence.endswith(("。", "！", "？", ".", "!", "?")):
        sentence += loc.t("sentence.end")
    return sentence + loc.t("sep.sentence")


def alt_text(fig: Figure) -> str:
    """A description for screen readers, in the report's language: what the figure shows and
    every value in it."""
    L = _loc(fig)
    t = L.t
    enum, clause, items_sep, colon = t("sep.names"), t("sep.clause"), t("sep.list"), t("sep.label")

    def paren(x: str) -> str:
        return t("paren", text=x)

    head = t("alt.head", kind=t(f"figure.kind.{fig.kind}"), title=fig.title.rstrip("。."))
    body = ""
    if fig.kind == "bar":
        vals = [f"{it.label} {format_value(fig, it)}" for it in ranked(fig)]
        body = t("alt.ranked", list=_join(vals, items_sep))
    elif fig.kind == "stacked":
        per_cat = []
        for c in fig.categories:
            segs = [
                f"{_series_label(s, L)} {format_value(fig, s, c.id)}"
                for s in fig.series
                if c.id in s.values
            ]
            per_cat.append(f"{c.label}{colon}{_join(segs, clause)}")
        body = _join(per_cat, items_sep)
    elif fig.kind == "donut":
        body = _join(
            [t("alt.share", label=it.label, value=format_value(fig, it)) for it in fig.items],
            items_sep,
        )
    elif fig.kind == "stat":
        body = _join([f"{it.label} {format_value(fig, it)}".strip() for it in fig.items], items_sep)
    elif fig.kind == "process":
        body = t("alt.steps", n=len(fig.steps), list=" → ".join(s.title for s in fig.steps))
        details = [f"{s.title}{colon}{s.text}" for s in fig.steps if s.text]
        if details:
            body = _end(body, L) + _join(details, items_sep)
        if fig.example:
            ex = [f"{s.title}{colon}{s.text}" if s.text else s.title for s in fig.example.steps]
            body = _end(body, L) + f"{fig.example.title}{colon}" + _join(ex, items_sep)
    elif fig.kind == "ladder":
        parts = []
        for i, s in enumerate(fig.stages, 1):
            p = t("alt.stage", i=i, title=s.title)
            if s.headline:
                p += paren(s.headline)
            if s.points:
                p += clause + enum.join(s.points)
            if s.tags:
                p += clause + t("alt.keywords") + enum.join(s.tags)
            if s.examples:
                p += clause + t("alt.examples") + enum.join(s.examples)
            parts.append(p)
        body = t("alt.stages", n=len(fig.stages), list=_join(parts, items_sep))
        if fig.current:
            names = [s.title for s in fig.stages if s.id in fig.current]
            body = _end(body, L) + t("alt.current") + enum.join(names)
    elif fig.kind == "layers":
        parts = []
        for layer in fig.layers:
            inner = [
                f"{g.title}{paren(enum.join(g.items))}" if g.title else enum.join(g.items)
                for g in layer.groups
            ]
            if layer.items:
                inner.append(enum.join(layer.items))
            p = layer.title + (paren(layer.text) if layer.text else "")
            parts.append(p + (colon + clause.join(inner) if inner else ""))
        body = t("alt.layers", n=len(fig.layers), list=_join(parts, items_sep))
        if fig.sides:
            body = (
                _end(body, L)
                + t("alt.sides")
                + _join(
                    [
                        f"{g.title}{paren(enum.join(g.items))}" if g.items else g.title
                        for g in fig.sides
                    ],
                    items_sep,
                )
            )
    elif fig.kind == "comparison":
        parts = []
        for c in fig.columns:
            p = c.title + (paren(c.subtitle) if c.subtitle else "")
            listed = enum.join(c.items) and t("alt.for_example") + enum.join(c.items)
            extra = [x for x in (c.text, listed) if x]
            parts.append(p + (colon + clause.join(extra) if extra else ""))
        body = t("alt.columns", n=len(fig.columns), list=_join(parts, items_sep))
        if fig.footer:
            body = (
                _end(body, L)
                + fig.footer.title
                + (colon + enum.join(fig.footer.items) if fig.footer.items else "")
            )
    out = _end(head, L) + (_end(body, L) if body else "")
    if fig.is_data and fig.source:
        out += _end(t("figure.source") + fig.source, L)
    return out.rstrip()


def data_table(fig: Figure) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) for the data appendix; diagrams give their structure as rows.

    Columns empty in every row are left out (a comparison without descriptions, say).
    """
    headers, rows = _table(fig)
    keep = [i for i in range(len(headers)) if i == 0 or any(r[i] for r in rows)]
    return [headers[i] for i in keep], [[r[i] for i in keep] for r in rows]


@dataclasses.dataclass(frozen=True)
class OutlineRow:
    """One part of a diagram: its name and the lines of text under it."""

    label: str
    lines: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class OutlineGroup:
    """A run of parts under an optional heading, with an optional line naming them in order."""

    title: str
    order: str
    rows: tuple[OutlineRow, ...]


def data_outline(fig: Figure) -> list[OutlineGroup]:
    """A diagram's text for the data appendix, in reading order.

    A table spreads a diagram's long texts over narrow columns that read (and extract) out of
    order; an outline keeps each part's name beside its text, and opens with the parts' order.
    """

    L = _loc(fig)
    enum, colon = L.t("sep.names"), L.t("sep.label")

    def row(label: str, *lines: str) -> OutlineRow:
        return OutlineRow(label, tuple(x for x in lines if x))

    arrow = " → "
    if fig.kind == "process":
        groups = [
            OutlineGroup(
                "",
                arrow.join(s.title for s in fig.steps),
                tuple(row(s.title, s.text) for s in fig.steps),
            )
        ]
        if fig.example:
            groups.append(
                OutlineGroup(
                    fig.example.title, "", tuple(row(s.title, s.text) for s in fig.example.steps)
                )
            )
        return groups
    if fig.kind == "ladder":
        return [
            OutlineGroup(
                "",
                arrow.join(s.title for s in fig.stages),
                tuple(
                    row(
                        s.title,
                        s.headline,
                        *s.points,
                        L.t("alt.keywords") + enum.join(s.tags) if s.tags else "",
                        L.t("alt.examples") + enum.join(s.examples) if s.examples else "",
                    )
                    for s in fig.stages
                ),
            )
        ]
    if fig.kind == "layers":
        rows = []
        for layer in fig.layers:
            lines = [layer.text]
            lines += [
                f"{g.title}{colon}{enum.join(g.items)}" if g.title else enum.join(g.items)
                for g in layer.groups
            ]
            lines.append(enum.join(layer.items))
            rows.append(row(layer.title, *lines))
        groups = [OutlineGroup("", arrow.join(layer.title for layer in fig.layers), tuple(rows))]
        if fig.sides:
            groups.append(
                OutlineGroup(
                    L.t("table.across"),
                    "",
                    tuple(row(g.title, enum.join(g.items)) for g in fig.sides),
                )
            )
        return groups
    if fig.kind == "comparison":
        rows = [
            row(
                c.title + (L.t("paren", text=c.subtitle) if c.subtitle else ""),
                c.text,
                enum.join(c.items),
            )
            for c in fig.columns
        ]
        if fig.footer:
            rows.append(row(fig.footer.title, enum.join(fig.footer.items)))
        return [OutlineGroup("", enum.join(c.title for c in fig.columns), tuple(rows))]
    raise ValueError(f"{fig.kind} figures are data, not diagrams: use data_table()")


def _table(fig: Figure) -> tuple[list[str], list[list[str]]]:
    L = _loc(fig)
    t, enum, colon = L.t, L.t("sep.names"), L.t("sep.label")
    if fig.kind == "bar":
        heads = [t("table.item"), t("table.value")]
        return heads, [[it.label, format_value(fig, it)] for it in ranked(fig)]
    if fig.kind in ("donut", "stat"):
        heads = [t("table.item"), t("table.value")]
        return heads, [[it.label, format_value(fig, it)] for it in fig.items]
    if fig.kind == "stacked":
        headers = [""] + [c.label for c in fig.categories]
        rows = [
            [_series_label(s, L)] + [format_value(fig, s, c.id) for c in fig.categories]
            for s in fig.series
        ]
        return headers, rows
    if fig.kind == "process":
        headers = [t("table.step"), t("table.text")]
        rows = [[s.title, s.text] for s in fig.steps]
        if fig.example:
            headers.append(fig.example.title)
            for row, ex in zip(rows, fig.example.steps, strict=False):
                row.append(f"{ex.title}{colon}{ex.text}" if ex.text else ex.title)
        return headers, rows
    if fig.kind == "ladder":
        heads = ["table.stage", "table.feature", "table.points", "table.keywords", "table.examples"]
        return [t(h) for h in heads], [
            [s.title, s.headline, t("sep.list").join(s.points), enum.join(s.tags),
             enum.join(s.examples)]
            for s in fig.stages
        ]  # fmt: skip
    if fig.kind == "layers":
        rows = []
        for layer in fig.layers:
            for g in layer.groups:
                rows.append([layer.title, g.title, enum.join(g.items)])
            if layer.items or not layer.groups:
                rows.append([layer.title, layer.text, enum.join(layer.items)])
        for g in fig.sides:
            rows.append([t("table.across"), g.title, enum.join(g.items)])
        return [t("table.layer"), t("table.group"), t("table.contents")], rows
    # comparison
    rows = [
        [c.title + (t("paren", text=c.subtitle) if c.subtitle else ""), c.text, enum.join(c.items)]
        for c in fig.columns
    ]
    if fig.footer:
        rows.append([fig.footer.title, "", enum.join(fig.footer.items)])
    return [t("table.category"), t("table.text"), t("table.contents")], rows


@lru_cache(maxsize=1)
def renderer_version() -> str:
    """Changes whenever the drawing code or matplotlib changes, so old images are redrawn."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    for p in sorted((Path(__file__).parent / "charts").glob("*.py")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    h.update(Path(__file__).read_bytes())
    with contextlib.suppress(PackageNotFoundError):
        h.update(version("matplotlib").encode())
    return h.hexdigest()[:16]


def figure_hash(fig: Figure, brand: Brand) -> str:
    """Content hash of what the image depends on: figure data, brand, renderer version.

    Location, number and chapter are left out: moving a figure does not change its picture.
    """
    data = fig.model_dump(mode="json", exclude={"loc", "number", "chapter"})
    b = dataclasses.asdict(brand)
    b.pop("path", None)
    payload = json.dumps(
        {"figure": data, "brand": b, "renderer": renderer_version()},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
