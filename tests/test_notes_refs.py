"""Footnotes ('[^id]') and section references ('@sec-ID'), in print, in HTML, in both locales."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ONE_JOB

from reportbuild.cli import cli
from reportbuild.errors import SourceError
from reportbuild.load import load_project

SRC = Path(__file__).resolve().parent.parent / "src" / "reportbuild"
CHAPTER = "sources/chapters/01-intro.md"

EN_TEXT = """
## Second section {#second}

As @sec-first shows, and as @sec-intro says, things happen.[^a] More text[^long] and
again.[^a]

### A sub part

See @sec-second-1, or write to a@sec-x.com.

[^a]: The first *note*, with a value {{< num survey.yes >}}.
[^long]: A longer note
    that continues on a second line.
"""

ZH_TEXT = """
## 第二节 {#second}

正如@sec-first所示，@sec-intro也有说明。[^a]

[^a]: 第一条脚注，数值为{{< num survey.yes >}}。
"""


def _project(tmp_path: Path, lang: str, text: str) -> Path:
    skeleton = SRC / ("skeleton" if lang == "zh-CN" else f"skeletons/{lang}")
    proj = tmp_path / lang
    shutil.copytree(skeleton, proj)
    chapter = proj / CHAPTER
    chapter.write_text(chapter.read_text(encoding="utf-8") + text, encoding="utf-8")
    return proj


def _build(proj: Path) -> None:
    res = CliRunner().invoke(cli, ["build", "-C", str(proj), "-q", "--only", "pdf", *ONE_JOB])
    assert res.exit_code == 0, res.output


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Path:
    proj = _project(tmp_path_factory.mktemp("notes"), "en-US", EN_TEXT)
    _build(proj)
    return proj


def test_footnotes_are_numbered_per_chapter_in_the_order_of_their_first_call(english):
    chapter = load_project(english).chapters[0]
    assert [(n.label, n.number, n.id) for n in chapter.notes] == [
        ("a", 1, "fn-intro-1"),
        ("long", 2, "fn-intro-2"),
    ]
    assert chapter.notes[0].body.text == "The first note, with a value 62%."
    assert chapter.notes[1].body.text == "A longer note that continues on a second line."
    lines = (english / CHAPTER).read_text(encoding="utf-8").split("\n")
    assert lines[chapter.notes[0].body.loc.line - 1].startswith("[^a]: The first")


def test_a_footnote_prints_at_the_foot_of_the_page_of_its_call(english):
    pages = _pages(english / "output" / "report.pdf")
    (page,) = [p for p in pages if "things happen" in p]
    assert re.search(r"(?m)^\s*1 +The first note, with a value 62%\.$", page), page
    assert "A longer note that continues on a second line." in page
    # the note comes after the text of the page, and the definition is not printed as typed
    assert page.index("things happen") < page.index("The first note")
    assert "[^" not in "".join(pages)


def test_a_section_reference_prints_its_number_and_page(english):
    pages = _pages(english / "output" / "report.pdf")
    (page,) = [p for p in pages if "things happen" in p]
    m = re.search(r"As Section 1\.1 \(page (\d+)\) shows, and as Chapter 1 \(page (\d+)\)", page)
    assert m, page
    sec_page, ch_page = int(m.group(1)), int(m.group(2))
    assert "The first section" in pages[sec_page - 1]
    assert "The title of chapter one" in pages[ch_page - 1]
    assert re.search(r"See “A sub part” \(page \d+\), or write to a@sec-x\.com\.", page)


def test_the_html_edition_lists_footnotes_as_endnotes(english):
    from reportbuild.brand import load_brand
    from reportbuild.html import render_html

    html = render_html(load_project(english), load_brand(english), {}, mode="screen")
    assert '<a href="#fn-intro-1" id="ref-fn-intro-1">1</a>' in html
    assert '<sup class="fn-ref fn-again">1</sup>' in html  # the second call: its number
    endnotes = html[html.index('<aside class="endnotes"') :]
    assert '<li id="fn-intro-1" value="1"><p>The first <em>note</em>' in endnotes
    assert 'href="#ref-fn-intro-2"' in endnotes
    assert '<a href="#sec-first" class="xref-sec">Section 1.1</a>' in html


def test_chinese_references_and_notes_use_the_chinese_forms(tmp_path):
    proj = _project(tmp_path, "zh-CN", ZH_TEXT)
    _build(proj)
    text = "".join(_pages(proj / "output" / "report.pdf"))
    assert re.search(r"正如\s*第 1\.1 节（第 \d+ 页）\s*所示", text), text
    assert re.search(r"第 1 章（第 \d+ 页）", text)
    assert "第一条脚注，数值为 62%。" in text or "第一条脚注，数值为62%。" in text


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        (
            "See @sec-frist.\n",
            1,
            r"E030: reference '@sec-frist' names nothing \(did you mean 'first'",
        ),
        ("See @sec-nothing-like-it.\n", 1, r"E030: reference '@sec-nothing-like-it'"),
        ("See @foo-bar.\n", 1, r"E030: '@foo-bar' is no kind of reference"),
        ("A call[^b].\n", 1, r"E030: footnote '\[\^b\]' has no definition"),
        ("A call[^lng].\n\n[^long]: x\n", 1, r"E030: .*did you mean 'long'"),
        ("Text.\n\n[^x]: never called\n", 3, r"E032: footnote '\[\^x\]' is defined but"),
        ("A[^x] b[^x].\n\n[^x]: one\n[^x]: two\n", 4, r"E021: footnote '\[\^x\]' is defined"),
    ],
)
def test_an_unresolved_reference_or_note_is_an_error_at_its_line(project, text, line, expected):
    chapter = project / CHAPTER
    body = chapter.read_text(encoding="utf-8")
    chapter.write_text(body + "\n" + text, encoding="utf-8")
    with pytest.raises(SourceError) as exc:
        load_project(project)
    at = body.count("\n") + 1 + line
    assert re.search(f"01-intro.md:{at}: error {expected}", str(exc.value)), str(exc.value)


def test_a_literal_at_sign_is_written_with_a_backslash(project):
    chapter = project / CHAPTER
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + "\nHandle \\@foo-bar on the site.\n",
        encoding="utf-8",
    )
    prose = [b for b in load_project(project).chapters[0].blocks() if b.kind == "prose"]
    assert "Handle @foo-bar on the site." in prose[-1].body.html


def test_a_footnote_in_a_yaml_text_is_an_error(project):
    case = project / "sources" / "cases" / "example.yml"
    case.write_text(
        case.read_text(encoding="utf-8").replace("background: ", "background: x[^1] ", 1),
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match=r"footnotes belong to chapters and pages"):
        load_project(project)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en-US", "\nAs Chapter 1 (@sec-intro) says, and Section 1.1 @sec-first too.\n"),
        ("zh-CN", "\n正如第一章（@sec-intro）所说，第 1.1 节@sec-first也是。\n"),
    ],
)
def test_a_reference_after_its_own_label_is_a_finding(tmp_path, lang, text):
    """@sec-x prints "Chapter 1 (page 5)": "Chapter 1 (@sec-x)" printed the label twice."""
    from reportbuild.brand import load_brand
    from reportbuild.lints import run_lints

    proj = _project(tmp_path, lang, text + "\nSee @sec-intro alone.\n")
    found = run_lints(load_project(proj), load_brand(proj), proj)
    lines = (proj / CHAPTER).read_text(encoding="utf-8").split("\n")
    at = next(n + 1 for n, t in enumerate(lines) if "(@sec-intro)" in t or "（@sec-intro）" in t)
    doubled = [p for p in found if p.code == "L803"]
    assert [(p.path, p.line) for p in doubled] == [(CHAPTER, at), (CHAPTER, at)]
    messages = sorted(p.message for p in doubled)
    assert messages[0].startswith("@sec-first follows '")
    assert messages[1].startswith("@sec-intro follows '")
    assert all(m.endswith("write the reference alone") for m in messages)


def test_a_footnote_the_typesetter_leaves_out_is_a_finding_at_its_line(tmp_path):
    """WeasyPrint drops a footnote it cannot place (here: a stylesheet hides it); the build
    says so at the note's definition instead of printing a call with no note."""
    proj = _project(tmp_path, "en-US", EN_TEXT)
    (proj / "styles" / "hide-notes.css").write_text(
        ".footnote { display: none !important; }\n", encoding="utf-8"
    )
    _build(proj)
    res = CliRunner().invoke(cli, ["check", "-C", str(proj)])
    lines = (proj / CHAPTER).read_text(encoding="utf-8").split("\n")
    at = next(n + 1 for n, t in enumerate(lines) if t.startswith("[^a]:"))
    assert f"{CHAPTER}:{at}: warning L501: footnote 1 is missing from the PDF" in res.output
