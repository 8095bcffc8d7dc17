"""Native PowerPoint charts (chart parts with embedded workbooks) for the data figures."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_MARK
from pptx.oxml.ns import qn

from reportbuild import model
from reportbuild.deck.layout import Box, SlideCtx, emu
from reportbuild.deck.theme import hex_of, style_font
from reportbuild.figdata import alt_text, series_label


def mix(color: str, other: str, t: float) -> str:
    """`color` moved a fraction t towards `other`: tints of the brand, no new colours."""
    a = [int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    b = [int(other.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(a, b, strict=True))


def number_format(fig: model.Figure) -> str:
    """Excel format for value labels: the digits as the value has them, then the unit."""
    unit = fig.unit or ""
    return f'General"{unit}"' if unit else "General"


def _num(v: Decimal | None) -> float:
    return float(v) if v is not None else 0.0


def highlighted(fig: model.Figure, items: list[model.Item]) -> set[str]:
    """Ids drawn in the primary colour: the top `highlight` items, and any tied with the last."""
    n = fig.highlight if fig.highlight > 0 else len(items)
    if n >= len(items):
        return {it.id for it in items}
    last = items[n - 1].value
    return {it.id for i, it in enumerate(items) if i < n or it.value == last}


def _fill(fmt, color: str) -> None:
    fmt.fill.solid()
    fmt.fill.fore_color.rgb = RGBColor.from_string(hex_of(color))


def _base(ctx: SlideCtx, fig: model.Figure, box: Box, kind, data):
    name = f"Chart {fig.id}"
    ctx._inside(name, box)
    gf = ctx.slide.shapes.add_chart(kind, emu(box.x), emu(box.y), emu(box.w), emu(box.h), data)
    gf.name = name
    # the chart described in words for screen readers (PowerPoint's "Alt Text")
    gf._element.nvGraphicFramePr.cNvPr.set("descr", alt_text(fig))
    chart = gf.chart
    chart.has_title = False
    st = ctx.style
    style_font(chart.font, st.body_family, st.body, st.fg)
    return gf, chart


def _quiet_value_axis(chart, maximum: float | None) -> None:
    va = chart.value_axis
    va.has_major_gridlines = False
    va.has_minor_gridlines = False
    va.minimum_scale = 0
    if maximum is not None:
        va.maximum_scale = maximum
    va.visible = False


def bar(ctx: SlideCtx, box: Box, fig: model.Figure):
    """Ranked horizontal bars, largest on top; the top items in the primary colour."""
    st = ctx.style
    items = sorted(fig.items, key=lambda it: -_num(it.value))  # stable: ties keep file order
    data = CategoryChartData(number_format=number_format(fig))
    data.categories = [it.label for it in items]
    data.add_series(fig.caption or fig.title, [_num(it.value) for it in items])
    gf, chart = _base(ctx, fig, box, XL_CHART_TYPE.BAR_CLUSTERED, data)
    chart.has_legend = False
    plot = chart.plots[0]
    plot.gap_width = 45
    plot.vary_by_categories = False
    top = highlighted(fig, items)
    rest = mix(st.primary, "#FFFFFF", 0.62)
    series = plot.series[0]
    _fill(series.format, st.primary)
    for i, it in enumerate(items):
        _fill(series.points[i].format, st.primary if it.id in top else rest)
    plot.has_data_labels = True
    dl = plot.data_labels
    dl.number_format = number_format(fig)
    dl.number_format_is_linked = False
    dl.position = XL_LABEL_POSITION.OUTSIDE_END
    dl.show_value = True
    style_font(dl.font, st.body_family, st.body, st.fg, bold=True)
    ca = chart.category_axis
    ca.reverse_order = True  # first (largest) category at the top
    ca.major_tick_mark = XL_TICK_MARK.NONE
    ca.has_major_gridlines = False
    ca.format.line.color.rgb = RGBColor.from_string(hex_of(st.light))
    style_font(ca.tick_labels.font, st.body_family, st.body, st.fg)
    unit_max = 100 if fig.unit == "%" else None
    _quiet_value_axis(chart, unit_max * 1.08 if unit_max else None)
    return gf


def donut(ctx: SlideCtx, box: Box, fig: model.Figure):
    """A single share against the rest of the ring; only the share is labelled."""
    st = ctx.style
    it = fig.items[0]
    share = _num(it.value)
    data = CategoryChartData(number_format=number_format(fig))
    data.categories = [it.label, ctx.loc.t("deck.rest")]
    data.add_series(fig.caption or fig.title, [share, round(100 - share, 6)])
    gf, chart = _base(ctx, fig, box, XL_CHART_TYPE.DOUGHNUT, data)
    chart.has_legend = False
    plot = chart.plots[0]
    plot.vary_by_categories = True
    series = plot.series[0]
    _fill(series.points[0].format, st.accent)
    _fill(series.points[1].format, st.light)
    for i in (0, 1):
        series.points[i].format.line.color.rgb = RGBColor.from_string("FFFFFF")
    hole = chart._chartSpace.find(".//" + qn("c:holeSize"))
    if hole is not None:
        hole.set("val", "62")
    lbl = series.points[0].data_label
    style_font(lbl.font, st.body_family, st.body + 2, "#FFFFFF", bold=True)
    dLbl = lbl._dLbl
    fmt = etree.Element(qn("c:numFmt"), formatCode=number_format(fig), sourceLinked="0")
    dLbl.find(qn("c:idx")).addnext(fmt)
    return gf


def stacked(ctx: SlideCtx, box: Box, fig: model.Figure):
    """100% stacked bars, one per category, segments labelled inside."""
    st = ctx.style
    data = CategoryChartData(number_format=number_format(fig))
    data.categories = [c.label for c in fig.categories]
    for s in fig.series:
        label = series_label(fig, s)
        data.add_series(label, [_num(s.values.get(c.id)) for c in fig.categories])
    gf, chart = _base(ctx, fig, box, XL_CHART_TYPE.BAR_STACKED_100, data)
    plot = chart.plots[0]
    plot.gap_width = 55
    plot.overlap = 100
    colours = [st.primary, st.secondary, mix(st.muted, "#FFFFFF", 0.25), st.accent, st.muted]
    for i, series in enumerate(plot.series):
        _fill(series.format, colours[i % len(colours)])
        series.format.line.color.rgb = RGBColor.from_string("FFFFFF")
    plot.has_data_labels = True
    dl = plot.data_labels
    dl.number_format = number_format(fig)
    dl.number_format_is_linked = False
    dl.position = XL_LABEL_POSITION.CENTER
    dl.show_value = True
    style_font(dl.font, st.body_family, st.body, "#FFFFFF", bold=True)
    ca = chart.category_axis
    ca.reverse_order = True
    ca.major_tick_mark = XL_TICK_MARK.NONE
    ca.format.line.color.rgb = RGBColor.from_string(hex_of(st.light))
    style_font(ca.tick_labels.font, st.body_family, st.body, st.fg)
    _quiet_value_axis(chart, None)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    style_font(chart.legend.font, st.body_family, st.body, st.fg)
    return gf


BUILDERS = {"bar": bar, "donut": donut, "stacked": stacked}
