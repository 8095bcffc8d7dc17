"""The locale tables: one set of keys in every language, fields that format."""

import html as htmllib
import re
import shutil
import string
from pathlib import Path

import pytest
from conftest import ONE_JOB

from reportbuild.brand import load_brand
from reportbuild.html import render_html
from reportbuild.load import load_project
from reportbuild.locale import available, get_locale


def test_every_locale_has_the_same_keys_and_fields():
    tags = available()
    assert {"zh-CN", "en-US"} <= set(tags)
    base = get_locale("zh-CN")
    for tag in tags:
        loc = get_locale(tag)
        assert loc.words.keys() == base.words.keys(), tag
        assert loc.rules.keys() == base.rules.keys(), tag
    # callers pass every field any locale uses for a key; each locale uses the ones it needs
    for key in base.words:
        offered = set()
        for tag in tags:
            text = get_locale(tag).words[key]
            offered |= {f for _, f, _, _ in string.Formatter().parse(text) if f}
        for tag in tags:
            get_locale(tag).t(key, **dict.fromkeys(offered, "x"))


def test_a_language_finds_its_regional_table_and_an_unknown_one_is_refused():
    assert get_locale("en").tag == "en-US"
    assert get_locale("ZH-cn").tag == "zh-CN"
    assert get_locale(None).t("figure.label", number="1-1") == "图 1-1"
    with pytest.raises(KeyError):
        get_locale("tlh")


# ── the same report in both locales ───────────────────────────────────────────────────

FIXTURE = Path(__file__).parent / "fixtures" / "pdf" / "project"


def _render(tmp_path: Path, lang: str) -> str:
    proj = tmp_path / lang
    shutil.copytree(FIXTURE, proj, ignore=shutil.ignore_patterns("output", ".reportbuild-cache"))
    manifest = proj / "sources" / "report.yml"
    text = re.sub(r"(?m)^lang:.*\n", "", manifest.read_text(encoding="utf-8"))
    manifest.write_text(f"lang: {lang}\n{text}", encoding="utf-8")
    return render_html(load_project(proj), load_brand(proj), {})


def _generated(tag: str) -> set[str]:
    """The locale's words as they can appear in HTML, less any the report's own text contains."""
    authored = "".join(
        p.read_text(encoding="utf-8") for p in FIXTURE.rglob("*") if p.suffix in (".md", ".yml")
    )
    loc = get_locale(tag)
    words = {
        part.strip()
        for text in loc.words.values()
        for part in re.split(r"\{\w+\}", text)
        if len(part.strip()) >= 2
    }
    return {w for w in words if w not in authored}


@pytest.mark.parametrize(("lang", "other"), [("en-US", "zh-CN"), ("zh-CN", "en-US")])
def test_a_report_in_one_locale_prints_no_generated_word_of_the_other(tmp_path, lang, other):
    html = _render(tmp_path, lang)
    body = htmllib.unescape(re.sub(r"<style.*?</style>|<[^>]+>", " ", html, flags=re.S))
    leaked = sorted(w for w in _generated(other) - _generated(lang) if w in body)
    assert not leaked
    # and its own words are there: the contents title, a figure label in its own form
    loc = get_locale(lang)
    assert loc.t("toc.title") in body
    assert loc.t("figure.label", number=loc.rule("figure_number").format(chapter=1, n=1)) in body


def test_an_unknown_language_is_an_error_at_its_line(tmp_path):
    from reportbuild.errors import SourceError

    proj = tmp_path / "p"
    shutil.copytree(FIXTURE, proj, ignore=shutil.ignore_patterns("output", ".reportbuild-cache"))
    manifest = proj / "sources" / "report.yml"
    text = re.sub(r"(?m)^lang:.*\n", "", manifest.read_text(encoding="utf-8"))
    manifest.write_text(f"lang: xx-YY\n{text}", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_project(proj)
    assert "report.yml:1:" in str(err.value.format_message()) and "xx-YY" in str(err.value)


CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def test_an_english_report_from_new_has_no_cjk_anywhere(tmp_path, monkeypatch):
    """`reportbuild new --lang en-US` builds in a Latin brand: no CJK word, glyph or font in the
    PDF, the HTML or the deck (speaker notes included)."""
    import subprocess

    from click.testing import CliRunner
    from pptx import Presentation
    from pypdf import PdfReader

    from reportbuild.cli import cli

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    proj = tmp_path / "en"
    runner = CliRunner()
    assert runner.invoke(cli, ["new", "--lang", "en-US", str(proj)]).exit_code == 0
    res = runner.invoke(cli, ["build", "-C", str(proj), "-q", *ONE_JOB])
    assert res.exit_code == 0, res.output
    out = proj / "output"

    text = subprocess.run(
        ["pdftotext", str(out / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Contents" in text and "Figure 1.1" in text and "Source: Example" in text
    assert not CJK.findall(text)
    fonts = subprocess.run(
        ["pdffonts", str(out / "report.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "Carlito" in fonts and "CJK" not in fonts
    assert PdfReader(out / "report.pdf").metadata.title == "An Example Research Report"

    assert not CJK.findall((out / "report.html").read_text(encoding="utf-8"))
    deck = Presentation(out / "summary.pptx")
    for slide in deck.slides:
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        if slide.has_notes_slide:
            texts.append(slide.notes_slide.notes_text_frame.text)
        assert not CJK.findall("\n".join(texts)), texts
    xml = "".join(
        slide.part.blob.decode("utf-8") for slide in deck.slides
    )  # every run marked English, none Chinese
    assert 'lang="en-US"' in xml and 'lang="zh-CN"' not in xml
