"""The PDF as readers and printers see it: pages, outline, metadata, fonts, text, sandbox."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportbuild.brand import load_brand
from reportbuild.errors import BuildError, ReportError, SourceError
from reportbuild.fetcher import make_url_fetcher
from reportbuild.html import render_html
from reportbuild.load import load_project
from reportbuild.pdf import LAYOUT_REPORT, PdfResult, WarningLog, write_pdf

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "pdf" / "project"
SKELETON = ROOT / "src" / "reportbuild" / "skeleton"
EPOCH = "1700000000"
IGNORE = shutil.ignore_patterns("output", ".reportbuild-cache")


def _copy(src: Path, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for part in ("sources", "figures", "styles"):
        if (src / part).is_dir():
            shutil.copytree(src / part, dest / part, ignore=IGNORE)
    return dest


WARNINGS: dict[Path, list[str]] = {}  # each built PDF's warnings


def _build(root: Path, out: Path, **kw):
    report = load_project(root)
    brand = load_brand(root)
    html = render_html(report, brand, kw.pop("charts", {}))
    seen = WarningLog()  # what the PDF stage passes on, WeasyPrint's own warnings among them
    logger = logging.getLogger("reportbuild.pdf")
    logger.addHandler(seen)
    try:
        result = write_pdf(html, out, root=root, report=report, brand=brand, **kw)
    finally:
        logger.removeHandler(seen)
    WARNINGS[out] = seen.messages
    return report, html, result


class Built:
    def __init__(self, root: Path, pdf: Path, report, html: str, result) -> None:
        self.root, self.pdf, self.report, self.html, self.result = root, pdf, report, html, result
        self.reader = PdfReader(pdf)
        self.pages = _pages_text(pdf)
        assert len(self.pages) == len(self.reader.pages)

    def outline(self) -> list[tuple[str, int, list]]:
        def walk(items) -> list:
            out: list = []
            for it in items:
                if isinstance(it, list):
                    out[-1][2].extend(walk(it))
                else:
                    out.append((it.title, self.reader.get_destination_page_number(it) + 1, []))
            return out

        return walk(self.reader.outline)


def _pdftotext(pdf: Path, page: int, layout: bool = False) -> str:
    args = ["pdftotext", "-f", str(page), "-l", str(page), "-enc", "UTF-8"]
    args += ["-layout"] if layout else []
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _pages_text(pdf: Path) -> list[str]:
    """The text of every page, as `_pdftotext(pdf, n)` gives it (ending in its form feed), from
    one run of pdftotext: each run reads the CJK fonts again."""
    args = ["pdftotext", "-enc", "UTF-8", str(pdf), "-"]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return [page + "\f" for page in text.split("\f")[:-1]]


def _squash(text: str) -> str:
    """Text without any whitespace: pdftotext puts spaces at the CJK–Latin gaps and line ends."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="session")
def epoch():
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    yield EPOCH
    if old is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = old


@pytest.fixture(scope="session")
def small(tmp_path_factory, epoch) -> Built:
    """The test fixture report (every kind of block), built once; figures shown as their data."""
    root = _copy(FIXTURE, tmp_path_factory.mktemp("small"))
    out = root / "output" / "report.pdf"
    report, html, result = _build(root, out)
    return Built(root, out, report, html, result)


@pytest.fixture(scope="session")
def real(built_zh) -> Built:
    """The city-commercial-bank report as a build makes it (charts drawn): the run's shared
    build, read only; its layout findings are those the PDF stage wrote for `check`."""
    root = built_zh.root
    entries = json.loads((root / LAYOUT_REPORT).read_text(encoding="utf-8"))
    result = PdfResult(pages=built_zh.counts["pdf"], overflow=[e["message"] for e in entries])
    WARNINGS[built_zh.pdf] = built_zh.warnings
    html = (root / ".reportbuild-cache" / "report.print.html").read_text(encoding="utf-8")
    return Built(root, built_zh.pdf, load_project(root), html, result)


# ── structure ──────────────────────────────────────────────────────────────────────────


def _expected_outline(report) -> list[tuple[str, list]]:
    top: list[tuple[str, list]] = [(p.title, []) for p in report.front]
    if report.core_points and report.core_points.points:
        top.append((report.core_points.title, []))
    for c in report.chapters:
        top.append(
            (c.title, [(s.title, [(h.title, []) for h in s.subsections]) for s in c.sections])
        )
    top += [(p.title, []) for p in report.back]
    top += [("附录：图表数据", []), ("关于我们", [])]
    return top


def _titles(outline) -> list:
    return [(t, _titles(kids)) for t, _, kids in outline]


@pytest.mark.parametrize("which", ["small", "real"])
def test_outline_mirrors_chapters_and_sections(which, request):
    built: Built = request.getfixturevalue(which)
    assert _titles(built.outline()) == _expected_outline(built.report)


@pytest.mark.parametrize("which", ["small", "real"])
def test_weasyprint_has_nothing_to_warn_about(which, request):
    """A rule WeasyPrint cannot read (a media query with features, say) is dropped with a
    warning on every build's stderr: the theme must not carry one."""
    assert WARNINGS[request.getfixturevalue(which).pdf] == []


def test_page_count(small, real):
    assert small.result.pages == len(small.reader.pages) > 15
    assert real.result.pages == len(real.reader.pages) > 30


def test_chapters_start_on_a_new_page_after_their_opener(real):
    for title, page, _ in real.outline():
        chapter = next((c for c in real.report.chapters if c.title == title), None)
        if chapter:
            assert f"第{'一二三四五六七八九'[chapter.number - 1]}章" in real.pages[page - 1]


@pytest.mark.parametrize("which", ["small", "real"])
def test_every_chapter_title_case_bank_and_caption_is_in_the_text(which, request):
    built: Built = request.getfixturevalue(which)
    text = _squash("".join(built.pages))
    r = built.report
    wanted = [c.title for c in r.chapters] + [s.title for c in r.chapters for s in c.sections]
    wanted += [case.org for case in r.cases.values()] + [case.title for case in r.cases.values()]
    wanted += [f.display_caption for f in r.figures.values()] + [q.org for q in r.quotes.quotes]
    wanted += [p.name for p in r.publishers]
    # blocks laid out in rows or beside a number must still read in order in the text layer
    wanted += [p.title for p in r.core_points.points] + [p.text for p in r.core_points.points]
    wanted += [s.name for s in r.strategies.strategies]
    wanted += [s.tagline for s in r.strategies.strategies]
    missing = [w for w in wanted if _squash(w) not in text]
    assert not missing


def _body_text(built: Built) -> str:
    """The pages' text without running heads and folios, which cut sentences that span pages."""
    heads = {built.report.title} | {t for t, _, _ in built.outline()}
    lines = [ln for page in built.pages for ln in page.split("\n")]
    return _squash(
        "".join(ln for ln in lines if ln.strip() not in heads and not ln.strip().isdigit())
    )


def test_every_paragraph_of_the_real_report_is_printed(real):
    """Every sentence of the prose is printed, in reading order (the bar: 97% of the seed's)."""
    text = _body_text(real)
    sentences = [
        _squash(s)
        for rich in real.report.all_prose()
        for s in re.split(r"[。！？\n]", rich.text)
        if len(_squash(s)) >= 6
    ]
    lost = [s for s in sentences if s not in text]
    assert len(lost) <= 0.01 * len(sentences), lost[:5]


def test_diagrams_read_in_order_in_the_text(real):
    """A diagram's text extracts in reading order: its parts in order, each name beside its text."""
    from reportbuild import figdata

    text = _body_text(real)
    diagrams = [f for f in real.report.figures.values() if not f.is_data]
    assert diagrams
    for fig in diagrams:
        for group in figdata.data_outline(fig):
            if group.order:
                assert _squash(group.order) in text, (fig.id, group.order)
            for row in group.rows:
                assert _squash(row.label + "".join(row.lines[:1])) in text, (fig.id, row.label)


def test_a_strategy_section_prints_its_headline(real):
    text = _body_text(real)
    for s in real.report.strategies.strategies:
        section = next(x for c in real.report.chapters for x in c.sections if x.id == s.section)
        assert _squash(section.title + s.headline) in text, s.id


def test_back_cover_labels_sit_beside_their_values(real):
    back = _squash(real.pages[-1])
    for credit in real.report.credits:
        assert _squash(credit.title + "、".join(credit.names)) in back
    for line in real.report.contact.lines:
        assert _squash(line.label + line.value) in back


def test_figures_are_numbered_with_their_source(small):
    text = _squash("".join(small.pages))
    for f in small.report.figures.values():
        assert _squash(f"{f.label}{f.display_caption}") in text
        if f.source:
            assert _squash(f"数据来源：{f.source}") in text


@pytest.mark.parametrize("which", ["small", "real"])
def test_contents_page_numbers_are_the_pages_the_headings_land_on(which, request):
    built: Built = request.getfixturevalue(which)
    lands = {}
    for title, page, kids in built.outline():
        lands[_squash(title)] = page
        for t, p, _grand in kids:
            lands[_squash(t)] = p
    first = next(n for n, t in enumerate(built.pages, 1) if "目录" in t)
    toc_pages = range(first, min(page for _, page, _ in built.outline()))
    checked = 0
    for n in toc_pages:
        # an entry: title, dot leader, number (a long title may wrap before its leader)
        pending = ""
        for line in _pdftotext(built.pdf, n, layout=True).split("\n"):
            m = re.match(r"^\s*(?:\d+(?:\.\d+)?\s+)?(.+?)\s*\.{4,}\s*(\d+)\s*$", line)
            if not m:
                pending = line.strip() if line.strip() and "目录" not in line else ""
                continue
            title = re.sub(r"^\d+(?:\.\d+)?", "", _squash(pending + " " + m.group(1)))
            number = int(m.group(2))
            pending = ""
            assert title in lands, title
            assert lands[title] == number, (title, number, lands[title])
            checked += 1
    r = built.report
    expected = (
        len(r.front) + len(r.chapters) + sum(len(c.sections) for c in r.chapters) + len(r.back) + 2
    )
    assert checked == expected


def test_contents_fit_one_page(real):
    first = next(n for n, t in enumerate(real.pages, 1) if "目录" in t)
    assert min(page for _, page, _ in real.outline()) == first + 1


# ── PDF features ───────────────────────────────────────────────────────────────────────


def test_metadata(small):
    r = small.report
    meta = small.reader.metadata
    assert meta.title == r.title
    assert all(p.name in meta.author for p in r.publishers)
    assert meta.subject == r.subtitle
    assert meta["/Keywords"] == ", ".join(r.keywords)
    assert meta["/CreationDate"].startswith("D:20231114221320")  # SOURCE_DATE_EPOCH 1700000000
    assert small.reader.trailer["/Root"]["/Lang"] == "zh-CN"


def _fonts(reader: PdfReader) -> dict[str, object]:
    found: dict[str, object] = {}

    def visit(resources) -> None:
        if not resources:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            found[str(font["/BaseFont"])] = font
        for xobj in (resources.get("/XObject") or {}).values():
            visit(xobj.get_object().get("/Resources"))

    for page in reader.pages:
        visit(page.get("/Resources"))
    return found


@pytest.mark.parametrize("which", ["small", "real"])
def test_every_font_is_embedded_and_subset(which, request):
    built: Built = request.getfixturevalue(which)
    fonts = _fonts(built.reader)
    assert fonts
    for name, font in fonts.items():
        assert re.match(r"^/[A-Z]{6}\+", name), f"{name} is not a subset"
        desc = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = desc["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), (
            f"{name} is not embedded"
        )
    assert all("Noto" in n for n in fonts), list(fonts)  # the brand's fonts, no fallback


def test_no_layout_problems(small, real):
    assert small.result.overflow == []
    assert real.result.overflow == []
    report = json.loads(
        (small.root / ".reportbuild-cache" / "pdf-layout.json").read_text(encoding="utf-8")
    )
    assert report == []


def test_overflowing_content_is_reported(tmp_path, epoch):
    root = _copy(SKELETON, tmp_path / "proj")
    (root / "styles" / "wide.css").write_text(".prose p { width: 300mm; }\n", encoding="utf-8")
    _, _, result = _build(root, tmp_path / "r.pdf")
    assert result.overflow and "past the right margin" in result.overflow[0]
    saved = json.loads(
        (root / ".reportbuild-cache" / "pdf-layout.json").read_text(encoding="utf-8")
    )
    assert [e["message"] for e in saved] == result.overflow
    # `check` names the source line the overflowing text was written on, not the report file
    from reportbuild.lints.layout import lint_layout

    findings = lint_layout(load_project(root), root)
    assert findings and all(f.code == "L501" for f in findings)
    assert all(f.path.startswith("sources/") and f.path.endswith(".md") for f in findings), findings


def test_text_pushed_into_the_bottom_margin_is_reported(tmp_path, epoch):
    root = _copy(SKELETON, tmp_path / "proj")
    (root / "styles" / "low.css").write_text(".inside-note { bottom: -20mm; }\n", encoding="utf-8")
    _, _, result = _build(root, tmp_path / "r.pdf")
    assert len(result.overflow) == 1 and result.overflow[0].startswith("page 2: a line runs")
    assert "past the bottom margin" in result.overflow[0]


def test_same_sources_give_the_same_bytes(small, tmp_path):
    _, _, _ = _build(small.root, tmp_path / "again.pdf")
    assert (tmp_path / "again.pdf").read_bytes() == small.pdf.read_bytes()


@pytest.fixture
def skeleton(tmp_path: Path) -> Path:
    return _copy(SKELETON, tmp_path / "proj")


def test_accessible_variant_is_tagged(skeleton, epoch):
    _build(skeleton, skeleton / "ua.pdf", variant="pdf/ua-1")
    root = PdfReader(skeleton / "ua.pdf").trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()


# WeasyPrint 70 leaves its sRGB profile file open when it embeds the output intent
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_archive_variant_has_output_intent(skeleton, epoch):
    _build(skeleton, skeleton / "a.pdf", variant="pdf/a-3b")
    root = PdfReader(skeleton / "a.pdf").trailer["/Root"]
    assert "/OutputIntents" in root
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp or b"<pdfaid:part>3</pdfaid:part>" in xmp


def test_unknown_variant_is_refused(skeleton):
    with pytest.raises(BuildError, match="pdf/ua-1"):
        _build(skeleton, skeleton / "x.pdf", variant="pdf/x-4")


@pytest.fixture(scope="session")
def small_bleed(small, tmp_path_factory) -> Path:
    """The fixture report's print HTML typeset again with bleed, once."""
    out = tmp_path_factory.mktemp("bleed") / "print.pdf"
    brand = load_brand(small.root)
    write_pdf(small.html, out, root=small.root, report=small.report, brand=brand, bleed=True)
    return out


def test_bleed_adds_3mm_and_crop_marks(small, small_bleed):
    plain = small.reader.pages[0]
    bleed = PdfReader(small_bleed).pages[0]
    mm3 = 3 / 25.4 * 72
    assert float(bleed.mediabox.width) == pytest.approx(
        float(plain.mediabox.width) + 2 * mm3, abs=0.5
    )
    assert float(bleed.trimbox.width) == pytest.approx(float(plain.mediabox.width), abs=0.5)
    assert "/BleedBox" in bleed


def test_print_production_opens_chapters_on_right_hand_pages(small, small_bleed):
    """The fixture report (several chapters of odd and even lengths) typeset with bleed."""
    out = small_bleed
    reader = PdfReader(out)
    chapters = {c.title for c in small.report.chapters}
    openers = [
        reader.get_destination_page_number(item) + 1
        for item in reader.outline
        if not isinstance(item, list) and item.title in chapters
    ]
    assert len(openers) == len(chapters) > 1
    assert all(n % 2 == 1 for n in openers), openers  # page 1 is a right-hand page
    # a blank page put in before an opener carries no running head and no folio
    texts = [page.strip() for page in _pages_text(out)]
    assert len(texts) == len(reader.pages)
    assert "" in texts
    assert not [t for t in texts if t.isdigit() or t in {small.report.title}]


# ── fonts are never silent ─────────────────────────────────────────────────────────────


def test_a_missing_brand_font_names_the_font_and_the_package(skeleton):
    brand = skeleton / "styles" / "_brand.yml"
    brand.write_text(
        brand.read_text(encoding="utf-8").replace("Noto Serif CJK SC", "Noto Serif CJK XX"),
        encoding="utf-8",
    )
    with pytest.raises(ReportError, match=r"Noto Serif CJK XX.*fonts-noto-cjk"):
        _build(skeleton, skeleton / "x.pdf")


def test_a_character_the_fonts_cannot_draw_names_file_and_line(skeleton):
    chapter = skeleton / "sources" / "chapters" / "01-intro.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(
        text.replace("的受访者表示同意", "的受访者表示同意\U0001f984"), encoding="utf-8"
    )
    line = 1 + next(
        i
        for i, s in enumerate(chapter.read_text(encoding="utf-8").split("\n"))
        if "\U0001f984" in s
    )
    with pytest.raises(SourceError, match=rf"sources/chapters/01-intro.md:{line}: .*U\+1F984"):
        _build(skeleton, skeleton / "x.pdf")
    assert not (skeleton / "x.pdf").exists()


# ── the sandbox ────────────────────────────────────────────────────────────────────────


def test_fetcher_serves_project_files_and_data(tmp_path):
    (tmp_path / "a.svg").write_text("<svg/>")
    fetch = make_url_fetcher([tmp_path])
    got = fetch((tmp_path / "a.svg").as_uri())
    assert got.read() == b"<svg/>" and got.content_type == "image/svg+xml"
    assert fetch("data:text/plain;base64,aGk=").read() == b"hi"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/x.css",
        "file:///etc/passwd",
        "file:///dev/urandom",
        "ftp://x/y",
    ],
)
def test_fetcher_refuses_the_network_and_files_outside(tmp_path, url):
    with pytest.raises(BuildError, match=re.escape(url)):
        make_url_fetcher([tmp_path])(url)


def test_fetcher_refuses_dotdot_and_symlinks_out(tmp_path):
    inside = tmp_path / "proj"
    inside.mkdir()
    (tmp_path / "secret.txt").write_text("x")
    (inside / "link.txt").symlink_to(tmp_path / "secret.txt")
    fetch = make_url_fetcher([inside])
    for url in (
        inside.as_uri() + "/../secret.txt",
        inside.as_uri() + "/%2e%2e/secret.txt",
        (inside / "link.txt").as_uri(),
    ):
        with pytest.raises(BuildError, match=re.escape(url)):
            fetch(url)


# markdown-it drops file: and javascript: links itself; a stylesheet can still name file:///…
@pytest.mark.parametrize("ref", ["http://example.com/logo.png", "../../etc/passwd", "/etc/passwd"])
def test_a_refused_resource_names_the_source_and_keeps_the_old_pdf(skeleton, ref, small):
    out = skeleton / "output" / "report.pdf"
    out.parent.mkdir()
    shutil.copyfile(small.pdf, out)  # a PDF an earlier build left (any will do)
    before = out.read_bytes()
    chapter = skeleton / "sources" / "chapters" / "01-intro.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + f"\n![标志]({ref})\n", encoding="utf-8"
    )
    line = chapter.read_text(encoding="utf-8").split("\n").index(f"![标志]({ref})") + 1
    # a Markdown image is checked where it is read (its path from the Markdown file, inside
    # the project): refused before anything is typeset; the fetcher stays the last gate for
    # what templates and stylesheets ask for (the next test)
    with pytest.raises(SourceError) as err:
        _build(skeleton, out)
    msg = str(err.value)
    assert f"sources/chapters/01-intro.md:{line}: error E00" in msg
    assert ("etc/passwd" in msg) if "passwd" in ref else (ref in msg)
    assert out.read_bytes() == before


def test_a_template_asking_for_the_network_is_named(skeleton, epoch):
    tpl = skeleton / "styles" / "templates"
    tpl.mkdir()
    (tpl / "_cover.html.j2").write_text(
        '<section>\n<img src="https://example.com/a.png">\n</section>\n'
    )
    with pytest.raises(BuildError, match=r"asked for by styles/templates/_cover.html.j2:2"):
        _build(skeleton, skeleton / "x.pdf")


def test_a_stylesheet_asking_for_a_file_outside_is_named(skeleton, epoch):
    (skeleton / "styles" / "evil.css").write_text(
        "body {\n  background: url(file:///etc/passwd);\n}\n", encoding="utf-8"
    )
    with pytest.raises(
        BuildError,
        match=r"refused to fetch 'file:///etc/passwd' \(asked for by styles/evil.css:2\)",
    ):
        _build(skeleton, skeleton / "x.pdf")


def test_the_brand_logo_is_on_the_cover(skeleton, epoch):
    styles = skeleton / "styles"
    (styles / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10">'
        '<rect width="40" height="10" fill="#D9482B"/></svg>\n',
        encoding="utf-8",
    )
    brand = styles / "_brand.yml"
    brand.write_text(brand.read_text(encoding="utf-8") + "logo: logo.svg\n", encoding="utf-8")
    _, html, result = _build(skeleton, skeleton / "logo.pdf")
    assert f'<img class="cover-logo" src="{(styles / "logo.svg").resolve().as_uri()}"' in html
    assert result.overflow == []
    # the logo's vermilion is drawn where the cover puts it (top 40 mm, left 24 mm, 12 mm high)
    png = skeleton / "cover"
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(skeleton / "logo.pdf"), str(png)], check=True)  # fmt: skip
    from PIL import Image

    px = (
        Image.open(f"{png}.png")
        .convert("RGB")
        .getpixel((round(34 / 25.4 * 50), round(46 / 25.4 * 50)))
    )
    assert px == pytest.approx((0xD9, 0x48, 0x2B), abs=12)
