"""Line charts: series over ordered categories, a value axis with its ticks, labels at the ends."""

from __future__ import annotations

import math
from decimal import Decimal

from reportbuild.charts.bars import TOP, legend
from reportbuild.charts.canvas import EM_CENTRE, Canvas
from reportbuild.charts.style import MM_PER_PT
from reportbuild.figdata import format_number, format_value, series_label, sign_unit, value_ticks
from reportbuild.locale import get_locale
from reportbuild.model import Figure

PLOT_H = 56.0  # mm: the plot area's height (the figure is as wide as the text column)
END_GAP = 2.2  # between a line's last point and its label
END_CAP = 0.34  # the end labels may take at most this share of the width
MARKER = 1.7  # dot diameter, mm


def tick_texts(ticks: list[Decimal], unit: str, lang: str) -> list[str]:
    """Tick values as the locale writes numbers ('−10', '2.5%'), all with the same decimals."""
    places = max((max(-t.as_tuple().exponent, 0) for t in ticks), default=0)
    q = Decimal(1).scaleb(-places)
    return [format_number(t.quantize(q), unit if sign_unit(unit) else "", lang=lang) for t in ticks]


def _dodge_vertical(
    anchors: list[float], heights: list[float], lo: float, hi: float
) -> list[float]:
    """Tops for blocks of the given heights, each as near its anchor (its centre) as it can be,
    in order, without overlaps, inside lo..hi."""
    gap = 0.6
    order = sorted(range(len(anchors)), key=lambda i: anchors[i])
    tops = [0.0] * len(anchors)
    edge = lo - gap
    for i in order:  # top to bottom: push down past the previous block
        tops[i] = max(anchors[i] - heights[i] / 2, edge + gap)
        edge = tops[i] + heights[i]
    edge = hi + gap
    for i in reversed(order):  # bottom to top: pull back above the floor
        tops[i] = min(tops[i], edge - gap - heights[i])
        edge = tops[i]
    return tops


def line(cv: Canvas, fig: Figure) -> None:
    st = cv.style
    loc = get_locale(fig.lang)
    unit = fig.unit or ""
    cats = fig.categories
    n = len(cats)
    colours = st.series_colors(len(fig.series))
    many = len(fig.series) > 1
    nums = [v for s in fig.series for v in s.values.values()] or [Decimal(0)]
    floor = fig.y_min
    ticks = value_ticks(min(Decimal(0), *nums), max(Decimal(0), *nums), floor)
    bottom, top = float(ticks[0]), float(ticks[-1])

    y = TOP
    if unit and not sign_unit(unit):  # a worded unit, named once above the axis
        y += cv.text(0.0, y, loc.t("figure.unit_note", unit=unit), size=st.small, color=st.muted)
        y += 1.0

    # the labels at the line ends: each series' last value, then (for several) its name
    lasts = []
    for s in fig.series:
        last = next((c for c in reversed(cats) if c.id in s.values), None)
        lasts.append(last)
    value_texts = [
        format_value(fig, s, c.id) if c else "" for s, c in zip(fig.series, lasts, strict=True)
    ]
    show_last = fig.values in ("last", "all")
    vw = (
        max((cv.measure(v, st.value, bold=True) for v in value_texts), default=0.0)
        if show_last
        else 0.0
    )
    cap = cv.width * END_CAP
    names = [series_label(fig, s) for s in fig.series]
    name_w = cap - vw - (1.5 if vw else 0.0)
    name_lines = [cv.wrap(nm, max(name_w, 12.0)) for nm in names] if many else [[] for _ in names]
    heights = [
        max(cv.lead(st.value) if show_last else 0.0, cv.block_height(ln)) for ln in name_lines
    ]
    use_legend = many and (
        fig.labels == "legend"
        or name_w < 12.0
        or sum(heights) + 0.6 * (len(heights) - 1) > PLOT_H
        or any(len(ln) > 2 for ln in name_lines)
    )
    if use_legend:
        name_lines = [[] for _ in names]
        heights = [cv.lead(st.value) if show_last else 0.0 for _ in names]
    end_w = 0.0
    if show_last or not use_legend:
        end_w = (
            END_GAP
            + vw
            + (1.5 + max(cv.block_width(ln) for ln in name_lines) if any(name_lines) else 0.0)
        )

    labels = tick_texts(ticks, unit, fig.lang)
    axis_w = max(cv.measure(t, st.small) for t in labels) + 2.0
    x_texts = [c.label for c in cats]
    x_widths = [cv.measure(t, st.small) for t in x_texts]
    # the first and last category labels are centred under their points: room for half of each
    pad_l = max(2.5, x_widths[0] / 2 - 1.0)
    pad_r = max(2.5, x_widths[-1] / 2 - end_w) if end_w else max(2.5, x_widths[-1] / 2)
    x0, x1 = axis_w + pad_l, cv.width - end_w - pad_r
    step = (x1 - x0) / (n - 1) if n > 1 else 0.0
    xs = [x0 + i * step for i in range(n)] if n > 1 else [(x0 + x1) / 2]

    if use_legend:
        entries = [(nm, c, None) for nm, c in zip(names, colours, strict=True)]
        y += legend(cv, entries, axis_w, y, cv.width - axis_w) + 2.0
    # the top tick's label is centred on its line; with every value printed, a value at the
    # top tick needs its line's height above it
    area_top = y
    head = cv.lead(st.small) + 1.6 if fig.values == "all" else 0.0
    plot_top = y + max(cv.lead(st.small) / 2, head)
    plot_bot = plot_top + PLOT_H

    def ypos(v: float) -> float:
        return plot_top + (top - v) / ((top - bottom) or 1.0) * PLOT_H

    # the value axis: light rules at each tick, the zero line (or the declared floor) darker
    for t, text in zip(ticks, labels, strict=True):
        ty = ypos(float(t))
        base = t == 0 or (floor is not None and t == floor)
        cv.line(
            axis_w,
            ty,
            cv.width - end_w + (END_GAP if end_w else 0.0),
            ty,
            st.rule if base else st.panel,
            lw=0.8 if base else 0.5,
            z=1,
        )
        cv.text_mid(axis_w - 2.0, ty, text, size=st.small, color=st.muted, ha="right")

    # the categories: every k-th label, so none touches the next (the last is always named)
    k = max(1, math.ceil((max(x_widths) + 2.0) / step)) if n > 1 and step > 0 else 1
    label_y = plot_bot + 1.2
    for i, (x, text) in enumerate(zip(xs, x_texts, strict=True)):
        if (n - 1 - i) % k == 0:
            cv.line(x, plot_bot, x, plot_bot + 0.8, st.rule, lw=0.5)
            cv.text(x, label_y, text, size=st.small, color=st.fg, ha="center")

    # the lines, split where a category has no value
    for s, colour in zip(fig.series, colours, strict=True):
        run: list[tuple[float, float]] = []
        runs = [run]
        for c, x in zip(cats, xs, strict=True):
            if c.id in s.values:
                run.append((x, ypos(float(s.values[c.id]))))
            elif run:
                run = []
                runs.append(run)
        for r in runs:  # an estimated (derived) series is dashed; a point alone gets its dot
            if r:
                mark = MARKER if fig.markers or len(r) == 1 else 0.0
                cv.polyline(r, colour, lw=1.8, marker=mark, dash=(3.0, 1.6) if s.derived else None)

    # every value, above the point (below it where another line runs higher there); where
    # that spot is taken by another value, the other side; where both are, none (the data
    # appendix has them all)
    if fig.values == "all":
        taken: list[tuple[float, float, float, float]] = []
        h = cv.lead(st.small)
        for k, (s, colour) in enumerate(zip(fig.series, colours, strict=True)):
            for i, (c, x) in enumerate(zip(cats, xs, strict=True)):
                if c.id not in s.values or c is lasts[k]:
                    continue
                v = s.values[c.id]
                prev = s.values.get(cats[i - 1].id) if i > 0 else None
                nxt = s.values.get(cats[i + 1].id) if i + 1 < n else None
                others = [o.values[c.id] for o in fig.series if o is not s and c.id in o.values]
                if others:  # below where another line runs higher here
                    below = max(others) > v
                else:  # below a valley, or a first point the line rises from
                    below = (prev is None or prev > v) and (nxt is None or nxt > v)
                py = ypos(float(v))
                text = format_value(fig, s, c.id)
                w = cv.measure(text, st.small)
                for side in (below, not below):
                    # beside the segment that leaves the point on this side, not across it
                    toward = nxt is not None and (nxt < v if side else nxt > v)
                    away = prev is not None and (prev < v if side else prev > v)
                    ha, lx = "center", x
                    if toward and not away:
                        ha, lx = "right", x + 0.6
                    elif away and not toward:
                        ha, lx = "left", x - 0.6
                    x0 = {"center": lx - w / 2, "right": lx - w, "left": lx}[ha]
                    if x0 < axis_w:  # near the axis: the label starts at the point
                        ha, lx, x0 = "left", x - 0.6, x - 0.6
                    ty = py + 1.6 if side else py - 1.6 - h
                    box = (x0, ty, x0 + w, ty + h)
                    if box[1] < area_top or box[3] > plot_bot:
                        continue
                    if not any(
                        box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                        for b in taken
                    ):
                        taken.append(box)
                        cv.text(lx, ty, text, size=st.small, color=st.readable(colour), ha=ha)
                        break

    # the ends: value (bold, in the line's colour) and name, dodged apart vertically
    if end_w:
        anchors = [
            ypos(float(s.values[c.id])) if c else plot_top
            for s, c in zip(fig.series, lasts, strict=True)
        ]
        tops = _dodge_vertical(anchors, heights, plot_top - 2.0, plot_bot + 2.0)
        ex = cv.width - end_w + END_GAP
        for c, colour, text, lines, top_y in zip(
            lasts, colours, value_texts, name_lines, tops, strict=True
        ):
            if c is None:
                continue
            ink = st.readable(colour)
            if lines:  # the value sits on the baseline of the name's first line
                base = top_y + cv.lead() / 2 + EM_CENTRE * st.size * MM_PER_PT
                cv.text(ex + (vw + 1.5 if show_last else 0.0), top_y, lines, color=ink)
            else:
                base = top_y + cv.lead(st.value) / 2 + EM_CENTRE * st.value * MM_PER_PT
            if show_last:
                cv.baseline_text(ex, base, text, size=st.value, bold=True, color=ink)
    cv.bottom = max(cv.bottom, label_y + cv.lead(st.small))
