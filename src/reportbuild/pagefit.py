"""Holes before a figure that did not fit: the figure is drawn smaller so that it does.

A figure is `break-inside: avoid` and its caption, lead-in line and heading keep with it, so when
it does not fit in what is left of a page the whole group goes overleaf and leaves the foot of
the page empty (56 % of a page in the first proof of the city-commercial-bank report: the last
section of chapter 1, a heading, a lead-in and a tall diagram). WeasyPrint has no page floats
that would let following text fill the gap, and a chapter's last figure has no following text.
What a book designer does then is scale the figure to the space, within reason.

`plan(document)` reads a laid-out WeasyPrint document: for every page more than `HOLE_SHARE`
empty at the foot, not ended by a forced break, whose next page begins with a group that ends in
a figure with an image, it works out how much smaller the image must be for the group to fit
(the heading's margin, dropped at the top of a page, counted again) and, if that is no smaller
than `MIN_SCALE`, returns a user stylesheet that sets that figure's image to the new width.
The caller lays the document out again with it and keeps the new pages only if they have fewer
holes (`holes`). Captions and source lines keep their size; only the drawing scales.

Cost: one more layout, only when a hole can be filled this way (3 s on the 36-page report).
"""

from __future__ import annotations

import math
import re

from reportbuild import weasy

MIN_SCALE = 0.8  # a figure drawn below 80 % of its width: its labels would fall under ~6 pt
HOLE_SHARE = 0.30  # the same limit as check --layout's L607
SLACK = 4.0  # CSS px (1 mm) of margin for what the estimate cannot see (line boxes, rounding)
FORCED = {"page", "left", "right", "recto", "verso"}


def _flow(page) -> list:
    """The page's boxes in document order, without margin boxes (running heads, folios) and
    footnotes."""
    out: list = []

    def walk(box) -> None:
        if weasy.is_footnote_area(box):
            return
        out.append(box)
        for child in weasy.children(box):
            walk(child)

    for child in weasy.page_content(page):
        walk(child)
    return out


def _block(box) -> bool:
    """A block-level box (not a line, nor text or a span inside one)."""
    return not (weasy.is_line(box) or weasy.is_text(box) or weasy.is_inline(box))


def _area(page) -> tuple[float, float]:
    """Top and bottom of the page's text area (above its footnotes, if any)."""
    pbox = weasy.page_box(page)
    top, bottom = pbox.content_box_y(), pbox.content_box_y() + pbox.height
    for child in weasy.children(pbox):
        if weasy.is_footnote_area(child) and weasy.children(child):
            bottom = min(bottom, child.position_y)
    return top, bottom


def _lowest(flow: list, going_on: set[int]) -> float:
    """Where the page's content ends: the margin-box bottom of its last finished block (a block
    that goes on overleaf is stretched to the page's foot, so only lines count in it)."""
    low = 0.0
    for box in flow:
        finished = _block(box) and id(weasy.element(box)) not in going_on
        if weasy.is_line(box) or weasy.is_replaced(box) or finished:
            low = max(low, box.position_y + box.margin_height())
    return low


def _elements(flow: list) -> set[int]:
    return {id(weasy.element(b)) for b in flow if weasy.element(b) is not None}


def _empty_share(page, going_on: set[int]) -> tuple[float, float, float, float]:
    top, bottom = _area(page)
    low = max(_lowest(_flow(page), going_on), top)
    return (bottom - low) / max(bottom - top, 1.0), top, bottom, low


def holes(document) -> int:
    """Pages more than HOLE_SHARE empty at the foot whose next page is not forced."""
    count = 0
    pages = document.pages
    for page, nxt in zip(pages, pages[1:], strict=False):
        after = _flow(nxt)
        if _forced(after, _elements(_flow(page))):
            continue
        if _empty_share(page, _elements(after))[0] > HOLE_SHARE:
            count += 1
    return count


def _forced(flow: list, before: set[int]) -> bool:
    """True when the page starts with an element that asks for a new page (a chapter)."""
    for box in flow:
        element = weasy.element(box)
        if element is None or id(element) in before:
            continue
        return box.style["break_before"] in FORCED
    return False


def plan(document) -> str:
    """A user stylesheet scaling the figures that would close a hole; '' when there are none."""
    rules: list[str] = []
    pages = document.pages
    for page, nxt in zip(pages, pages[1:], strict=False):
        here, after = _flow(page), _flow(nxt)
        seen = _elements(here)
        if _forced(after, seen):
            continue
        share, top, bottom, low = _empty_share(page, _elements(after))
        if share <= HOLE_SHARE:
            continue
        figure = next(
            (b for b in after if _block(b) and weasy.element(b) is not None
             and weasy.element(b).tag == "figure" and weasy.element(b).get("id")
             and id(weasy.element(b)) not in seen),
            None,
        )  # fmt: skip
        if figure is None:
            continue
        images = [b for b in weasy.descendants(figure) if weasy.is_replaced(b)]
        if len(images) != 1:
            continue  # no drawing to scale (a table), or several
        image = images[0]
        next_top = _area(nxt)[0]
        # the group's first blocks lost their top margins at the top of the page; the largest
        # of them (margins collapse) comes back when the group follows text
        regained = 0.0
        for b in after:
            if weasy.is_line(b) or b.position_y > next_top + 0.5:
                break
            margin = b.style["margin_top"]
            new = weasy.element(b) is not None and id(weasy.element(b)) not in seen
            if new and getattr(margin, "unit", None) == "px":
                regained = max(regained, margin.value)
        group = figure.position_y + figure.margin_top + figure.border_height() - next_top
        over = low + regained + group + SLACK - bottom
        height = image.height
        if over <= 0 or height <= 0:
            continue
        scale = math.floor((height - over) / height * 100) / 100
        if scale < MIN_SCALE:
            continue
        width = image.width * scale
        fid = re.sub(r"([^A-Za-z0-9_-])", r"\\\1", weasy.element(figure).get("id"))
        rules.append(
            f"#{fid} img {{ width: {width:.1f}px !important; height: auto !important; "
            "max-width: none !important }"
        )
    return "\n".join(rules)
