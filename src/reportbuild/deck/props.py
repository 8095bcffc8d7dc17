"""Run, paragraph, text-frame and shape properties: written by python-pptx once per distinct
value, then copied.

A deck sets a few dozen distinct styles on thousands of runs, paragraphs and shapes. Each
python-pptx setter finds its place among the element's children by the schema's order (50-100
µs a property); copying the element it wrote takes a few µs. A copy is used only where the
element being set is in the state the stored one was written from (a new run, a paragraph
without properties or with only an alignment, a new shape's outline, a text frame's
properties as they were), so the XML is the same, byte for byte, as the setters' own.
"""

from __future__ import annotations

import copy
import re

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.oxml.ns import qn
from pptx.util import Length

from reportbuild.deck.theme import FONTS, LANG, SCALE, hex_of, style_font

# What python-pptx escapes in a run's text (as _xHHHH_): such a run goes through its setter.
CONTROL = re.compile(r"[\x00-\x08\x0B-\x1F]")
END_PARA = qn("a:endParaRPr")
# Each kind of property's written elements, by the values that decide them (led by the kind).
_WRITTEN: dict[tuple, object] = {}


def add_run(para, text: str, family: str, size: float, color: str | None, bold: bool) -> None:
    """Append a run to a python-pptx paragraph, in the brand's style (theme.style_font)."""
    key = ("run", family, size, color, bold, LANG.get(), FONTS.get(), SCALE.get())
    written = _WRITTEN.get(key)
    if written is None or CONTROL.search(text):
        run = para.add_run()
        run.text = text
        style_font(run.font, family, size, color, bold)
        if written is None:
            written = _WRITTEN[key] = copy.deepcopy(run._r)
            written[-1].text = None  # its a:t, filled in for each copy
        return
    r = copy.deepcopy(written)
    r[-1].text = text
    end = para._p.find(END_PARA)  # runs go before the paragraph's end, as add_run puts them
    if end is None:
        para._p.append(r)
    else:
        end.addprevious(r)


def space(para, align, line: Length, before: Length, after: Length) -> None:
    """A paragraph's alignment, exact line pitch and spacing before and after."""
    key = ("paragraph", align, line, before, after)
    own = para._p.pPr
    # a new paragraph has no a:pPr; a new shape's holds only an alignment, which is replaced
    plain = own is None or (len(own) == 0 and list(own.attrib) == ["algn"])
    written = _WRITTEN.get(key)
    if written is not None and plain:
        if own is not None:
            para._p.remove(own)
        para._p.insert(0, copy.deepcopy(written))
        return
    para.alignment = align
    para.line_spacing = line
    para.space_before = before
    para.space_after = after
    if plain:
        _WRITTEN[key] = copy.deepcopy(para._p.pPr)


def end_paragraph(para, lang: str, size: str) -> None:
    """The paragraph's end properties (the size and language of an empty line after it)."""
    end = para._p.find(END_PARA)
    if end is None:
        end = etree.SubElement(para._p, END_PARA)
    end.set("lang", lang)
    end.set("sz", size)


def frame(tf, margins: tuple[Length, Length], anchor) -> None:
    """A text frame that wraps, never resizes or shrinks its text, with these margins
    (left and right, top and bottom) and vertical anchor."""
    old = tf._txBody.bodyPr
    key = ("frame", etree.tostring(old), margins, anchor)
    written = _WRITTEN.get(key)
    if written is not None:
        old.getparent().replace(old, copy.deepcopy(written))
        return
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.margin_left = tf.margin_right = margins[0]
    tf.margin_top = tf.margin_bottom = margins[1]
    tf.vertical_anchor = anchor
    _WRITTEN[key] = copy.deepcopy(tf._txBody.bodyPr)


def paint(shape, fill: str | None, line: str | None, width: Length | None) -> None:
    """A new shape's fill (solid, or none) and outline (solid of `width`, or none)."""
    spPr = shape._element.spPr
    new = len(spPr) == 2  # its position and geometry only, as python-pptx adds a shape
    key = ("paint", fill, line, width)
    written = _WRITTEN.get(key)
    if written is not None and new:
        spPr.extend(copy.deepcopy(e) for e in written)
        return
    if fill:
        shape.fill.solid()
        shape.fill.fore_color.rgb = RGBColor.from_string(hex_of(fill))
    else:
        shape.fill.background()
    _outline(shape, line, width)
    if new:
        _WRITTEN[key] = [copy.deepcopy(e) for e in spPr[2:]]


def outline(connector, color: str, width: Length) -> None:
    """A new connector's line: solid, of `width`."""
    spPr = connector._element.spPr
    new = len(spPr) == 2
    key = ("outline", color, width)
    written = _WRITTEN.get(key)
    if written is not None and new:
        spPr.extend(copy.deepcopy(e) for e in written)
        return
    _outline(connector, color, width)
    if new:
        _WRITTEN[key] = [copy.deepcopy(e) for e in spPr[2:]]


def _outline(shape, color: str | None, width: Length | None) -> None:
    if color:
        shape.line.color.rgb = RGBColor.from_string(hex_of(color))
        shape.line.width = width
    else:
        shape.line.fill.background()
