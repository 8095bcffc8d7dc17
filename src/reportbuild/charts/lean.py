"""Lean print SVGs: the drawing matplotlib writes, in fewer and cheaper nodes for WeasyPrint.

WeasyPrint (70) draws an SVG node by node, and each node costs it a cascade (its attributes
copied, its `style="…"` parsed by tinycss2, every stylesheet rule matched against it), a graphics
state saved and restored, three URL parses (filter, clip-path, mask) and a font size parsed from
'1em' through a ValueError. matplotlib writes a chart as nested groups that carry nothing but an
id (25 groups for 9 paths in a bar chart), every path clipped to its axes' rectangle, a
`*{stroke-linejoin…}` stylesheet matched against every node, RDF metadata and a
`rotate(-0 x y)` on every label. `lean_svg` rewrites that into what paints the same:

- groups with no attribute but an unreferenced id are replaced by their children;
- `style="…"` becomes presentation attributes, and the `*` rule's two properties are put where
  inheritance does not already give them (the root): without a stylesheet left, a presentation
  attribute is exactly as strong as the declaration it came from;
- the root gets font-size 16 and stroke-width 1 as plain numbers (WeasyPrint's defaults, 12pt
  and 1px), and px lengths lose their unit: the same values, parsed by float() at once;
- a clip path (one rectangle) is dropped from a path whose painted extent (its points, its
  stroke width and miter joins) lies inside it: that clip cuts nothing;
- identity transforms, clip paths no longer referenced and the RDF metadata go (its
  description, the figure's alt text, stays as a <desc>; the PDF's alt text is the HTML's);
- a label anchored at its middle or end (`text-anchor`) starts where WeasyPrint would have
  moved it to, given the advance of each letter in the face fontconfig picks (`advance`):
  WeasyPrint sets an anchored label in a group of its own, shifted once it is drawn, and each
  group is a form XObject that names the page's fonts again. poppler reads a font's widths and
  ToUnicode map anew for each form: the Chinese report's chart pages took pdftotext 3.1 CPU-s
  and pdftoppm up to 0.9 s a page, and 0.5 s in all once the labels were plain text.

Anything it does not recognise (another stylesheet, a style it cannot split exactly) leaves the
file as matplotlib wrote it. Text stays live `<text>`: the PDF's text layer depends on it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_S = f"{{{SVG_NS}}}"
_HREFS = (f"{{{XLINK_NS}}}href", "href")

_UNIVERSAL_RULE = re.compile(r"\s*\*\s*\{([^{}]*)\}\s*")
_NAME = re.compile(r"-?[A-Za-z][A-Za-z-]*")
_URL_REF = re.compile(r"url\(\s*['\"]?#([^)'\"]+)['\"]?\s*\)")
_PX = re.compile(r"(-?\d+(?:\.\d+)?)px")
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")
_IDENTITY_ROTATE = re.compile(r"rotate\(\s*-?0(?:\.0*)?(?:[ ,]+[-\d.e]+){0,2}\s*\)")
_PATH_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_PATH_ABSOLUTE = re.compile(r"[MLQCZz\s\d.,eE+-]*")
# properties whose px values WeasyPrint reads as user units (utils.size: 'px' is 1)
_LENGTHS = frozenset({"font-size", "stroke-width"})
# the share of a label's advance WeasyPrint moves it back by, for each anchor it shifts
_ANCHOR_SHARE = {"middle": 0.5, "end": 1.0}
# what else moves, spaces or orders a <text>'s letters: such a label keeps its anchor
_SPACED = ("dx", "dy", "rotate", "textLength", "lengthAdjust", "letter-spacing",
           "word-spacing", "direction", "writing-mode", "unicode-bidi", "font-stretch",
           "font-variant", "{http://www.w3.org/XML/1998/namespace}space")  # fmt: skip
_WEIGHTS = {"normal": False, "400": False, "bold": True, "700": True}
Advance = Callable[[str, bool, str], float | None]


class _Unsupported(Exception):
    """Something lean_svg does not rewrite exactly: the file is left as it was."""


def _declarations(style: str) -> list[tuple[str, str]]:
    """`style="…"` as WeasyPrint's tinycss2 reads it, for the plain forms matplotlib writes."""
    if any(c in style for c in "!\\{}") or "/*" in style:
        raise _Unsupported(style)
    out = []
    for part in style.split(";"):
        if not part.strip():
            continue
        name, colon, value = part.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not _NAME.fullmatch(name) or part.count("'") % 2 or part.count('"') % 2:
            raise _Unsupported(style)
        if not name.startswith("-"):  # WeasyPrint skips vendor declarations
            out.append((name.lower(), value))
    return out


def _referenced(root: ET.Element) -> set[str]:
    ids = set()
    for el in root.iter():
        for key, value in el.attrib.items():
            ids.update(_URL_REF.findall(value))
            if key in _HREFS and value.startswith("#"):
                ids.add(value[1:])
    return ids


def _universal(root: ET.Element, parents: dict) -> dict[str, str]:
    """The declarations of matplotlib's one stylesheet (`*{…}`), which is removed."""
    styles = [el for el in root.iter(f"{_S}style")]
    if not styles:
        return {}
    if len(styles) > 1 or (styles[0].get("type", "text/css") != "text/css"):
        raise _Unsupported("stylesheets")
    rule = _UNIVERSAL_RULE.fullmatch(styles[0].text or "")
    if not rule or len(styles[0]):
        raise _Unsupported("stylesheet")
    parents[styles[0]].remove(styles[0])
    return dict(_declarations(rule.group(1)))


def _flatten_groups(root: ET.Element, keep: set[str]) -> None:
    """Replace each group that carries nothing (no attribute but an id nothing refers to)
    by its children, in place."""
    for el in root.iter():
        i = 0
        while i < len(el):
            child = el[i]
            bare = child.tag == f"{_S}g" and set(child.attrib) <= {"id"}
            if bare and child.get("id") not in keep and not (child.text or "").strip():
                # one child takes the group's id (text_3, line2d_1: what a reader looks for)
                if len(child) == 1 and "id" in child.attrib and "id" not in child[0].attrib:
                    child[0].set("id", child.get("id"))
                el[i : i + 1] = list(child)
                continue  # look at the children moved up (they may be bare groups too)
            i += 1


def _clip_rect(clip: ET.Element) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) of a clipPath that is one plain rectangle in user space."""
    if set(clip.attrib) - {"id"} or len(clip) != 1:
        return None
    rect = clip[0]
    if rect.tag != f"{_S}rect" or set(rect.attrib) - {"x", "y", "width", "height"} or len(rect):
        return None
    try:
        x, y = float(rect.get("x", 0)), float(rect.get("y", 0))
        w, h = float(rect.get("width")), float(rect.get("height"))
    except (TypeError, ValueError):
        return None
    return x, y, x + w, y + h


def _painted_extent(path: ET.Element, stroke: str | None, width: str | None, limit: str | None):
    """(x0, y0, x1, y1) that a <path> of absolute M/L/Q/C/Z commands can paint (its points hold
    its curves; a stroke reaches half its width out, a miter join at most limit× that), or
    None when it cannot be told."""
    d = path.get("d", "")
    if not _PATH_ABSOLUTE.fullmatch(d) or any(
        k in path.attrib
        for k in ("transform", "marker", "marker-start", "marker-mid", "marker-end")
    ):
        return None
    numbers = [float(n) for n in _PATH_NUMBER.findall(d)]
    if not numbers or len(numbers) % 2:
        return None
    xs, ys = numbers[0::2], numbers[1::2]
    reach = 0.0
    if stroke and stroke != "none":
        try:
            reach = float(width if width is not None else 1) / 2 * max(float(limit or 4), 1.5)
        except ValueError:
            return None
    return min(xs) - reach, min(ys) - reach, max(xs) + reach, max(ys) + reach


def _drop_idle_clips(root: ET.Element, parents: dict) -> None:
    clips = {c.get("id"): _clip_rect(c) for c in root.iter(f"{_S}clipPath")}

    def walk(el: ET.Element, inherited: dict) -> None:
        here = {**inherited, **{k: v for k, v in el.attrib.items() if k.startswith("stroke")}}
        ref = _URL_REF.fullmatch(el.get("clip-path", ""))
        rect = clips.get(ref.group(1)) if ref else None
        if rect and el.tag == f"{_S}path":
            box = _painted_extent(
                el, here.get("stroke"), here.get("stroke-width"), here.get("stroke-miterlimit")
            )
            inside = box and (
                box[0] >= rect[0] and box[1] >= rect[1] and box[2] <= rect[2] and box[3] <= rect[3]
            )
            if inside:
                del el.attrib["clip-path"]
        for child in el:
            walk(child, here)

    walk(root, {})
    used = _referenced(root)
    for clip in list(root.iter(f"{_S}clipPath")):
        if clip.get("id") not in used:
            parents[clip].remove(clip)


def _lean(root: ET.Element, advance: Advance | None) -> None:
    parents = {child: el for el in root.iter() for child in el}
    for meta in list(root.iter(f"{_S}metadata")):
        # the description (the figure's alt text) stays, as one <desc> after the <title>
        about = meta.findtext(".//{http://purl.org/dc/elements/1.1/}description")
        at = list(parents[meta]).index(meta)
        parents[meta].remove(meta)
        if about and root.find(f"{_S}desc") is None:
            desc = ET.Element(f"{_S}desc")
            desc.text = about
            parents[meta].insert(at, desc)
    universal = _universal(root, parents)

    # What the stylesheet and the style attributes made of each property (style beats rule),
    # worked out before either is gone.
    wanted: dict[ET.Element, dict[str, str]] = {}
    for el in root.iter():
        own = dict(_declarations(el.get("style", "")))
        wanted[el] = {name: own.get(name, value) for name, value in universal.items()}
        if "style" in el.attrib:
            del el.attrib["style"]
            el.attrib.update(own)
        for name in _LENGTHS & el.attrib.keys():
            el.set(name, _PX.sub(r"\1", el.get(name)))
        if "d" in el.attrib:
            el.set("d", " ".join(el.get("d").split()))
        transform = el.get("transform")
        if transform is not None and _IDENTITY_ROTATE.fullmatch(transform.strip()):
            del el.attrib["transform"]

    # The stylesheet's values as inherited attributes: set where inheritance would not give them.
    def settle(el: ET.Element, inherited: dict[str, str]) -> None:
        for name, value in wanted[el].items():
            if el.get(name, inherited.get(name)) != value:
                el.set(name, value)
        here = {name: el.get(name, inherited.get(name)) for name in wanted[el]}
        for child in el:
            settle(child, here)

    settle(root, {})
    root.attrib.setdefault("font-size", "16")  # WeasyPrint's 12pt, without '1em' to parse
    root.attrib.setdefault("stroke-width", "1")  # its default '1px'
    _flatten_groups(root, _referenced(root))
    _drop_idle_clips(root, {child: el for el in root.iter() for child in el})
    if advance is not None:
        _start_anchored(root, {child: el for el in root.iter() for child in el}, advance)
    for defs in list(root.iter(f"{_S}defs")):
        if not len(defs):
            {child: el for el in root.iter() for child in el}[defs].remove(defs)


def svg_number(value: float) -> str:
    """As matplotlib's SVG writer prints a coordinate (%f, trailing zeros dropped)."""
    return f"{value:f}".rstrip("0").rstrip(".")


def _start_anchored(root: ET.Element, parents: dict, advance: Advance) -> None:
    """Each label anchored at its middle or end, moved to start where WeasyPrint would have
    put it: x less that share of the sum of its letters' advances (WeasyPrint lays an SVG
    label out letter by letter, each on its own: no kerning, no shaping across letters). A
    label this cannot measure exactly keeps its anchor: a letter no listed face draws, a font
    given in other units or weights, spacing or per-letter positions, children, or white space
    WeasyPrint would collapse."""

    def inherited(el: ET.Element, name: str) -> str | None:
        while el is not None:
            if name in el.attrib:
                return el.get(name)
            el = parents.get(el)
        return None

    for el in root.iter(f"{_S}text"):
        share = _ANCHOR_SHARE.get(inherited(el, "text-anchor") or "start")
        text = el.text or ""
        spaced = any(inherited(el, name) is not None for name in _SPACED)  # on a group too
        if share is None or len(el) or not text or spaced:
            continue
        if text != text.strip(" ") or "  " in text or any(c in text for c in "\t\n\r"):
            continue
        x = el.get("x", "")
        family, size = inherited(el, "font-family"), inherited(el, "font-size") or ""
        bold = _WEIGHTS.get(inherited(el, "font-weight") or "normal")
        plain = inherited(el, "font-style") in (None, "normal")
        if not (_PLAIN.fullmatch(x) and _PLAIN.fullmatch(size) and family and plain) or (
            bold is None
        ):
            continue
        families = [f.strip().strip("'\"") for f in family.split(",")]
        total = 0.0
        for char in text:
            em = next((a for f in families if (a := advance(f, bold, char)) is not None), None)
            if em is None:
                break
            total += em
        else:
            el.set("x", svg_number(float(x) - share * total * float(size)))
            el.set("text-anchor", "start")


def _tidy(el: ET.Element) -> None:
    """One element a line: the whitespace matplotlib indented the removed groups with goes
    (text inside <text> is left as it is)."""
    if el.tag == f"{_S}text" or not len(el):
        return
    if not (el.text or "").strip():
        el.text = "\n"
    for child in el:
        if not (child.tail or "").strip():
            child.tail = "\n"
        _tidy(child)


def lean_svg(svg: str, advance: Advance | None = None) -> str:
    """The print SVG matplotlib wrote, leaned for WeasyPrint (see the module's docstring);
    unchanged when it holds anything this does not rewrite exactly. `advance(family, bold,
    char)`: a letter's advance in em in the face WeasyPrint would draw it with, None if that
    family's face would not draw it; without it, labels keep their anchors."""
    try:
        root = ET.fromstring(svg)
    except ET.ParseError:
        return svg
    if root.tag != f"{_S}svg":
        return svg
    try:
        _lean(root, advance)
    except _Unsupported:
        return svg
    _tidy(root)
    # SVG as the default namespace and xlink's usual prefix, not ns0:/ns1: (tostring's
    # default_namespace refuses the attributes that have no namespace)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8" standalone="no"?>\n{body}\n'
