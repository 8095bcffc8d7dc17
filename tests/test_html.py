"""The HTML stage: CJK typography in the markup, document structure, theme overrides, escaping."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reportbuild.brand import load_brand
from reportbuild.errors import SourceError
from reportbuild.html import cjk_html, cjk_text, heading_text, render_html
from reportbuild.load import load_project

FIXTURE = Path(__file__).parent / "fixtures" / "pdf" / "project"


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    dest = tmp_path / "proj"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("output", ".reportbuild-cache"))
    return dest


@pytest.fixture(scope="module")
def fixture_html() -> str:
    report = load_project(FIXTURE)
    return render_html(report, load_brand(FIXTURE), {})


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and a.get("href", "").startswith("#"):
            self.hrefs.append(a["href"][1:])


# ── CJK typography ─────────────────────────────────────────────────────────────────────


def test_digits_next_to_han_get_a_gap_span_not_a_space():
    # the gap is the right margin of what precedes the boundary, so it never starts a line
    assert (
        str(cjk_text("截至2018年")) == '截<span class="gr">至</span><span class="gr">2018</span>年'
    )
    # a space the author typed is replaced by the margin: justification would stretch a space
    assert (
        str(cjk_text("平安集团 30 年"))
        == '平安集<span class="gr">团</span><span class="gr">30</span>年'
    )
    assert str(cjk_text("89%的受访者")) == '<span class="gr">89%</span>的受访者'


def test_latin_next_to_punctuation_or_latin_keeps_no_gap():
    assert str(cjk_text("（API）")) == "（API）"
    assert str(cjk_text("Core Point")) == "Core Point"
    assert (
        str(cjk_text("采用 IT 服务台"))
        == '采<span class="gr">用</span><span class="gr">IT</span>服务台'
    )
    assert str(cjk_text("3062.76 亿元")) == '<span class="gr">3062.76</span>亿元'


def test_adjacent_punctuation_is_squeezed():
    assert str(cjk_text("好。”他说")) == '好<span class="halt">。</span>”他说'
    assert (
        str(cjk_text("（“引”）")) == '（<span class="halt">“</span>引<span class="halt">”</span>）'
    )


def test_long_headings_keep_their_last_characters_together():
    title = "宏观经济环境变化、金融业变革迫使城商行寻求金融科技转型出路"
    assert str(heading_text(title)).endswith('<span class="keep">转型出路</span>')
    assert str(heading_text("区域差距大")) == "区域差距大"  # short: nothing to keep
    # never inside a Latin run: the Han character before it goes along
    assert str(heading_text("利用新的技术开发开放的应用程序编程接口 OpenAPI 平台")).endswith(
        '<span class="keep"><span class="gr">口</span><span class="gr">OpenAPI</span>平台</span>'
    )


def test_headings_break_between_phrases():
    # a phrase that fits a line is kept whole: 持续盈|利 cannot happen, nor 技|术
    got = str(heading_text("同质化竞争严重、持续盈利能力差"))
    assert (
        got == '<span class="keep">同质化竞争严重、</span><span class="keep">持续盈利能力差</span>'
    )
    got = str(heading_text("应用云化采用新的技术 OpenAPI 平台"))
    assert got.endswith(
        '<span class="keep">技<span class="gr">术</span><span class="gr">OpenAPI</span>平台</span>'
    )


def test_numbers_references_and_paragraph_ends_are_kept_whole():
    from reportbuild.html import keep_paragraph_ends, keep_units

    assert keep_units('约<span class="gr">7.9</span>亿元') == (
        '约<span class="keep"><span class="gr">7.9</span>亿</span>元'
    )
    ref = '（见<a href="#fig-x">图 3-4</a><span class="halt">）</span>。'
    assert keep_units(ref) == (
        '<span class="keep">（见<a href="#fig-x">图 3-4</a><span class="halt">）</span></span>。'
    )
    para = "<p>这是一个很长的段落，用来测试最后三个字不会被拆开。</p>"
    assert keep_paragraph_ends(para).endswith('<span class="keep">被拆开。</span></p>')
    # a kept figure reference is enough of a last line: the run stops at it
    ref = '<span class="keep">（见<a href="#f">图 3-4</a>）</span>'
    para = f"<p>这是一个很长的段落，同时降低后续开发的成本{ref}</p>"
    assert keep_paragraph_ends(para).endswith(f'成本<span class="keep">{ref}</span></p>')
    latin = "<p>An editorial team keeps a research report as plain files.</p>"
    assert keep_paragraph_ends(latin).endswith('as <span class="keep">plain files.</span></p>')
    assert keep_paragraph_ends("<p>短句。</p>") == "<p>短句。</p>"  # too short to matter


def test_text_is_escaped_and_markup_left_alone():
    assert str(cjk_text("<b>2017年</b>")) == '&lt;b&gt;<span class="gr">2017</span>年&lt;/b&gt;'
    html = '<p>见<a href="#fig-a1">图 1-1</a>与 R&amp;D 投入2017年</p><pre><code>x 1年</code></pre>'
    out = str(cjk_html(html))
    assert 'href="#fig-a1"' in out
    assert '<span class="gr">图</span>1-1</a>' in out
    gap = '<span class="gr">{}</span>'.format
    assert gap("与") + gap("R&amp;D") + "投" + gap("入") + gap("2017") + "年" in out
    assert "<code>x 1年</code>" in out


# ── the document ───────────────────────────────────────────────────────────────────────


def test_every_part_is_in_the_document(fixture_html):
    report = load_project(FIXTURE)
    html = fixture_html
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-CN"' in html
    for c in report.chapters:
        assert f'id="ch-{c.id}"' in html
        for s in c.sections:
            assert f'id="sec-{s.id}"' in html
    for fid in report.figures:
        assert f'<figure class="figure figure-{report.figures[fid].kind}" id="fig-{fid}">' in html
    for case in report.cases.values():
        assert f'id="case-{case.id}"' in html
    assert html.count('class="pull-quote"') == len(report.quotes.quotes)
    assert html.count('class="strategy"') == len(report.strategies.strategies)
    for p in report.publishers:
        assert html.count(f'<meta name="author" content="{p.name}">') == 1


def test_ids_are_unique_and_every_link_lands(fixture_html):
    p = _Ids()
    p.feed(fixture_html)
    dupes = {i for i in p.ids if p.ids.count(i) > 1}
    assert not dupes
    assert set(p.hrefs) <= set(p.ids)
    assert "fig-regions" in p.hrefs  # the @fig-regions cross-reference in chapter 1


def test_case_without_effect_has_no_effect_row(fixture_html):
    urumqi = re.search(
        r'<section class="case case-full" id="case-urumqi">.*?</section>', fixture_html, re.S
    )
    qingdao = re.search(
        r'<section class="case case-full" id="case-qingdao">.*?</section>', fixture_html, re.S
    )
    assert urumqi and "背景" in urumqi.group(0) and "措施" in urumqi.group(0)
    assert "效果" not in urumqi.group(0)
    assert "效果" in qingdao.group(0)
    assert '<aside class="case case-example" id="case-hebei">' in fixture_html


def test_figures_without_charts_show_their_data(fixture_html):
    fig = re.search(r'<figure [^>]*id="fig-challenges">.*?</figure>', fixture_html, re.S).group(0)
    assert "图 1-3" in fig and "数据来源：本报告问卷调研结果" in fig
    assert "<table" in fig and "89%" in fig


def test_charts_are_images_with_alt_text(proj):
    from reportbuild.charts import ChartFiles

    report = load_project(proj)
    svg = proj / "output" / "figures" / "challenges.svg"
    svg.parent.mkdir(parents=True)
    svg.write_text("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>")
    printed = svg.parent / ".print" / "challenges.svg"
    files = ChartFiles(
        svg=svg, png=svg.with_suffix(".png"), print_svg=printed,
        alt="条形图：挑战", width_mm=150, height_mm=60,
    )  # fmt: skip
    html = render_html(report, load_brand(proj), {"challenges": files})
    # print: the SVG whose text is text (WeasyPrint sets it); screen: the outlined one
    src = printed.resolve().as_uri()
    assert f'<img src="{src}" alt="条形图：挑战" style="width: 150.0mm">' in html
    screen = render_html(report, load_brand(proj), {"challenges": svg}, mode="screen")
    assert '<img src="figures/challenges.svg" alt="' in screen


def test_prose_is_not_escaped_twice_but_yaml_text_is(proj):
    case = proj / "sources" / "cases" / "hebei.yml"
    case.write_text(
        case.read_text(encoding="utf-8").replace("个人“快享贷”", "<script>x</script>"),
        encoding="utf-8",
    )
    html = render_html(load_project(proj), load_brand(proj), {})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<p>河北银行推出" in html  # Rich.html is trusted markdown-it output


def test_project_templates_and_css_override_the_theme(proj):
    tpl = proj / "styles" / "templates"
    tpl.mkdir(parents=True)
    (tpl / "_cover.html.j2").write_text(
        '<section class="my-cover">{{ report.title }}</section>\n', encoding="utf-8"
    )
    (proj / "styles" / "house.css").write_text(".my-cover { color: red; }\n", encoding="utf-8")
    html = render_html(load_project(proj), load_brand(proj), {})
    assert '<section class="my-cover">城商行金融科技发展研究报告</section>' in html
    assert html.index("/* house.css */") > html.index(".toc-list")  # project CSS comes last


def test_a_misspelt_template_variable_is_an_error(proj):
    tpl = proj / "styles" / "templates"
    tpl.mkdir(parents=True)
    (tpl / "_cover.html.j2").write_text("\n{{ report.titel }}\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        render_html(load_project(proj), load_brand(proj), {})
    assert "styles/templates/_cover.html.j2:2: error E006" in str(err.value)
    assert "titel" in str(err.value)


def test_a_project_template_cannot_reach_python(proj):
    """Report repositories are shared: a template is data, and the sandbox keeps it so."""
    tpl = proj / "styles" / "templates"
    tpl.mkdir(parents=True)
    attack = "{{ cycler.__init__.__globals__.os.popen('echo pwned > PWNED').read() }}"
    (tpl / "_cover.html.j2").write_text(f"<p>\n{attack}\n</p>\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        render_html(load_project(proj), load_brand(proj), {})
    assert "styles/templates/_cover.html.j2:2: error E006: template refused by the sandbox" in str(
        err.value
    )
    assert not (proj / "PWNED").exists() and not Path("PWNED").exists()


def test_screen_edition_has_its_stylesheet_and_no_print_only_mode(fixture_html):
    report = load_project(FIXTURE)
    screen = render_html(report, load_brand(FIXTURE), {}, mode="screen")
    assert 'class="mode-screen"' in screen and "max-width: 46em" in screen
    assert "max-width: 46em" not in fixture_html
    # WeasyPrint warns about (and drops) media queries with features: print has none
    assert "@media (" not in fixture_html and "@media (max-width: 720px)" in screen
    with pytest.raises(ValueError):
        render_html(report, load_brand(FIXTURE), {}, mode="slides")  # type: ignore[arg-type]


def test_screen_bands_bleed_by_the_gutter_only():
    """On a phone the column's padding shrinks; a band that bled by a fixed 3.5 em (or the print
    bands' 3 mm bleed) made the whole page scroll sideways (seen in chromium at 390 px)."""
    from importlib import resources

    css = resources.files("reportbuild.html").joinpath("static/screen.css").read_text("utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    sides = []  # the left and right values of every margin shorthand
    for value in re.findall(r"margin:\s*([^;}]+)", css):
        parts = re.findall(r"calc\([^)]*\)\)|calc\([^)]*\)|\S+", value.strip())
        sides += [parts[1], parts[3] if len(parts) == 4 else parts[1]] if len(parts) > 1 else parts
    negative = [v for v in sides if v.startswith(("-", "calc(-"))]
    assert negative, "the bands bleed into the column's padding"
    assert all(v == "calc(-1 * var(--gutter))" for v in negative), negative
    assert re.search(r"max-width: 720px\)\s*\{\s*html\s*\{\s*--gutter:", css)
    assert re.search(r"\.opener-band::before, \.core-band::before \{ content: none; \}", css)


@pytest.mark.parametrize(("lang", "align"), [("zh-CN", "justify"), ("en-US", "start")])
def test_phone_alignment_is_the_locales(lang, align):
    from reportbuild.html import screen_locale_css
    from reportbuild.locale import get_locale

    css = screen_locale_css(get_locale(lang))
    assert re.search(
        r"@media \(max-width: 720px\) \{[^{}]*\.prose p[^{}]*\{ text-align: " + align,
        css,
    )


def test_a_note_is_printed_with_its_text(fixture_html):
    note = re.search(r'<aside class="note">(.*?)</aside>', fixture_html, re.S)
    assert note, "no note box"
    text = re.sub(r"<[^>]+>", "", note.group(1)).replace("\u200d", "")  # joiners: join_keeps
    assert "本节数据来自2018年问卷调研" in text


KEEP = '<span class="keep">'


@pytest.mark.parametrize(
    ("html", "joined"),
    [
        # a number and its unit; a reference with its brackets (nested keeps become one run)
        (f'高出{KEEP}<span class="gr">3</span>个</span>百分点',
         '高出<span class="gr">3|</span>个百分点'),
        (f'{KEEP}（见<a href="#fig-a">图 2-2</a>）</span>',
         f'{KEEP}（见<a href="#fig-a">图 2-2</a>）</span>'),
        (f'{KEEP}{KEEP}<span class="halt">。</span>（见<a href="#fig-a">图2-2</a>）</span></span>',
         '<span class="halt">。|</span>（|见|<a href="#fig-a">图|2|-|2|</a>）'),
        # digits of one number need no joiner: no line breaks inside them
        (f"{KEEP}2018年&amp;</span>", "2018|年|&amp;"),
        # Latin words (a joiner after a space would allow the break) and a footnote's body
        # (its text would never break) stay spans
        (f"{KEEP}two words.</span>", f"{KEEP}two words.</span>"),
        (f'{KEEP}注<span class="footnote">很长的注释</span></span>',
         f'{KEEP}注<span class="footnote">很长的注释</span></span>'),
    ],
)  # fmt: skip
def test_cjk_keeps_become_joiners_in_the_print_html(html, joined):
    from reportbuild.html import join_keeps

    assert join_keeps(html).replace("\u200d", "|") == joined


def test_joined_runs_print_the_same_text_and_lines(tmp_path):
    """A run kept by joiners breaks where the span did: nowhere inside, and the PDF's text is
    the source's (no joiner extracted)."""
    import pypdf
    import weasyprint

    from reportbuild.html import join_keeps

    para = "甲" * 37 + f'{KEEP}<span class="gr">3</span>个百分点</span>' + "乙" * 10
    css = "@page { size: 200pt 400pt; margin: 0 } body { font: 10pt 'Noto Sans CJK SC'; margin: 0 }"
    pdfs = []
    for name, body in (("span", para), ("joined", join_keeps(para))):
        html = f"<style>{css} .keep {{ white-space: nowrap }}</style><p>{body}</p>"
        pdfs.append(tmp_path / f"{name}.pdf")
        weasyprint.HTML(string=html).write_pdf(pdfs[-1])
    span, joined = (pypdf.PdfReader(p).pages[0].extract_text() for p in pdfs)
    assert "\u200d" not in joined
    assert joined == span
    # 20 characters a line: the kept run (3个百分点) would straddle the second line's end, so it
    # starts the third, whole
    assert [len(line) for line in joined.split("\n")] == [20, 17, 15]
    assert joined.split("\n")[2].startswith("3个百分点")


def test_an_empty_note_prints_no_box(fixture_html):
    assert '<aside class="note"><p class="note-label">注</p></aside>' not in fixture_html
