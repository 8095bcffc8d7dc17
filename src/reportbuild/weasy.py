"""Every use of WeasyPrint's private parts, each behind a small named function.

WeasyPrint's public API (`HTML`, `CSS`, `Document`, `URLFetcher`, `URLFetcherResponse`) is used
where it is needed. What is not public lives here and nowhere else:

- the laid-out box tree (`Page._page_box`, `formatting_structure.boxes`): read by pdf.py's
  layout findings and pagefit.py, edited by justify.py;
- line justification (`layout.inline.justify_line`, `count_expandable_spaces`) and Pango
  layouts (`text.line_break`, `text.ffi`): justify.py's inter-character justification;
- the parsed document of an SVG image (`images.SVGImage._svg`, `_context`, `_url_fetcher`):
  deferred.py's charts drawn while WeasyPrint typesets;
- the pagination loop (`layout.make_all_pages`, `LayoutContext.page_maker`) and an image's
  computed style: pagefit.py's smaller figure, laid out again from its page on (within the
  first pass, before the pages after the chapter are made), not the whole
  document;
- the letter-by-letter layout of SVG text (`text.line_break.split_first_line`, `Layout`,
  `svg.text.Style`): pdf.py's drawing lays each chart letter out once (`svg_letters_once`);
- the stylesheets of a document (`css.CSS` as `css.find_stylesheets` calls it, its `matcher`
  and `page_rules`, `css.tokens.Pending`): pagefit.py's layouts parse a <style> this process
  parsed before only once (`stylesheets_once`).

pyproject.toml bounds WeasyPrint to SUPPORTED, and tests/test_compat.py checks each function
here against the installed version. Where a part is missing (another version), the callers
take WeasyPrint's plain path and say so: justification by WeasyPrint alone (`hook_justify_line`
yields False), charts drawn before typesetting (`can_swap_svg` is False; `swap_svg` raises
Unsupported and the PDF is typeset again from the drawn files), a figure fitted by laying the
whole document out again (`hook_pagination` yields False, or raises Unsupported when
WeasyPrint's loop ends before the pages asked for are made again), a chart's letters laid out
each time they are drawn (`svg_letters_once` yields False), a stylesheet parsed for each
document (`stylesheets_once` yields False). Nothing here fails a build.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache

SUPPORTED = ((69, 0), (71, 0))  # [low, high): the versions whose private parts this matches


class Unsupported(Exception):
    """The installed WeasyPrint lacks a private part reportbuild uses; take the plain path."""


def supported(version: str | None = None) -> bool:
    """Whether `version` (default: the installed one) is in SUPPORTED."""
    if version is None:
        import weasyprint

        version = weasyprint.__version__
    parts = tuple(int(p) for p in re.findall(r"\d+", version)[:2])
    return SUPPORTED[0] <= parts < SUPPORTED[1]


# ── the box tree ───────────────────────────────────────────────────────────────────────


@lru_cache(maxsize=1)
def _boxes():
    from weasyprint.formatting_structure import boxes

    return boxes


def page_box(page):
    """The laid-out box of a `Document.pages` entry (margins, content and margin boxes)."""
    return page._page_box  # noqa: SLF001


def text_block_edges(page) -> tuple[float, float]:
    """(right, bottom) of the page's text block, in CSS px."""
    box = page_box(page)
    return box.content_box_x() + box.width, box.content_box_y() + box.height


def page_content(page) -> list:
    """The page's top-level boxes that hold its flow (not its margin boxes: headers, folios)."""
    return box_content(page_box(page))


def box_content(pbox) -> list:
    """`page_content` of a page box (a `Document.pages` entry's, or one `hook_pagination`
    hands over before its margin boxes are made)."""
    boxes = _boxes()
    return [c for c in pbox.children if not isinstance(c, boxes.MarginBox)]


def descendants(box) -> Iterator:
    """`box` and every box inside it, placeholders (floats, absolutes) included."""
    return box.descendants(placeholders=True)


def children(box) -> tuple:
    """The boxes directly inside `box` (none for a text or replaced box)."""
    return tuple(getattr(box, "children", ()))


def is_text(box) -> bool:
    return isinstance(box, _boxes().TextBox)


# Between two characters of the print HTML that must stay on one line (html.join_keeps): part of
# the character before it, not a character of the text.
JOINER = "\u200d"


def text_of(box) -> str:
    """A text box's characters as a reader sees them (without joiners)."""
    return box.text.replace(JOINER, "")


def is_line(box) -> bool:
    return isinstance(box, _boxes().LineBox)


def is_inline(box) -> bool:
    """An inline box (a span): holds text boxes and other inline boxes."""
    return isinstance(box, _boxes().InlineBox)


def is_table(box) -> bool:
    return isinstance(box, _boxes().TableBox)


def is_replaced(box) -> bool:
    """An image (or other replaced element)."""
    return isinstance(box, _boxes().ReplacedBox)


def is_footnote_area(box) -> bool:
    return isinstance(box, _boxes().FootnoteAreaBox)


def in_flow(box) -> bool:
    return box.is_in_normal_flow()


def element(box):
    """The HTML element a box was made for (None for anonymous boxes)."""
    return getattr(box, "element", None)


# ── pagination ─────────────────────────────────────────────────────────────────────────

# settled(pages, remake) -> None: pages is the list of laid-out page boxes; remake(indexes)
# asks for those pages to be laid out again
Settled = Callable[[list, Callable[[Iterable[int]], None]], None]
# made(pages) -> indexes of pages to lay out again at once (or None), in a layout's first pass
Made = Callable[[list], Iterable[int] | None]
_PAGE_MAKER = ("content_changed", "pages_wanted")
_LOOKUP = {"pending", "page_maker_index", "missing_target_counters", "parse_again",
           "cached_page_counter_values"}  # fmt: skip
LOOPS = 4  # remakes a layout may ask for (pagefit: smaller figures, references read again,
# figures put back, references read again), each with WeasyPrint's own number of passes


def can_hook_pagination() -> bool:
    """Whether `hook_pagination` can work with the installed WeasyPrint."""
    if not supported():
        return False
    try:
        from weasyprint import layout
        from weasyprint.css import targets
        from weasyprint.layout import page
    except ImportError:
        return False
    make = getattr(layout, "make_all_pages", None)
    document = getattr(layout, "layout_document", None)
    if make is None or make is not getattr(page, "make_all_pages", None) or document is None:
        return False
    params = list(inspect.signature(document).parameters)
    lookup = getattr(targets, "CounterLookupItem", None)
    collector = getattr(targets, "TargetCollector", None)
    return (
        list(inspect.signature(make).parameters) == ["context", "root_box", "html", "pages"]
        and "make_all_pages" in document.__code__.co_names
        and params[-1:] == ["max_loops"]
        and isinstance((document.__defaults__ or (None,))[-1], int)
        and set(_PAGE_MAKER) <= set(make.__code__.co_consts)
        and lookup is not None
        and set(lookup.__init__.__code__.co_names) >= _LOOKUP
        and collector is not None
        and "counter_lookup_items" in collector.__init__.__code__.co_names
    )


@contextmanager
def hook_pagination(settled: Settled, made: Made | None = None) -> Iterator[bool]:
    """While the block runs, each WeasyPrint layout calls `settled(pages, remake)` where its
    pagination loop would stop (page numbers settled, or its last pass): `pages` are the page
    boxes so far (no running heads or folios yet), `remake(indexes)` makes WeasyPrint lay those
    pages out again from the box tree (and each following page whose start then differs),
    reusing the others, and call `settled` again. Yields whether it could (False: another
    WeasyPrint). Raises Unsupported out of the render when WeasyPrint's loop has no pass left
    for a remake asked for, or its pagination state is not shaped as expected (the document
    is then not what was asked: lay it out afresh).

    `made(pages)`, if given, is called in a layout's first pass after each page is made, with
    the pages so far; the indexes it returns (all below len(pages)) are laid out again at once,
    before any page after them is made, and the pass goes on from there (`made` sees those
    pages again, and each page before them that WeasyPrint reuses)."""
    if not can_hook_pagination():
        yield False
        return
    from weasyprint import layout

    original, layout_document = layout.make_all_pages, layout.layout_document
    defaults = layout_document.__defaults__
    max_loops = inspect.signature(layout_document).parameters["max_loops"].default
    passes, since = [0], [0]  # passes of this layout; the pass when pages were last asked for
    stale = [False]  # pages were made again since the cross-references were last read

    def make_all_pages(context, root_box, html, pages):
        first = not pages  # a new layout
        if first:
            passes[0] = since[0] = 0
            stale[0] = False
        passes[0] += 1
        try:
            if first and made is not None:
                pages_made = first_pass(context, root_box, html)
            else:
                pages_made = list(original(context, root_box, html, pages))
            return after_pass(context, pages, pages_made)
        except (AttributeError, KeyError, IndexError, TypeError) as exc:  # another WeasyPrint
            raise Unsupported(f"WeasyPrint's pagination is not as expected: {exc!r}") from None

    def first_pass(context, root_box, html) -> list:
        """WeasyPrint's first pass, with `made` asked after each page; where it asks for pages
        again, the pass stops there and starts over as WeasyPrint's next pass would (reusing
        every page before the first one asked for), within the same pass."""
        footnotes = list(context.footnotes)  # as layout_document keeps them for its passes
        given: list = []
        later: set[int] = set()  # pages WeasyPrint asked to make again in its next pass
        while True:
            pages: list = []
            source = original(context, root_box, html, given)
            for page in source:
                pages.append(page)
                again = sorted(set(made(pages) or ()))
                if again:
                    break
            else:
                for i in later:  # now, once every page after them is made
                    if i < len(pages):
                        context.page_maker[i][-1]["content_changed"] = True
                return pages
            source.close()
            if again[0] < 0 or again[-1] >= len(pages):
                raise IndexError(f"pages {again} asked for again, of {len(pages)}")
            # the state WeasyPrint leaves at the end of a pass and sets at the next one's start
            context.broken_out_of_flow.clear()
            context.reported_footnotes.clear()
            context.footnotes = list(footnotes)
            # A page that waits for the numbers of pages after it (the contents, "see page
            # N") is made again in the next pass, as without this: not now, before the pages
            # it names are made again (one before these is left as it is; one of these, made
            # again now, would not ask again)
            for i in range(len(pages)):
                state = context.page_maker[i][-1]
                if state["content_changed"]:
                    state["content_changed"] = False
                    later.add(i)
            for i in again:
                context.page_maker[i][-1]["content_changed"] = True
            # a page after these that WeasyPrint finds unchanged is taken from here
            given = pages + given[len(pages) :]

    def after_pass(context, pages: list, made: list) -> list:
        states = [entry[-1] for entry in context.page_maker]
        more = any(s["content_changed"] for s in states) or (
            any(s["pages_wanted"] for s in states) and len(pages) != len(made)
        )  # as layout_document decides whether to loop again
        if more and passes[0] - since[0] < max_loops:  # each layout its own number of passes
            if passes[0] >= total:
                raise Unsupported(f"WeasyPrint's pagination stops after {total} passes")
            return made
        asked: list[int] = []
        if stale[0]:
            stale[0] = False
            asked = _reread_target_counters(context)
        if not asked:
            if more:  # out of passes: WeasyPrint stops here (its loop, widened, would not)
                for state in states:
                    state["content_changed"] = state["pages_wanted"] = False

            def remake(indexes: Iterable[int]) -> None:
                for i in indexes:
                    context.page_maker[i][-1]["content_changed"] = True
                    asked.append(i)

            settled(made, remake)
            stale[0] = bool(asked)
        if asked:
            since[0] = passes[0]
            if passes[0] >= total:
                raise Unsupported(f"WeasyPrint's pagination stops after {total} passes")
        return made

    total = (LOOPS + 1) * max_loops  # the first layout's passes, then each remake's
    layout_document.__defaults__ = (*defaults[:-1], total)
    layout.make_all_pages = make_all_pages
    try:
        yield True
    finally:
        layout.make_all_pages = original
        layout_document.__defaults__ = defaults


def _reread_target_counters(context) -> list[int]:
    """Make the pages that print another page's number (`target-counter`: the contents, "see
    page N") read it again; the pages asked for. WeasyPrint does so by itself when the page
    numbers come out of its first passes, but where an anchor named by `attr(href url)` moves
    later, it finds no page to update (the missing counter is filed under no anchor name)."""
    import copy

    asked = []
    page_maker = context.page_maker
    for (_box, token), item in context.target_collector.counter_lookup_items.items():
        index = item.page_maker_index
        if token != "content" or not item.missing_target_counters or index is None:
            continue
        if index + 1 < len(page_maker):
            # as make_page does for a pending item, with the counters of the page it is on
            # (kept for the next page's start): parsed now, the page is made once, not twice
            values = page_maker[index + 1][3][1]
            item.cached_page_counter_values = copy.deepcopy(values)
            item.pending = False
            item.parse_again(values)
            page_maker[index][-1]["content_changed"] = True
            asked.append(index)
    return asked


def set_image_width(box, width: float) -> Callable[[], None]:
    """Give an image's element the computed `width: {width}px; height: auto; max-width: none`,
    as a user stylesheet with !important gives it, for the layout passes that follow. Returns
    a function that puts the element's style back."""
    from weasyprint.css.properties import Dimension

    style = box.style
    new = {
        "width": Dimension(width, "px"),
        "height": "auto",
        "max_width": Dimension(math.inf, "px"),
    }
    old = {key: (key in style, dict.get(style, key)) for key in new}
    style.update(new)

    def restore() -> None:
        for key, (had, value) in old.items():
            if had:
                style[key] = value
            else:  # computed again, as before, when next asked for
                style.pop(key, None)

    return restore


# ── line justification ─────────────────────────────────────────────────────────────────

# justify(context, line, extra_width, original): what WeasyPrint calls for each justified line
Justify = Callable[[object, object, float, Callable], None]


@contextmanager
def hook_justify_line(justify: Justify) -> Iterator[bool]:
    """While the block runs, WeasyPrint justifies each line with `justify`; yields whether it
    could (False: another WeasyPrint, which justifies by itself)."""
    if not supported():
        yield False
        return
    from weasyprint.layout import inline

    original = getattr(inline, "justify_line", None)
    if original is None:
        yield False
        return

    def justify_line(context, line, extra_width):
        justify(context, line, extra_width, original)

    inline.justify_line = justify_line
    try:
        yield True
    finally:
        inline.justify_line = original


def count_expandable_spaces(line) -> int:
    """The spaces on a line that WeasyPrint's own justification widens."""
    from weasyprint.layout.inline import count_expandable_spaces as count

    return count(line)


_SPACES: dict[tuple, float] = {}


def space_width(context, style) -> float:
    """The natural width of a space in the style's font (measured once per font)."""
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


def set_letter_spacing(box, spacing: float) -> None:
    """Give a text box a Pango layout of its text with `spacing` (CSS px) between its
    characters, on top of its own letter spacing."""
    layout = _spaced_class()(box.style, box.justification_spacing, None)
    layout.extra_letter_spacing = spacing
    layout.set_text(box.text)
    layout.deactivate()
    box.pango_layout = layout


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


# ── SVG images ─────────────────────────────────────────────────────────────────────────

_SVG_PARTS = ("_svg", "_context", "_url_fetcher")


def can_swap_svg() -> bool:
    """Whether `swap_svg` can work with the installed WeasyPrint (checked before typesetting,
    so a build that cannot swap draws its charts first)."""
    if not supported():
        return False
    try:
        from weasyprint.images import SVGImage
        from weasyprint.svg import SVG
    except ImportError:
        return False
    names = set(SVGImage.__init__.__code__.co_names)
    params = SVG.__init__.__code__.co_varnames[1:5]
    return set(_SVG_PARTS) <= names and params == ("tree", "url", "font_config", "url_fetcher")


def swap_svg(image, data: bytes, url: str) -> None:
    """Make the SVG image WeasyPrint made from `url` draw `data` instead, parsed the way
    SVGImage parses it (with its layout context's fonts and its fetcher). Raise Unsupported if
    this WeasyPrint's image keeps its document elsewhere."""
    from xml.etree import ElementTree

    try:
        from weasyprint.svg import SVG

        context, fetcher = image._context, image._url_fetcher  # noqa: SLF001
        image._svg  # noqa: B018, SLF001 - present before it is replaced
    except (ImportError, AttributeError) as exc:
        raise Unsupported(f"WeasyPrint's SVG images have no {exc}") from None
    font_config = context.font_config if context else None
    image._svg = SVG(ElementTree.fromstring(data), url, font_config, fetcher)  # noqa: SLF001


# ── SVG text ───────────────────────────────────────────────────────────────────────────


def _font_key(style) -> tuple | None:
    """What a letter's layout depends on besides the letter: the style's values that are not
    the initial ones (svg/text.py makes each text's style from the initial values and its
    font), and its fonts. None if one cannot be a key."""
    from weasyprint.css.properties import INITIAL_VALUES

    key: list = [style.font_config]
    for name, value in style.items():
        if value is not INITIAL_VALUES.get(name):
            key.append((name, tuple(value) if isinstance(value, list) else value))
    try:
        hash(tuple(key))
    except TypeError:
        return None
    return tuple(key)


@contextmanager
def svg_letters_once() -> Iterator[bool]:
    """While the block runs (a document's drawing), WeasyPrint lays out each letter of the SVG
    images' <text> once per font and size, not once each time it is drawn: its SVG text is set
    letter by letter, each letter a Pango layout made twice (measured, then again to draw), and
    a chart's labels repeat the same digits and words. The same layouts draw the same glyphs:
    the PDF is byte-identical. Yields whether it could (False: another WeasyPrint)."""
    if not supported():
        yield False
        return
    try:
        import importlib

        from weasyprint.text import line_break

        svg_text = importlib.import_module("weasyprint.svg.text")
    except ImportError:
        yield False
        return
    original = getattr(line_break, "split_first_line", None)
    style_class = getattr(svg_text, "Style", None)
    layout_class = getattr(line_break, "Layout", None)
    draws = getattr(getattr(svg_text, "text", None), "__code__", None)
    if (
        original is None
        or style_class is None
        or not callable(getattr(layout_class, "reactivate", None))
        or draws is None
        or not {"split_first_line", "reactivate"} <= set(draws.co_names)
    ):
        yield False
        return
    laid: dict[tuple, tuple] = {}
    last: list = [None, None]  # a text's style and its key: its letters come one after another

    def split_first_line(text, style, context, max_width, justification_spacing, *a, **k):
        one = (
            isinstance(style, style_class)
            and len(text) == 1
            and max_width == math.inf
            and not justification_spacing
            and not a
            and not k
        )
        if one and last[0] is not style:
            last[:] = style, _font_key(style)
        key = (text, last[1]) if one and last[1] is not None else None
        if key is None:
            return original(text, style, context, max_width, justification_spacing, *a, **k)
        if key not in laid:
            got = original(text, style, context, max_width, justification_spacing)
            layout = got[0]
            layout.reactivate(style)  # as svg/text.py does before drawing it; then never again
            layout.reactivate = lambda _style: None
            laid[key] = got
        return laid[key]

    line_break.split_first_line = split_first_line
    try:
        yield True
    finally:
        line_break.split_first_line = original


# ── stylesheets (css.find_stylesheets, css.tokens.Pending) ───────────────────────────────

# a <style> text that changes what else a document holds is parsed each time: @import fetches,
# @font-face adds to the font configuration, @layer orders other sheets' rules, @counter-style
# and @color-profile add to the document's tables
_SHARED_NOT = re.compile(r"@(?:import|font-face|layer|counter-style|color-profile)|layer\(", re.I)
_STYLE_ARGS = frozenset({"string", "base_url", "url_fetcher", "media_type", "font_config",
                         "counter_style", "page_rules", "color_profiles", "layers"})  # fmt: skip
_URLS = re.compile(r"url\(|\\", re.I)  # a url() token, or an escape that might spell one
_SHEETS: dict[tuple, tuple] = {}  # (text, base URL, media) → matcher, @page rules, pending values
_SHEETS_KEPT = 8


@contextmanager
def stylesheets_once() -> Iterator[bool]:
    """While the block runs, a <style> whose text WeasyPrint parsed before in this process (in
    an earlier build of the preview server, the other layout of pagefit, a part of a split
    build forked after the single pass, a test) is not parsed again: the theme's 28 kB took
    tinycss2 and WeasyPrint's validation 54 ms a document. The selectors and declarations it
    made are shared, read only, as a stylesheet read from a file is by every document given
    it; its @page rules join the new document's. Each declaration whose var() is resolved
    late warns again where it is invalid. Only a sheet that warned of nothing and added
    nothing but rules is kept (see _SHARED_NOT). Yields whether it could."""
    if not supported():
        yield False
        return
    try:
        import logging

        import cssselect2
        import weasyprint
        from weasyprint import css as css_module
        from weasyprint.css.tokens import Pending
        from weasyprint.urls import ensure_url
    except ImportError:
        yield False
        return
    original = getattr(css_module, "CSS", None)
    finds = getattr(getattr(css_module, "find_stylesheets", None), "__code__", None)
    if original is not weasyprint.CSS or finds is None or "CSS" not in finds.co_names:
        yield False
        return

    class Kept(cssselect2.Matcher):
        """A matcher that remembers its declarations (to find the pending values in them)."""

        def __init__(self) -> None:
            super().__init__()
            self.payloads: list = []

        def add_selector(self, selector, payload):
            self.payloads.append(payload)
            super().add_selector(selector, payload)

    class Warned(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.WARNING)
            self.count = 0

        def emit(self, record) -> None:
            self.count += 1

    def pending(declaration_lists) -> list:
        return [v for ds in declaration_lists for _, v, _ in ds if isinstance(v, Pending)]

    def css(*args, **kw):
        text = kw.get("string")
        if args or set(kw) != _STYLE_ARGS or not isinstance(text, str) or _SHARED_NOT.search(text):
            return original(*args, **kw)
        page_rules, layers = kw["page_rules"], kw["layers"]
        # the base URL resolves url() while parsing (nothing else: attr() and target-counter()
        # are resolved later, against the document); without one, any project's theme is kept
        located = _URLS.search(text) is not None
        key = (text, kw["base_url"] if located else None, kw["media_type"])
        if key in _SHEETS:
            matcher, rules, late = _SHEETS[key]
            for value in late:
                value._reported_error = False  # noqa: SLF001 - warn again in this document
            page_rules.extend(rules)
            sheet = original.__new__(original)
            sheet.base_url = ensure_url(kw["base_url"]) if kw["base_url"] is not None else None
            sheet.matcher, sheet.page_rules, sheet.layers = matcher, page_rules, layers
            return sheet
        sizes = (len(page_rules), list(layers), len(kw["counter_style"] or ()),
                 len(kw["color_profiles"] or ()))  # fmt: skip
        warned, logger = Warned(), logging.getLogger("weasyprint")
        logger.addHandler(warned)
        try:
            sheet = original(**kw, matcher=Kept())
        finally:
            logger.removeHandler(warned)
        after = (len(page_rules), list(layers), len(kw["counter_style"] or ()),
                 len(kw["color_profiles"] or ()))  # fmt: skip
        if not warned.count and after[1:] == sizes[1:]:
            rules = page_rules[sizes[0] :]
            late = pending([d for d, _layer in sheet.matcher.payloads] + [r[2] for r in rules])
            if len(_SHEETS) >= _SHEETS_KEPT:
                _SHEETS.pop(next(iter(_SHEETS)))
            _SHEETS[key] = (sheet.matcher, rules, late)
        return sheet

    css_module.CSS = css
    try:
        yield True
    finally:
        css_module.CSS = original


# ── writing the PDF (pydyf, WeasyPrint's PDF writer) ───────────────────────────────────

_DATA_CLASSES = ("Dictionary", "Array", "Stream", "String")


@contextmanager
def pdf_bytes_once() -> Iterator[bool]:
    """While the block runs, each numbered object of a PDF pydyf writes is turned into bytes
    once: pydyf (0.13) makes every object's bytes to write it and, for the file identifier
    (`pdf_identifier=True`), all of them again to hash them, compressing each stream (page
    contents, fonts, the object stream) a second time at zlib level 9. Nothing changes an
    object while it is written: the same bytes, sooner. The pages' references, which pydyf
    makes afresh (a tuple of all of them) each time one is asked for, are kept while no page
    is added: the structure tree asks once per element (3,600 times for 35 pages). Yields
    whether it could (False: a pydyf whose objects or writer are shaped otherwise)."""
    try:
        import pydyf
    except ImportError:
        yield False
        return
    classes = [getattr(pydyf, name, None) for name in _DATA_CLASSES]
    props = [getattr(cls, "__dict__", {}).get("data") for cls in classes]
    pdf_class = getattr(pydyf, "PDF", None)
    references = getattr(pdf_class, "page_references", None)
    if (
        not all(isinstance(p, property) for p in props)
        or not callable(getattr(pdf_class, "write", None))
        or not isinstance(references, property)
    ):
        yield False
        return
    made: dict[int, tuple[object, bytes]] = {}
    writing = [0]  # PDF.write calls under way (a document's objects, while it is written)

    def once(make):
        def data(self):
            if not writing[0] or getattr(self, "number", None) is None:
                return make(self)  # a temporary object, or one not being written: as is
            got = made.get(id(self))
            if got is None or got[0] is not self:
                got = made[id(self)] = (self, make(self))
            return got[1]

        return property(data)

    write = pdf_class.write

    def write_once(self, *args, **kwargs):
        writing[0] += 1
        try:
            return write(self, *args, **kwargs)
        finally:
            writing[0] -= 1
            if not writing[0]:
                made.clear()

    kept: dict[int, tuple[object, int, tuple]] = {}

    def page_references(self):
        kids = self.pages["Kids"]
        got = kept.get(id(self))
        if got is None or got[0] is not kids or got[1] != len(kids):
            got = kept[id(self)] = (kids, len(kids), references.fget(self))
        return got[2]

    for cls, prop in zip(classes, props, strict=True):
        cls.data = once(prop.fget)
    pdf_class.write = write_once
    pdf_class.page_references = property(page_references)
    try:
        yield True
    finally:
        pdf_class.write = write
        pdf_class.page_references = references
        for cls, prop in zip(classes, props, strict=True):
            cls.data = prop
