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
from reportbuild.model import Figure, Item, Series

KIND_NAMES = {
    "bar": "条形图",
    "stacked": "百分比堆积条形图",
    "donut": "环形图",
    "stat": "关键数据",
    "process": "流程图",
    "ladder": "阶段图",
    "layers": "分层结构图",
    "comparison": "对比图",
}
DERIVED_MARK = "推算"


def number(v: Decimal) -> str:
    """The digits as written ('1.90' stays '1.90'), never in exponent form, minus as U+2212."""
    s = format(v, "f")
    return "\u2212" + s[1:] if s.startswith("-") else s


def format_number(
    value: Decimal | None, unit: str = "", high: Decimal | None = None, approx: bool = False
) -> str:
    """'89%', '96%–97%', '约1.20个百分点'; '' when there is no value."""
    if value is None:
        return ""
    text = f"{number(value)}{unit}"
    if high is not None:
        text = f"{text}–{number(high)}{unit}"
    return f"约{text}" if approx else text


def item_unit(fig: Figure, item: Item) -> str:
    return item.unit if item.unit is not None else (fig.unit or "")


def format_value(fig: Figure, item: Item | Series, category: str | None = None) -> str:
    """An item's value with its unit (the item's own unit overrides the figure's).

    For a stacked figure pass a series and a category id.
    """
    if isinstance(item, Series):
        if category is None or category not in item.values:
            return ""
        return format_number(item.values[category], fig.unit or "")
    return format_number(item.value, item_unit(fig, item), item.high, item.approx)


def ranked(fig: Figure) -> list[Item]:
    """Bar items as the chart draws them: largest first, ties kept in source order."""
    return sorted(fig.items, key=lambda it: -(it.value or Decimal(0)))


def _series_label(s: Series) -> str:
    return s.label + (f"（{DERIVED_MARK}）" if s.derived else "")


def _join(parts: list[str], sep: str = "；") -> str:
    return sep.join(p for p in parts if p)


def _end(sentence: str) -> str:
    return sentence if sentence.endswith(("。", "！", "？")) else sentence + "。"


def alt_text(fig: Figure) -> str:
    """A Chinese description for screen readers: what the figure shows and every value in it."""
    head = f"{KIND_NAMES[fig.kind]}：{fig.title.rstrip('。')}"
    body = ""
    if fig.kind == "bar":
        vals = [f"{it.label} {format_value(fig, it)}" for it in ranked(fig)]
        body = "按数值从高到低依次为：" + _join(vals)
    elif fig.kind == "stacked":
        per_cat = []
        for c in fig.categories:
            segs = [
                f"{_series_label(s)} {format_value(fig, s, c.id)}"
                for s in fig.series
                if c.id in s.values
            ]
            per_cat.append(f"{c.label}：{_join(segs, '，')}")
        body = _join(per_cat)
    elif fig.kind == "donut":
        body = _join([f"{it.label}占 {format_value(fig, it)}" for it in fig.items])
    elif fig.kind == "stat":
        body = _join([f"{it.label} {format_value(fig, it)}".strip() for it in fig.items])
    elif fig.kind == "process":
        body = f"共 {len(fig.steps)} 个步骤，依次为：" + " → ".join(s.title for s in fig.steps)
        details = [f"{s.title}：{s.text}" for s in fig.steps if s.text]
        if details:
            body += "。" + _join(details)
        if fig.example:
            ex = [f"{s.title}：{s.text}" if s.text else s.title for s in fig.example.steps]
            body += f"。{fig.example.title}：" + _join(ex)
    elif fig.kind == "ladder":
        parts = []
        for i, s in enumerate(fig.stages, 1):
            p = f"第 {i} 阶段{s.title}"
            if s.headline:
                p += f"（{s.headline}）"
            if s.points:
                p += "，" + "、".join(s.points)
            if s.tags:
                p += "，关键词：" + "、".join(s.tags)
            if s.examples:
                p += "，案例：" + "、".join(s.examples)
            parts.append(p)
        body = f"共 {len(fig.stages)} 个阶段，由低到高：" + _join(parts)
        if fig.current:
            names = [s.title for s in fig.stages if s.id in fig.current]
            body += "。突出显示的阶段：" + "、".join(names)
    elif fig.kind == "layers":
        parts = []
        for layer in fig.layers:
            inner = [
                f"{g.title}（{'、'.join(g.items)}）" if g.title else "、".join(g.items)
                for g in layer.groups
            ]
            if layer.items:
                inner.append("、".join(layer.items))
            p = layer.title + (f"（{layer.text}）" if layer.text else "")
            parts.append(p + ("：" + "，".join(inner) if inner else ""))
        body = f"自上而下共 {len(fig.layers)} 层：" + _join(parts)
        if fig.sides:
            body += "。两侧贯穿各层：" + _join(
                [f"{g.title}（{'、'.join(g.items)}）" if g.items else g.title for g in fig.sides]
            )
    elif fig.kind == "comparison":
        parts = []
        for c in fig.columns:
            p = c.title + (f"（{c.subtitle}）" if c.subtitle else "")
            extra = [x for x in (c.text, "、".join(c.items) and "例如" + "、".join(c.items)) if x]
            parts.append(p + ("：" + "，".join(extra) if extra else ""))
        body = f"{len(fig.columns)} 栏并列对比：" + _join(parts)
        if fig.footer:
            body += f"。{fig.footer.title}" + (
                "：" + "、".join(fig.footer.items) if fig.footer.items else ""
            )
    out = _end(head) + (_end(body) if body else "")
    if fig.is_data and fig.source:
        out += _end(f"数据来源：{fig.source}")
    return out


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
                        "关键词：" + "、".join(s.tags) if s.tags else "",
                        "案例：" + "、".join(s.examples) if s.examples else "",
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
                f"{g.title}：{'、'.join(g.items)}" if g.title else "、".join(g.items)
                for g in layer.groups
            ]
            lines.append("、".join(layer.items))
            rows.append(row(layer.title, *lines))
        groups = [OutlineGroup("", arrow.join(layer.title for layer in fig.layers), tuple(rows))]
        if fig.sides:
            groups.append(
                OutlineGroup(
                    "贯穿各层", "", tuple(row(g.title, "、".join(g.items)) for g in fig.sides)
                )
            )
        return groups
    if fig.kind == "comparison":
        rows = [
            row(
                c.title + (f"（{c.subtitle}）" if c.subtitle else ""),
                c.text,
                "、".join(c.items),
            )
            for c in fig.columns
        ]
        if fig.footer:
            rows.append(row(fig.footer.title, "、".join(fig.footer.items)))
        return [OutlineGroup("", "、".join(c.title for c in fig.columns), tuple(rows))]
    raise ValueError(f"{fig.kind} figures are data, not diagrams: use data_table()")


def _table(fig: Figure) -> tuple[list[str], list[list[str]]]:
    if fig.kind == "bar":
        return ["项目", "数值"], [[it.label, format_value(fig, it)] for it in ranked(fig)]
    if fig.kind in ("donut", "stat"):
        return ["项目", "数值"], [[it.label, format_value(fig, it)] for it in fig.items]
    if fig.kind == "stacked":
        headers = [""] + [c.label for c in fig.categories]
        rows = [
            [s.label + (f"（{DERIVED_MARK}）" if s.derived else "")]
            + [format_value(fig, s, c.id) for c in fig.categories]
            for s in fig.series
        ]
        return headers, rows
    if fig.kind == "process":
        headers = ["步骤", "说明"]
        rows = [[s.title, s.text] for s in fig.steps]
        if fig.example:
            headers.append(fig.example.title)
            for row, ex in zip(rows, fig.example.steps, strict=False):
                row.append(f"{ex.title}：{ex.text}" if ex.text else ex.title)
        return headers, rows
    if fig.kind == "ladder":
        return ["阶段", "特征", "要点", "关键词", "案例"], [
            [s.title, s.headline, "；".join(s.points), "、".join(s.tags), "、".join(s.examples)]
            for s in fig.stages
        ]
    if fig.kind == "layers":
        rows = []
        for layer in fig.layers:
            for g in layer.groups:
                rows.append([layer.title, g.title, "、".join(g.items)])
            if layer.items or not layer.groups:
                rows.append([layer.title, layer.text, "、".join(layer.items)])
        for g in fig.sides:
            rows.append(["贯穿各层", g.title, "、".join(g.items)])
        return ["层级", "分组", "内容"], rows
    # comparison
    rows = [
        [c.title + (f"（{c.subtitle}）" if c.subtitle else ""), c.text, "、".join(c.items)]
        for c in fig.columns
    ]
    if fig.footer:
        rows.append([fig.footer.title, "", "、".join(fig.footer.items)])
    return ["类别", "说明", "内容"], rows


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
