"""Diagrams from structured data: chevrons, stage ladder, layered architecture, comparison."""

from __future__ import annotations

from reportbuild.charts.canvas import Canvas
from reportbuild.charts.style import mix
from reportbuild.model import Figure, Group

TOP = 1.0


def chips(
    cv: Canvas,
    items: list[str] | tuple[str, ...],
    x: float,
    y: float,
    width: float,
    fill: str | None = None,
    edge: str | None = None,
    color: str | None = None,
    size: float | None = None,
    draw: bool = True,
    gap: float = 1.4,
    grid: bool = False,
) -> float:
    """Item boxes flowed left to right, wrapping; a chip wider than the line wraps its text.

    With `grid`, the boxes are equal cells filling the width, as many per row as fit.

    Returns the height used (nothing is drawn with draw=False: a measuring pass).
    """
    st = cv.style
    size = size or st.small
    fill = fill if fill is not None else st.bg
    edge = edge if edge is not None else st.rule
    padx, pady = 1.6, 0.7
    pitch = cv.lead(size, 1.3)
    if grid and items:
        return _chip_grid(cv, items, x, y, width, fill, edge, color or st.fg, size, draw, gap)
    cx, cy, row_h = x, y, 0.0
    for it in items:
        natural = cv.measure(it, size) + 2 * padx
        if natural <= width:
            lines, w = [it], natural
        else:
            lines = cv.wrap(it, width - 2 * padx, size=size)
            w = width
        h = len(lines) * pitch + 2 * pady
        if cx > x and cx + w > x + width + 0.01:
            cx, cy, row_h = x, cy + row_h + gap, 0.0
        if draw:
            cv.rect(cx, cy, w, h, fill, edge=edge, lw=0.5, radius=0.9, z=2)
            cv.text(
                cx + w / 2, cy + pady, lines, size=size, color=color or st.fg, ha="center", lh=1.3
            )
        cx += w + gap
        row_h = max(row_h, h)
    return cy + row_h - y if items else 0.0


CHIP_PADX, CHIP_PADY, CHIP_LH = 1.6, 0.7, 1.3


def _chip_grid(cv, items, x, y, width, fill, edge, color, size, draw, gap) -> float:
    n = len(items)
    need = max(cv.measure(it, size) for it in items) + 2 * CHIP_PADX + 0.2
    cols = max(1, min(n, int((width + gap) // (need + gap))))
    rows = -(-n // cols)
    cols = -(-n // rows)  # as even as the row count allows: 7 items → 4 + 3, not 6 + 1
    cell = (width - gap * (cols - 1)) / cols
    pitch = cv.lead(size, CHIP_LH)
    laid = [cv.wrap(it, cell - 2 * CHIP_PADX, size=size) for it in items]
    h_total = 0.0
    for r in range(rows):
        row = laid[r * cols : (r + 1) * cols]
        h = max(len(lines) for lines in row) * pitch + 2 * CHIP_PADY
        if draw:
            for k, lines in enumerate(row):
                cx = x + k * (cell + gap)
                cy = y + h_total
                cv.rect(cx, cy, cell, h, fill, edge=edge, lw=0.5, radius=0.9, z=2)
                ty = cy + (h - len(lines) * pitch) / 2
                cv.text(cx + cell / 2, ty, lines, size=size, color=color, ha="center", lh=CHIP_LH)
        h_total += h + gap
    return h_total - gap


def bullets(
    cv: Canvas,
    points: list[str] | tuple[str, ...],
    x: float,
    y: float,
    width: float,
    size: float | None = None,
    color: str | None = None,
    dot: str | None = None,
    draw: bool = True,
) -> float:
    """A bulleted list; returns its height."""
    st = cv.style
    size = size or st.small
    indent = 2.6
    h = 0.0
    for p in points:
        lines = cv.wrap(p, width - indent, size=size, balance=False)
        if draw:
            r = 0.55
            cy = y + h + cv.lead(size) / 2
            cv.rect(x + 0.3, cy - r, 2 * r, 2 * r, dot or st.secondary, radius=r)
            cv.text(x + indent, y + h, lines, size=size, color=color or st.fg)
        h += cv.block_height(lines, size) + 0.9
    return max(h - 0.9, 0.0)


# ── process ───────────────────────────────────────────────────────────────


def process(cv: Canvas, fig: Figure) -> None:
    st = cv.style
    n = len(fig.steps)
    gap, tip = 1.2, 4.0
    cw = (cv.width - (n - 1) * gap) / n
    colors = [mix(st.secondary, st.primary, i / max(n - 1, 1)) for i in range(n)]
    tsize = st.heading
    titles = [cv.wrap(s.title, cw - 2 * tip - 2, size=tsize, bold=True) for s in fig.steps]
    if max(len(t) for t in titles) > 2:  # narrow chevrons: smaller titles beat four-line stacks
        tsize = st.size
        titles = [cv.wrap(s.title, cw - 2 * tip - 2, size=tsize, bold=True) for s in fig.steps]
    ch = max(11.0, max(cv.block_height(t, tsize, 1.3) for t in titles) + 4.0)
    y = TOP
    for i, (t, c) in enumerate(zip(titles, colors, strict=True)):
        x = i * (cw + gap)
        left_in = 0.0 if i == 0 else tip
        right = x + cw + (0 if i == n - 1 else tip - gap)  # the point reaches into the gap
        pts = [
            (x, y),
            (right - tip, y),
            (right, y + ch / 2),
            (right - tip, y + ch),
            (x, y + ch),
            (x + left_in, y + ch / 2),
        ]
        if i == n - 1:
            pts = [(x, y), (x + cw, y), (x + cw, y + ch), (x, y + ch), (x + left_in, y + ch / 2)]
        cv.poly(pts, c)
        cv.text_mid(
            x + left_in / 2 + cw / 2,  # centred between the notch and the point
            y + ch / 2,
            t,
            size=tsize,
            bold=True,
            color=st.on(c),
            ha="center",
            lh=1.3,
        )
    y += ch + 3.0
    texts = [cv.wrap(s.text, cw - 2.0) if s.text else [] for s in fig.steps]
    th = max(cv.block_height(t) for t in texts) if any(texts) else 0.0
    for i, t in enumerate(texts):
        if t:
            cv.text(i * (cw + gap) + 1.0, y, t, color=st.fg)
    y += th
    if fig.example:
        y += 5.0
        lab = fig.example.title
        cv.text(0, y, lab, size=st.size, bold=True, color=st.readable(st.accent))
        lw = cv.measure(lab, st.size, bold=True) + 2.5
        mid = y + cv.lead(st.size) / 2
        cv.line(lw, mid, cv.width, mid, st.rule, lw=0.6)
        y += cv.lead(st.size) + 1.5
        pad = 2.0
        blocks = []
        for ex in fig.example.steps:
            tl = cv.wrap(ex.title, cw - 2 * pad, bold=True)
            bl = cv.wrap(ex.text, cw - 2 * pad, size=st.small) if ex.text else []
            blocks.append((tl, bl))
        bh = (
            max(
                cv.block_height(t) + (1.0 + cv.block_height(b, st.small) if b else 0)
                for t, b in blocks
            )
            + 2 * pad
        )
        for i, (tl, bl) in enumerate(blocks):
            x = i * (cw + gap)
            cv.rect(x, y, cw, bh, st.panel, edge=None)
            cv.rect(x, y, cw, 0.9, mix(st.accent, st.bg, 0.15))
            h = cv.text(x + pad, y + pad, tl, bold=True, color=st.dark)
            if bl:
                cv.text(x + pad, y + pad + h + 1.0, bl, size=st.small, color=st.fg)


# ── ladder ────────────────────────────────────────────────────────────────


def ladder(cv: Canvas, fig: Figure) -> None:
    st = cv.style
    n = len(fig.stages)
    gap, pad, rise = 2.0, 2.5, 7.0
    cw = (cv.width - (n - 1) * gap) / n
    inner = cw - 2 * pad
    current = set(fig.current)

    def fill_of(i: int, sid: str) -> str:
        if current:
            return st.primary if sid in current else mix(st.primary, st.bg, 0.82)
        return mix(st.primary, st.bg, 0.6 * (1 - i / max(n - 1, 1)))

    heads = []
    for s in fig.stages:
        t = cv.wrap(s.title, inner, size=st.heading + 1, bold=True)
        h = cv.wrap(s.headline, inner, size=st.small) if s.headline else []
        heads.append((t, h))
    head_h = (
        max(
            cv.block_height(t, st.heading + 1, 1.3)
            + (1.0 + cv.block_height(h, st.small) if h else 0)
            for t, h in heads
        )
        + 2 * pad
    )

    def body_height(s) -> float:
        h = 0.0
        if s.points:
            h += bullets(cv, s.points, 0, 0, inner, draw=False) + 2.5
        if s.tags:
            h += chips(cv, s.tags, 0, 0, inner, draw=False) + 2.5
        if s.examples:
            h += cv.lead(st.small) + chips(cv, s.examples, 0, 0, inner, draw=False) + 2.5
        return h

    tops = [TOP + (n - 1 - i) * rise for i in range(n)]
    bottom = max(tops[i] + head_h + pad + body_height(s) for i, s in enumerate(fig.stages)) + pad
    for i, (s, (t, h)) in enumerate(zip(fig.stages, heads, strict=True)):
        x = i * (cw + gap)
        y = tops[i]
        fill = fill_of(i, s.id)
        on = st.on(fill)
        cv.rect(x, y + head_h, cw, bottom - y - head_h, st.panel)  # the riser: body of the step
        cv.rect(x, y, cw, head_h, fill)
        hh = cv.text(x + pad, y + pad, t, size=st.heading + 1, bold=True, color=on, lh=1.3)
        if h:
            cv.text(x + pad, y + pad + hh + 1.0, h, size=st.small, color=on)
        yy = y + head_h + pad
        if s.points:
            yy += (
                bullets(
                    cv,
                    s.points,
                    x + pad,
                    yy,
                    inner,
                    dot=fill if s.id in current or not current else st.muted,
                )
                + 2.5
            )
        if s.tags:
            yy += (
                chips(
                    cv,
                    s.tags,
                    x + pad,
                    yy,
                    inner,
                    fill=st.bg,
                    edge=st.secondary,
                    color=st.readable(st.secondary),
                )
                + 2.5
            )
        if s.examples:
            cv.text(x + pad, yy, "案例", size=st.small, bold=True, color=st.muted)
            yy += cv.lead(st.small)
            yy += chips(cv, s.examples, x + pad, yy, inner) + 2.5


# ── layers ────────────────────────────────────────────────────────────────


def _group_height(cv: Canvas, g: Group, w: float, pad: float) -> float:
    st = cv.style
    h = pad
    if g.title:
        t = cv.wrap(g.title, w - 2 * pad, size=st.small, bold=True)
        h += cv.block_height(t, st.small) + 1.0
    return h + chips(cv, g.items, 0, 0, w - 2 * pad, draw=False, grid=True) + pad


def _group_floor(cv: Canvas, g: Group, pad: float) -> float:
    """The narrowest a group box may be: its title on one line, and four characters a line."""
    st = cv.style
    four = cv.measure("字" * 4, st.small) + 2 * CHIP_PADX + 0.5
    return max(four, cv.measure(g.title, st.small, bold=True)) + 2 * pad


def _chip_floor(cv: Canvas, g: Group, pad: float) -> float:
    widest = max((cv.measure(x, cv.style.small) for x in g.items), default=0.0)
    return widest + 2 * CHIP_PADX + 0.5 + 2 * pad


def _share_widths(
    cv: Canvas, groups: list[Group], avail: float, gap: float, pad: float
) -> list[float]:
    """Widths for a row of group boxes that make the row as low as possible (all fit `avail`)."""
    total = avail - gap * (len(groups) - 1)
    floors = [_group_floor(cv, g, pad) for g in groups]
    if sum(floors) > total:  # more groups than the row can hold: equal shares
        return [total / len(groups)] * len(groups)
    # where the row allows, no item is broken over two lines
    whole = [max(f, _chip_floor(cv, g, pad)) for g, f in zip(groups, floors, strict=True)]
    if sum(whole) <= total:
        floors = whole

    def width_for(g: Group, floor: float, height: float) -> float:
        lo, hi = floor, total
        if _group_height(cv, g, hi, pad) > height:
            return hi
        for _ in range(14):
            mid = (lo + hi) / 2
            if _group_height(cv, g, mid, pad) <= height:
                hi = mid
            else:
                lo = mid
        return hi

    lo = max(_group_height(cv, g, total, pad) for g in groups)
    hi = max(_group_height(cv, g, f, pad) for g, f in zip(groups, floors, strict=True))
    best = floors
    for _ in range(16):  # the lowest row height whose widths still fit
        mid = (lo + hi) / 2
        ws = [width_for(g, f, mid) for g, f in zip(groups, floors, strict=True)]
        if sum(ws) <= total:
            best, hi = ws, mid
        else:
            lo = mid
    spare = total - sum(best)  # hand out what is left in proportion, so the row is full
    return [w + spare * w / sum(best) for w in best]


def layers(cv: Canvas, fig: Figure) -> None:
    st = cv.style
    gap, pad = 1.8, 2.0
    side_w = 0.0
    if fig.sides:
        widest = max(
            [cv.measure(x, st.small) + 3.2 for g in fig.sides for x in g.items]
            + [cv.measure(g.title, st.heading, bold=True) * 0.6 for g in fig.sides]
        )
        side_w = min(max(widest + 2 * pad, 22.0), 36.0)
    main_w = cv.width - len(fig.sides) * (side_w + gap)
    # the title column fits the longest layer name on one line, up to about seven characters
    seven = cv.measure("字" * 7, st.heading, bold=True)
    names = max(min(cv.measure(la.title, st.heading, bold=True), seven) for la in fig.layers)
    title_w = max(names + 2 * pad + 0.5, 18.0)
    avail = main_w - title_w - gap
    y0 = TOP
    y = y0
    for layer in fig.layers:
        groups = list(layer.groups)
        if layer.items or not groups:
            groups.append(Group(title="", items=layer.items))
        widths = _share_widths(cv, groups, avail, gap, pad)
        hs = [_group_height(cv, g, w, pad) for g, w in zip(groups, widths, strict=True)]
        tl = cv.wrap(layer.title, title_w - 2 * pad, size=st.heading, bold=True)
        sub = cv.wrap(layer.text, title_w - 2 * pad, size=st.small) if layer.text else []
        sub_h = cv.block_height(sub, st.small) + 0.8 if sub else 0
        th = cv.block_height(tl, st.heading, 1.3) + sub_h + 2 * pad
        row_h = max(max(hs), th, 12.0)
        fill = st.primary
        ink = st.on(fill)
        cv.rect(0, y, title_w, row_h, fill)
        ty = y + (row_h - th) / 2 + pad
        hh = cv.text(
            title_w / 2, ty, tl, size=st.heading, bold=True, color=ink, ha="center", lh=1.3
        )
        if sub:
            cv.text(title_w / 2, ty + hh + 0.8, sub, size=st.small, color=ink, ha="center")
        x = title_w + gap
        for g, w in zip(groups, widths, strict=True):
            cv.rect(x, y, w, row_h, st.panel)
            yy = y + pad
            if not g.title:  # a plain row of items sits in the middle of its band
                yy = y + (row_h - _group_height(cv, g, w, pad)) / 2 + pad
            if g.title:
                t = cv.wrap(g.title, w - 2 * pad, size=st.small, bold=True)
                yy += cv.text(x + pad, yy, t, size=st.small, bold=True, color=st.ink) + 1.0
            chips(cv, g.items, x + pad, yy, w - 2 * pad, grid=True)
            x += w + gap
        y += row_h + gap
    bottom = y - gap
    titles = [
        cv.wrap(side.title, side_w - 2 * pad, size=st.heading, bold=True) for side in fig.sides
    ]
    head_h = max((cv.block_height(t, st.heading, 1.3) for t in titles), default=0.0) + 2 * pad
    for k, (side, t) in enumerate(zip(fig.sides, titles, strict=True)):
        x = main_w + gap + k * (side_w + gap)
        yy = y0 + head_h + pad
        yy += chips(cv, side.items, x + pad, yy, side_w - 2 * pad, grid=True) + 1.4
        # the side column spans all layers; if it is the taller, the figure grows with it
        cv.rect(x, y0, side_w, max(bottom, yy + pad - 1.4) - y0, st.panel, z=0.5)
        cv.rect(x, y0, side_w, head_h, st.secondary)
        ink = st.on(st.secondary)
        cv.text_mid(
            x + side_w / 2,
            y0 + head_h / 2,
            t,
            size=st.heading,
            bold=True,
            color=ink,
            ha="center",
            lh=1.3,
        )


# ── comparison ────────────────────────────────────────────────────────────


def _as_grid(cv: Canvas, items: tuple[str, ...], width: float) -> bool:
    """A short list that fits one line stays a line of tags; a longer one becomes a tidy grid."""
    natural = sum(cv.measure(it, cv.style.small) + 2 * CHIP_PADX + 1.4 for it in items)
    return natural > width


def comparison(cv: Canvas, fig: Figure) -> None:
    st = cv.style
    n = len(fig.columns)
    gap, pad = 4.0, 3.0
    cw = (cv.width - (n - 1) * gap) / n
    inner = cw - 2 * pad
    if n == 2:  # two alternatives: two distinct brand colours
        colors = [st.primary, st.secondary]
    else:  # several columns read left to right: one hue deepening
        colors = [mix(st.secondary, st.primary, i / max(n - 1, 1)) for i in range(n)]
    heads, bodies = [], []
    for c in fig.columns:
        t = cv.wrap(c.title, inner, size=st.heading + 1, bold=True)
        s = cv.wrap(c.subtitle, inner, size=st.small) if c.subtitle else []
        heads.append((t, s))
        b = cv.wrap(c.text, inner, balance=False) if c.text else []
        bh = (
            cv.block_height(b)
            + (2.0 if b and c.items else 0)
            + chips(cv, c.items, 0, 0, inner, draw=False, grid=_as_grid(cv, c.items, inner))
        )
        bodies.append((b, bh))

    def head_height(t: list[str], s: list[str]) -> float:
        return cv.block_height(t, st.heading + 1, 1.3) + (
            cv.block_height(s, st.small) + 0.6 if s else 0
        )

    head_h = max(head_height(t, s) for t, s in heads) + 2 * pad
    tallest = max(bh for _, bh in bodies)
    body_h = tallest + 2 * pad if tallest else 0.0
    y = TOP
    for i, (c, (t, s), (b, bh), col) in enumerate(
        zip(fig.columns, heads, bodies, colors, strict=True)
    ):
        x = i * (cw + gap)
        # a column with nothing under its title is all title: the block fills the column
        block = head_h if bh else head_h + body_h
        cv.rect(x, y, cw, block, col)
        ty = y + (block - head_height(t, s)) / 2
        ink = st.on(col)
        h1 = cv.text(
            x + cw / 2, ty, t, size=st.heading + 1, bold=True, color=ink, ha="center", lh=1.3
        )
        if s:
            cv.text(x + cw / 2, ty + h1 + 0.6, s, size=st.small, color=ink, ha="center")
        if not bh:
            continue
        cv.rect(x, y + head_h, cw, body_h, st.panel)
        yy = y + head_h + pad
        if b:
            yy += cv.text(x + pad, yy, b, color=st.fg) + (2.0 if c.items else 0)
        grid = _as_grid(cv, c.items, inner)
        chips(cv, c.items, x + pad, yy, inner, edge=mix(col, st.bg, 0.5), grid=grid)
    y += head_h + body_h
    if fig.footer:
        y += 4.0
        f = fig.footer
        # arrows from every column down into the shared band
        for i in range(n):
            cx = i * (cw + gap) + cw / 2
            cv.poly([(cx - 2.2, y - 3.2), (cx + 2.2, y - 3.2), (cx, y - 0.6)], st.muted)
        tw = min(max(cv.measure(f.title, st.size, True) + 2 * pad, 30.0), cv.width * 0.4)
        tl = cv.wrap(f.title, tw - 2 * pad, bold=True)
        ch = chips(cv, f.items, 0, 0, cv.width - tw - 2 * pad, draw=False)
        fh = max(cv.block_height(tl), ch) + 2 * pad
        cv.rect(0, y, cv.width, fh, st.panel)
        cv.rect(0, y, tw, fh, st.dark)
        cv.text_mid(tw / 2, y + fh / 2, tl, bold=True, color=st.on(st.dark), ha="center")
        chips(cv, f.items, tw + pad, y + (fh - ch) / 2, cv.width - tw - 2 * pad, fill=st.bg)
