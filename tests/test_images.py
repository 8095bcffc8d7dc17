"""Pictures: `::: image` and Markdown images, paths from the Markdown file, in PDF and HTML;
and the lints for what would print wrong (no alt text, raw HTML typed while it is off)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ONE_JOB, pages_text

from reportbuild.brand import load_brand
from reportbuild.cli import cli
from reportbuild.errors import SourceError
from reportbuild.html import render_html
from reportbuild.lints import run_lints
from reportbuild.load import load_project

SRC = Path(__file__).resolve().parent.parent / "src" / "reportbuild"
CHAPTER = "sources/chapters/01-intro.md"

TEXT = """
## Pictures {#pictures}

The harbour (@fig-harbour) and a plain picture:

![A grey square](../../figures/photos/square.png)

::: image harbour
src: ../../figures/photos/square.png
alt: A grey square standing for a photograph
caption: A picture with a caption
source: Drawn for this test
:::
"""


def _png(path: Path) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (400, 300), (120, 130, 140)).save(path)


def _project(root: Path, text: str = TEXT, lang: str = "en-US") -> Path:
    skeleton = SRC / ("skeleton" if lang == "zh-CN" else f"skeletons/{lang}")
    proj = root / lang
    shutil.copytree(skeleton, proj)
    _png(proj / "figures" / "photos" / "square.png")
    chapter = proj / CHAPTER
    chapter.write_text(chapter.read_text(encoding="utf-8") + text, encoding="utf-8")
    return proj


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    proj = _project(tmp_path_factory.mktemp("images"))
    res = CliRunner().invoke(cli, ["build", "-C", str(proj), "-q", "--only", "pdf", *ONE_JOB])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, ["build", "-C", str(proj), "-q", "--only", "html", *ONE_JOB])
    assert res.exit_code == 0, res.output
    return proj


def test_an_image_is_numbered_with_the_figures_and_referenced(built):
    report = load_project(built)
    (image,) = [b for b in report.chapters[0].blocks() if b.kind == "image"]
    assert (image.number, image.src) == ("1.2", "figures/photos/square.png")
    html = render_html(report, load_brand(built), {})
    assert '<a href="#fig-harbour">Figure 1.2</a>' in html
    assert '<img src="figures/photos/square.png" alt="A grey square standing for' in html
    assert '<img src="figures/photos/square.png" alt="A grey square" />' in html


def test_the_pdf_shows_the_pictures_with_their_caption(built):
    """The caption is printed, and both pictures are drawn: PDFium's image objects on the
    pages (pypdf's `page.images` listed the picture of the resources every page shares, ten
    times for one picture drawn twice, and decoded each, in 0.22 CPU-s; PDFium 0.01)."""
    import pypdfium2
    import pypdfium2.raw as pdfium

    pdf = built / "output" / "report.pdf"
    pages = [t for t in pages_text(pdf) if "A picture with a caption" in t]
    assert len(pages) == 1
    assert re.search(r"Figure 1\.2\s*A picture with a caption", pages[0])
    doc = pypdfium2.PdfDocument(pdf)
    try:
        drawn = [
            obj.get_px_size()
            for page in doc
            for obj in page.get_objects(filter=[pdfium.FPDF_PAGEOBJ_IMAGE])
        ]
    finally:
        doc.close()
    assert drawn.count((400, 300)) >= 2  # the block and the prose picture, square.png


def test_the_html_edition_carries_copies_of_the_pictures(built):
    html = (built / "output" / "report.html").read_text(encoding="utf-8")
    srcs = re.findall(r'<img src="(images/[^"]+)"', html)
    assert srcs == ["images/figures/photos/square.png"] * 2
    copy = built / "output" / "images" / "figures" / "photos" / "square.png"
    assert copy.read_bytes() == (built / "figures" / "photos" / "square.png").read_bytes()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "::: image x\nsrc: ../../../outside.png\n:::\n",
            r":2: error E005: '\.\./\.\./\.\./outside",
        ),
        ("::: image x\nsrc: ../../figures/photos/sqare.png\n:::\n", r":2: error E004: .*square"),
        ("::: image x\nsrc: ../../sources/report.yml\n:::\n", r":2: error E031: .*PNG, JPEG"),
        ("::: image x\nalt: no src\n:::\n", r":1: error E011: an image needs 'src:"),
        ("::: image x\nsrc: ../../figures/photos/square.png\nsize: 3\n:::\n", r":3: error E010"),
        ("Text ![a](figures/photos/square.png) text.\n", r":1: error E004: .*\.\./\.\./figures"),
        ("Text ![a](https://example.com/a.png).\n", r":1: error E005: image 'https://"),
    ],
)
def test_a_picture_written_wrong_is_an_error_at_its_line(tmp_path, text, expected):
    proj = _project(tmp_path, "\n" + text, "zh-CN")
    _png(tmp_path / "outside.png")
    with pytest.raises(SourceError) as exc:
        load_project(proj)
    body = (SRC / "skeleton" / CHAPTER).read_text(encoding="utf-8")
    start = body.count("\n") + 1  # the line the test text starts on, less one
    msg = re.sub(
        r"01-intro\.md:(\d+)", lambda m: f"01-intro.md:{int(m.group(1)) - start}", str(exc.value)
    )
    assert re.search(expected, msg), msg


def test_missing_alt_text_and_typed_html_are_lint_warnings(tmp_path):
    text = (
        "\nA picture ![](../../figures/photos/square.png) here.\n\n"
        "::: image bare\nsrc: ../../figures/photos/square.png\n:::\n\n"
        "A line<br>break, and `<br>` in code, and 3 <5 apples.\n"
    )
    proj = _project(tmp_path, text, "zh-CN")
    report = load_project(proj)
    found = {
        (p.code, p.line, p.severity)
        for p in run_lints(report, load_brand(proj), proj)
        if p.code in ("L801", "L802")
    }
    lines = (proj / CHAPTER).read_text(encoding="utf-8").split("\n")
    at = {n + 1 for n, t in enumerate(lines) if "![](" in t or "::: image bare" in t}
    br = next(n + 1 for n, t in enumerate(lines) if "A line<br>" in t)
    assert found == {("L801", n, "warning") for n in at} | {("L802", br, "warning")}
