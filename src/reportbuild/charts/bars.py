"""Data charts: ranked and grouped bars, stacked bars (shares or amounts), donuts, stat callouts."""

from __future__ import annotations

import math
from decimal import Decimal

from reportbuild.charts.canvas import Canvas
from reportbuild.charts.style import MM_PER_PT, mix
from reportbuild.figdata import format_number, format_value, item_unit, number, ranked, series_label
from reportbuild.linebreak import cjk_latin_spaced
from reportbuild.locale import get_locale
from reportbuild.model import Figure

TOP = 1.5  # mm of air above the first element
LABEL_GAP = 3.0  # between a label column and its bars
AFFIX = 0.5  # size of '约' and the unit beside a callout number


def _label_column(cv: Canvas, labels: list[str], cap: float) -> float:
    """Width of the label column: the longest label, but never more than `cap` (they wrap)."""
    natural = max((cv.measure(s) for s in labels), default=0.0)
    return min(max(natural, 18.0), cap)


def bar(cv: Canvas, fig: Figure) -> None:
    st = cv.style
    items = ranked(fig)
    lw = _label_column(cv, [it.label for it in items], cv.width * 0.36)
    values = [format_value(fig, it) for it in items]
    vw = max(cv.measure(v, st.value, bold=True) for v in values) + 2.0
    nums = [float(x) for it in items for x in (it.value, it.high) if x is not None] or [0.0]
    lo, hi = min(0.0, *nums), max(0.0, *nums)
    # value labels sit beyond the bar ends: room for them on the side(s) bars grow to
    left = lw + LABEL_GAP + (vw if lo < 0 else 0.0)
    span = cv.width - left - (vw + 1.0 if hi > 0 else 0.0)
    scale = span / ((hi - lo) or 1.0)
    zero = left - lo * scale
    bar_h = 4.8
    y = TOP
    hl = fig.highlight if fig.highlight > 0 else len(items)
    # an item tied with the last highlighted one is highlighted too: equal numbers, equal ink
    cut = items[min(hl, len(items)) - 1].value or Decimal(0)
    first = y
    for i, (it, vtext) in enumerate(zip(items, values, strict=True)):
        lines = cv.wrap(it.label, lw)
        row = max(bar_h + 3.4, cv.block_height(lines) + 2.0)
        mid = y + row / 2
        cv.text_mid(lw, mid, lines, ha="right")
        strong = i < hl or (it.value or Decimal(0)) >= cut
        color = st.primary if strong else st.bar_muted
        v = float(it.value or 0)
        end = zero + v * scale
        cv.rect(min(zero, end), mid - bar_h / 2, abs(end - zero), bar_h, color)
        if it.high is not None:  # a range: the uncertain part is a lighter extension
            end2 = zero + float(it.high) * scale
            pale = mix(color, st.bg, 0.55)
            cv.rect(min(end, end2), mid - bar_h / 2, abs(end2 - end), bar_h, pale)
            end = end2
        neg = end < zero
        cv.text_mid(
            end + (-1.6 if neg else 1.6),
            mid,
            vtext,
            size=st.value,
            bold=strong,
            color=st.ink if strong else st.fg,
            ha="right" if neg else "left",
        )
        y += row
    cv.line(zero, first, zero, y, st.rule, lw=0.8)


def legend(
    cv: Canvas, entries: list[tuple[str, str, str | None]], x: float, y: float, width: float
) -> float:
    """Swatch + label pairs flowed left to right; returns the height used."""
    st = cv.style
    sw, gap, pitch = 3.4, 1.4, cv.lead(st.small)
    cx, cy = x, y
    for label, fill, hatch in entries:
        w = sw + gap + cv.measure(label, st.small) + 5.0
        if cx > x and cx + w > x + width:
            cx, cy = x, cy + pitch
        cv.rect(cx, cy + pitch / 2 - sw / 2, sw, sw, fill, hatch=hatch, hatch_color=st.bg)
        cv.text(cx + sw + gap, cy, label, size=st.small)
        cx += w
    return cy + pitch - y


def series_fills(cv: Canvas, series) -> tuple[list[str], list[str | None]]:
    """Each series' fill and hatch: the brand's series colours, a derived (estimated) series
    as a pale, hatched tint of its colour."""
    st = cv.style
    fills, hatches = [], []
    for s, c in zip(series, st.series_colors(len(series)), strict=True):
        fills.append(mix(c, st.bg, 0.35) if s.derived else c)
        hatches.append("////" if s.derived else None)
    return fills, hatches


def _value_beside(cv: Canvas, end: float, zero: float, mid: float, text: str, **kw) -> None:
    """A value label just beyond a bar's end: right of a bar that grows right, left of one
    that grows left (a negative value)."""
    neg = end < zero
    cv.text_mid(end + (-1.6 if neg else 1.6), mid, text, ha="right" if neg else "left", **kw)


def grouped(cv: Canvas, fig: Figure) -> None:
    """One group per category (as written), one bar per series, a legend above."""
    st = cv.style
    fills, hatches = series_fills(cv, fig.series)
    entries = [
        (series_label(fig, s), f, h) for s, f, h in zip(fig.series, fills, hatches, strict=True)
    ]
    lw = _label_column(cv, [c.label for c in fig.categories], cv.width * 0.3)
    texts = {(s.id, c.id): format_value(fig, s, c.id) for s in fig.series for c in fig.categories}
    vw = max((cv.measure(t, st.small, bold=True) for t in texts.values() if t), default=0.0)
    vw += 2.0
    nums = [float(v) for s in fig.series for v in s.values.values()] or [0.0]
    lo, hi = min(0.0, *nums), max(0.0, *nums)
    left = lw + LABEL_GAP + (vw if lo < 0 else 0.0)
    span = cv.width - left - (vw + 1.0 if hi > 0 else 0.0)
    scale = span / ((hi - lo) or 1.0)
    zero = left - lo * scale
    y = TOP + legend(cv, entries, lw + LABEL_GAP, TOP, cv.width - lw - LABEL_GAP) + 3.0
    k = len(fig.series)
    bar_h = 4.2 if k <= 3 else 3.4
    inner = 0.6  # air between the bars of a group
    first = y
    for cat in fig.categories:
        group_h = k * bar_h + (k - 1) * inner
        lines = cv.wrap(cat.label, lw)
        h = max(group_h, cv.block_height(lines))
        top = y + (h - group_h) / 2
        cv.text_mid(lw, y + h / 2, lines, ha="right")
        for j, (s, fill, hatch) in enumerate(zip(fig.series, fills, hatches, strict=True)):
            by = top + j * (bar_h + inner)
            v = s.values.get(cat.id)
            if v is None:  # no value: no bar, and no label pretending it is zero
                continue
            end = zero + float(v) * scale
            edge = mix(fill, st.bg, 0.6)
            cv.rect(min(zero, end), by, abs(end - zero), bar_h, fill, hatch=hatch, hatch_color=edge)
            _value_beside(
                cv,
                end,
                zero,
                by + bar_h / 2,
                texts[(s.id, cat.id)],
                size=st.small,
                bold=True,
                color=st.readable(fill) if not s.derived else st.fg,
            )
        y += h + 4.0
    cv.line(zero, first - 1.0, zero, y - 3.0, st.rule, lw=0.8)


def stacked(cv: Canvas, fig: Figure) -> None:
    """One bar per category, its series as segments: shares of 100% (each bar full width) or
    amounts on one scale (parts below zero stacked leftwards from a zero line), with totals."""
    st = cv.style
    fills, hatches = series_fills(cv, fig.series)
    entries = [
        (series_label(fig, s), f, h) for s, f, h in zip(fig.series, fills, hatches, strict=True)
    ]
    lw = _label_column(cv, [c.label for c in fig.categories], cv.width * 0.25)
    x0 = lw + LABEL_GAP
    span = cv.width - x0 - 1.0
    absolute = getattr(fig, "absolute", False)
    totals: dict[str, str] = {}
    if absolute:
        from reportbuild.kinds.charts import shown_total

        for c in fig.categories:
            t = shown_total(fig, c)
            if t is not None:
                totals[c.id] = format_number(t, fig.unit or "", lang=fig.lang)
        pos = [
            sum((v for s in fig.series if (v := s.values.get(c.id, 0)) > 0), Decimal(0))
            for c in fig.categories
        ]
        neg = [
            sum((v for s in fig.series if (v := s.values.get(c.id, 0)) < 0), Decimal(0))
            for c in fig.categories
        ]
        tw = max((cv.measure(t, st.value, bold=True) for t in totals.values()), default=0.0)
        hi, lo = float(max(pos, default=0)), float(min(neg, default=0))
        room = span - (tw + 2.0 if totals else 0.0)
        scale = room / ((hi - lo) or 1.0)
        zero = x0 - lo * scale
    y = TOP + legend(cv, entries, x0, TOP, span) + 3.0
    bar_h = 9.0
    for cat in fig.categories:
        vals = [(s, s.values.get(cat.id)) for s in fig.series]
        total = sum((v for _, v in vals if v is not None), start=Decimal(0)) or Decimal(1)
        lines = cv.wrap(cat.label, lw)
        top = y
        cv.text_mid(lw, top + bar_h / 2, lines, ha="right")
        x = x0
        right = left = zero if absolute else x0
        narrow: list[tuple[float, float, str]] = []  # (segment centre, label width, label)
        for (s, v), fill, hatch in zip(vals, fills, hatches, strict=True):
            if v is None or v == 0:  # an empty share has no segment and needs no label
                continue
            if absolute:  # amounts: rightwards from zero, or leftwards for a negative part
                w = abs(float(v)) * scale
                if v > 0:
                    x, right = right, right + w
                else:
                    left -= w
                    x = left
            else:
                w = float(v) / float(total) * span
            edge_fill = mix(fill, st.bg, 0.6)
            cv.rect(x, top, w, bar_h, fill, edge=st.bg, lw=0.8, hatch=hatch, hatch_color=edge_fill)
            text = format_value(fig, s, cat.id)
            tw_ = cv.measure(text, st.value, bold=True)
            mid = top + bar_h / 2
            if tw_ + 2.0 <= w:
                # on a hatched segment the label sits on a solid chip so it stays legible
                if hatch:
                    chip_x = x + w / 2 - tw_ / 2 - 1.0
                    cv.rect(chip_x, mid - 2.3, tw_ + 2.0, 4.6, fill, radius=0.8, z=3)
                ink = st.on(fill)
                cv.text_mid(x + w / 2, mid, text, size=st.value, bold=True, color=ink, ha="center")
            else:
                narrow.append((x + w / 2, tw_, text))
            if not absolute:
                x += w
        if absolute and lo < 0:  # the zero line, bar by bar: labels below may cross its gaps
            cv.line(zero, top - 1.0, zero, top + bar_h + 1.0, st.rule, lw=0.8)
        if cat.id in totals:  # the bar's total just beyond its right end
            cv.text_mid(
                right + 1.6, top + bar_h / 2, totals[cat.id], size=st.value, bold=True, color=st.ink
            )
        narrow.sort(key=lambda n: n[0])
        below = _dodge(narrow, 0.0, cv.width)
        for (cx, _tw, text), lx in zip(narrow, below, strict=True):
            ly = top + bar_h + 2.2
            cv.line(cx, top + bar_h, lx, ly + 0.4, st.muted, lw=0.5)
            cv.text(lx, ly, text, size=st.value, bold=True, color=st.fg, ha="center")
        y = top + bar_h + (2.2 + cv.lead(st.value) if narrow else 0) + 6.0


def _dodge(labels: list[tuple[float, float, str]], lo: float, hi: float) -> list[float]:
    """Centres for labels of the given widths near their anchors, without overlaps, in [lo, hi]."""
    gap = 1.5
    xs: list[float] = []
    right = lo - gap
    for cx, w, _ in labels:  # left to right: push right past the previous label
        c = max(cx, right + gap + w / 2, lo + w / 2)
        xs.append(c)
        right = c + w / 2
    left = hi + gap
    for i in range(len(xs) - 1, -1, -1):  # right to left: pull back inside the canvas
        w = labels[i][1]
        xs[i] = min(xs[i], left - gap - w / 2, hi - w / 2)
        left = xs[i] - w / 2
    return xs


def donut(cv: Canvas, fig: Figure) -> None:
    st = cv.style
    r, ring, gap = 18.0, 6.5, 8.0
    percent = (fig.unit or "").strip() == "%"
    total = Decimal(100) if percent else sum((it.value or 0 for it in fig.items), start=Decimal(0))
    colors = [st.primary] + st.series_colors(len(fig.items))[1:]
    if len(fig.items) > 1:
        _donut_parts(cv, fig, r, ring, gap, total, colors)
        return
    # the labels first: the ring and its labels are centred on the page as one group
    blocks = []
    for i, it in enumerate(fig.items):
        lead = i == 0
        size = st.heading + 1 if lead else st.size
        lines = cv.wrap(it.label, 64.0, size=size, bold=lead)
        blocks.append((it, lines, size, lead))
    label_w = 6.0 + max(cv.block_width(ln, size, bold) for _, ln, size, bold in blocks)
    group = 2 * r + gap + label_w
    cx = max((cv.width - group) / 2, 0.0) + r
    cy = TOP + 1.0 + r
    _ring(cv, fig, cx, cy, r, ring, total, colors)
    x = cx + r + gap
    heights = [cv.block_height(lines, size) for _, lines, size, _ in blocks]
    y = cy - (sum(heights) + 3.0 * (len(blocks) - 1)) / 2
    for (_it, lines, size, lead), c, h in zip(blocks, colors, heights, strict=False):
        sw = 3.4
        cv.rect(x, y + cv.lead(size) / 2 - sw / 2, sw, sw, c)
        cv.text(x + 6.0, y, lines, size=size, bold=lead, color=st.dark if lead else st.fg)
        y += h + 3.0


def _ring(cv: Canvas, fig: Figure, cx, cy, r, ring, total, colors) -> None:
    """The ring, its parts clockwise from 12 o'clock, and the first part's value in the hole."""
    st = cv.style
    # y grows downwards, so increasing angles run clockwise: start at 12 o'clock (−90°)
    angle = -90.0
    cv.wedge(cx, cy, r, 0, 360, ring, st.light, z=1)
    for it, c in zip(fig.items, colors, strict=False):
        sweep = float(it.value or 0) / float(total or 1) * 360.0
        cv.wedge(cx, cy, r, angle, angle + sweep, ring, c, edge=st.bg, lw=0.8, z=2)
        angle += sweep
    big = format_value(fig, fig.items[0])
    size = st.big * 0.9
    while cv.measure(big, size, bold=True) > 2 * (r - ring) - 3 and size > 10:
        size -= 1
    cv.text_mid(cx, cy, big, size=size, bold=True, color=st.ink, ha="center")


def _donut_parts(cv: Canvas, fig: Figure, r, ring, gap, total, colors) -> None:
    """Several parts: beside the ring a key of swatch, label and value per part, one row each
    (labels wrap in their column), the ring and the key centred on each other and the page."""
    st = cv.style
    values = [format_value(fig, it) for it in fig.items]
    vw = max(cv.measure(v, st.value, bold=True) for v in values)
    room = cv.width - 2 * r - gap - 6.0 - vw - 4.0
    label_w = min(max(cv.measure(it.label) for it in fig.items), room, 72.0)
    rows = []
    for i, it in enumerate(fig.items):
        lines = cv.wrap(it.label, label_w, bold=i == 0)
        rows.append((lines, max(cv.block_height(lines), cv.lead(st.value))))
    key_h = sum(h for _, h in rows) + 2.2 * (len(rows) - 1)
    width = 6.0 + label_w + 4.0 + vw
    group = 2 * r + gap + width
    cx = max((cv.width - group) / 2, 0.0) + r
    cy = TOP + 1.0 + max(r, key_h / 2)
    _ring(cv, fig, cx, cy, r, ring, total, colors)
    x = cx + r + gap
    y = cy - key_h / 2
    for i, ((lines, h), value, c) in enumerate(zip(rows, values, colors, strict=False)):
        sw = 3.4
        cv.rect(x, y + cv.lead() / 2 - sw / 2, sw, sw, c)
        lead = i == 0
        cv.text(x + 6.0, y, lines, bold=lead, color=st.dark if lead else st.fg)
        cv.text(x + width, y, value, size=st.value, bold=True, color=st.readable(c), ha="right")
        y += h + 2.2


def _stat_parts(fig: Figure, it) -> tuple[str, str, str]:
    """(prefix, number, unit) of a callout: '约' small, the digits big, the unit smaller."""
    unit = item_unit(fig, it)
    num = number(it.value) if it.value is not None else ""
    if it.high is not None:  # one unit for the range keeps the digits the same size: 96–97%
        num = f"{num}–{number(it.high)}"
    # the locale's approximate marker before the digits ('约' / 'about ')
    prefix = get_locale(fig.lang).t("approx", text="\0").split("\0")[0] if it.approx else ""
    return prefix, num, unit


def _affix_gap(cv: Canvas, left: str, right: str, small: float, fig: Figure, unit: bool) -> float:
    """mm between two runs of a callout set in different sizes, by the rules prose and every
    chart follow: a word space before a worded unit where the locale spaces units ("1.20
    percentage points", figdata.format_number), the quarter-em CJK–Latin gap where Han meets a
    digit ("约 1.20", "1.20 个百分点", linebreak.cjk_latin_spaced), else none ("11.0%")."""
    if not left or not right or left.endswith(" "):
        return 0.0  # nothing beside it, or the prefix ("about ") brings its own space
    if unit and format_number(Decimal(1), right, lang=fig.lang).startswith("1 "):
        return cv.measure(" ", small, bold=True)
    pair = left[-1] + right[0]
    return 0.25 * small * MM_PER_PT if cjk_latin_spaced(pair) != pair else 0.0


def stat(cv: Canvas, fig: Figure) -> None:
    st = cv.style
    n = len(fig.items)
    cols = n if n <= 4 else math.ceil(n / math.ceil(n / 4))  # 5 → 3+2, 6 → 3+3, 7 → 4+3
    gap, pad, bar = 4.0, 4.0, 1.5
    tw = (cv.width - gap * (cols - 1)) / cols
    inner = tw - 2 * pad - bar
    parts = [_stat_parts(fig, it) for it in fig.items]

    def gaps(small: float, pre: str, num: str, unit: str) -> tuple[float, float]:
        return (
            _affix_gap(cv, pre, num, small, fig, unit=False),
            _affix_gap(cv, num, unit, small, fig, unit=True),
        )

    def width(size: float, pre: str, num: str, unit: str) -> float:
        small = size * AFFIX
        return (
            cv.measure(pre, small, bold=True)
            + cv.measure(num, size, bold=True)
            + cv.measure(unit, small, bold=True)
            + sum(gaps(small, pre, num, unit))
        )

    # one size for every callout, so no number looks more important than another by accident
    size = st.big
    while size > 12 and any(width(size, *p) > inner for p in parts):
        size -= 0.5
    small = size * AFFIX
    big_h = size * 1.1 * MM_PER_PT
    y = TOP
    for r0 in range(0, n, cols):
        row = list(zip(fig.items[r0 : r0 + cols], parts[r0 : r0 + cols], strict=True))
        labels = [cv.wrap(it.label, inner) for it, _ in row]
        label_h = max(cv.block_height(lb) for lb in labels)
        tile_h = pad + big_h + 2.5 + label_h + pad
        for k, ((_it, (pre, num, unit)), label) in enumerate(zip(row, labels, strict=True)):
            x = k * (tw + gap)
            cv.rect(x, y, tw, tile_h, st.panel)
            cv.rect(x, y, bar, tile_h, st.primary)
            tx = x + bar + pad
            base = y + pad + 0.88 * size * MM_PER_PT  # big digits and small affixes share it
            before, after = gaps(small, pre, num, unit)
            if pre:
                cv.baseline_text(tx, base, pre, size=small, bold=True, color=st.ink)
                tx += cv.measure(pre, small, bold=True) + before
            cv.baseline_text(tx, base, num, size=size, bold=True, color=st.ink)
            tx += cv.measure(num, size, bold=True) + after
            if unit:
                cv.baseline_text(tx, base, unit, size=small, bold=True, color=st.ink)
            cv.text(x + bar + pad, y + pad + big_h + 2.5, label, color=st.fg)
        y += tile_h + gap
