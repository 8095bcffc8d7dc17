"""The locale tables: one set of keys in every language, fields that format."""

import html as htmllib
import re
import shutil
import string
from pathlib import Path

import pytest

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
