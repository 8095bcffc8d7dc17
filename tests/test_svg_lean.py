"""Lean print SVGs (charts/lean.py) draw what matplotlib's draw, in far fewer nodes; their
letters are laid out once each (weasy.svg_letters_once) for the same PDF bytes.

Every chart of the chart fixture (every kind, Chinese) and of the English example is drawn once
per module; its SVG as matplotlib writes it is compared with the leaned one as WeasyPrint reads
them (its own cascade): the same painted paths and labels in the same order with the same
properties, the same extent, less than half the nodes, and the same pixels once typeset.
"""

from __future__ import annotations

import html
import re
import shutil
import xml.etree.ElementTree as ET
from contextlib import nullcontext
from pathlib import Path

import matplotlib
import pytest

from reportbuild import weasy
from reportbuild.brand import load_brand
from reportbuild.charts import draw
from reportbuild.charts.lean import lean_svg
from reportbuild.charts.style import Style
from reportbuild.charts.text import letter_advance
from reportbuild.load import load_project

HERE = Path(__file__).parent
ROOT = HERE.parent
SKELETON = ROOT / "src" / "reportbuild" / "skeleton"
FIXTURE_FIGURES = HERE / "fixtures" / "charts" / "figures"
EXAMPLE = ROOT / "examples" / "minimum-wage-2013"

# what a drawn node's look depends on, as WeasyPrint reads it (svg/__init__.py, svg/text.py)
PAINT = ("fill", "stroke", "stroke-width", "stroke-linejoin", "stroke-linecap",
         "stroke-dasharray", "stroke-miterlimit", "opacity", "fill-opacity", "stroke-opacity",
         "fill-rule", "transform", "display", "visibility")  # fmt: skip
FONT = ("font-size", "font-family", "font-weight", "font-style", "text-anchor")
SVG = "{http://www.w3.org/2000/svg}"
DC = "http://purl.org/dc/elements/1.1/"
IDENTITY = re.compile(r"rotate\(-?0 [-\d.]+ [-\d.]+\)")


def _drawn(project: Path) -> list[tuple[str, str, str]]:
    """(figure id, matplotlib's print SVG, the leaned one) for every chart of a project."""
    report, brand = load_project(project), load_brand(project)
    out = []
    for fid, fig in report.figures.items():
        if fig.kind == "image":
            continue
        cv, _ = draw.lay_out(fig, brand)
        with matplotlib.rc_context(Style.from_brand(brand).rc()):
            raw = draw.matplotlib_svg(cv.render(), fig, outlined=False)
        out.append((fid, raw, lean_svg(raw, letter_advance)))
    return out


@pytest.fixture(scope="module")
def charts(tmp_path_factory) -> list[tuple[str, str, str]]:
    root = tmp_path_factory.mktemp("lean") / "proj"
    shutil.copytree(SKELETON, root)
    for f in FIXTURE_FIGURES.glob("*.yml"):
        shutil.copy(f, root / "figures" / f.name)
    drawn = _drawn(root) + _drawn(EXAMPLE)
    assert len(drawn) >= 14
    return drawn


def _number(value: str | None) -> str | None:
    """A length as WeasyPrint's utils.size reads it: px is the user unit."""
    if value is None:
        return None
    bare = value[:-2] if value.endswith("px") else value
    try:
        return repr(float(bare))
    except ValueError:
        return value


def painted(svg: str, placed: bool = True) -> list[tuple]:
    """What WeasyPrint paints, in order: each path and label with the properties its cascade
    gives it (clip paths aside: the pixels below say a dropped one cut nothing). Not `placed`:
    a label's x and anchor are left out (a leaned label starts where the anchor put it:
    test_anchored_labels_are_set_where_weasyprint_set_them)."""
    from weasyprint.svg import SVG

    doc = SVG(ET.fromstring(svg.encode()), None, None, None)
    out: list[tuple] = []

    def walk(node, font_size: str) -> None:
        for child in node:
            if child.tag in ("defs", "clipPath", "pattern", "title", "desc", "metadata", "style"):
                continue
            size = child.get("font-size")
            size = font_size if size in (None, "1em") else _number(size)
            props = {k: child.get(k) for k in PAINT}
            props["stroke-width"] = _number(props["stroke-width"] or "1")
            if props["transform"] and IDENTITY.fullmatch(props["transform"]):
                props["transform"] = None
            if child.tag == "text":
                font = [child.get(k) for k in FONT[1:]]
                # as svg/text.py reads the families: split at commas, quotes stripped
                font[0] = [f.strip().strip("\"'") for f in (font[0] or "").split(",")]
                if not placed:
                    font[-1] = None
                x = child.get("x") if placed else None
                out.append(("text", child.text, x, child.get("y"), size, font, props))
            elif child.tag in ("path", "rect", "line", "polyline", "polygon", "circle", "use"):
                shape = " ".join(child.get("d", "").split())
                ref = child.get("{http://www.w3.org/1999/xlink}href")
                out.append((child.tag, shape, ref, child.get("x"), child.get("y"), props))
            walk(child, size)

    walk(doc.tree, repr(16.0))
    return out


def extent(svg: str) -> tuple[float, float, float, float]:
    numbers = [
        float(n)
        for el in ET.fromstring(svg).iter(f"{SVG}path")
        for n in re.findall(r"-?\d+(?:\.\d+)?", el.get("d", ""))
    ]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def test_lean_svg_paints_the_same_paths_and_labels(charts):
    for fid, raw, lean in charts:
        assert lean != raw, f"{fid}: not leaned"
        a, b = painted(raw, placed=False), painted(lean, placed=False)
        assert [t[1] for t in a if t[0] == "text"] == [t[1] for t in b if t[0] == "text"], fid
        assert a == b, fid
        assert extent(lean) == extent(raw), fid
        r, s = ET.fromstring(raw), ET.fromstring(lean)
        for key in ("width", "height", "viewBox"):
            assert s.get(key) == r.get(key), (fid, key)
        assert s.findtext(f"{SVG}title") == r.findtext(f"{SVG}title")
        assert s.findtext(f"{SVG}desc") == r.findtext(f".//{{{DC}}}description") != ""


def test_lean_svg_has_less_than_half_the_nodes(charts):
    raw = sum(sum(1 for _ in ET.fromstring(r).iter()) for _, r, _ in charts)
    lean = sum(sum(1 for _ in ET.fromstring(s).iter()) for *_, s in charts)
    # matplotlib: a group per artist, metadata, a stylesheet; lean: about 0.45 of that
    assert lean < 0.5 * raw, (lean, raw)
    for _, _, s in charts:
        assert "<style" not in s and "style=" not in s and "<metadata" not in s
        assert "rotate(-0 " not in s


def test_lean_svg_leaves_what_it_cannot_rewrite_exactly():
    odd = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><style>path{fill:red}</style>'
        '<g id="a"><path d="M 0 0 L 1 1 z" style="fill: blue"/></g></svg>'
    )
    assert lean_svg(odd) == odd
    important = odd.replace("<style>path{fill:red}</style>", "").replace("blue", "blue !important")
    assert lean_svg(important) == important
    assert lean_svg("not xml") == "not xml"


def test_the_print_svg_written_is_the_lean_one(tmp_path):
    report, brand = load_project(EXAMPLE), load_brand(EXAMPLE)
    fig = next(f for f in report.figures.values() if f.kind != "image")
    cv, _ = draw.lay_out(fig, brand)
    draw.draw_print(fig, brand, tmp_path, cv)
    with matplotlib.rc_context(Style.from_brand(brand).rc()):
        raw = draw.matplotlib_svg(cv.render(), fig, outlined=False)
    written = (tmp_path / ".print" / f"{fig.id}.svg").read_text(encoding="utf-8")
    assert written == lean_svg(raw, letter_advance)


@pytest.fixture(scope="module")
def typeset(charts, tmp_path_factory) -> dict[str, Path]:
    """The charts typeset one a page: as matplotlib wrote them, leaned, and leaned with
    weasy.svg_letters_once (with the number of Pango layouts WeasyPrint made for their text)."""
    import weasyprint
    from weasyprint.text import line_break

    tmp = tmp_path_factory.mktemp("typeset")
    out = {}
    for which in ("raw", "lean", "once"):
        folder = tmp / which
        folder.mkdir()
        imgs = []
        for n, (fid, raw, lean) in enumerate(charts):
            f = folder / f"{n:02}-{fid}.svg"
            f.write_text(raw if which == "raw" else lean, encoding="utf-8")
            imgs.append(f'<p><img src="{f.as_uri()}" alt="{html.escape(fid)}"></p>')
        css = "@page { size: A4; margin: 10mm } p { break-after: page; margin: 0 }"
        doc = f"<html><head><style>{css}</style></head><body>{''.join(imgs)}</body></html>"
        document = weasyprint.HTML(string=doc, base_url=str(folder)).render()
        real, calls = line_break.split_first_line, []

        def counted(*a, real=real, calls=calls, **k):
            calls.append(a[0])
            return real(*a, **k)

        line_break.split_first_line = counted
        try:
            with weasy.svg_letters_once() if which == "once" else nullcontext(False) as hooked:
                assert hooked == (which == "once")
                out[which] = tmp / f"{which}.pdf"
                document.write_pdf(out[which])
            assert line_break.split_first_line is counted  # put back
        finally:
            line_break.split_first_line = real
        out[f"{which} layouts"] = len(calls)
    return out


def test_each_chart_letter_is_laid_out_once_and_draws_the_same_bytes(typeset):
    assert typeset["once"].read_bytes() == typeset["lean"].read_bytes()
    # WeasyPrint lays a label out whole, then each of its letters; under the hook each letter of
    # a font and size once: the charts repeat their digits and words
    assert typeset["once layouts"] < 0.7 * typeset["lean layouts"], typeset


def test_lean_svg_typesets_to_the_same_pixels(charts, typeset):
    # rendered by PDFium at 60 dpi, text not anti-aliased: PDFium smooths the letters of a form
    # XObject (where WeasyPrint drew each anchored label of the raw SVG) unlike those drawn on
    # the page (where the leaned label is), by up to 125 of 255 at the same positions
    import pypdfium2
    from PIL import ImageChops

    def pages(pdf: Path) -> list:
        doc = pypdfium2.PdfDocument(pdf)
        try:
            return [
                page.render(scale=60 / 72, no_smoothtext=True).to_pil().convert("RGB")
                for page in doc
            ]
        finally:
            doc.close()

    raw, lean = pages(typeset["raw"]), pages(typeset["lean"])
    assert len(raw) == len(lean) == len(charts)
    for (fid, *_), ia, ib in zip(charts, raw, lean, strict=True):
        assert ia.getextrema() != ((255, 255), (255, 255), (255, 255)), f"{fid} is blank"
        worst = max(hi for _, hi in ImageChops.difference(ia, ib).getextrema())
        assert worst <= 8, f"{fid}: pixels differ by up to {worst} (anti-aliasing is ≤ 8)"


def _glyphs(pdf: Path) -> list[list[tuple[str, float, float]]]:
    """Each page's characters with the left and bottom of their boxes (pt), in drawing order
    (PDFium's spaces and line ends, which it makes up from the gaps, left out)."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    try:
        pages = []
        for page in doc:
            text = page.get_textpage()
            boxes = [text.get_charbox(i) for i in range(text.count_chars())]
            chars = text.get_text_range()
            pages.append(
                [(c, b[0], b[1]) for c, b in zip(chars, boxes, strict=True) if not c.isspace()]
            )
        return pages
    finally:
        doc.close()


def _forms(pdf: Path) -> int:
    """Form XObjects the pages draw (WeasyPrint makes one for each anchored label)."""
    import pikepdf

    with pikepdf.open(pdf) as doc:
        return sum(len(page.Resources.get("/XObject", {})) for page in doc.pages)


def test_anchored_labels_are_set_where_weasyprint_set_them(charts, typeset):
    """A label anchored at its middle or end starts where WeasyPrint's own shift put it, to a
    hundredth of a point, for every letter of both languages' charts; the groups it drew
    anchored labels in (form XObjects, poppler reads the fonts again for each) are gone."""
    anchor = re.compile(r'text-anchor(?:="|:\s*)(middle|end)')
    anchored = sum(len(anchor.findall(raw)) for _, raw, _ in charts)
    assert anchored >= 60, anchored
    assert not [fid for fid, _, lean in charts if anchor.search(lean)]
    raw, lean = _glyphs(typeset["raw"]), _glyphs(typeset["lean"])
    for (fid, *_), a, b in zip(charts, raw, lean, strict=True):
        assert [c for c, *_ in a] == [c for c, *_ in b], fid
        worst = max(max(abs(p[1] - q[1]), abs(p[2] - q[2])) for p, q in zip(a, b, strict=True))
        assert worst < 0.01, (fid, worst)
    assert _forms(typeset["lean"]) <= _forms(typeset["raw"]) - anchored


def test_a_label_that_cannot_be_measured_keeps_its_anchor():
    def label(attrs: str, text: str = "Sales 42") -> str:
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 20">'
            f'<text x="50" y="10" font-size="8" font-family="Carlito" {attrs}>{text}</text></svg>'
        )
        return lean_svg(svg, letter_advance)

    moved = label('text-anchor="middle"')
    assert 'text-anchor="start"' in moved and 'x="50"' not in moved
    for attrs, text in [
        ('text-anchor="middle"', "Sales \u4e00"),  # a letter Carlito lacks: Pango's fallback
        ('text-anchor="end" letter-spacing="1"', "Sales 42"),
        ('text-anchor="end" font-weight="600"', "Sales 42"),  # no face of that weight here
        ('text-anchor="end" font-style="italic"', "Sales 42"),
        ('text-anchor="end"', "Sales  42"),  # WeasyPrint collapses the two spaces
        ('text-anchor="end" font-size="1em"', "Sales 42"),
    ]:
        kept = label(attrs, text)
        assert 'x="50"' in kept and "text-anchor" in kept and 'text-anchor="start"' not in kept
    # spacing a group gives its labels (SVG inherits it) counts as the label's own
    grouped = lean_svg(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 20"><g letter-spacing="2">'
        '<text x="50" y="10" font-size="8" font-family="Carlito" text-anchor="end">Sales 42'
        "</text></g></svg>",
        letter_advance,
    )
    assert 'x="50"' in grouped and 'text-anchor="start"' not in grouped
