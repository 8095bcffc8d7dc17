"""The diagram figures drawn as native shapes: layers, process chevrons and side-by-side columns."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pptx.enum.shapes import MSO_SHAPE

from reportbuild import linebreak, model
from reportbuild.deck import measure
from reportbuild.deck.charts import mix
from reportbuild.deck.layout import Box, Overflow, SlideCtx

GAP = 8.0
SIZES = (16.0, 15.0, 14.0, 13.0, 12.0, 11.0)  # 11 pt: a dense diagram on a smaller master
FLOOR = 11.0


def chip_size(size: float) -> float:
    return max(FLOOR, size - 1)


# ── chips: short labels flowed into rows ────────────────────────────────────


@dataclass(frozen=True)
class ChipFlow:
    size: float
    height: float
    places: list[tuple[str, Box]]


CHIP_PAD_X, CHIP_PAD_Y, CHIP_GAP = 7.0, 2.5, 4.0


def chip_flow(ctx: SlideCtx, items: tuple[str, ...], width: float, size: float) -> ChipFlow:
    """Chips in rows within `width`, relative to (0, 0); a chip wider than the row is clipped
    to the row and its text wraps."""
    fam = ctx.style.body_family
    line = size * 1.25
    x = y = 0.0
    row_h = 0.0
    places: list[tuple[str, Box]] = []
    for it in items:
        w = min(width, measure.text_width(it, fam, size) / measure.WIDTH_SLACK + 2 * CHIP_PAD_X + 2)
        lines = len(measure.wrap((measure.Run(it),), fam, size, w - 2 * CHIP_PAD_X))
        h = lines * line + 2 * CHIP_PAD_Y
        if x > 0 and x + w > width + 0.01:
            x, y = 0.0, y + row_h + CHIP_GAP
            row_h = 0.0
        places.append((it, Box(x, y, w, h)))
        x += w + CHIP_GAP
        row_h = max(row_h, h)
    return ChipFlow(size, y + row_h if places else 0.0, places)


def draw_chips(
    ctx: SlideCtx, name: str, flow: ChipFlow, at: tuple[float, float], fill: str, color: str
) -> None:
    for i, (it, b) in enumerate(flow.places):
        box = Box(at[0] + b.x, at[1] + b.y, b.w, b.h)
        p = ctx.style.p(it, flow.size, color=color, line=1.25, align="center")
        ctx.text(
            f"{name} {i + 1}",
            box,
            [p],
            fill=fill,
            pad=(CHIP_PAD_X, CHIP_PAD_Y),
            anchor="middle",
            min_scale=1.0,
        )


# ── layers ──────────────────────────────────────────────────────────────────


def _cells_fit(ctx: SlideCtx, items: tuple[str, ...], width: float, size: float) -> float | None:
    """Height of one row of equal cells holding `items` (≤ 2 lines each), or None."""
    n = len(items)
    cw = (width - GAP * (n - 1)) / n
    h = 0.0
    for it in items:
        lines = measure.wrap((measure.Run(it),), ctx.style.body_family, size, cw - 16)
        if len(lines) > 2:
            return None
        h = max(h, len(lines) * size * 1.3)
    return h + 16


def _group_head(ctx: SlideCtx, g: model.Group, width: float, size: float) -> float:
    """The height of a group's title band: its lines as measured in the group's width."""
    if not g.title:
        return 0.0
    para = ctx.style.p(g.title, size, bold=True, line=1.3)
    return measure.block_height([para], width - 16) + 4


def _group_need(ctx: SlideCtx, g: model.Group, width: float, size: float) -> float:
    head = _group_head(ctx, g, width, size)
    cols = _group_paras(ctx, g, size, width - 16)
    cw = (width - 16 - 8 * (len(cols) - 1)) / len(cols)
    body = max(measure.block_height(c, cw - 4) for c in cols) + 4
    return head + body + 16


def _group_paras(
    ctx: SlideCtx, g: model.Group, size: float, width: float
) -> list[list[measure.Para]]:
    """A group's items as a little list in as many columns as the widest item allows:
    denser than chips, and no item is broken across lines."""
    size = chip_size(size)
    fam = ctx.style.body_family
    widest = (
        max(
            (measure.text_width(it, fam, size) / measure.WIDTH_SLACK for it in g.items), default=0.0
        )
        + 10
    )
    ncol = max(1, min(len(g.items), int((width + 8) // (widest + 8))))
    nrow = math.ceil(len(g.items) / max(1, ncol))
    cols = [g.items[i * nrow : (i + 1) * nrow] for i in range(ncol)]
    return [[ctx.style.p(it, size, line=1.35) for it in col] for col in cols if col]


def _group_widths(groups: tuple[model.Group, ...], width: float) -> list[float]:
    # room in proportion to what a group holds, so that long lists do not stack up in a sliver
    weights = [sum(len(i) + 2 for i in g.items) + len(g.title) + 6 for g in groups]
    if all(len(g.items) <= 1 for g in groups):
        weights = [1.0] * len(groups)  # one line each: a row of equal cells reads as a framework
    free = width - GAP * (len(groups) - 1)
    return [free * w / sum(weights) for w in weights]


def _layer_need(ctx: SlideCtx, layer: model.Layer, width: float, size: float) -> float:
    if layer.groups:
        return max(
            _group_need(ctx, g, w, size)
            for g, w in zip(layer.groups, _group_widths(layer.groups, width), strict=True)
        )
    items = layer.items or ((layer.text,) if layer.text else ())
    if not items:
        return size * 2
    cells = _cells_fit(ctx, items, width, size) if len(items) <= 6 else None
    if cells is not None:
        return cells
    return chip_flow(ctx, items, width - 16, chip_size(size)).height + 16


def layers(ctx: SlideCtx, box: Box, fig: model.Figure) -> None:
    """Stacked layers, a title cell on the left of each; side columns (if any) on the right."""
    st = ctx.style
    label_w = (
        150.0
        if any(len(ly.title) > 8 for ly in fig.layers)
        else 118.0
        if any(len(ly.title) > 4 for ly in fig.layers)
        else 84.0
    )
    n = len(fig.layers)

    def plan(sides: tuple, gap: float = GAP) -> tuple[float, Box, float, list[float]] | None:
        """(side width, main box, size, each layer's height) of the largest size that fits
        with `gap` between the layers."""
        side_w = min(108.0, box.w * 0.13) if sides else 0.0
        main = Box(box.x, box.y, box.w - len(sides) * (side_w + GAP), box.h)
        content_w = main.w - label_w - GAP
        for size in SIZES:
            needs = [
                max(
                    _layer_need(ctx, ly, content_w, size),
                    measure.block_height(
                        [st.p(ly.title, size, bold=True, align="center", line=1.3)], label_w - 16
                    )
                    + 8,  # the title cell's padding
                )
                for ly in fig.layers
            ]
            if sum(needs) + gap * (n - 1) <= main.h:
                return side_w, main, size, needs
        return None

    sides = fig.sides
    row_gap = GAP
    got = plan(sides)
    if got is None and sides:
        # the side columns go to the speaker notes before the layers fail the slide
        got = plan(())
        if got is None:  # and the layers close up (half the gap) before that
            row_gap = GAP / 2
            got = plan((), row_gap)
        if got is not None:
            sep, label = ctx.loc.t("sep.list"), ctx.loc.t("sep.label")
            ctx.spilled.extend(f"{sd.title}{label}{sep.join(sd.items)}" for sd in sides)
            ctx.log.append(
                {
                    "slide": ctx.number,
                    "shape": f"Diagram {fig.id}",
                    "message": f"the side columns of '{fig.id}' moved to the speaker notes: "
                    "the layers need the slide's width; shorten the items",
                }
            )
            sides = ()
    if got is None:
        raise Overflow(
            f"Diagram {fig.id}",
            f"the layers of '{fig.id}' do not fit the slide even at {SIZES[-1]:g} pt; "
            "use a 16:9 template, shorten the items or drop the slide",
        )
    side_w, main, size, needs = got
    content_w = main.w - label_w - GAP
    extra = (main.h - sum(needs) - row_gap * (n - 1)) / n
    extra = min(extra, 40.0)
    y = main.y
    used_h = sum(needs) + extra * n + row_gap * (n - 1)
    box = Box(box.x, box.y, box.w, used_h)  # side columns as tall as the layers
    for i, (ly, need) in enumerate(zip(fig.layers, needs, strict=True)):
        h = need + extra
        row = Box(main.x, y, main.w, h)
        tone = st.primary if i % 2 == 0 else mix(st.primary, st.secondary, 0.55)
        ctx.text(
            f"Layer {i + 1} title",
            Box(row.x, row.y, label_w, h),
            [st.p(ly.title, size, bold=True, color="#FFFFFF", align="center", line=1.3)],
            fill=tone,
            anchor="middle",
            pad=(8, 4),
        )
        area = Box(row.x + label_w + GAP, row.y, content_w, h)
        _layer_body(ctx, f"Layer {i + 1}", area, ly, size)
        y += h + row_gap
    for j, side in enumerate(sides):
        sx = main.right + GAP + j * (side_w + GAP)
        sbox = Box(sx, box.y, side_w, box.h)
        ctx.shape(f"Side {j + 1}", sbox, mix(st.light, "#FFFFFF", 0.3), line=st.light)
        head_h = size * 1.3 * 2 + 10
        ctx.text(
            f"Side {j + 1} title",
            Box(sx, box.y, side_w, head_h),
            [st.p(side.title, size, bold=True, color="#FFFFFF", align="center", line=1.3)],
            fill=st.secondary,
            anchor="middle",
            pad=(6, 4),
        )
        inner = Box(sx + 6, box.y + head_h + 6, side_w - 12, box.h - head_h - 12)
        n_items = len(side.items)
        per = min(inner.h / max(1, n_items), chip_size(size) * 1.3 * 2 + 6)
        paras = [st.p(it, chip_size(size), line=1.3, align="center") for it in side.items]
        for k, p in enumerate(paras):
            ctx.text(
                f"Side {j + 1} item {k + 1}",
                Box(inner.x, inner.y + k * per, inner.w, per - 3),
                [p],
                fill="#FFFFFF",
                anchor="middle",
                pad=(4, 1),
            )


def _layer_body(ctx: SlideCtx, name: str, area: Box, ly: model.Layer, size: float) -> None:
    st = ctx.style
    panel = mix(st.light, "#FFFFFF", 0.35)
    if ly.groups:
        x = area.x
        for k, (g, w) in enumerate(zip(ly.groups, _group_widths(ly.groups, area.w), strict=True)):
            gb = Box(x, area.y, w, area.h)
            ctx.shape(f"{name} group {k + 1}", gb, panel, line=st.light)
            head = 0.0
            if g.title:
                head = _group_head(ctx, g, gb.w, size)
                ctx.text(
                    f"{name} group {k + 1} title",
                    Box(gb.x + 4, gb.y + 4, gb.w - 8, head + 4),
                    [st.p(g.title, size, bold=True, color=st.primary, line=1.3)],
                    pad=(4, 2),
                )
            inner = Box(gb.x + 8, gb.y + 8 + head, gb.w - 16, gb.h - 16 - head)
            cols = _group_paras(ctx, g, size, inner.w)
            for c, (paras, cb) in enumerate(zip(cols, inner.cols(len(cols), 8), strict=True)):
                ctx.text(f"{name} group {k + 1} list {c + 1}", cb, paras, pad=(2, 2))
            x += w + GAP
        return
    items = ly.items or ((ly.text,) if ly.text else ())
    if not items:
        return
    if len(items) <= 6 and _cells_fit(ctx, items, area.w, size) is not None:
        for k, (it, cb) in enumerate(zip(items, area.cols(len(items), GAP), strict=True)):
            ctx.text(
                f"{name} item {k + 1}",
                cb,
                [st.p(it, size, line=1.3, align="center")],
                fill=panel,
                line=st.light,
                anchor="middle",
                pad=(8, 4),
            )
        return
    ctx.shape(f"{name} panel", area, panel, line=st.light)
    flow = chip_flow(ctx, items, area.w - 16, chip_size(size))
    top = area.y + (area.h - flow.height) / 2
    draw_chips(ctx, f"{name} item", flow, (area.x + 8, top), "#FFFFFF", st.fg)


# ── process ─────────────────────────────────────────────────────────────────


def process(ctx: SlideCtx, box: Box, fig: model.Figure) -> None:
    """Chevrons for the steps, each step's text under it, the worked example as a second row."""
    st = ctx.style
    n = len(fig.steps)
    chev_h = 50.0
    cols = box.cols(n, 6)

    def plan(ex) -> tuple | None:
        """(size, step paragraphs, step height, example paragraphs, example height, total)."""
        sizes = (15.0, 14.0, 13.0, 12.0) if ex else (18.0, 17.0, 16.0, 15.0, 14.0, 13.0, 12.0)
        for size in sizes:
            step_paras = [[st.p(s.text, size, line=1.4)] for s in fig.steps]
            step_h = (
                max(
                    measure.block_height(ps, c.w - 8)
                    for ps, c in zip(step_paras, cols, strict=True)
                )
                + 6
            )
            ex_h, ex_paras = 0.0, []
            if ex:
                ex_paras = [_example_paras(ctx, s, size) for s in ex.steps]
                ex_h = (
                    max(
                        measure.block_height(ps, c.w - 20)
                        for ps, c in zip(ex_paras, cols, strict=True)
                    )
                    + 20
                )
            total = chev_h + 8 + step_h + ((22 + 30 + ex_h) if ex else 0)
            if total <= box.h:
                return size, step_paras, step_h, ex_paras, ex_h, total
        return None

    ex = fig.example
    got = plan(ex)
    if got is None and ex:
        # the worked example goes to the speaker notes before the steps fail the slide
        got = plan(None)
        if got is not None:
            label = ctx.loc.t("sep.label")
            ctx.spilled.append(
                ex.title
                + label
                + ctx.loc.t("sep.list").join(f"{s.title}{label}{s.text}" for s in ex.steps)
            )
            ctx.log.append(
                {
                    "slide": ctx.number,
                    "shape": f"Diagram {fig.id}",
                    "message": f"the example of '{fig.id}' moved to the speaker notes: the "
                    "steps need the slide's height; shorten the step texts",
                }
            )
            ex = None
    if got is None:
        raise Overflow(
            f"Diagram {fig.id}",
            f"the steps of '{fig.id}' do not fit the slide even at 12 pt; "
            "shorten the step texts or drop the slide",
        )
    size, step_paras, step_h, ex_paras, ex_h, total = got
    spare = box.h - total
    step_h += min(spare * 0.3, 20)
    if ex:
        ex_h += min(spare * 0.5, 60)
    y = box.y
    for i, (s, c) in enumerate(zip(fig.steps, cols, strict=True)):
        kind = MSO_SHAPE.PENTAGON if i == 0 else MSO_SHAPE.CHEVRON
        tone = st.primary if i < n - 1 else st.accent
        cb = Box(c.x, y, c.w + (12 if i < n - 1 else 0), chev_h)
        ctx.shape(f"Step {i + 1} arrow", cb, tone, kind=kind)
        inset = chev_h * 0.42
        ctx.text(
            f"Step {i + 1} title",
            Box(c.x + (6 if i == 0 else inset), y, c.w - inset - (6 if i == 0 else 0) + 2, chev_h),
            [st.p(s.title, 17, bold=True, color="#FFFFFF", align="center", line=1.25)],
            anchor="middle",
            pad=(2, 2),
        )
        ctx.text(
            f"Step {i + 1} text", Box(c.x, y + chev_h + 8, c.w, step_h), step_paras[i], pad=(4, 3)
        )
    if not ex:
        return
    ey = y + chev_h + 8 + step_h + 22
    ctx.line("Example rule", box.x, ey - 8, box.right, ey - 8, st.light, 1.0)
    ctx.text(
        "Example title",
        Box(box.x, ey - 4, 200, 30),
        [st.p(ex.title, 16, bold=True, color=st.secondary, line=1.3)],
        pad=(2, 2),
    )
    for i, c in enumerate(cols[: len(ex.steps)]):
        ctx.text(
            f"Example {i + 1}",
            Box(c.x, ey + 30, c.w, ex_h),
            ex_paras[i],
            fill=mix(st.light, "#FFFFFF", 0.3),
            pad=(10, 10),
        )


def _example_paras(ctx: SlideCtx, s: model.Step, size: float) -> list[measure.Para]:
    st = ctx.style
    out = [st.p(s.title, size + 1, bold=True, color=st.secondary, line=1.35, after=3)]
    if s.text:
        out.append(st.p(s.text, size, line=1.4))
    return out


# ── comparison ──────────────────────────────────────────────────────────────


def comparison(ctx: SlideCtx, box: Box, fig: model.Figure) -> None:
    """Columns side by side as cards; a shared footer band below them."""
    st = ctx.style
    foot_h = 0.0
    if fig.footer:
        foot_h = 74.0
    area = Box(box.x, box.y, box.w, box.h - (foot_h + 14 if foot_h else 0))
    cols = area.cols(len(fig.columns), 24)
    # a route without parties of its own is drawn with those of the route beside it
    hub = next((c for c in fig.columns if _is_hub(c)), None)
    members = (hub.text, *hub.items) if hub else ()
    for i, (col, cb) in enumerate(zip(fig.columns, cols, strict=True)):
        _column(ctx, f"Column {i + 1}", cb, col, members)
    if fig.footer:
        fb = Box(box.x, box.bottom - foot_h, box.w, foot_h)
        ctx.shape("Footer band", fb, mix(st.light, "#FFFFFF", 0.2))
        title_w = min(360.0, fb.w * 0.36)
        ctx.text(
            "Footer title",
            Box(fb.x, fb.y, title_w, fb.h),
            [st.p(fig.footer.title, 17, bold=True, color=st.primary, line=1.3)],
            anchor="middle",
            pad=(14, 4),
        )
        items = fig.footer.items
        cells = Box(fb.x + title_w, fb.y + 14, fb.w - title_w - 14, fb.h - 28).cols(len(items), 12)
        for k, (it, c) in enumerate(zip(items, cells, strict=True)):
            ctx.text(
                f"Footer item {k + 1}",
                c,
                [st.p(it, 16, bold=True, color="#FFFFFF", align="center", line=1.3)],
                fill=st.secondary,
                anchor="middle",
                pad=(6, 2),
            )


def _column(
    ctx: SlideCtx, name: str, cb: Box, col: model.Column, members: tuple[str, ...] = ()
) -> None:
    st = ctx.style
    head_h = 52.0
    ctx.shape(f"{name} card", cb, mix(st.light, "#FFFFFF", 0.4))
    heads = [st.p(col.title, 20, bold=True, color="#FFFFFF", line=1.3, head=True)]
    if col.subtitle:
        heads.append(st.p(col.subtitle, 14, color="#FFFFFF", line=1.3))
        head_h = 72.0
    ctx.text(f"{name} title", cb.top(head_h), heads, fill=st.primary, anchor="middle", pad=(16, 4))
    inner = cb.below(head_h).inset(18, 16)
    if _is_hub(col):
        _hub(ctx, name, inner, col.text, col.items)
        return
    if not col.text and not col.items:
        _ecosystem(ctx, name, inner, route_label(col.title), members)
        return
    y = inner.y
    chips = bool(col.items) and _chips_fit(ctx, col.items, inner.w)
    if col.text:
        paras = [st.p(col.text, 20, line=1.5)]
        reserve = 0.0
        if col.items:
            reserve = 30 + chip_flow(ctx, col.items, inner.w, 18).height if chips else inner.h * 0.4
        # as tall as the text, never past the card: longer text shrinks or fails by name
        h = min(measure.block_height(paras, inner.w - 8) + 10, inner.bottom - y - reserve - 14)
        ctx.text(f"{name} text", Box(inner.x, y, inner.w, h), paras)
        y += h + 14
    if col.items and not chips:
        # long or many items: a list, fitted (and shrunk) like any text
        paras = [st.p(f"• {it}", 17, line=1.45, after=6) for it in col.items]
        ctx.text(f"{name} items", Box(inner.x, y, inner.w, inner.bottom - y), paras)
        return
    if col.items:
        if col.text:  # a described form with its examples
            ctx.text(
                f"{name} items label",
                Box(inner.x, y, inner.w, 26),
                [st.p(ctx.loc.t("case.tag"), 14, bold=True, color=st.secondary, line=1.3)],
                pad=(4, 1),
            )
            y += 30
        flow = chip_flow(ctx, col.items, inner.w, 18)
        if y + flow.height > inner.bottom:
            raise Overflow(
                f"{name} items", f"the items of column '{col.title}' do not fit their card"
            )
        draw_chips(ctx, f"{name} item", flow, (inner.x, y), "#FFFFFF", st.primary)


def _is_hub(col: model.Column) -> bool:
    """A short name with a few one-letter partners: drawn as a bank linked to each partner."""
    return bool(
        col.text and len(col.text) <= 8 and col.items and all(len(i) <= 3 for i in col.items)
    )


def _chips_fit(ctx: SlideCtx, items: tuple[str, ...], width: float) -> bool:
    """Chips suit a few short labels; anything longer reads better as a list."""
    return len(items) <= 6 and all(
        measure.text_width(it, ctx.style.body_family, 18) + 2 * CHIP_PAD_X < width for it in items
    )


def _node(
    ctx: SlideCtx,
    name: str,
    cx: float,
    cy: float,
    r: float,
    text: str,
    fill: str,
    color: str,
    size: float,
):
    box = Box(cx - r, cy - r, 2 * r, 2 * r)
    sh = ctx.shape(name, box, fill, kind=MSO_SHAPE.OVAL)
    if text:
        # the text sits in the circle's inscribed square
        # the text sits in a box within the circle: two short lines are as wide as 0.9 r
        # either side of the centre
        kw, kh = r * 0.9, r * 0.72
        # no word of the label broken (城商|行): the size at which the widest one fits a line
        widest = max(
            measure.text_width(w, ctx.style.body_family, 1.0, True) for w in linebreak.pieces(text)
        )
        size = min(size, max(11.0, (2 * kw - 2) * measure.WIDTH_SLACK / widest - 0.05))
        ctx.text(
            f"{name} label",
            Box(cx - kw, cy - kh, 2 * kw, 2 * kh),
            [ctx.style.p(text, size, bold=True, color=color, align="center", line=1.25)],
            anchor="middle",
            pad=(1, 1),
            floor=FLOOR,
        )
    return sh


def _ring(box: Box, n: int, node_r: float) -> list[tuple[float, float]]:
    """n points on an ellipse filling `box`, clockwise from the upper right: half on the right
    of the centre, half on the left, none straight above or below it, where a wide, low box
    leaves no room between the centre's node and the ring."""
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    rx, ry = box.w / 2 - node_r - 2, box.h / 2 - node_r - 2

    def spread(m: int) -> list[float]:
        return [0.0] if m == 1 else [math.radians(-55 + 110 * j / (m - 1)) for j in range(m)]

    right = (n + 1) // 2
    pts = [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in spread(right)]
    pts += [(cx - rx * math.cos(a), cy + ry * math.sin(a)) for a in reversed(spread(n - right))]
    return pts


def _clear(cx: float, cy: float, pts: list[tuple[float, float]], node_r: float) -> float:
    """How far the centre may reach before it touches a node of the ring (a 6 pt gap kept)."""
    return min((math.hypot(x - cx, y - cy) - node_r - 6 for x, y in pts), default=44.0)


def _hub(ctx: SlideCtx, name: str, box: Box, centre: str, spokes: tuple[str, ...]) -> None:
    """A bank in the middle, each partner linked to it alone."""
    st = ctx.style
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    node_r = min(24.0, box.h / 4)  # a low box flattens the ring, not the partners' circles
    pts = _ring(box, len(spokes), node_r)
    hub_r = min(44.0, box.h / 2, _clear(cx, cy, pts, node_r))
    for k, (x, y) in enumerate(pts):
        ctx.line(f"{name} link {k + 1}", cx, cy, x, y, st.muted, 1.5)
    _node(ctx, f"{name} hub", cx, cy, hub_r, centre, st.primary, "#FFFFFF", 15)
    for k, ((x, y), it) in enumerate(zip(pts, spokes, strict=True)):
        _node(ctx, f"{name} partner {k + 1}", x, y, node_r, it, st.secondary, "#FFFFFF", 15)


def route_label(title: str) -> str:
    """A route's title as the label of its own diagram: its numbering dropped and only its
    first clause kept ('2. 加入联盟平台，实现生态协作' → '加入联盟平台')."""
    text = re.sub(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[.、．:：)）]\s*", "", title)
    return re.split(r"[，,；;：:]", text, maxsplit=1)[0].strip() or title


def _ecosystem(
    ctx: SlideCtx, name: str, box: Box, label: str, members: tuple[str, ...] = ()
) -> None:
    """A route with no items of its own (join a platform): members around a platform, all
    linked. The platform carries the route's label; the members, when a sibling route names
    the bank and its partners, are those same parties (the bank first), now on one platform."""
    st = ctx.style
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    members = members or ("",) * 6
    if box.h < 140:  # too low for named circles: the sibling route names the same parties
        members = ("",) * len(members)
    # named members keep circles their names fit in (a low box flattens the ring instead)
    node_r = min(26.0, box.h / 4) if any(members) else min(20.0, box.h / 6)
    pts = _ring(box, len(members), node_r)
    for k, (x, y) in enumerate(pts):
        ctx.line(f"{name} link {k + 1}", cx, cy, x, y, st.muted, 1.5)
        x2, y2 = pts[(k + 1) % len(pts)]
        ctx.line(f"{name} ring {k + 1}", x, y, x2, y2, mix(st.muted, "#FFFFFF", 0.4), 1.0)
    # the platform: a rounded bar as wide as its label on one line, within reach of the ring
    size = 15.0
    para = st.p(label, size, bold=True, color="#FFFFFF", align="center", line=1.25)
    text_w = measure.text_width(label, st.body_family, size, True) / measure.WIDTH_SLACK
    reach = _clear(cx, cy, pts, node_r)
    half_w = min(max(text_w / 2 + 14, 44.0), max(reach, 30.0), box.w / 2 - 2 * node_r)
    half_h = min(22.0, reach * 0.6)
    plat = Box(cx - half_w, cy - half_h, 2 * half_w, 2 * half_h)
    sh = ctx.shape(f"{name} platform", plat, st.primary, kind=MSO_SHAPE.ROUNDED_RECTANGLE)
    sh.adjustments[0] = 0.5
    ctx.text(f"{name} platform label", plat, [para], anchor="middle", pad=(8, 1))
    for k, ((x, y), it) in enumerate(zip(pts, members, strict=True)):
        bank = any(members) and k == 0
        _node(
            ctx,
            f"{name} member {k + 1}",
            x,
            y,
            node_r,
            it,
            st.primary if bank or (not any(members) and k % 2 == 0) else st.secondary,
            "#FFFFFF",
            15 if len(it) <= 2 else 13,
        )


# ── ladder ──────────────────────────────────────────────────────────────────


def ladder(ctx: SlideCtx, box: Box, fig: model.Figure) -> None:
    """Stages as a staircase rising to the right; the current stages in the accent colour."""
    st = ctx.style
    n = len(fig.stages)
    step = min(36.0, box.h * 0.09)
    head_h = 74.0
    for i, (stage, c) in enumerate(zip(fig.stages, box.cols(n, 10), strict=True)):
        top = c.y + (n - 1 - i) * step
        current = stage.id in fig.current
        tone = st.accent if current else (st.primary if i % 2 == 0 else st.secondary)
        heads = [st.p(stage.title, 20, bold=True, color="#FFFFFF", line=1.25, head=True)]
        if stage.headline:
            heads.append(st.p(stage.headline, 14, color="#FFFFFF", line=1.35, before=2))
        ctx.text(
            f"Stage {i + 1} title",
            Box(c.x, top, c.w, head_h),
            heads,
            fill=tone,
            anchor="middle",
            pad=(12, 4),
        )
        body = Box(c.x, top + head_h, c.w, c.bottom - top - head_h)
        ctx.shape(f"Stage {i + 1} panel", body, mix(st.light, "#FFFFFF", 0.35))
        paras = [st.p(f"• {pt}", 14, line=1.4, after=4) for pt in stage.points]
        if stage.tags:
            paras.append(
                st.p(
                    "　".join(stage.tags),
                    14,
                    bold=True,
                    color=st.secondary,
                    line=1.4,
                    before=6,
                    after=4,
                )
            )
        if stage.examples:
            paras.append(
                st.p(
                    ctx.loc.t("deck.for_example") + ctx.loc.t("sep.names").join(stage.examples),
                    13,
                    color=st.muted,
                    line=1.4,
                    before=4,
                )  # fmt: skip
            )
        if paras:
            ctx.text(f"Stage {i + 1} text", body.inset(8, 8), paras)
