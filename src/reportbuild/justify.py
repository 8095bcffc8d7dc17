"""Inter-character justification for WeasyPrint: a CJK line reaches the right edge without spaces.

WeasyPrint (≤ 70) justifies a line only by widening U+0020 and U+00A0 (`layout/inline.py`,
`justify_line`), and ignores `text-justify`. Chinese text has no spaces, so whenever a character
that may not begin a line goes down with the one before it, the line above stops an em short;
an unbreakable cross-reference (`（见图 3-4）`) leaves three. The remedy CSS names is
`text-justify: inter-character` (clreq §3.8): the line's shortfall spread evenly over the gaps
between its characters. This module does that, as WeasyPrint itself spreads word spacing:

- after a line is broken (so breaking is unchanged), a line holding CJK text gets a per-line
  letter spacing `extra / gaps`, set as a Pango letter-spacing attribute on each text box's
  layout, and the boxes after each gap move right by it;
- lines without CJK text keep WeasyPrint's word spacing;
- the characters are not touched: the PDF's text layer (extraction, search, seedcov) is the
  same; only glyph positions change.

This is the project's one private hook into WeasyPrint: `inter_character()` swaps
`weasyprint.layout.inline.justify_line` while a document is laid out and puts it back after.
It is checked against the versions in SUPPORTED (a test pins the behaviour); with another
version the document is laid out with WeasyPrint's own justification and a warning.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

SUPPORTED = ((69, 0), (71, 0))  # [low, high): the versions whose inline layout this matches
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
MAX_SPACING_EM = 0.5  # a line needing more per gap (a forced break, a float) stays ragged
MAX_SPACE_EM = 0.32  # Latin lines: a word space stretches to this width before letters share
MAX_LETTER_EM = 0.03  # … and letters take at most this much each

log = logging.getLogger(__name__)


def supported(version: str) -> bool:
    parts = tuple(int(p) for p in re.findall(r"\d+", version)[:2])
    return SUPPORTED[0] <= parts < SUPPORTED[1]


@contextmanager
def inter_character() -> Iterator[None]:
    """Lay out (render) documents inside this block with inter-character justification."""
    import weasyprint
    from weasyprint.layout import inline

    if not supported(weasyprint.__version__):
        log.warning(
            "WeasyPrint %s is not one reportbuild's justification was checked with; CJK lines "
            "are justified by WeasyPrint alone (ragged where no space can stretch)",
            weasyprint.__version__,
        )
        yield
        return
    original = inline.justify_line

    def justify_line(context, line, extra_width):
        if CJK.search(_text(line)):
            # a CJK–Latin gap (a right margin, html.cjk_text) hanging at the line's end would
            # leave the last glyph short of the edge: the line takes that width back
            extra_width += _drop_end_margin(line)
            gaps = _count(line) - 1
            if gaps > 0 and extra_width > 0:
                spacing = extra_width / gaps
                if spacing <= MAX_SPACING_EM * line.style["font_size"]:
                    _spread(context, line, spacing, 0.0, [True])
                    return
        elif extra_width > 0:
            _justify_latin(context, line, extra_width, original)
            return
        original(context, line, extra_width)

    inline.justify_line = justify_line
    try:
        yield
    finally:
        inline.justify_line = original


def _justify_latin(context, line, extra_width: float, original) -> None:
    """Word spaces up to MAX_SPACE_EM wide; what is left goes between all characters."""
    from weasyprint.layout.inline import count_expandable_spaces

    spaces = count_expandable_spaces(line)
    size = line.style["font_size"]
    room = MAX_SPACE_EM * size - _space_width(context, line.style)
    gaps = _count(line) - 1
    if spaces == 0 or extra_width <= room * spaces or gaps <= 2 * spaces:
        original(context, line, extra_width)
        return
    # spaces stretch to the cap, letters share the rest; a space's gap also gets the letter
    # spacing after the character before it and after itself, so it stretches two less
    letter = (extra_width - room * spaces) / (gaps - 2 * spaces)
    if letter > MAX_LETTER_EM * size:
        original(context, line, extra_width)  # wide spaces read better than spaced letters
        return
    original(context, line, (room - 2 * letter) * spaces)
    _spread(context, line, letter, 0.0, [True])


_SPACES: dict[tuple, float] = {}


def _space_width(context, style) -> float:
    """The natural width of a space in the line's font (measured once per font)."""
    from weasyprint.text.line_break import create_layout, line_size

    key = (tuple(style["font_family"]), style["font_size"], style["font_weight"],
           style["font_style"], style["font_stretch"])  # fmt: skip
    if key not in _SPACES:
        layout = create_layout("a a", style, context, None, 0)
        with_space, _ = line_size(layout.get_first_line()[0], style)
        layout = create_layout("aa", style, context, None, 0)
        without, _ = line_size(layout.get_first_line()[0], style)
        _SPACES[key] = with_space - without
    return _SPACES[key]


def _text(box) -> str:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        return box.text
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return "".join(_text(c) for c in box.children if c.is_in_normal_flow())
    return "\ufffc"


def _drop_end_margin(line) -> float:
    """Zero the right margins of the inline boxes that end the line; return their sum.

    Their ancestors on the line (and the line) are narrower by what their descendants dropped.
    """
    from weasyprint.formatting_structure import boxes

    chain = [line]
    while isinstance(chain[-1], (boxes.LineBox, boxes.InlineBox)):
        kids = [c for c in chain[-1].children if c.is_in_normal_flow()]
        if not kids:
            break
        chain.append(kids[-1])
    freed = 0.0
    for depth in range(len(chain) - 1, 0, -1):
        box = chain[depth]
        if isinstance(box, boxes.InlineBox) and box.margin_right:
            for up in chain[:depth]:
                up.width -= box.margin_right
            freed += box.margin_right
            box.margin_right = 0
    return freed


def _count(box) -> int:
    """Characters (and atomic inline boxes) on the line: each but the first gets a gap before it."""
    return len(_text(box))


def _spread(context, box, spacing: float, x_advance: float, first: list[bool]) -> float:
    """Move `box` right by `x_advance` and widen it by its gaps; return the advance after it."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        if not first[0]:
            x_advance += spacing  # the gap between the previous box's last character and ours
        first[0] = False
        box.position_x += x_advance
        n = len(box.text)
        if n > 1:
            box.pango_layout = _spaced_layout(box, spacing)
            box.width += spacing * (n - 1)
            x_advance += spacing * (n - 1)
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        children = box.children[::-1] if box.style["direction"] == "rtl" else box.children
        for child in children:
            if child.is_in_normal_flow():
                x_advance = _spread(context, child, spacing, x_advance, first)
        box.width += x_advance - before
    else:  # an atomic inline (image, inline-block): one character's worth
        if not first[0]:
            x_advance += spacing
        first[0] = False
        box.translate(x_advance, 0)
    return x_advance


def _spaced_layout(box, spacing: float):
    """A Pango layout of the box's text with `spacing` between its characters (and its own)."""
    layout = _spaced_class()(box.style, box.justification_spacing, None)
    layout.extra_letter_spacing = spacing
    layout.set_text(box.text)
    layout.deactivate()
    return layout


@lru_cache(maxsize=1)
def _spaced_class():
    """WeasyPrint's Layout, plus a letter spacing of its own: kept through deactivate/reactivate
    (drawing sets the text again), so the glyphs are drawn where the line was justified."""
    from weasyprint.text.ffi import TO_UNITS, ffi, pango
    from weasyprint.text.line_break import Layout

    class Spaced(Layout):
        extra_letter_spacing = 0.0

        def set_text(self, text, justify=False):
            super().set_text(text, justify)
            own = self.style["letter_spacing"]
            spacing = (0 if own == "normal" else own) + self.extra_letter_spacing
            attrs = pango.pango_layout_get_attributes(self.layout)
            if attrs == ffi.NULL:
                attrs = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
            encoded = self.text.encode()

            def add(start: int, end: int, units: int) -> None:
                attr = pango.pango_attr_letter_spacing_new(units)
                attr.start_index, attr.end_index = start, end
                pango.pango_attr_list_change(attrs, attr)

            add(0, len(encoded), int(spacing * TO_UNITS))
            word = self.style["word_spacing"] + (self.justification_spacing if justify else 0)
            if word:  # word spaces keep their stretch on top (as WeasyPrint sets it)
                ends = (0, len(encoded) - 1)
                for m in re.finditer(" |\u00a0".encode(), encoded):
                    factor = 1 + (m.start() in ends)
                    add(m.start(), m.end(), int((factor * word + spacing) * TO_UNITS))
            pango.pango_layout_set_attributes(self.layout, attrs)

    return Spaced
