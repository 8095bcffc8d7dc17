"""Slide geometry and measured placement: every text is fitted to its box before it is written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from reportbuild import linebreak
from reportbuild.brand import Brand
from reportbuild.deck import measure
from reportbuild.deck.measure import Para
from reportbuild.deck.theme import LANG, SCALE, hex_of, real_pt, style_font
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
        top = sub.bottom + height * 0.03
        foot = Box(mx, height - height * 0.035 - 32, width - 2 * mx, 32)  # two lines of 11 pt
        body = Box(mx, top, width - 2 * mx, foot.y - 10 - top)
        return cls(width, height, title, sub, body, foot)

    @classmethod
    def for_template(
        cls,
        width: float,
        height: float,
        title: Box | None,
        body: Box | None,
        footer_top: float | None,
    ) -> Geometry:
        """The grid a master's placeholders give: its title zone, a subtitle band under it,
        the content from under that (or the master's body top, if lower) to a clear gap above
        the footer; every zone on the title's left and right edges."""
        mx = round(width * 0.05)
        if title is None or title.w < width * 0.4 or title.y > height * 0.4:
            title = Box(mx, height * 0.065, width - 2 * mx, height * 0.15)  # no usable title
        sub = Box(title.x, title.bottom + 2, title.w, 28)
        top = sub.bottom + height * 0.025
        if body is not None and top < body.y < height * 0.45:
            top = body.y
        foot_y = footer_top if footer_top and footer_top > height * 0.75 else None
        foot_y = foot_y or height - height * 0.035 - 32
        foot_y = min(foot_y, height - 26)
        foot = Box(title.x, foot_y, title.w, min(32.0, height - 2 - foot_y))
        bottom = foot.y - 4 - height * 0.03  # the rule, then a clear gap
        if body is not None and top + height * 0.3 < body.bottom < bottom:
            bottom = body.bottom
        return cls(width, height, title, sub, Box(title.x, top, title.w, bottom - top), foot)


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
    loc: Locale = field(default_factory=get_locale)  # the report's words

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
        from pptx.dml.color import RGBColor

        self._inside(name, box)
        sh = self.slide.shapes.add_shape(kind, emu(box.x), emu(box.y), emu(box.w), emu(box.h))
        sh.name = name
        _drop_style(sh)
        if fill:
            sh.fill.solid()
            sh.fill.fore_color.rgb = RGBColor.from_string(hex_of(fill))
        else:
            sh.fill.background()
        if line:
            sh.line.color.rgb = RGBColor.from_string(hex_of(line))
            sh.line.width = Pt(real_pt(line_width))
        else:
            sh.line.fill.background()
        return sh

    def line(
        self, name: str, x1: float, y1: float, x2: float, y2: float, color: str, width: float = 1.25
    ):
        from pptx.dml.color import RGBColor
        from pptx.enum.shapes import MSO_CONNECTOR

        self._inside(name, Box(min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1)))
        c = self.slide.shapes.add_connector(
            MSO_CONNECTOR.STRAIGHT, emu(x1), emu(y1), emu(x2), emu(y2)
        )
        c.name = name
        _drop_style(c)
        c.line.color.rgb = RGBColor.from_string(hex_of(color))
        c.line.width = Pt(real_pt(width))
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
    ):
        """A text box (or filled rectangle) whose paragraphs are fitted to it; raise Overflow."""
        got = self.fit(name, box, paras, pad=pad, min_scale=min_scale)
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
        self, name: str, box: Box, paras: list[Para], *, pad=(4, 2), min_scale=measure.MIN_SCALE
    ):
        width, height = box.w - 2 * pad[0], box.h - 2 * pad[1]
        got = measure.fit(paras, width, height, floor=self.style.floor, min_scale=min_scale)
        if got is None:
            need = measure.block_height(
                [p.scaled(min_scale, self.style.floor) for p in paras], width
            )
            raise Overflow(
                name,
                f"text of '{name}' needs {need:.1f} pt but its box holds {height:.1f} pt even at "
                f"{int(min_scale * 100)}% size; shorten it or drop it from this slide",
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
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.margin_left = tf.margin_right = emu(pad[0])
    tf.margin_top = tf.margin_bottom = emu(pad[1])
    tf.vertical_anchor = ANCHOR[anchor]
    for i, p in enumerate(paras):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        para.alignment = ALIGN[p.align]
        para.line_spacing = Pt(real_pt(round(p.size * p.line, 2)))
        para.space_before = Pt(real_pt(round(p.before, 2)))
        para.space_after = Pt(real_pt(round(p.after, 2)))
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
                    run = para.add_run()
                    run.text = text
                    style_font(run.font, p.family, p.size, r.color, r.bold)
        else:
            for r in p.runs:
                run = para.add_run()
                run.text = r.text
                style_font(run.font, p.family, p.size, r.color, r.bold)
        end = para._p.get_or_add_endParaRPr()
        end.set("lang", LANG.get())
        end.set("sz", str(int(round(real_pt(p.size) * 100))))


def _merged(line: list[measure.Segment]) -> list[measure.Segment]:
    """A line's pieces joined into one run per stretch of the same source run."""
    out: list[measure.Segment] = []
    for text, r in line:
        if out and out[-1][1] is r:
            out[-1] = (out[-1][0] + text, r)
        else:
            out.append((text, r))
    return out
