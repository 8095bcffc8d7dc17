"""`::: table`: caption, number, source and note; numeric columns; CSV rows; wide tables."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ONE_JOB, pages_text

from reportbuild.brand import load_brand
from reportbuild.cli import cli
from reportbuild.errors import SourceError
from reportbuild.html import render_html
from reportbuild.load import load_project

SRC = Path(__file__).resolve().parent.parent / "src" / "reportbuild"
CHAPTER = "sources/chapters/01-intro.md"

# rows from U.S. Bureau of Labor Statistics, Current Population Survey, 2013 annual averages,
# table 44 (numbers in thousands)
TABLES = """
## Hourly workers {#hourly}

Table @tbl-age gives the counts; @tbl-by-csv repeats them from a file.

::: table age
caption: Workers paid hourly rates, by age, 2013
source: U.S. Bureau of Labor Statistics, Current Population Survey
note: Numbers in thousands.

| Characteristic           | Total  | At or below | Percent |
|--------------------------|--------|-------------|---------|
| Total, 16 years and over | 75,948 | 3,301       | 4.3     |
| 16 to 24 years           | 15,110 | 1,663       | 11.0    |
| 25 years and over        | 60,838 | 1,638       | 2.7     |
:::

::: table by-csv
caption: The same rows, from a CSV file
csv: ../../figures/age.csv
:::

::: table wide
caption: A table wider than the text block
{rows}
:::

::: table turned
caption: The same wide table on a landscape page
wide: landscape
{rows}
:::
"""
WIDE_ROWS = "| " + " | ".join(f"Column{n}HeadingThatCannotBreak" for n in range(5)) + " |\n"
WIDE_ROWS += "|" + "---|" * 5 + "\n| " + " | ".join(str(n) for n in range(5)) + " |"
CSV = "Characteristic,Total,Percent\nTotal 16 years and over,75948,4.3\n16 to 24 years,15110,11.0\n"


def _project(root: Path, lang: str = "en-US") -> Path:
    skeleton = SRC / ("skeleton" if lang == "zh-CN" else f"skeletons/{lang}")
    proj = root / lang
    shutil.copytree(skeleton, proj)
    (proj / "figures" / "age.csv").write_text(CSV, encoding="utf-8")
    chapter = proj / CHAPTER
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + TABLES.replace("{rows}", WIDE_ROWS),
        encoding="utf-8",
    )
    return proj


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    proj = _project(tmp_path_factory.mktemp("tables"))
    res = CliRunner().invoke(cli, ["build", "-C", str(proj), "-q", "--only", "pdf", *ONE_JOB])
    assert res.exit_code == 0, res.output
    return proj


def _pages(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True)
    return out.stdout.split("\f")


def test_tables_are_numbered_per_chapter_and_referenced(built):
    tables = [b for b in load_project(built).chapters[0].blocks() if b.kind == "table"]
    assert [(t.id, t.number) for t in tables] == [
        ("age", "1.1"),
        ("by-csv", "1.2"),
        ("wide", "1.3"),
        ("turned", "1.4"),
    ]
    html = render_html(load_project(built), load_brand(built), {})
    assert 'Table <a href="#tbl-age">Table 1.1</a> gives' in html
    assert '<figure class="table-block table-normal" id="tbl-age"' in html


def test_numeric_columns_are_right_aligned_with_their_heads(built):
    (table, *_) = [b for b in load_project(built).chapters[0].blocks() if b.kind == "table"]
    html = table.body.html
    assert "<th>Characteristic</th>" in html
    assert '<th style="text-align:right">Total</th>' in html
    assert '<td style="text-align:right">75,948</td>' in html
    assert "<td>16 to 24 years</td>" in html


def test_a_table_prints_label_caption_note_and_source(built):
    pages = _pages(built / "output" / "report.pdf")
    (page,) = [p for p in pages if "Workers paid hourly rates, by age, 2013" in p]
    assert re.search(r"Table 1\.1\s+Workers paid hourly rates, by age, 2013", page)
    assert re.search(r"16 to 24 years\s+15,110\s+1,663\s+11\.0", page)
    assert "Note: Numbers in thousands." in page
    assert "Source: U.S. Bureau of Labor Statistics, Current Population Survey" in page
    assert re.search(r"Table 1\.2\s+The same rows, from a CSV file", "".join(pages))
    assert re.search(r"16 to 24 years\s+15110\s+11\.0", "".join(pages))


def test_a_table_too_wide_is_reported_at_its_line_and_landscape_fits(built):
    layout = json.loads((built / ".reportbuild-cache" / "pdf-layout.json").read_text())
    lines = (built / CHAPTER).read_text(encoding="utf-8").split("\n")
    wide = [e for e in layout if e.get("path") == CHAPTER]
    assert len(wide) == 1, layout
    assert lines[wide[0]["line"] - 1] == "::: table wide"
    assert "table 'wide' is" in wide[0]["message"] and "wide: landscape" in wide[0]["message"]

    from pypdf import PdfReader

    pdf = built / "output" / "report.pdf"
    texts = pages_text(pdf)
    reader = PdfReader(pdf)
    turned = [
        p
        for p, t in zip(reader.pages, texts, strict=True)
        if "The same wide table on a landscape page" in t
    ]
    assert len(turned) == 1 and turned[0].mediabox.width > turned[0].mediabox.height
    # and `check` names the line
    res = CliRunner().invoke(cli, ["check", "-C", str(built)])
    assert f"{CHAPTER}:{wide[0]['line']}: warning L501: page" in res.output


def test_a_long_table_repeats_its_head_on_every_page(tmp_path):
    proj = _project(tmp_path, "zh-CN")
    rows = "\n".join(f"| 第 {n} 行 | {n * 7} |" for n in range(1, 90))
    chapter = proj / CHAPTER
    chapter.write_text(
        chapter.read_text(encoding="utf-8").split("## Hourly")[0]
        + "\n见@tbl-long。\n\n::: table long\ncaption: 长表\n\n"
        + f"| 项目 | 数值 |\n|---|---|\n{rows}\n:::\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(cli, ["build", "-C", str(proj), "-q", "--only", "pdf", *ONE_JOB])
    assert res.exit_code == 0, res.output
    pages = [p for p in _pages(proj / "output" / "report.pdf") if "行" in p and "数值" in p]
    assert len(pages) >= 2
    for page in pages:
        assert re.search(r"项目\s+数值", page)
    assert "表 1-1" in pages[0] and "见表 1-1" in "".join(_pages(proj / "output" / "report.pdf"))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "caption: x\nfoo: 1\n\n| a |\n|---|\n| 1 |",
            r":\d+: error E010: unknown table field 'foo'",
        ),
        ("| a |\n|---|\n| 1 |", r"error E011: a table needs 'caption: …'"),
        ("caption: x\n\nno table here", r"error E031: a table directive holds a Markdown table"),
        ("caption: x\ncsv: ../../../outside.csv", r"error E005: '\.\./\.\./\.\./outside\.csv' is"),
        ("caption: x\ncsv: ../../figures/agee.csv", r"error E004: .*did you mean"),
        ("caption: x\nwide: huge\n\n| a |\n|---|\n| 1 |", r"error E014: 'wide: huge'"),
    ],
)
def test_a_table_written_wrong_is_an_error_at_its_line(project, body, expected):
    (project / "figures" / "age.csv").write_text(CSV, encoding="utf-8")
    (project.parent / "outside.csv").write_text(CSV, encoding="utf-8")
    chapter = project / CHAPTER
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + f"\n::: table t\n{body}\n:::\n", encoding="utf-8"
    )
    with pytest.raises(SourceError) as exc:
        load_project(project)
    assert re.search(expected, str(exc.value)), str(exc.value)
