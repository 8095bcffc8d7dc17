"""Native PowerPoint charts (chart parts with embedded workbooks) for the data figures."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_LABEL_POSITION,
    XL_TICK_MARK,
)
from pptx.oxml.ns import qn
from pptx.util import Pt

from reportbuild import model
from reportbuild.deck.layout import Box, SlideCtx, emu
from reportbuild.deck.theme import contrast, hex_of, ink_on, style_font
from reportbuild.figdata import (
    alt_text,
    format_number,
    ranked,
    series_label,
    sign_unit,
    value_ticks,
)


def mix(color: str, other: str, t: float) -> str:
    """`color` moved a fraction t towards `other`: tints of the brand, no new colours."""
    a = [int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    b = [int(other.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(a, b, strict=True))


def number_format(fig: model.Figure, axis: bool = False) -> str:
    """Excel format for value labels: the digits as the value has them, then the unit, apart
    from them where the report's locale writes it so ('1.2 percentage points', '89%')."""
    unit = fig.unit or ""
    suffix = format_number(Decimal(1), unit, lang=fig.lang)[1:] if unit else ""  # as after '1'
    values = [it.value for it in getattr(fig, "items", ()) if it.value is not None]
    values += [v for s in getattr(fig, "series", ()) for v in s.values.values()]
    # General drops a written trailing zero ('6.0' showed as '6%' beside the PDF's '6.0%'):
    # when every value has the same decimal places, they are fixed; mixed ones (41 and 20.4)
    # stay General, each as written
    places = {max(0, -v.as_tuple().exponent) for v in values if isinstance(v, Decimal)}
    # (an axis's round ticks stay General: 2%, 4%, 6%, as the print charts write them)
    fixed = len(places) == 1 and min(places) > 0 and not axis
    digits = f"0.{'0' * places.pop()}" if fixed else "General"
    positive = f'{digits}"{suffix}"' if suffix else digits
    if not any(v < 0 for v in values):
        return positive
    # a section for negatives: the minus sign the print charts use (U+2212), not '-'
    return f'{positive};"\u2212"{positive}'


def _num(v: Decimal | None) -> float:
    return float(v) if v is not None else 0.0


def highlighted(fig: model.Figure, items: list[model.Item]) -> set[str]:
    """Ids drawn in the primary colour: the top `highlight` items, and any tied with the last."""
    n = fig.highlight if fig.highlight > 0 else len(items)
    if n >= len(items):
        return {it.id for it in items}
    last = items[n - 1].value
    return {it.id for i, it in enumerate(items) if i < n or it.value == last}


def _series_colours(st, n: int) -> list[str]:
    """Series colours from the brand, in the order the print charts use (charts/style.py)."""
    base = [
        st.primary,
        st.secondary,
        mix(st.primary, "#FFFFFF", 0.45),
        mix(st.secondary, "#FFFFFF", 0.5),
        st.muted,
        mix(st.muted, "#FFFFFF", 0.5),
    ]
    return [base[i % len(base)] for i in range(n)]


def _legend(chart, st, position) -> None:
    chart.has_legend = True
    chart.legend.position = position
    chart.legend.include_in_layout = False
    style_font(chart.legend.font, st.body_family, st.small, st.fg)


def _fill(fmt, color: str) -> None:
    fmt.fill.solid()
    fmt.fill.fore_color.rgb = RGBColor.from_string(hex_of(color))


def _base(ctx: SlideCtx, fig: model.Figure, box: Box, kind, data):
    name = f"Chart {fig.id}"
    ctx._inside(name, box)
    st = ctx.style
    under = ctx.colours_under(box) if ctx.backdrop is not None else []
    if any(contrast(st.fg, c) < 4.5 for c in under):
        # a template's decoration or picture behind the chart: its labels go on a panel
        ctx.panel(f"{name} panel", box)
    gf = ctx.slide.shapes.add_chart(kind, emu(box.x), emu(box.y), emu(box.w), emu(box.h), data)
    gf.name = name
    # the chart described in words for screen readers (PowerPoint's "Alt Text")
    gf._element.nvGraphicFramePr.cNvPr.set("descr", alt_text(fig))
    chart = gf.chart
    chart.has_title = False
    style_font(chart.font, st.body_family, st.body, st.fg)
    return gf, chart


def _quiet_value_axis(chart, maximum: float | None, minimum: float = 0) -> None:
    va = chart.value_axis
    va.has_major_gridlines = False
    va.has_minor_gridlines = False
    va.minimum_scale = minimum
    if maximum is not None:
        va.maximum_scale = maximum
    va.visible = False


def negative_room(values: list[Decimal | None]) -> float:
    """The value axis' minimum for bars: 0, or below the lowest value by room for its label
    (the tick below it, on the scale the print chart uses), so a negative bar is drawn."""
    nums = [v for v in values if v is not None]
    if not nums or min(nums) >= 0:
        return 0
    lo, hi = min(nums), max(Decimal(0), *nums)
    ticks = value_ticks(lo - (hi - lo) * Decimal("0.12"), hi)
    return float(ticks[0])


def _labels_low(axis) -> None:
    """Category names at the plot's edge, not at zero: where bars grow left (negative values)
    the names would otherwise sit on top of them."""
    axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW


def _number_format_xml(parent, fig: model.Figure) -> None:
    """A c:numFmt for a single point's label (python-pptx sets it only for a whole series)."""
    fmt = etree.Element(qn("c:numFmt"), formatCode=number_format(fig), sourceLinked="0")
    parent.find(qn("c:idx")).addnext(fmt)


def bar(ctx: SlideCtx, box: Box, fig: model.Figure):
    """Ranked horizontal bars, largest on top; the top items in the primary colour."""
    st = ctx.style
    items = ranked(fig)  # largest first (ties keep file order), or as written
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
    low = negative_room([it.value for it in items])
    if low < 0:
        _labels_low(ca)
        unit_max = None  # a chart of changes, not of shares: let the top fit the data
    _quiet_value_axis(chart, unit_max * 1.08 if unit_max else None, low)
    return gf


def donut(ctx: SlideCtx, box: Box, fig: model.Figure):
    """A single share against the rest of the ring, only the share labelled; or every part of
    a whole (up to six), each in a colour of the brand, with its value and a legend."""
    if len(fig.items) > 1:
        return _donut_parts(ctx, box, fig)
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
    style_font(lbl.font, st.body_family, st.body + 2, ink_on(st.accent, st.fg), bold=True)
    dLbl = lbl._dLbl
    fmt = etree.Element(qn("c:numFmt"), formatCode=number_format(fig), sourceLinked="0")
    dLbl.find(qn("c:idx")).addnext(fmt)
    return gf


def _donut_parts(ctx: SlideCtx, box: Box, fig: model.Figure):
    st = ctx.style
    data = CategoryChartData(number_format=number_format(fig))
    data.categories = [it.label for it in fig.items]
    data.add_series(fig.caption or fig.title, [_num(it.value) for it in fig.items])
    gf, chart = _base(ctx, fig, box, XL_CHART_TYPE.DOUGHNUT, data)
    plot = chart.plots[0]
    plot.vary_by_categories = True
    series = plot.series[0]
    colours = _series_colours(st, len(fig.items))
    colours[0] = st.accent  # the part the figure is about, as in the single-share donut
    for i, colour in enumerate(colours):
        _fill(series.points[i].format, colour)
        series.points[i].format.line.color.rgb = RGBColor.from_string("FFFFFF")
    hole = chart._chartSpace.find(".//" + qn("c:holeSize"))
    if hole is not None:
        hole.set("val", "55")
    for i, colour in enumerate(colours):  # each part's value on it; a pale part's in dark ink
        lbl = series.points[i].data_label
        style_font(lbl.font, st.body_family, st.small, ink_on(colour, st.fg), True)
        _point_label(lbl, fig, XL_LABEL_POSITION.CENTER, name=False)
    _legend(chart, st, XL_LEGEND_POSITION.BOTTOM)
    return gf


def stacked(ctx: SlideCtx, box: Box, fig: model.Figure):
    """Stacked bars, one per category, segments labelled inside: shares of 100%, or amounts
    on one scale (parts below zero stack leftwards)."""
    st = ctx.style
    data = CategoryChartData(number_format=number_format(fig))
    data.categories = [c.label for c in fig.categories]
    for s in fig.series:
        data.add_series(series_label(fig, s), [_num(s.values.get(c.id)) for c in fig.categories])
    absolute = getattr(fig, "absolute", False)
    kind = XL_CHART_TYPE.BAR_STACKED if absolute else XL_CHART_TYPE.BAR_STACKED_100
    gf, chart = _base(ctx, fig, box, kind, data)
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
    for i, series in enumerate(plot.series):  # white on dark segments, dark text on pale ones
        ink = ink_on(colours[i % len(colours)], st.fg)
        if ink != "#FFFFFF":
            own = series.data_labels
            own.number_format = number_format(fig)
            own.number_format_is_linked = False
            own.position = XL_LABEL_POSITION.CENTER
            own.show_value = True
            style_font(own.font, st.body_family, st.body, ink, bold=True)
    ca = chart.category_axis
    ca.reverse_order = True
    ca.major_tick_mark = XL_TICK_MARK.NONE
    ca.format.line.color.rgb = RGBColor.from_string(hex_of(st.light))
    style_font(ca.tick_labels.font, st.body_family, st.body, st.fg)
    if absolute:  # a part too short for its label shows none (the notes read every value)
        extent = max(
            (
                sum(abs(v) for s in fig.series if (v := s.values.get(c.id)) is not None)
                for c in fig.categories
            ),
            default=Decimal(0),
        )
        for series, s in zip(plot.series, fig.series, strict=True):
            for i, c in enumerate(fig.categories):
                v = s.values.get(c.id)
                if v is not None and extent and abs(v) < extent * Decimal("0.15"):
                    lbl = series.points[i].data_label
                    _point_label(lbl, fig, XL_LABEL_POSITION.CENTER, name=False, value=False)
    low = 0.0
    if absolute:  # the sum of each bar's parts below zero: how far left the bars reach
        low = negative_room(
            [
                sum((v for s in fig.series if (v := s.values.get(c.id, 0)) < 0), Decimal(0))
                for c in fig.categories
            ]
        )
        if low < 0:
            _labels_low(ca)
    _quiet_value_axis(chart, None, low)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    style_font(chart.legend.font, st.body_family, st.body, st.fg)
    return gf


def grouped(ctx: SlideCtx, box: Box, fig: model.Figure):
    """Clustered bars: one group per category (first at the top), one bar per series in the
    brand's series colours, values beyond the bar ends, a legend below."""
    st = ctx.style
    data = CategoryChartData(number_format=number_format(fig))
    data.categories = [c.label for c in fig.categories]
    for s in fig.series:
        data.add_series(series_label(fig, s), [s.values.get(c.id) for c in fig.categories])
    gf, chart = _base(ctx, fig, box, XL_CHART_TYPE.BAR_CLUSTERED, data)
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.overlap = -8
    plot.vary_by_categories = False
    for series, colour in zip(plot.series, _series_colours(st, len(fig.series)), strict=True):
        _fill(series.format, colour)
    plot.has_data_labels = True
    dl = plot.data_labels
    dl.number_format = number_format(fig)
    dl.number_format_is_linked = False
    dl.position = XL_LABEL_POSITION.OUTSIDE_END  # beyond the end: left of a negative bar
    dl.show_value = True
    style_font(dl.font, st.body_family, st.small, st.fg, bold=True)
    ca = chart.category_axis
    ca.reverse_order = True  # first category (and first series of each group) at the top
    ca.major_tick_mark = XL_TICK_MARK.NONE
    ca.format.line.color.rgb = RGBColor.from_string(hex_of(st.light))
    style_font(ca.tick_labels.font, st.body_family, st.body, st.fg)
    low = negative_room([v for s in fig.series for v in s.values.values()])
    if low < 0:
        _labels_low(ca)
    _quiet_value_axis(chart, None, low)
    _legend(chart, st, XL_LEGEND_POSITION.BOTTOM)
    return gf


def _point_label(lbl, fig: model.Figure, position, name: bool, value: bool = True) -> None:
    """One point's label: its value in the figure's format, and its series' name before it.

    python-pptx's point labels have no show_value/show_series_name: their c:dLbl is set here
    (a new one shows the value only)."""
    lbl.position = position
    dLbl = lbl._get_or_add_dLbl()  # made with every c:show* flag (the value's on)
    dLbl.find(qn("c:showVal")).set("val", "1" if value else "0")
    dLbl.find(qn("c:showSerName")).set("val", "1" if name else "0")
    if dLbl.find(qn("c:numFmt")) is None:
        _number_format_xml(dLbl, fig)
    if name:  # name and value on one line (c:separator follows c:showBubbleSize)
        sep = etree.SubElement(dLbl, qn("c:separator"))
        sep.text = "  "
        dLbl.find(qn("c:showBubbleSize")).addnext(sep)


def line(ctx: SlideCtx, box: Box, fig: model.Figure):
    """Lines over the categories in the order written, dots on the points; each line named at
    its end with its last value (a legend instead when a name is long). The value axis has the
    print chart's ticks: from the declared y_min, or from below zero when values are."""
    st = ctx.style
    data = CategoryChartData(number_format=number_format(fig))
    data.categories = [c.label for c in fig.categories]
    for s in fig.series:
        data.add_series(series_label(fig, s), [s.values.get(c.id) for c in fig.categories])
    kind = XL_CHART_TYPE.LINE_MARKERS if fig.markers else XL_CHART_TYPE.LINE
    gf, chart = _base(ctx, fig, box, kind, data)
    plot = chart.plots[0]
    colours = _series_colours(st, len(fig.series))
    names = [series_label(fig, s) for s in fig.series]
    direct = fig.labels == "end" and all(len(nm) <= 12 for nm in names)
    for series, s, colour in zip(plot.series, fig.series, colours, strict=True):
        series.smooth = False
        ln = series.format.line
        ln.color.rgb = RGBColor.from_string(hex_of(colour))
        ln.width = Pt(2.5)
        if s.derived:
            from pptx.enum.dml import MSO_LINE_DASH_STYLE

            ln.dash_style = MSO_LINE_DASH_STYLE.DASH
        if fig.markers:
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.size = 7
            _fill(series.marker.format, colour)
            series.marker.format.line.color.rgb = RGBColor.from_string("FFFFFF")
        last = max((i for i, c in enumerate(fig.categories) if c.id in s.values), default=None)
        shown = (
            range(len(fig.categories))
            if fig.values == "all"
            else [last]
            if last is not None
            else []
        )
        for i in shown:
            if fig.categories[i].id not in s.values:
                continue
            end = i == last
            _point_label(
                series.points[i].data_label,
                fig,
                XL_LABEL_POSITION.RIGHT if end else XL_LABEL_POSITION.ABOVE,
                name=end and direct and len(fig.series) > 1,
                value=fig.values != "none",
            )
            style_font(series.points[i].data_label.font, st.body_family, st.small, colour, end)
    va = chart.value_axis
    nums = [v for s in fig.series for v in s.values.values()] or [Decimal(0)]
    ticks = value_ticks(min(Decimal(0), *nums), max(Decimal(0), *nums), fig.y_min)
    va.minimum_scale = float(ticks[0])
    va.maximum_scale = float(ticks[-1])
    if len(ticks) > 1:
        va.major_unit = float(ticks[-1] - ticks[-2])
    va.has_major_gridlines = True
    va.major_gridlines.format.line.color.rgb = RGBColor.from_string(hex_of(st.light))
    va.major_tick_mark = XL_TICK_MARK.NONE
    va.format.line.fill.background()
    unit = (fig.unit or "").strip()
    worded = bool(unit) and not sign_unit(unit)
    # a sign (%) on every tick; a worded unit once, as the axis' title, as in print
    va.tick_labels.number_format = "General" if worded else number_format(fig, axis=True)
    va.tick_labels.number_format_is_linked = False
    style_font(va.tick_labels.font, st.body_family, st.small, st.muted)
    if worded:
        va.has_title = True
        va.axis_title.text_frame.text = ctx.loc.t("figure.unit_note", unit=unit)
        for para in va.axis_title.text_frame.paragraphs:
            for run in para.runs:
                style_font(run.font, st.body_family, st.small, st.muted)
    ca = chart.category_axis
    ca.major_tick_mark = XL_TICK_MARK.OUTSIDE
    ca.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # below the plot, even under zero
    ca.format.line.color.rgb = RGBColor.from_string(hex_of(st.muted))
    style_font(ca.tick_labels.font, st.body_family, st.small, st.fg)
    if len(fig.series) > 1 and not direct:
        _legend(chart, st, XL_LEGEND_POSITION.TOP)
    else:
        chart.has_legend = False
    return gf
