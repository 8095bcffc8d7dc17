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

WeasyPrint's private parts are reached through weasy.py (`hook_justify_line` swaps
`layout.inline.justify_line` while a document is laid out and puts it back after). With a
WeasyPrint that adapter does not fit, the document is laid out with WeasyPrint's own
justification and a warning.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from reportbuild import weasy

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
MAX_SPACING_EM = 0.5  # a line needing more per gap (a forced break, a float) stays ragged
MAX_SPACE_EM = 0.32  # Latin lines: a word space stretches to this width before letters share
MAX_LETTER_EM = 0.03  # … and letters take at most this much each
# full-width closing marks, their ink in the left half of the box (not ”’: their width depends
# on the font that draws them)
HANGING = frozenset("，。、；：！？）》」』】〕〉")

log = logging.getLogger(__name__)


@contextmanager
def inter_character() -> Iterator[None]:
    """Lay out (render) documents inside this block with inter-character justification."""
    with weasy.hook_justify_line(_justify_line) as hooked:
        if not hooked:
            import weasyprint

            log.warning(
                "WeasyPrint %s is not one reportbuild's justification was checked with; CJK "
                "lines are justified by WeasyPrint alone (ragged where no space can stretch)",
                weasyprint.__version__,
            )
        yield


def _justify_line(context, line, extra_width: float, original) -> None:
    if CJK.search(_text(line)):
        # a CJK–Latin gap (a right margin, html.cjk_text) hanging at the line's end would
        # leave the last glyph short of the edge: the line takes that width back
        extra_width += _drop_end_margin(line)
        hang = _hang(line)
        extra_width += hang
        gaps = _count(line) - 1
        if gaps > 0 and extra_width > 0:
            spacing = extra_width / gaps
            if spacing <= MAX_SPACING_EM * line.style["font_size"]:
                _spread(context, line, spacing, 0.0, [True])
                line.width -= hang  # the hung half is outside the line box, as CSS hangs marks
                return
        extra_width -= hang  # left ragged: nothing hangs
    elif extra_width > 0:
        _justify_latin(context, line, extra_width, original)
        return
    original(context, line, extra_width)


def _justify_latin(context, line, extra_width: float, original) -> None:
    """Word spaces up to MAX_SPACE_EM wide; what is left goes between all characters."""
    spaces = weasy.count_expandable_spaces(line)
    size = line.style["font_size"]
    room = MAX_SPACE_EM * size - weasy.space_width(context, line.style)
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


def _text(box) -> str:
    if weasy.is_text(box):
        return weasy.text_of(box)
    if weasy.is_line(box) or weasy.is_inline(box):
        return "".join(_text(c) for c in box.children if weasy.in_flow(c))
    return "\ufffc"


def _drop_end_margin(line) -> float:
    """Zero the right margins of the inline boxes that end the line; return their sum.

    Their ancestors on the line (and the line) are narrower by what their descendants dropped.
    """
    chain = [line]
    while weasy.is_line(chain[-1]) or weasy.is_inline(chain[-1]):
        kids = [c for c in chain[-1].children if weasy.in_flow(c)]
        if not kids:
            break
        chain.append(kids[-1])
    freed = 0.0
    for depth in range(len(chain) - 1, 0, -1):
        box = chain[depth]
        if weasy.is_inline(box) and box.margin_right:
            for up in chain[:depth]:
                up.width -= box.margin_right
            freed += box.margin_right
            box.margin_right = 0
    return freed


def _hang(line) -> float:
    """Half an em when the line ends with a full-width closing mark set full width: its ink is
    in the left half of its box, so the box hangs that half into the margin and the ink, not a
    blank half-em, meets the edge (as a mark compressed to half width at a line's end, clreq
    §3.1.6; Typst hangs it so). A mark already squeezed (`halt`, before another mark) does not."""
    box = line
    while weasy.is_line(box) or weasy.is_inline(box):
        kids = [c for c in box.children if weasy.in_flow(c)]
        if not kids:
            return 0.0
        box = kids[-1]
    if not weasy.is_text(box) or weasy.text_of(box)[-1:] not in HANGING:
        return 0.0
    if "halt" in str(box.style["font_feature_settings"]):
        return 0.0
    return 0.5 * box.style["font_size"]


def _count(box) -> int:
    """Characters (and atomic inline boxes) on the line: each but the first gets a gap before it."""
    return len(_text(box))


def _spread(context, box, spacing: float, x_advance: float, first: list[bool]) -> float:
    """Move `box` right by `x_advance` and widen it by its gaps; return the advance after it."""
    if weasy.is_text(box):
        if not first[0]:
            x_advance += spacing  # the gap between the previous box's last character and ours
        first[0] = False
        box.position_x += x_advance
        n = len(weasy.text_of(box))
        if n > 1:
            weasy.set_letter_spacing(box, spacing)
            box.width += spacing * (n - 1)
            x_advance += spacing * (n - 1)
    elif weasy.is_line(box) or weasy.is_inline(box):
        box.position_x += x_advance
        before = x_advance
        children = box.children[::-1] if box.style["direction"] == "rtl" else box.children
        for child in children:
            if weasy.in_flow(child):
                x_advance = _spread(context, child, spacing, x_advance, first)
        box.width += x_advance - before
    else:  # an atomic inline (image, inline-block): one character's worth
        if not first[0]:
            x_advance += spacing
        first[0] = False
        box.translate(x_advance, 0)
    return x_advance
