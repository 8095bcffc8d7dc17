"""The English example report (examples/minimum-wage-2013): it builds as a user would build it,
and its PDF, HTML and deck are English only, in its Latin brand."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_build

from reportbuild.cli import cli

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "minimum-wage-2013"
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


@pytest.fixture(scope="module")
def built(built_en, tmp_path_factory) -> Path:
    """A copy of the run's shared build of the example (check writes into its cache)."""
    proj = copy_build(built_en, tmp_path_factory.mktemp("example") / "minimum-wage-2013")
    res = CliRunner().invoke(cli, ["check", "-C", str(proj), "--strict"])
    assert res.exit_code == 0, res.output
    return proj


def _text(pdf: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout.split("\f")


def test_the_example_names_its_public_domain_source():
    manifest = (EXAMPLE / "sources" / "report.yml").read_text(encoding="utf-8")
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    for text in (manifest, readme):
        assert "Bureau of Labor Statistics" in text and "public domain" in text
        assert "www.bls.gov/cps/minwage2013.pdf" in text and "1048" in text
    # no template, stylesheet or raw HTML of its own
    assert not list((EXAMPLE / "styles").glob("*.css"))
    assert not (EXAMPLE / "styles" / "templates").exists()
    assert "allow_html" not in manifest


def test_its_pdf_reads_as_the_source_with_table_notes_and_references(built):
    pages = _text(built / "output" / "report.pdf")
    text = "\n".join(pages)
    assert not CJK.findall(text)
    # the table, with its number, caption, rows and source line
    assert re.search(r"Table 2\.1\s+Wage and salary workers paid hourly rates", text)
    assert re.search(r"Women, 16 years and over\s+38,404\s+1,148\s+910\s+2,058\s+5\.4", text)
    assert "Source: U.S. Bureau of Labor Statistics, Current Population Survey" in text
    # section references print their number and page, and point to the right page
    m = re.search(r"described in Chapter 2 \(page (\d+)\)", text)
    assert m, text
    assert "Who earns the minimum wage or less" in pages[int(m.group(1)) - 1]
    m = re.search(r"As in Section 1\.1 \(page (\d+)\)", text)
    assert m and "The count in 2013" in pages[int(m.group(1)) - 1]
    # a reference prints its own name: never "Chapter 1 (Chapter 1 (page 5))"
    assert re.search(r"Chapter 1 \(page \d+\) sets out what is counted", text)
    assert not re.search(r"(Chapter|Section) [\d.]+ \((Chapter|Section)", text)
    # footnotes land on the page of their call
    (page,) = [p for p in pages if "collected on a regular basis." in p]
    assert "Table 10 of the source report gives the series from 1979 on" in page
    (page,) = [p for p in pages if "Among part-time workers" in p]
    assert "Part-time workers are persons who usually work less than 35 hours" in page
    # the numbers bound from figures/ print as the source gives them
    assert "declined from 4.7% in 2012 to 4.3% in 2013" in re.sub(r"\s+", " ", text)
    # the picture is numbered with the figures
    assert re.search(r"Figure 1\.2\s+Earnings questions go to one-fourth", text)


def test_its_pdf_has_an_outline_and_only_latin_fonts(built):
    from pypdf import PdfReader

    reader = PdfReader(built / "output" / "report.pdf")
    titles = []

    def walk(items):
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                titles.append(it.title)

    walk(reader.outline)
    for want in (
        "Minimum wage workers in 2013",
        "The count in 2013",
        "Who earns the minimum wage or less",
        "Full- and part-time work",
    ):
        assert any(want in t for t in titles), titles
    fonts = subprocess.run(
        ["pdffonts", str(built / "output" / "report.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Carlito" in fonts
    assert not re.search(r"CJK|Noto Sans SC|Noto Serif SC|WenQuanYi|Droid Sans Fallback", fonts)
    assert reader.metadata.title == "Characteristics of Minimum Wage Workers, 2013"


def test_its_html_edition_shows_the_picture_and_the_endnotes(built):
    html = (built / "output" / "report.html").read_text(encoding="utf-8")
    assert not CJK.findall(html)
    src = re.search(r'<img src="([^"]+cps-earnings-sample\.svg)"', html).group(1)
    assert (built / "output" / src).is_file()  # copied next to the HTML, so preview serves it
    assert '<aside class="endnotes"' in html and 'id="fn-overview-1"' in html


def test_its_deck_is_english(built):
    from pptx import Presentation
    from pptx.oxml.ns import qn

    deck = Presentation(built / "output" / "summary.pptx")
    texts = [
        sh.text_frame.text for slide in deck.slides for sh in slide.shapes if sh.has_text_frame
    ]
    assert not CJK.findall("\n".join(texts))
    assert any("Characteristics of Minimum Wage Workers" in t for t in texts)
    # the charts' labels keep the source's decimals: 6.0% (2010) as the PDF prints it, not 6%
    formats = {
        (fmt.getparent().tag == qn("c:valAx"), fmt.get("formatCode"))
        for slide in deck.slides
        for sh in slide.shapes
        if sh.has_chart
        for fmt in sh.chart._chartSpace.iter(qn("c:numFmt"))
        if fmt.getparent().tag in (qn("c:dLbls"), qn("c:dLbl"), qn("c:valAx"))
    }
    labels = {f for on_axis, f in formats if not on_axis}
    assert labels == {'0.0"%"'}, formats  # the axis keeps round ticks: 2%, 4%, 6%


def test_its_pages_meet_the_typesetting_targets(built):
    # check --layout on the PDF as built: every L60x count zero, >= 97 % of non-final justified
    # lines flush, no word space over 0.33 em (issue 14); the appendix's table cells and the back
    # page are not read as a chapter going on (a false hole on the last appendix page before)
    import json

    res = CliRunner().invoke(cli, ["check", "-C", str(built), "--strict", "--layout"])
    assert res.exit_code == 0, res.output
    data = json.loads((built / ".reportbuild-cache" / "typeset.json").read_text(encoding="utf-8"))
    c = data["counts"]
    assert data["findings"] == [], data["findings"]
    assert c["justified_nonfinal"] >= 20 and c["flush_share"] >= 0.97, c
    assert c["widest_space_em"] <= 0.33 and c["holes"] == 0, c
