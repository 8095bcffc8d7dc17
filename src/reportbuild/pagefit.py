"""Holes before a figure that did not fit: the figure is drawn smaller so that it does.

A figure is `break-inside: avoid` and its caption, lead-in line and heading keep with it, so when
it does not fit in what is left of a page the whole group goes overleaf and leaves the foot of
the page empty (56 % of a page in the first proof of the city-commercial-bank report: the last
section of chapter 1, a heading, a lead-in and a tall diagram). WeasyPrint has no page floats
that would let following text fill the gap, and a chapter's last figure has no following text.
What a book designer does then is scale the figure to the space, within reason.

`render(source)` lays a document out with WeasyPrint and reads its pages as they are made: for
every page more than `HOLE_SHARE` empty at the foot, not ended by a forced break, whose next page
begins with a group that ends in a figure with an image, it works out how much smaller the image
must be for the group to fit (the heading's margin, dropped at the top of a page, counted again)
and, if that is no smaller than `MIN_SCALE`, draws that figure's image at the new width. The
pages from the hole to the next forced break (a chapter) are laid out again at once, inside the
first pass (weasy.hook_pagination: WeasyPrint reuses every page before the hole), so the pages
after them are laid out once. The smaller figures are kept only if the pages have fewer holes
(`holes`); else they are put back and those pages made again. Captions and source lines keep
their size; only the drawing scales. Where the hook does not fit the installed WeasyPrint, the
document is laid out again whole with a user stylesheet (`plan`), which gives the same pages.

Cost: the pages from the hole to the chapter's end laid out twice (3 pages, 0.08 s on the
35-page report, where the hole is on page 13); laying the pages from the hole to the end out
again cost 0.8 s, the whole document again 3 s.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

from reportbuild import weasy

log = logging.getLogger(__name__)
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

    for child in weasy.box_content(page):
        walk(child)
    return out


def _block(box) -> bool:
    """A block-level box (not a line, nor text or a span inside one)."""
    return not (weasy.is_line(box) or weasy.is_text(box) or weasy.is_inline(box))


def _area(page) -> tuple[float, float]:
    """Top and bottom of the page's text area (above its footnotes, if any)."""
    pbox = page
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


def _empty_share(page, flow: list, going_on: set[int]) -> tuple[float, float, float, float]:
    top, bottom = _area(page)
    low = max(_lowest(flow, going_on), top)
    return (bottom - low) / max(bottom - top, 1.0), top, bottom, low


class _Reader:
    """Each page box with its flow and the elements in it, read once: a page that WeasyPrint
    reuses in a later pass (every page before the first one made again) is not walked again."""

    def __init__(self) -> None:
        self._read: dict[int, tuple] = {}

    def __call__(self, pages: list) -> list[tuple]:
        rows = []
        for page in pages:
            row = self._read.get(id(page))
            if row is None or row[0] is not page:
                flow = _flow(page)
                row = (page, flow, _elements(flow))
            rows.append(row)
        self._read = {id(row[0]): row for row in rows}  # the pages let go are not kept
        return rows


def holes(document) -> int:
    """Pages more than HOLE_SHARE empty at the foot whose next page is not forced."""
    return _holes(_Reader()(_boxes(document)))


def _boxes(document) -> list:
    return [weasy.page_box(page) for page in document.pages]


def _holes(rows: list[tuple]) -> int:
    count = 0
    for (page, flow, seen), (_, after, following) in zip(rows, rows[1:], strict=False):
        if _forced(after, seen):
            continue
        if _empty_share(page, flow, following)[0] > HOLE_SHARE:
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


@dataclass(frozen=True)
class Fit:
    """A figure to draw smaller: after the hole on page `page` (0-based), its image at `width`
    CSS px (rounded as the stylesheet writes it)."""

    page: int
    figure_id: str
    image: object  # the image's box
    width: float

    def css(self) -> str:
        fid = re.sub(r"([^A-Za-z0-9_-])", r"\\\1", self.figure_id)
        return (
            f"#{fid} img {{ width: {self.width:.1f}px !important; height: auto !important; "
            "max-width: none !important }"
        )


def plan(document) -> str:
    """A user stylesheet scaling the figures that would close a hole; '' when there are none."""
    return _css(_plan(_Reader()(_boxes(document))))


def _css(fits: list[Fit]) -> str:
    return "\n".join(fit.css() for fit in fits)


def _plan(rows: list[tuple]) -> list[Fit]:
    fits: list[Fit] = []
    pairs = zip(rows, rows[1:], strict=False)
    for n, ((page, here, seen), (nxt, after, following)) in enumerate(pairs):
        if _forced(after, seen):
            continue
        share, top, bottom, low = _empty_share(page, here, following)
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
        width = float(f"{image.width * scale:.1f}")  # what the stylesheet's CSS parses to
        fits.append(Fit(n, weasy.element(figure).get("id"), image, width))
    return fits


# ── laying a document out with its figures fitted ──────────────────────────────────────


@dataclass
class Fitted:
    """A laid-out document, the holes it had before and after pagefit's figures (None: no
    figure to fit, or the fit was declined), whether it keeps them, and how many whole layouts
    it took (1: the pages from a hole on were laid out again inside WeasyPrint's own loop)."""

    document: object
    holes: list[int] | None = None
    fitted: bool = False
    renders: int = 1
    # the figures it keeps drawn smaller, as the user stylesheet that lays the same pages out
    # in one plain WeasyPrint layout ('' when none is kept)
    css: str = ""


class _Refit:
    """pagefit inside one layout, decided as the first pass makes the pages.

    A hole is seen as soon as the page after it is made. The pages are then read on, as they
    are, to the next page that opens with a forced break (a chapter) or the document's end:
    past that break nothing a smaller figure does can change the pages but their numbers. The
    stretch from the hole to there is planned as a whole (`_plan`), its holes counted, the
    figures drawn smaller and the stretch laid out again at once, before the pages after it are
    made (WeasyPrint reuses every page before the hole); its holes are counted again when the
    fitted pages reach the break. The pages after the break are thus laid out once, as they
    are in the end. Where the pages settle, the smaller figures are kept if the document then
    has fewer holes (the counts of its stretches; the other pages are the same either way),
    else put back and those pages laid out again. A stretch that runs to the document's end
    is fitted where the pages settle (as a remake, WeasyPrint's next pass)."""

    def __init__(self, choice: bool | None) -> None:
        self.choice = choice
        self.fits: list[Fit] = []
        self.restores: list = []
        self.counts: list[tuple[int, int]] = []  # each stretch's holes: plain, fitted
        self.open: list | None = None  # the stretch being read: [start, "plain" | "fitted"]
        self.before = 0  # the open stretch's holes without its fits
        self.next = 0  # the first page of the first pass not yet read
        self.rows: list[tuple] = []  # the first pass's pages, read
        self.holes: list[int] | None = None
        self.fitted = False
        self.step = "first"

    def _row(self, pages: list, n: int) -> tuple:
        del self.rows[len(pages) :]
        if len(self.rows) <= n:
            self.rows.extend([None] * (n + 1 - len(self.rows)))
        row = self.rows[n]
        if row is None or row[0] is not pages[n]:
            flow = _flow(pages[n])
            row = self.rows[n] = (pages[n], flow, _elements(flow))
        return row

    def made(self, pages: list) -> list[int] | None:
        """After each page of the first pass: the pages to lay out again at once, if any."""
        n = len(pages) - 1
        if n < self.next:  # a page before a stretch laid out again, reused
            return None
        self.next = n + 1
        row = self._row(pages, n)
        if n == 0:
            return None
        prev = self._row(pages, n - 1)
        forced = _forced(row[1], prev[2])
        if self.open is None:
            if not forced and _plan([prev, row]):
                self.open = [n - 1, "plain"]
            return None
        if not forced or n <= self.open[0]:  # the hole's page may open a chapter
            return None
        return self._close(self.rows[self.open[0] : n + 1])

    def _close(self, rows: list[tuple]) -> list[int] | None:
        """The open stretch (`rows`, from its hole's page to the page after its end) read to
        its end: plain, fit it (the pages to lay out again); fitted, count its holes."""
        start, state = self.open
        if state == "fitted":
            self.counts.append((self.before, _holes(rows)))
            self.open = None
            return None
        fits = [Fit(f.page + start, f.figure_id, f.image, f.width) for f in _plan(rows)]
        if not fits:  # the hole's pair had one: only if its pages changed meanwhile
            self.open = None
            return None
        self.before = _holes(rows)
        self.fits += fits
        self.restores += [weasy.set_image_width(f.image, f.width) for f in fits]
        self.open[1] = "fitted"
        self.next = start
        return sorted(_affected(fits, rows, start))

    def settled(self, pages: list, remake) -> None:
        if self.step == "first":
            if self.open is not None:  # a stretch that runs to the document's end
                rows = [self._row(pages, n) for n in range(self.open[0], len(pages))]
                again = self._close(rows)
                if again:
                    remake(again)
                    return  # settled again once those pages are made
            self.step = "done"
            if self.fits:
                rows = [self._row(pages, n) for n in range(len(pages))]
                before = sum(c[0] for c in self.counts)
                after = sum(c[1] for c in self.counts)
                now = _holes(rows)  # the other pages' holes are the same with the fits or not
                self.holes = [now - after + before, now]
                self.fitted = after < before if self.choice is None else self.choice
                if not self.fitted:
                    self.restore()
                    remake(_affected(self.fits, rows, 0))
        self.rows = []  # its pages are let go

    def restore(self) -> None:
        for restore in self.restores:
            restore()
        self.restores = []


def _affected(fits: list[Fit], rows: list[tuple], start: int) -> set[int]:
    """Each hole's page and every page of `rows` (numbered from `start`) that holds one of the
    figures' images: WeasyPrint reuses a page whose start did not change, and the image on it
    did."""
    images = {id(weasy.element(f.image)) for f in fits}
    held = {n + start for n, row in enumerate(rows) if row is not None and images & row[2]}
    return {f.page for f in fits} | held


def render(source, *, choice: bool | None = None, in_place: bool = True, **options) -> Fitted:
    """`source.render(**options)` (a weasyprint.HTML) with pagefit's figures: kept if the
    document then has fewer holes (`choice` None), always (True) or never tried (False).

    With `in_place` (and a WeasyPrint that weasy.hook_pagination fits), one layout: only the
    pages from a hole on are laid out again. Otherwise, and whenever that cannot finish, the
    document is laid out again whole with a user stylesheet (the same pages, at the cost of a
    second parse, cascade and layout). A <style> this process parsed before is not parsed
    again (weasy.stylesheets_once)."""
    with weasy.stylesheets_once():
        return _render(source, choice, in_place, options)


def _render(source, choice: bool | None, in_place: bool, options: dict) -> Fitted:
    if choice is not False and in_place:
        refit = _Refit(choice)
        try:
            with weasy.hook_pagination(refit.settled, refit.made) as hooked:
                if hooked:
                    document = source.render(**options)
                    _log(len(refit.fits), refit.holes, refit.fitted, "in one layout")
                    css = _css(refit.fits) if refit.fitted else ""
                    return Fitted(document, refit.holes, refit.fitted, 1, css)
        except weasy.Unsupported as exc:
            refit.restore()
            log.info("pagefit: %s; laying the document out again", exc)
    return _twice(source, choice, options)


def _twice(source, choice: bool | None, options: dict) -> Fitted:
    import gc

    import weasyprint

    document = source.render(**options)
    fits = _plan(_Reader()(_boxes(document)))
    if not fits or choice is False:
        return Fitted(document)
    # the first layout is let go before the second is made: holding both doubled the peak
    # (1.1 GB at 288 pages); in the rare case the smaller figure does not close the hole, the
    # first layout is made again
    before, n, sheet = holes(document), len(fits), _css(fits)
    css = weasyprint.CSS(string=sheet)
    del document, fits  # the fits hold image boxes of the first layout
    gc.collect()  # boxes and pages refer to each other: refcounts alone free nothing
    sheets = list(options.pop("stylesheets", None) or [])
    document = source.render(stylesheets=[*sheets, css], **options)
    counts = [before, holes(document)]
    fitted = counts[1] < before if choice is None else choice
    renders = 2
    if not fitted:
        del document
        gc.collect()
        document = source.render(stylesheets=sheets, **options)
        renders = 3
    _log(n, counts, fitted, f"in {renders} layouts")
    return Fitted(document, counts, fitted, renders, sheet if fitted else "")


def _log(n: int, counts: list[int] | None, fitted: bool, how: str) -> None:
    if counts is not None:
        kept = "kept" if fitted else "put back"
        log.info("pagefit: %d figure(s) drawn smaller, holes %d → %d, %s %s",
                 n, counts[0], counts[1], kept, how)  # fmt: skip
