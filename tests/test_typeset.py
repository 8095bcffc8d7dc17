"""The typesetting report (`check --layout`): measured in built PDFs, Chinese and English."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import layout_pages

from reportbuild.brand import load_brand
from reportbuild.cli import cli
from reportbuild.commands.new import new_project
from reportbuild.html import render_html
from reportbuild.lints import typeset
from reportbuild.lints.typeset import REPORT, measure
from reportbuild.load import load_project
from reportbuild.pdf import write_pdf

ROOT = Path(__file__).resolve().parent.parent

# running English text for the English project: the README's own sentences, enough of them to
# fill justified lines (a new project's chapter has one sentence)
ENGLISH = """
## Setting long paragraphs

An editorial team keeps a research report as plain, reviewable files, and one command turns them
into a branded print PDF for distribution, a PowerPoint briefing deck of the core points, key
findings and strategies with native, editable charts, and an HTML preview that refreshes while
they edit. Continuous integration proves on every change that all of it still builds and is
consistent with itself.

The tool is general: a second report with other chapters, cases and charts needs no code change.
Every error names the file and line it comes from and says what to do; all errors of a run are
reported together, and a failed build leaves the previous outputs untouched. Outputs are
byte-identical when nothing changed, so that a reviewer sees only the differences that matter.

Numbers in prose that also appear in a figure are bound to the figure's data, so that the text
and the chart cannot disagree; the lints flag a literal number that contradicts a figure, a
passage repeated in two places, a figure that no paragraph refers to and a character that the
brand fonts cannot draw.
"""


def _build(root: Path) -> Path:
    report, brand = load_project(root), load_brand(root)
    out = root / "output" / "report.pdf"
    write_pdf(render_html(report, brand, {}), out, root=root, report=report, brand=brand)
    return out


LINES: dict[Path, tuple] = {}  # read_lines of a PDF, read once
READ_LINES = typeset.read_lines


def _read_lines(pdf: Path) -> tuple:
    """lints.typeset.read_lines, read once per PDF; each caller gets its own copy (mapping the
    lines to the sources changes them): new lines and lists, the glyphs shared, as the mapper
    gives a line new glyphs and never changes one (a deep copy took 0.3 CPU-s, this 0.004)."""
    if pdf not in LINES:
        LINES[pdf] = READ_LINES(pdf)
    pages, extents = LINES[pdf]
    lines = [
        [dataclasses.replace(ln, glyphs=list(ln.glyphs), marks=list(ln.marks)) for ln in page]
        for page in pages
    ]
    return lines, [list(drawn) for drawn in extents]


@pytest.fixture(scope="module")
def chinese(built_zh):
    """This report as a build sets it (charts drawn): the run's shared build, read only."""
    report = load_project(built_zh.root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(typeset, "read_lines", _read_lines)
        return built_zh.root, report, measure(built_zh.pdf, report, built_zh.root)


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    root = new_project(tmp_path_factory.mktemp("en") / "report", "en-US")
    chapter = next((root / "sources" / "chapters").glob("*.md"))
    chapter.write_text(chapter.read_text(encoding="utf-8") + ENGLISH, encoding="utf-8")
    pdf = _build(root)
    report = load_project(root)
    return root, report, measure(pdf, report, root)


@pytest.mark.parametrize("which", ["chinese", "english"])
def test_lines_are_found_in_the_sources(which, request):
    _root, _report, result = request.getfixturevalue(which)
    c = result.counts
    assert c["lines_mapped"] >= 0.5 * c["lines"]
    assert c["justified_nonfinal"] >= (150 if which == "chinese" else 8)
    assert c["flush"] <= c["justified_nonfinal"]


@pytest.mark.parametrize("which", ["chinese", "english"])
def test_every_finding_names_a_source_file_and_line(which, request):
    root, _report, result = request.getfixturevalue(which)
    for f in result.findings:
        assert (root / f.path).is_file(), f
        assert f.line > 0, f
        if f.code != "L608":
            assert f.page > 0, f


def test_figures_without_source_are_the_models(chinese):
    _root, report, result = chinese
    bare = {f.loc.path for f in report.figures.values() if f.number and not f.source}
    assert {f.path for f in result.findings if f.code == "L608"} == bare
    assert result.counts["figures_without_source"] == len(bare)


def test_a_line_takes_its_word_spaces_from_its_source():
    """PDFium drops the space glyphs a line draws (and adds its own at any wide gap): the
    spaces come back from the source text, between two letters or digits, never beside a CJK
    character (there the HTML sets a gap, not a space), and never twice."""
    from reportbuild.lints.sites import Site
    from reportbuild.lints.typeset import Corpus, Glyph, Line, map_lines, respace

    text = "Set in reportbuild 2.0 在 Markdown 文件中"
    site = Site("chapter 1 prose", "sources/chapters/01.md", 3, text, text, True)
    drawn = [c for c in text if c != " "]
    drawn.insert(drawn.index("2"), " ")  # a space PDFium kept
    glyphs = [Glyph(c, 10.0 * i, 10.0 * i + 8, 0, 10, 10) for i, c in enumerate(drawn)]
    pages = [[Line(1, glyphs)]]
    corpus = Corpus([site])
    map_lines(pages, corpus)
    respace(pages, corpus)
    line = pages[0][0]
    assert line.text == "Set in reportbuild 2.0在Markdown文件中"
    gap = line.glyphs[3]  # the space after "Set" spans the gap between its neighbours
    assert (gap.text, gap.x0, gap.x1) == (" ", line.glyphs[2].x1, line.glyphs[4].x0)


def test_english_lines_are_measured_as_words(english):
    _root, _report, result = english
    # English lines are judged by their word spaces, not by CJK characters
    assert 0.15 < result.counts["widest_space_em"] < 1.0


def test_check_layout_prints_and_writes_the_counts(english):
    root, _report, _result = english
    out = CliRunner().invoke(cli, ["check", "-C", str(root), "--layout"])
    assert "justified non-final lines flush" in out.output
    data = json.loads((root / REPORT).read_text(encoding="utf-8"))
    assert data["counts"]["justified_nonfinal"] >= 8
    assert all({"code", "page", "path", "line", "message"} <= set(f) for f in data["findings"])


def test_justified_lines_reach_the_measure(chinese, english):
    # the targets: >= 97 % of non-final justified lines within 0.1 em of the measure,
    # no word space above 0.33 em (CJK lines justified between characters, justify.py)
    for _root, _report, result in (chinese, english):
        c = result.counts
        assert c["flush_share"] >= 0.97, c
        assert c["spaces_over_033em"] == 0, c


def test_justification_changes_no_text(chinese):
    # inter-character spacing moves glyphs only: every paragraph is still found whole
    import pypdfium2  # PDFium reads the CJK subsets in 0.2 s, pdftotext in 3 s

    root, report, _result = chinese
    doc = pypdfium2.PdfDocument(root / "output" / "report.pdf")
    text = "".join(page.get_textpage().get_text_range() for page in doc)
    doc.close()
    squashed = "".join(text.split())
    prose = [b.body.text for c in report.chapters for b in c.blocks() if hasattr(b, "body")]
    for para in (p for t in prose for p in t.split("\n") if len(p) > 30):
        assert "".join(para.split())[:30] in squashed, para[:30]


def test_the_hook_is_put_back():
    from weasyprint.layout import inline

    from reportbuild.justify import inter_character

    before = inline.justify_line
    with inter_character():
        assert inline.justify_line is not before
    assert inline.justify_line is before


def test_no_lone_characters_and_no_split_units(chinese, english):
    # paragraph ends, numbers with units and figure references are kept whole (html.rich)
    for _root, _report, result in (chinese, english):
        c = result.counts
        assert c["lone_last_lines"] == 0, c
        assert c["split_units"] == 0, c
        assert c["prohibited_breaks"] == 0, c


def test_headings_break_at_phrase_boundaries(chinese):
    # one long phrase of the real report (20 characters, no punctuation) is left to break where
    # it must; every other heading breaks between phrases, in the contents and openers too
    assert chinese[2].counts["headings_split"] <= 1


def test_the_default_pdf_is_tagged(chinese):
    import pikepdf  # reads the catalog alone; pypdf parsed 5,355 objects to reach it (0.5 s)

    root, report, _result = chinese
    with pikepdf.open(root / "output" / "report.pdf") as pdf:
        catalog = pdf.Root
        assert "/StructTreeRoot" in catalog  # structure tree: reading order, alt texts
        assert len(catalog.StructTreeRoot.K) > 0
        assert bool(catalog.MarkInfo.Marked)
        assert str(catalog.Lang) == report.lang


def test_text_colours_read_at_4_5_to_1():
    from reportbuild.brand import load_brand
    from reportbuild.html import PAPER_TINT, contrast, readable_colours

    css = readable_colours(load_brand(ROOT))
    assert "--brand-muted" in css  # the brand's #8995A3 reads at 2.8:1 on the tint
    for value in __import__("re").findall(r"#[0-9A-F]{6}", css):
        assert contrast(value, PAPER_TINT) >= 4.5
        assert contrast(value, "#FFFFFF") >= 4.5


def test_the_report_has_no_holes_and_no_finding(chinese):
    # the "done when", on the report as a build sets it (charts drawn): every count of
    # check --layout is zero; the last section of chapter 1 (a heading, a lead-in and a tall
    # diagram) left 54 % of page 13 empty until pagefit drew the diagram smaller
    _root, _report, result = chinese
    c = result.counts
    assert c["holes"] == 0, [f for f in result.findings if f.code == "L607"]
    assert [f.code for f in result.findings] == [], result.findings
    assert c["flush_share"] >= 0.97 and c["widest_space_em"] <= 0.33, c


# ── pagefit: a figure that would leave a hole is drawn smaller ───────────────────────────


def _page_with_figure(image_height: int, forced: bool = False):
    """Seventeen lines of text, a heading and a figure with a 400 px wide image, on A5 pages."""
    import urllib.parse

    import weasyprint

    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="{image_height}">'
        f'<rect width="400" height="{image_height}" fill="#888"/></svg>'
    )
    src = "data:image/svg+xml," + urllib.parse.quote(svg)
    text = "".join(f"<p>Line {i} of the running text.</p>" for i in range(17))
    brk = "break-before: page;" if forced else ""
    html = (
        "<style>@page { size: A5; margin: 20mm } body { margin: 0; font-size: 12px }"
        " p { margin: 0; line-height: 20px }"
        f" h2 {{ margin: 30px 0 0; line-height: 30px; break-after: avoid; {brk} }}"
        " figure { margin: 0; break-inside: avoid } img { display: block; width: 400px }</style>"
        f'{text}<h2>Heading</h2><figure id="fig-x"><figcaption>Figure 1</figcaption>'
        f'<img src="{src}"></figure>{text}'
    )
    return weasyprint.HTML(string=html)


def test_a_figure_that_leaves_a_hole_is_drawn_smaller():
    import weasyprint

    from reportbuild import pagefit

    source = _page_with_figure(250)  # 40 px too tall for what is left of the first page
    first = source.render()
    assert pagefit.holes(first) == 1
    fit = pagefit.plan(first)
    width = float(fit.split("width: ")[1].split("px")[0])
    assert fit.startswith("#fig-x img") and 0.8 * 400 <= width < 400
    again = source.render(stylesheets=[weasyprint.CSS(string=fit)])
    assert pagefit.holes(again) == 0
    assert len(again.pages) == len(first.pages)


def test_a_figure_is_not_shrunk_past_the_limit_nor_across_a_forced_break():
    from reportbuild import pagefit

    too_tall = _page_with_figure(400).render()  # would need 60 %: left where it is
    assert pagefit.holes(too_tall) == 1 and pagefit.plan(too_tall) == ""
    forced = _page_with_figure(250, forced=True).render()  # a new chapter: its due white space
    assert pagefit.holes(forced) == 0 and pagefit.plan(forced) == ""


def _pages(document) -> list[list]:
    """Each page as laid out: its text, and where each line and image is and how large."""
    return layout_pages(document)


def test_pagefit_lays_out_again_only_from_the_hole_and_gets_the_same_pages():
    from reportbuild import pagefit

    source = _page_with_figure(250)
    hooked = pagefit.render(source)  # inside WeasyPrint's pagination loop
    whole = pagefit.render(source, in_place=False)  # the whole document again, with CSS
    assert (hooked.holes, hooked.fitted, hooked.renders) == ([1, 0], True, 1)
    assert (whole.holes, whole.fitted, whole.renders) == ([1, 0], True, 2)
    assert _pages(hooked.document) == _pages(whole.document)
    plain = _page_with_figure(250).render()
    assert _pages(plain) != _pages(hooked.document)  # the figure did move up
    declined = pagefit.render(source, choice=False)  # a split group told not to fit
    assert (declined.holes, declined.fitted) == (None, False)
    assert _pages(declined.document) == _pages(plain)


def _notes_and_chapter(chapter_lines: int = 15) -> str:
    """A hole before a figure, footnotes after it, a link to a later heading, a chapter."""
    import urllib.parse

    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="250"/>'
    src = "data:image/svg+xml," + urllib.parse.quote(svg)
    text = "".join(f"<p>Line {i} of the running text.</p>" for i in range(15))
    chapter = "".join(f"<p>Line {i} of the chapter.</p>" for i in range(chapter_lines))
    notes = "".join(
        f'<p>Line {i} with a note<span class="fn">Note {i}.</span> and more.</p>' for i in range(12)
    )
    return (
        "<style>@page { size: A5; margin: 20mm; @bottom-center { content: counter(page) } }"
        " body { margin: 0; font-size: 12px } p { margin: 0; line-height: 20px }"
        " .fn { float: footnote } a::after { content: target-counter(attr(href url), page) }"
        " h2 { margin: 30px 0 0; line-height: 30px; break-after: avoid }"
        " h1 { break-before: page } figure { margin: 0; break-inside: avoid }"
        " img { display: block; width: 400px }</style>"
        f'<p><a href="#later">see page </a></p>{text}<h2>Heading</h2>'
        f'<figure id="fig-x"><figcaption>Figure 1</figcaption><img src="{src}"></figure>'
        f'{notes}<h2 id="later">Later</h2>{notes}<h1>Chapter</h1>{chapter}'
    )


def test_pagefit_in_one_layout_moves_footnotes_and_page_references():
    # the fit saves a page: the heading a link names moves from page 3 to page 2, footnotes
    # follow their calls, a chapter opens a page; the pages are those of a second layout
    import weasyprint

    from reportbuild import pagefit

    html = _notes_and_chapter()
    plain = weasyprint.HTML(string=html).render()
    hooked = pagefit.render(weasyprint.HTML(string=html))
    whole = pagefit.render(weasyprint.HTML(string=html), in_place=False)
    assert (hooked.holes, hooked.renders, whole.renders) == ([1, 0], 1, 2)
    assert _pages(plain)[0][0].startswith("see page 3") and len(plain.pages) == 5
    assert _pages(hooked.document)[0][0].startswith("see page 2")
    assert len(hooked.document.pages) == 4
    assert _pages(hooked.document) == _pages(whole.document)


def test_pagefit_lays_the_pages_after_the_chapter_break_out_once(monkeypatch):
    # the fit is made as soon as the first pass reaches the chapter after the hole: the pages
    # from the hole to the chapter's first page are made again at once, the chapter's other
    # pages once (WeasyPrint's own passes remake the page with the link, for its number)
    import weasyprint
    from weasyprint.layout import page as pages

    from reportbuild import pagefit

    made: list[int] = []
    remake_page = pages.remake_page

    def counted(index, *args):
        made.append(index)
        return remake_page(index, *args)

    monkeypatch.setattr(pages, "remake_page", counted)
    html = _notes_and_chapter(chapter_lines=90)
    got = pagefit.render(weasyprint.HTML(string=html))
    assert got.fitted and len(got.document.pages) == 6
    assert [p[0][:7] for p in _pages(got.document)][::3] == ["see pag", "Chapter"]
    # pages 1-5 as they were (the chapter on page 5), pages 1-6 fitted (the chapter on page
    # 4), then page 1 twice for its link's number (as WeasyPrint alone does)
    assert made == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 0, 0]
    whole = pagefit.render(weasyprint.HTML(string=html), in_place=False)
    assert _pages(got.document) == _pages(whole.document)


def test_a_fit_that_does_not_help_is_put_back_in_the_same_layout(monkeypatch):
    from reportbuild import pagefit

    plain = _pages(_page_with_figure(250).render())
    monkeypatch.setattr(pagefit, "_holes", lambda pages: 1)  # as if the hole had moved on
    got = pagefit.render(_page_with_figure(250))
    assert (got.holes, got.fitted, got.renders) == ([1, 1], False, 1)
    assert _pages(got.document) == plain  # the figure's own size, its pages made again
    forced = pagefit.render(_page_with_figure(250), choice=True)  # a split group told to fit
    assert forced.fitted and _pages(forced.document) != plain


def test_without_the_hook_pagefit_lays_the_document_out_again(monkeypatch):
    from reportbuild import pagefit, weasy

    monkeypatch.setattr(weasy, "can_hook_pagination", lambda: False)  # another WeasyPrint
    got = pagefit.render(_page_with_figure(250))
    assert (got.holes, got.fitted, got.renders) == ([1, 0], True, 2)
    monkeypatch.undo()

    for error in (weasy.Unsupported("no pass left"), KeyError("content_changed")):

        def half_way(self, pages, remake, error=error):  # out of passes; another page_maker
            raise error

        monkeypatch.setattr(pagefit._Refit, "settled", half_way)
        got = pagefit.render(_page_with_figure(250))  # the hook gave up: laid out again
        assert (got.holes, got.fitted, got.renders) == ([1, 0], True, 2)


def test_the_reports_hole_is_closed_in_one_layout_with_the_pages_of_two(built_zh):
    # the Chinese report's chapter 1 ends with a tall diagram that went overleaf: one layout,
    # pages 13 on laid out again inside it, gives the pages (and the contents' page numbers)
    # that laying the whole document out again with pagefit's stylesheet gives. The one
    # layout is the shared build's own, as its PDF stage made it (conftest keeps its pages);
    # the stylesheet is the one it wrote beside (pdf.PAGEFIT_CSS): the figures it drew smaller
    import weasyprint

    from reportbuild.justify import inter_character
    from reportbuild.pdf import OPTIONS, PAGEFIT_CSS

    root, hooked = built_zh.root, built_zh.layout
    assert (hooked["holes"], hooked["fitted"], hooked["renders"]) == ([1, 0], True, 1)
    css = (root / PAGEFIT_CSS).read_text(encoding="utf-8")
    assert css.count("!important }") == 1 and "width:" in css  # one figure, drawn smaller
    html = (root / ".reportbuild-cache" / "report.print.html").read_text(encoding="utf-8")
    source = weasyprint.HTML(string=html, base_url=root.as_uri() + "/")
    with inter_character():
        plain = source.render(stylesheets=[weasyprint.CSS(string=css)], **OPTIONS)
    assert len(hooked["pages"]) == built_zh.counts["pdf"]
    assert _pages(plain) == hooked["pages"]


# ── one spacing rule for numbers and units: prose, charts, stat cards ─────────────────────


@pytest.mark.parametrize(
    ("root", "fid"), [(ROOT, "nim"), (ROOT / "examples" / "minimum-wage-2013", "by-age-sex")]
)
def test_stat_cards_space_units_as_the_prose_does(root, fid):
    # '%' tight to its number in both languages ("1.90%", "11.0%"; it was 0.6 mm apart); a
    # Chinese unit or prefix a quarter em (of its size) from the digits, as the CJK–Latin gap
    # of the prose and the other charts ("约 1.20 个百分点")
    from reportbuild.charts.draw import lay_out
    from reportbuild.charts.style import MM_PER_PT

    report = load_project(root)
    cv, _size = lay_out(report.figures[fid], load_brand(root))
    texts = [op for kind, op in cv.ops if kind == "text"]
    gaps = {}
    for a, b in zip(texts, texts[1:], strict=False):
        if abs(a["y"] - b["y"]) < 0.01 and b["x"] > a["x"]:  # runs on one baseline
            end = a["x"] + cv.measure(a["s"], a["size"], bold=True)
            gaps[(a["s"], b["s"])] = (b["x"] - end, min(a["size"], b["size"]))
    pct = [g for (_, unit), (g, _s) in gaps.items() if unit == "%"]
    assert pct and all(abs(g) < 0.05 for g in pct), gaps
    for (left, right), (g, small) in gaps.items():
        if "个百分点" in right or left == "约":
            assert abs(g - 0.25 * small * MM_PER_PT) < 0.05, (left, right, g)


def test_a_closing_mark_ends_a_line_at_its_box_or_at_its_ink():
    # a full-width ，at a line's end has its ink in the left half: an engine that hangs it
    # (Typst) puts the ink at the edge, one that sets it full width puts the box there
    from reportbuild.lints.typeset import Glyph, Line

    cjk = Line(1, [Glyph("字", 0, 10, 0, 10, 10), Glyph("，", 10, 20, 0, 10, 10)])
    assert cjk.x1 == 20 and cjk.ink_x1 == 15 and cjk.hangs
    latin = Line(1, [Glyph("s", 0, 5, 0, 10, 10), Glyph("’", 5, 7.5, 0, 10, 10)])
    assert latin.ink_x1 == latin.x1 == 7.5 and not latin.hangs


def test_a_closing_mark_at_a_lines_end_hangs_its_blank_half(chinese):
    # justify.py: the ink of ，。； at the end of a justified line meets the edge that lines
    # ending in a Han character meet (its box's blank half in the margin), within 0.1 em
    from statistics import median

    from reportbuild.justify import HANGING
    from reportbuild.lints.sites import sites
    from reportbuild.lints.typeset import HAN, Corpus, justified, map_lines

    root, report, _result = chinese
    pages, _ = _read_lines(root / "output" / "report.pdf")
    corpus = Corpus(sites(report, root))
    map_lines(pages, corpus)
    ends = {id(s): corpus.breaks[i] for i, s in enumerate(corpus.sites)}  # paragraph ends
    ordered = [ln for lines in pages for ln in lines if ln.site]
    hung, plain = [], []
    for a, b in zip(ordered, ordered[1:], strict=False):
        if (
            a.site is b.site and b.start == a.end and a.end not in ends[id(a.site)]
            and justified(a.site) and round(a.size, 1) == 10
        ):  # fmt: skip
            side = a.page % 2
            if a.glyphs[-1].text in HANGING:
                hung.append((side, a.ink_x1, a.x1))
            elif HAN.match(a.glyphs[-1].text):
                plain.append((side, a.x1))
    assert len(hung) >= 5
    for side in (0, 1):
        edge = median(x for s, x in plain if s == side)
        for s, ink, box in hung:
            if s == side:
                assert abs(ink - edge) < 1.0 and box - edge > 4.0, (ink, box, edge)
