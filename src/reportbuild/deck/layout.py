"""Slide geometry and measured placement: every text is fitted to its box before it is written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from reportbuild import linebreak
from reportbuild.brand import Brand
from reportbuild.deck import measure, props
from reportbuild.deck.measure import Para
from reportbuild.deck.theme import (
    LANG,
    SCALE,
    legible_over,
    luminance,
    real_pt,
)
from reportbuild.locale import Locale, get_locale

EMU_PER_PT = 12700
HAN = re.compile(f"[{linebreak.HAN}]")
ALIGN = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}
ANCHOR = {"top": MSO_ANCHOR.TOP, "middle": MSO_ANCHOR.MIDDLE, "bottom": MSO_ANCHOR.BOTTOM}


def emu(pt: float) -> Emu:
    """Design points (see theme.SCALE) as EMU on the template's slide."""
    return Emu(int(round(pt * SCALE.get() * EMU_PER_PT)))


@dataclass(frozen=True)
class Box:
    """A rectangle in points from the slide's top-left corner."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def inset(self, dx: float, dy: float | None = None) -> Box:
        dy = dx if dy is None else dy
        return Box(self.x + dx, self.y + dy, self.w - 2 * dx, self.h - 2 * dy)

    def cols(self, n: int, gap: float, weights: list[float] | None = None) -> list[Box]:
        weights = weights or [1.0] * n
        total = sum(weights)
        free = self.w - gap * (n - 1)
        out, x = [], self.x
        for wt in weights:
            w = free * wt / total
            out.append(Box(x, self.y, w, self.h))
            x += w + gap
        return out

    def rows(self, n: int, gap: float, weights: list[float] | None = None) -> list[Box]:
        weights = weights or [1.0] * n
        total = sum(weights)
        free = self.h - gap * (n - 1)
        out, y = [], self.y
        for wt in weights:
            h = free * wt / total
            out.append(Box(self.x, y, self.w, h))
            y += h + gap
        return out

    def top(self, h: float) -> Box:
        return Box(self.x, self.y, self.w, h)

    def below(self, h: float, gap: float = 0.0) -> Box:
        """What is left under a band of height `h` (and a gap)."""
        return Box(self.x, self.y + h + gap, self.w, self.h - h - gap)


@dataclass(frozen=True)
class Geometry:
    """Where titles, bodies and footers go on a slide of this size."""

    width: float
    height: float
    title: Box
    subtitle: Box
    body: Box
    footer: Box

    @classmethod
    def for_size(cls, width: float, height: float, title: Box | None = None) -> Geometry:
        mx = round(width * 0.05)
        title = title or Box(mx, height * 0.065, width - 2 * mx, height * 0.15)
        sub = Box(title.x, title.bottom + 2, title.w, 28)
        top = sub.bottom + height * 0.02
        foot = Box(mx, height - height * 0.035 - 32, width - 2 * mx, 32)  # two lines of 11 pt
        bottom = foot.y - 4 - height * 0.025  # the footer rule, then a clear gap (0.19 in)
        body = Box(mx, top, width - 2 * mx, bottom - top)
        return cls(width, height, title, sub, body, foot)

    @classmethod
    def for_template(
        cls,
        width: float,
        height: float,
        title: Box | None,
        body: Box | None,
        footer_top: float | None,
        clear=None,
    ) -> Geometry:
        """The grid a master's placeholders give: its title zone, a subtitle band under it,
        the content from under that (or the master's body top, if lower) to a clear gap above
        the footer, or to the master's body bottom where the template decorates below it
        (`clear(box)` says whether its background is plain there); every zone on the title's
        left and right edges, or on the body's where the master's body is wider."""
        mx = round(width * 0.05)
        if title is None or title.w < width * 0.4 or title.y > height * 0.4:
            title = Box(mx, height * 0.065, width - 2 * mx, height * 0.15)  # no usable title
        if title.y < height * 0.02 or title.right > width - 4:  # a master's title off the edge
            x, y = max(title.x, 4.0), max(title.y, height * 0.02)
            title = Box(x, y, min(title.w, width - 4 - x), title.h)
        left, w = title.x, title.w
        if body is not None and body.w > title.w * 1.1 and body.x >= 4 and body.right <= width - 4:
            left, w = body.x, body.w
        sub = Box(left, title.bottom + 2, w, 28)
        top = sub.bottom + height * 0.025
        if body is not None and top < body.y < height * 0.45:
            top = body.y
        own = height - height * 0.035 - 32  # where the deck's own footer goes
        foot_y = footer_top if footer_top and footer_top > height * 0.75 else None
        band = Box(left, foot_y or own, w, own + 32 - (foot_y or own))
        if foot_y is not None and foot_y < own and clear is not None and clear(band):
            foot_y = own  # nothing drawn where the master's footer was: the usual place
        foot_y = foot_y or own
        foot_y = min(foot_y, height - 26)
        foot = Box(left, foot_y, w, min(32.0, height - 2 - foot_y))
        bottom = foot.y - 4 - height * 0.03  # the rule, then a clear gap
        if body is not None and top + height * 0.3 < body.bottom < bottom:
            below = Box(left, body.bottom, w, bottom - body.bottom)
            if clear is None or not clear(below):
                bottom = body.bottom
        return cls(width, height, title, sub, Box(left, top, w, bottom - top), foot)

    def keep_clear(self, clear_part) -> Geometry:
        """The grid moved off the master's decoration: each zone narrowed (the body also
        shortened) to its largest part where only the background is painted
        (`backdrop.Backdrop.clear_part`); the title, subtitle and body keep one left edge.
        A zone with no clear part within the limits stays as it was (its text gets a panel
        where it needs one)."""
        title = clear_part(self.title, "lr", 0.3) or self.title
        body = clear_part(self.body, "lrb", 0.25) or self.body
        footer = clear_part(self.footer, "lr", 0.35) or self.footer
        if (title, body, footer) == (self.title, self.body, self.footer):
            return self
        left = max(title.x, body.x)
        title = Box(left, title.y, title.right - left, title.h)
        body = Box(left, body.y, body.right - left, body.h)
        sub = Box(left, self.subtitle.y, min(title.right, body.right) - left, self.subtitle.h)
        return replace(self, title=title, subtitle=sub, body=body, footer=footer)


class Overflow(Exception):
    """Text that does not fit its box even shrunk to the limit."""

    def __init__(self, shape: str, message: str):
        super().__init__(message)
        self.shape = shape
        self.message = message


@dataclass
class Style:
    """The brand's colours and faces with the deck's type scale (points)."""

    brand: Brand
    body_family: str
    head_family: str
    title: float = 28.0
    subtitle: float = 16.0
    body: float = 16.0
    small: float = 13.0
    footer: float = 11.0
    floor: float = 12.0

    @property
    def primary(self) -> str:
        return self.brand.primary

    @property
    def secondary(self) -> str:
        return self.brand.secondary

    @property
    def accent(self) -> str:
        return self.brand.accent

    @property
    def fg(self) -> str:
        return self.brand.foreground

    @property
    def muted(self) -> str:
        return self.brand.muted

    @property
    def light(self) -> str:
        return self.brand.light

    def measure_size(self, size: float, width: float, text: str) -> float:
        """`size`, or smaller, so that a line of `width` holds at least 12 Chinese characters
        or 35 Latin ones (half an em each, on average): a column of 8 characters a line reads
        as a list of fragments. Never below the floor."""
        per_line = 12.0 if HAN.search(text) else 35 * 0.5
        return max(self.floor, min(size, round(width * measure.WIDTH_SLACK / per_line * 2) / 2))

    def p(
        self,
        text: str,
        size: float | None = None,
        *,
        bold: bool = False,
        color: str | None = None,
        head: bool = False,
        **kw,
    ) -> Para:
        family = self.head_family if head else self.body_family
        # a space between Chinese and Latin or digits (占 41%), as the PDF sets a gap there
        text = linebreak.space_cjk_latin(text)
        return measure.para(
            text, size or self.body, family, bold=bold, color=color or self.fg, **kw
        )


@dataclass
class SlideCtx:
    """One slide being built: its shapes go through `text`/`shape`, which measure and log."""

    slide: object
    number: int
    label: str
    geometry: Geometry
    style: Style
    log: list[dict] = field(default_factory=list)
    top: float | None = None  # where the body may start, once the title is placed
    spilled: list[str] = field(default_factory=list)  # text moved to the speaker notes
    background: str = "#FFFFFF"  # the slide's own fill, where a builder sets one
    fills: list[tuple[Box, str]] = field(default_factory=list)  # filled shapes, in z-order
    loc: Locale = field(default_factory=get_locale)  # the report's words
    backdrop: object | None = None  # what the template's layout paints behind (backdrop.py)

    def shape(
        self,
        name: str,
        box: Box,
        fill: str | None = None,
        *,
        line: str | None = None,
        kind=MSO_SHAPE.RECTANGLE,
        line_width: float = 1.0,
    ):
        self._inside(name, box)
        sh = self.slide.shapes.add_shape(kind, emu(box.x), emu(box.y), emu(box.w), emu(box.h))
        sh.name = name
        _drop_style(sh)
        props.paint(sh, fill, line, Pt(real_pt(line_width)) if line else None)
        if fill:
            self.fills.append((box, fill))
        return sh

    def line(
        self, name: str, x1: float, y1: float, x2: float, y2: float, color: str, width: float = 1.25
    ):
        from pptx.enum.shapes import MSO_CONNECTOR

        self._inside(name, Box(min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1)))
        c = self.slide.shapes.add_connector(
            MSO_CONNECTOR.STRAIGHT, emu(x1), emu(y1), emu(x2), emu(y2)
        )
        c.name = name
        _drop_style(c)
        props.outline(c, color, Pt(real_pt(width)))
        return c

    def text(
        self,
        name: str,
        box: Box,
        paras: list[Para],
        *,
        fill: str | None = None,
        line: str | None = None,
        anchor: str = "top",
        pad: tuple[float, float] = (4, 2),
        min_scale: float = measure.MIN_SCALE,
        shape=None,
        floor: float | None = None,
    ):
        """A text box (or filled rectangle) whose paragraphs are fitted to it: shrunk, down to
        the theme's floor, then with the sentences that do not fit moved to the speaker notes
        (a warning); Overflow only when the first sentence alone does not fit."""
        got = self.fit(name, box, paras, pad=pad, min_scale=min_scale, spill=True, floor=floor)
        under = [fill] if fill else self.colours_under(ink_box(box, got.paras, pad, anchor))
        got = replace(got, paras=self.readable(name, box, got.paras, under, pad=pad, anchor=anchor))
        sh = (
            shape
            if shape is not None
            else (
                self.shape(name, box, fill, line=line)
                if (fill or line)
                else self._textbox(name, box)
            )
        )
        write_text(
            sh.text_frame,
            got.paras,
            pad=pad,
            anchor=anchor,
            style=self.style,
            width=box.w - 2 * pad[0],
        )
        return sh

    def fit(
        self,
        name: str,
        box: Box,
        paras: list[Para],
        *,
        pad=(4, 2),
        min_scale=measure.MIN_SCALE,
        spill: bool = False,
        floor: float | None = None,
    ):
        """The paragraphs fitted to the box: at the largest scale down to `min_scale`, else at
        any scale down to the theme's floor; else (with `spill`) the first sentences that fit
        at the floor, the rest kept for the notes. Raise Overflow when nothing fits."""
        width, height = box.w - 2 * pad[0], box.h - 2 * pad[1]
        floor = floor or self.style.floor
        got = measure.fit(paras, width, height, floor=floor, min_scale=min_scale)
        if got is None:
            got = measure.fit(paras, width, height, floor=floor, min_scale=0.0)
        if got is None and spill:
            got = self._spill(name, paras, width, height, floor)
        if got is None:
            need = measure.block_height([p.scaled(0.0, floor) for p in paras], width)
            raise Overflow(
                name,
                f"text of '{name}' needs {_pt(need, height)} pt but its box holds "
                f"{_pt(height, need)} pt even with every size at the floor of {floor:g} pt; "
                "shorten it or drop it from this slide",
            )
        if got.scale < 1.0:
            self.log.append(
                {
                    "slide": self.number,
                    "shape": name,
                    "message": f"text shrunk to {int(round(got.scale * 100))}% to fit its box",
                    "fitted": True,  # within the limits: a record, not a defect
                }
            )
        return got

    def colours_under(self, box: Box) -> list[str]:
        """The colours a text in `box` is read against: on a template, every colour its
        layout paints there (backdrop.py) with the shapes this slide has filled over it; on
        the built-in master, the fill under the box's centre."""
        if self.backdrop is None:
            return [self.fill_under(box)]
        return self.backdrop.under(box, self.fills)

    def readable(
        self,
        name: str,
        box: Box,
        paras: list[Para],
        under: list[str],
        *,
        pad: tuple[float, float] = (4, 2),
        anchor: str = "top",
    ) -> list[Para]:
        """The paragraphs with every run's colour made to read on all of `under`; where no
        shade of a colour does (text over a picture or a decoration of light and dark parts),
        a panel in the brand's background colour goes behind the text — as large as its lines
        and the box's padding, placed as they are (alignment, anchor) — and the colours read
        on it."""
        prefer = None
        if self.backdrop is not None and sum(luminance(c) for c in under) / len(under) < 0.18:
            prefer = "#FFFFFF"  # on a template's dark band: white, before a pale tint
        out = [_legible(p, under, self.style.fg, prefer) for p in paras]
        if all(p is not None for p in out):
            return out
        ink = ink_box(box, paras, pad, anchor)
        x0, y0 = max(box.x, ink.x - pad[0] - 3), max(box.y, ink.y - pad[1] - 2)
        x1, y1 = min(box.right, ink.right + pad[0] + 3), min(box.bottom, ink.bottom + pad[1] + 2)
        area = Box(x0, y0, x1 - x0, y1 - y0)
        colour = self.panel(f"{name} panel", area)
        self.log.append(
            {
                "slide": self.number,
                "shape": name,
                "message": "set on a panel: no shade of its colour reads on the template's "
                "background there",
                "fitted": True,
            }
        )
        return [_legible(p, [colour], self.style.fg) for p in paras]

    def panel(self, name: str, box: Box) -> str:
        """A plain panel in the brand's background colour behind everything this slide puts
        on its layout (the template's decoration stays behind it); returns its colour."""
        colour = self.style.brand.background
        sh = self.shape(name, box, colour)
        self.fills.remove((box, colour))
        self.fills.insert(0, (box, colour))
        tree = sh._element.getparent()
        tree.remove(sh._element)
        tree.insert(2, sh._element)  # after the tree's nvGrpSpPr and grpSpPr
        return colour

    def fill_under(self, box: Box) -> str:
        """The colour under a box's centre: the topmost filled shape there, or the slide."""
        cx, cy = box.x + box.w / 2, box.y + box.h / 2
        for b, colour in reversed(self.fills):
            if b.x <= cx <= b.right and b.y <= cy <= b.bottom:
                return colour
        return self.background

    def _spill(self, name: str, paras: list[Para], width: float, height: float, floor: float):
        """The longest run of whole sentences from the start that fits at the floor; the rest
        goes to `self.spilled` (written under the speaker notes) with a warning."""
        low = [p.scaled(0.0, floor) for p in paras]
        pieces = [(i, k, s) for i, p in enumerate(low) for k, s in enumerate(_sentences(p))]
        for keep in range(len(pieces) - 1, 0, -1):
            kept: list[Para] = []
            for i, p in enumerate(low):
                said = [s for j, _k, s in pieces[:keep] if j == i]
                if not said:
                    break
                kept.append(p if len(said) == len(_sentences(p)) else _with_text(p, "".join(said)))
            if measure.block_height(kept, width) <= height + 0.01:
                moved = pieces[keep:]
                rest: list[str] = []
                for i in dict.fromkeys(j for j, _k, _s in moved):
                    rest.append("".join(s for j, _k, s in moved if j == i).strip())
                self.spilled.extend(t for t in rest if t)
                need = measure.block_height(low, width)
                self.log.append(
                    {
                        "slide": self.number,
                        "shape": name,
                        "message": (
                            f"{sum(len(t) for t in rest)} characters moved to the speaker notes: "
                            f"the text needs {_pt(need, height)} pt, its box holds "
                            f"{_pt(height, need)} pt at the floor of {floor:g} pt; shorten it"
                        ),
                    }
                )
                return measure.Fit(kept, 0.0, measure.block_height(kept, width))
        return None

    def fits(self, box: Box, paras: list[Para], pad=(4, 2), min_scale: float = 1.0) -> bool:
        got = measure.fit(
            paras,
            box.w - 2 * pad[0],
            box.h - 2 * pad[1],
            floor=self.style.floor,
            min_scale=min_scale,
        )
        return got is not None

    def _textbox(self, name: str, box: Box):
        self._inside(name, box)
        tb = self.slide.shapes.add_textbox(emu(box.x), emu(box.y), emu(box.w), emu(box.h))
        tb.name = name
        return tb

    def _inside(self, name: str, box: Box) -> None:
        g = self.geometry
        if (
            box.x < -0.5
            or box.y < -0.5
            or box.right > g.width + 0.5
            or box.bottom > g.height + 0.5
            or box.w < 0
            or box.h < 0
        ):
            raise Overflow(name, f"shape '{name}' would lie outside the slide ({box})")


def ink_box(box: Box, paras: list[Para], pad: tuple[float, float], anchor: str) -> Box:
    """Where the text set in `box` lies: as wide as its widest line (placed by the
    paragraphs' alignment) and as tall as its lines (placed by the anchor) — a centred label
    is read against what is behind it, not against the corners of its box."""
    inner = Box(box.x + pad[0], box.y + pad[1], box.w - 2 * pad[0], box.h - 2 * pad[1])
    if inner.w <= 0 or inner.h <= 0:
        return box
    w = min(inner.w, measure.widest_line(paras, inner.w) + 2)
    h = min(inner.h, measure.block_height(paras, inner.w))
    aligns = {p.align for p in paras}
    x = inner.x
    if aligns == {"center"}:
        x = inner.x + (inner.w - w) / 2
    elif aligns == {"right"}:
        x = inner.right - w
    elif len(aligns) > 1:
        w = inner.w
    y = {"top": inner.y, "middle": inner.y + (inner.h - h) / 2, "bottom": inner.bottom - h}[anchor]
    return Box(x, y, w, h)


SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s+(?=\S)")


def _sentences(p: Para) -> list[str]:
    """A one-run paragraph's sentences (ends kept; each with the space after it); a paragraph
    of several runs (a kicker and its text) is one piece."""
    if len(p.runs) != 1:
        return [p.text]
    text = p.runs[0].text
    out, at = [], 0
    for m in SENTENCE_END.finditer(text):
        if m.end() > at and text[at : m.end()].strip():
            out.append(text[at : m.end()])
            at = m.end()
    if text[at:].strip():
        out.append(text[at:])
    return out or [text]


def _legible(p: Para, fills: list[str], default: str, prefer: str | None = None) -> Para | None:
    """The paragraph with every run's colour made to read on all of `fills`
    (theme.legible_over); None if some run's colour has no shade that does."""
    runs = []
    for r in p.runs:
        c = legible_over(r.color or default, fills, p.size, r.bold, prefer)
        if c is None:
            return None
        runs.append(replace(r, color=c))
    return replace(p, runs=tuple(runs))


def _with_text(p: Para, text: str) -> Para:
    r = p.runs[0]
    return replace(p, runs=(measure.Run(text.rstrip(), r.bold, r.color),))


def _pt(a: float, b: float) -> str:
    """`a` in points with enough decimals to differ from `b` as printed."""
    for digits in (1, 2, 3):
        if f"{a:.{digits}f}" != f"{b:.{digits}f}":
            return f"{a:.{digits}f}"
    return f"{a:.3f}"


def _drop_style(shape) -> None:
    """Remove the theme style reference of a new shape: its shadow and theme text colour are
    not the brand's, and every property we need is set explicitly."""
    st = shape._element.find(qn("p:style"))
    if st is not None:
        shape._element.remove(st)


def write_text(
    tf,
    paras: list[Para],
    *,
    pad=(4, 2),
    anchor: str = "top",
    style: Style | None = None,
    width: float | None = None,
) -> None:
    """Write measured paragraphs into a text frame: wrap on, no autofit, every size explicit.

    Given the line `width`, a paragraph with Chinese text that takes more than one line is
    written with its line breaks (a:br) where it was measured to break: PowerPoint and
    LibreOffice break Chinese between any two characters, which splits words (运|营)."""
    tf.clear()
    props.frame(tf, (emu(pad[0]), emu(pad[1])), ANCHOR[anchor])
    for i, p in enumerate(paras):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        props.space(
            para,
            ALIGN[p.align],
            Pt(real_pt(round(p.size * p.line, 2))),
            Pt(real_pt(round(p.before, 2))),
            Pt(real_pt(round(p.after, 2))),
        )
        lines = (
            measure.wrap_runs(p.runs, p.family, p.size, width)
            if width is not None and HAN.search(p.text)
            else []
        )
        if len(lines) > 1:
            for k, ln in enumerate(lines):
                if k:
                    para.add_line_break()
                for text, r in _merged(ln):
                    props.add_run(para, text, p.family, p.size, r.color, r.bold)
        else:
            for r in p.runs:
                props.add_run(para, r.text, p.family, p.size, r.color, r.bold)
        props.end_paragraph(para, LANG.get(), str(int(round(real_pt(p.size) * 100))))


def _merged(line: list[measure.Segment]) -> list[measure.Segment]:
    """A line's pieces joined into one run per stretch of the same source run."""
    out: list[measure.Segment] = []
    for text, r in line:
        if out and out[-1][1] is r:
            out[-1] = (out[-1][0] + text, r)
        else:
            out.append((text, r))
    return out


# PowerPoint's own id for the slide-number field type (the one it writes in every deck)
SLIDE_NUMBER_FIELD = "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}"


def as_slide_number(shape) -> None:
    """Turn the runs of a text box holding the slide's number into slide-number fields: the
    number stays right when a presenter inserts, deletes or reorders slides (the text written
    is what PowerPoint shows until it recomputes it)."""
    for r in shape.text_frame._txBody.iter(qn("a:r")):
        r.tag = qn("a:fld")
        r.set("id", SLIDE_NUMBER_FIELD)
        r.set("type", "slidenum")
