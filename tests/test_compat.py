"""The private parts of WeasyPrint and matplotlib reportbuild relies on, in one place.

Every private use of WeasyPrint is a function of reportbuild.weasy (the adapter); a test here
proves no other module reaches past WeasyPrint's public API, and each adapter function is
exercised against the installed WeasyPrint. pyproject.toml bounds WeasyPrint to the adapter's
SUPPORTED range: when a new version moves a part, this file fails first and names it. Outside
the range, or with a part missing, builds take WeasyPrint's plain path (tested below).
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from reportbuild import weasy

SRC = Path(__file__).resolve().parents[1] / "src" / "reportbuild"
# WeasyPrint's documented API (doc.courtbouillon.org, "API Reference"): what any module may use
PUBLIC = {
    "weasyprint": {"HTML", "CSS", "Document", "URLFetcher", "__version__"},
    "weasyprint.urls": {"URLFetcher", "URLFetcherResponse", "FatalURLFetchingError"},
}
HTML = """<html><body style="width: 10cm">
<p style="text-align: justify">A line of words that is long enough to be justified across the
whole block of text and then some <span>more</span> words.</p>
<table><tr><td>cell</td></tr></table>
<img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='20' height='10'/%3E">
</body></html>"""


def _weasyprint_uses(path: Path) -> list[tuple[str, str, int]]:
    """(module, name, line) for each WeasyPrint import and `weasyprint.X` attribute in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("weasyprint"):
            out += [(node.module, a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.Import):
            out += [(a.name, "", node.lineno) for a in node.names if a.name.startswith("weasyp")]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "weasyprint"
        ):
            out.append(("weasyprint", node.attr, node.lineno))
    return out


def test_only_the_adapter_reaches_past_weasyprints_public_api():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "weasy.py":
            continue
        for module, name, line in _weasyprint_uses(path):
            if name and name not in PUBLIC.get(module, set()):
                offenders.append(f"{path.relative_to(SRC)}:{line} {module}.{name}")
        text = path.read_text(encoding="utf-8")
        for n, src_line in enumerate(text.split("\n"), 1):
            # a private attribute of a WeasyPrint object (matplotlib's is listed below)
            if "SLF001" in src_line and "_t2p" not in src_line:
                offenders.append(f"{path.relative_to(SRC)}:{n} {src_line.strip()}")
    assert offenders == [], "use reportbuild.weasy for these"


def test_the_check_finds_a_private_import(tmp_path):
    # the scan above can fail: it sees an import of a private module and a private attribute
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from weasyprint.layout import inline\nimport weasyprint\nweasyprint.images\n"
    )
    found = {(m, n) for m, n, _ in _weasyprint_uses(sample)}
    assert ("weasyprint.layout", "inline") in found and ("weasyprint", "images") in found


def test_pyproject_bounds_weasyprint_to_the_adapters_versions():
    meta = tomllib.loads((SRC.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    spec = next(d for d in meta["project"]["dependencies"] if d.startswith("weasyprint"))
    low, high = re.findall(r"[<>]=?\s*([\d.]+)", spec)
    bounds = tuple(tuple(int(p) for p in (v.split(".") + ["0"])[:2]) for v in (low, high))
    assert bounds == weasy.SUPPORTED
    assert weasy.supported()  # the installed one
    assert weasy.supported("70.0") and not weasy.supported("68.1") and not weasy.supported("71.0")


@pytest.fixture(scope="module")
def document():
    from weasyprint import HTML as Html

    cache: dict = {}
    return Html(string=HTML).render(cache=cache), cache


def test_the_box_tree_functions(document):
    doc, _ = document
    page = doc.pages[0]
    box = weasy.page_box(page)
    right, bottom = weasy.text_block_edges(page)
    assert 0 < right <= box.margin_width() and 0 < bottom <= box.margin_height()
    everything = [b for c in weasy.page_content(page) for b in weasy.descendants(c)]
    kinds = {
        name: [b for b in everything if getattr(weasy, f"is_{name}")(b)]
        for name in ("text", "line", "inline", "table", "replaced")
    }
    assert all(kinds.values()), {k: len(v) for k, v in kinds.items()}
    assert "more" in [t.text for t in kinds["text"]]
    assert any(weasy.element(b) is not None and weasy.element(b).tag == "td" for b in everything)
    line = kinds["line"][0]
    assert weasy.children(line) and all(weasy.in_flow(c) for c in weasy.children(line))
    # what justify.py reads and moves on each box
    text = kinds["text"][0]
    for name in ("position_x", "width", "style", "margin_right", "justification_spacing"):
        assert hasattr(text, name), name
    assert weasy.children(text) == ()
    assert not weasy.is_footnote_area(box)


def test_footnote_areas_are_found():
    from weasyprint import HTML as Html

    doc = Html(
        string='<style>.fn{float:footnote}</style><p>a<span class="fn">note</span></p>'
    ).render()
    found = [
        b for b in weasy.descendants(weasy.page_box(doc.pages[0])) if weasy.is_footnote_area(b)
    ]
    assert found


def test_the_justification_hook_is_called_and_put_back():
    from weasyprint import HTML as Html
    from weasyprint.layout import inline

    seen = []

    def justify(context, line, extra, original):
        seen.append((weasy.count_expandable_spaces(line), weasy.space_width(context, line.style)))
        first = next(b for b in weasy.descendants(line) if weasy.is_text(b))
        weasy.set_letter_spacing(first, 0.5)
        original(context, line, extra)

    before = inline.justify_line
    with weasy.hook_justify_line(justify) as hooked:
        assert hooked and inline.justify_line is not before
        Html(string=HTML).render().write_pdf()  # drawing re-sets the spaced layouts' text
    assert inline.justify_line is before
    assert seen and all(spaces > 0 and width > 0 for spaces, width in seen)


def test_another_weasyprint_takes_the_plain_paths(monkeypatch):
    import weasyprint
    from weasyprint.layout import inline

    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    before = inline.justify_line
    with weasy.hook_justify_line(lambda *a: None) as hooked:
        assert not hooked and inline.justify_line is before
    assert not weasy.can_swap_svg()
    with weasy.hook_pagination(lambda *a: None) as hooked:
        assert not hooked and not weasy.can_hook_pagination()
    from weasyprint.text import line_break

    split = line_break.split_first_line
    with weasy.svg_letters_once() as hooked:
        assert not hooked and line_break.split_first_line is split
    from weasyprint import css

    sheet = css.CSS
    with weasy.stylesheets_once() as hooked:
        assert not hooked and css.CSS is sheet


def test_the_pagination_hook_lays_pages_out_again_and_is_put_back():
    from weasyprint import HTML as Html
    from weasyprint import layout

    before = layout.make_all_pages, layout.layout_document.__defaults__
    html = "<style>@page { size: A6 }</style>" + "<p>A paragraph of words.</p>" * 40
    seen: list[tuple[int, float]] = []
    image = {}

    def settled(pages, remake):
        boxes = [b for p in pages for b in weasy.descendants(p) if weasy.is_replaced(b)]
        image.setdefault("box", boxes[0])
        seen.append((len(pages), boxes[0].width))
        if len(seen) == 1:  # the image drawn wider, its page (and the next) made again
            image["restore"] = weasy.set_image_width(boxes[0], 200)
            remake([0])

    img = HTML[HTML.index("<img") : HTML.index("</body>")]  # 20 px wide
    assert weasy.can_hook_pagination()
    with weasy.hook_pagination(settled) as hooked:
        assert hooked and layout.make_all_pages is not before[0]
        assert not weasy.can_hook_pagination()  # not twice at once
        document = Html(string=html.replace("<p>", img + "<p>", 1)).render()
    assert (layout.make_all_pages, layout.layout_document.__defaults__) == before
    assert seen[0][1] == 20 and seen[1:] == [(seen[0][0], 200)]  # settled again, once
    assert len(document.pages) == seen[0][0]
    image["restore"]()
    assert image["box"].style["width"] == "auto" and image["box"].style["max_width"].value > 1e9


def test_an_svg_image_takes_another_document(document):
    _, cache = document
    assert weasy.can_swap_svg()
    url, image = next((u, i) for u, i in cache.items() if u.startswith("data:image/svg"))
    assert image.get_intrinsic_size(1, 16)[0] == 20
    weasy.swap_svg(image, b"<svg xmlns='http://www.w3.org/2000/svg' width='40' height='10'/>", url)
    assert image.get_intrinsic_size(1, 16)[0] == 40


def test_an_image_without_its_document_is_unsupported():
    class Other:  # another WeasyPrint's image: its parts are named differently
        pass

    with pytest.raises(weasy.Unsupported):
        weasy.swap_svg(Other(), b"<svg xmlns='http://www.w3.org/2000/svg'/>", "file:///x.svg")


def test_the_fetcher_is_weasyprints_public_class_failing_on_errors():
    """fetcher.SandboxFetcher subclasses URLFetcher with fail_on_errors: a refused URL stops
    the build instead of a warning and a missing picture."""
    from weasyprint import HTML as Html
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    from reportbuild.fetcher import make_url_fetcher

    fetcher = make_url_fetcher([SRC])
    assert isinstance(fetcher, URLFetcher)
    with pytest.raises(FatalURLFetchingError):
        Html(string='<img src="file:///nowhere.png">', url_fetcher=fetcher).render()
    with pytest.raises(FatalURLFetchingError):
        Html(string='<img src="http://example.com/a.png">', url_fetcher=fetcher).render()
    assert fetcher.refused == ["file:///nowhere.png", "http://example.com/a.png"]


def test_matplotlib_text_to_path_gives_its_font():
    """charts.text measures Chinese from the glyphs of `TextToPath._get_font`."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = TextToPath()._get_font(FontProperties(family="DejaVu Sans", size=10))  # noqa: SLF001
    assert hasattr(font, "load_char") and hasattr(font, "get_kerning")


def test_each_pdf_object_is_made_into_bytes_once_for_the_same_pdf(monkeypatch):
    # pydyf makes every object's bytes twice when the PDF has a file identifier (to write it,
    # then to hash it): under the hook each stream is compressed once, and the file is the same
    import io
    import zlib
    from contextlib import nullcontext

    import pydyf
    from weasyprint import HTML as Html

    document = Html(string=HTML).render(pdf_tags=True)
    before = pydyf.Dictionary.__dict__["data"], pydyf.PDF.write, pydyf.PDF.page_references
    compressed: list[int] = []
    compressobj = zlib.compressobj

    def counted(*args, **kwargs):
        compressed.append(1)
        return compressobj(*args, **kwargs)

    monkeypatch.setattr(pydyf.zlib, "compressobj", counted)
    got = {}
    for hook in (False, True):
        compressed.clear()
        out = io.BytesIO()
        with weasy.pdf_bytes_once() if hook else nullcontext(False) as hooked:
            assert hooked is hook
            document.write_pdf(out, pdf_identifier=True, pdf_tags=True)
        got[hook] = out.getvalue(), len(compressed)
    assert got[True][0] == got[False][0]
    assert 0 < got[True][1] < got[False][1]
    after = pydyf.Dictionary.__dict__["data"], pydyf.PDF.write, pydyf.PDF.page_references
    assert after == before  # put back


STYLED = """<html><head><style>
@page { size: 90mm 60mm; margin: 8mm; @bottom-center { content: counter(page) } }
:root { --accent: #0e2a47; --gap: oops }
h1 { color: var(--accent); break-before: page } p { margin-top: var(--gap) }
</style></head><body><h1>One</h1><p>First page.</p><h1>Two</h1><p>Second page.</p></body></html>"""


def _typeset(html: str, base_url: str) -> tuple[bytes, list[str]]:
    """The PDF of `html` and the warnings WeasyPrint logged making it."""
    import io
    import logging

    from weasyprint import HTML as Html

    class Seen(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.WARNING)
            self.messages: list[str] = []

        def emit(self, record) -> None:
            self.messages.append(record.getMessage())

    seen, logger = Seen(), logging.getLogger("weasyprint")
    logger.addHandler(seen)
    try:
        out = io.BytesIO()
        Html(string=html, base_url=base_url).render().write_pdf(out)
    finally:
        logger.removeHandler(seen)
    return out.getvalue(), seen.messages


def test_a_style_parsed_before_is_shared_with_the_same_pages_and_warnings(tmp_path, monkeypatch):
    """Two documents in two folders with the same <style>: under the hook it is parsed once,
    its @page rules still make the second document's pages (size, folio), and its invalid
    var() warns in each document, as without the hook."""
    import tinycss2
    from weasyprint import css

    weasy._SHEETS.clear()  # noqa: SLF001 - what an earlier test in this process parsed
    parsed: list[int] = []
    parse = tinycss2.parse_stylesheet

    def counted(*args, **kwargs):
        parsed.append(1)
        return parse(*args, **kwargs)

    monkeypatch.setattr(tinycss2, "parse_stylesheet", counted)
    plain = [_typeset(STYLED, str(tmp_path / name)) for name in ("a", "b")]
    assert len(parsed) >= 2 and plain[0][0] == plain[1][0]
    assert any("var(" not in m and "oops" in m for m in plain[0][1]), plain[0][1]
    parsed.clear()
    before = css.CSS
    shared, counts = [], []
    with weasy.stylesheets_once() as hooked:
        assert hooked and css.CSS is not before
        for name in ("c", "d"):
            parsed.clear()
            shared.append(_typeset(STYLED, str(tmp_path / name)))
            counts.append(len(parsed))
    assert css.CSS is before  # put back
    assert shared == plain  # the same bytes, the same warnings, in each document
    assert counts[1] == counts[0] - 1  # the <style> parsed for the first document only


def test_a_style_that_adds_to_the_document_or_warns_is_parsed_each_time(tmp_path):
    weasy._SHEETS.clear()  # noqa: SLF001
    font = (tmp_path / "f.woff2").as_uri()
    for style in (
        f"@font-face {{ font-family: X; src: url({font}) }} p {{ font-family: X }}",
        "p { background-image: url(picture.png) }",  # resolved against each base URL
        "@layer base { p { color: red } }",
        "p { colour: red }",  # an unknown property: WeasyPrint warns
    ):
        html = f"<html><head><style>{style}</style></head><body><p>x</p></body></html>"
        with weasy.stylesheets_once():
            _typeset(html, str(tmp_path))
        kept = [key for key in weasy._SHEETS if key[0] == style]  # noqa: SLF001
        if "url(" in style and "@" not in style:  # kept for this folder only
            assert [key[1] for key in kept] == [tmp_path.as_uri() + "/"], style
        else:
            assert not kept, style
