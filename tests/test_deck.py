"""The deck: slides follow the deck file, charts hold the figures' data, text fits, in Chinese."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deck_checks import paras_of, text_frames
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu

from reportbuild.brand import load_brand
from reportbuild.deck import LAYOUT_REPORT, measure, write_deck
from reportbuild.errors import BuildError
from reportbuild.load import load_project

HERE = Path(__file__).parent
ROOT = HERE.parent
SKELETON = ROOT / "src" / "reportbuild" / "skeleton"
FIXTURE = HERE / "fixtures" / "deck"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
EMU_PER_PT = 12700


def make_project(dest: Path) -> Path:
    shutil.copytree(SKELETON, dest)
    shutil.copytree(FIXTURE, dest, dirs_exist_ok=True)
    return dest


def build(root: Path, out: Path | None = None, **kw):
    report, brand = load_project(root), load_brand(root)
    out = out or root / "output" / "summary.pptx"
    res = write_deck(report, brand, out, **kw)
    return report, brand, out, res


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("deck") / "proj")
    report, brand, out, res = build(root)
    return report, brand, out, res, Presentation(str(out))


@pytest.fixture(scope="session")
def real_deck(tmp_path_factory):
    """The city-commercial-bank report's deck, built once (skipped while it does not load)."""
    from reportbuild.errors import SourceError

    try:
        report = load_project(ROOT)
    except SourceError as exc:  # the sources are being written by others
        pytest.skip(f"the real report does not load yet: {exc.problems[:1]}")
    if not report.deck:
        pytest.skip("the real report has no sources/deck.yml yet")
    out = tmp_path_factory.mktemp("real") / "summary.pptx"
    res = write_deck(report, load_brand(ROOT), out, layout_report=out.with_suffix(".json"))
    return report, out, res, Presentation(str(out))


# ── helpers that read the deck back ──────────────────────────────────────────


def title_of(slide) -> str:
    t = slide.shapes.title
    if t is not None:
        return t.text_frame.text
    for sh in slide.shapes:
        if sh.name == "Title":
            return sh.text_frame.text
    return ""


def chart_data(prs) -> dict[str, dict[str, dict[str, float]]]:
    """{chart shape name: {series name: {category: value}}} for every native chart."""
    out = {}
    for slide in prs.slides:
        for sh in slide.shapes:
            if sh.has_chart:
                plot = sh.chart.plots[0]
                cats = list(plot.categories)
                out[sh.name] = {s.name: dict(zip(cats, s.values, strict=True)) for s in plot.series}
    return out


def expected_data(fig) -> dict[str, float]:
    if fig.kind == "stacked":
        return {
            s.label: {c.label: float(s.values[c.id]) for c in fig.categories} for s in fig.series
        }
    return {it.label: float(it.value) for it in fig.items}


def all_runs(prs):
    for n, slide in enumerate(prs.slides, 1):
        for r in slide._element.iter(qn("a:r")):
            yield n, r


# ── the fixture deck ─────────────────────────────────────────────────────────


def test_slides_follow_the_deck_file(built):
    report, _brand, _out, res, prs = built
    assert res.slides == len(prs.slides) == len(report.deck)  # nothing in the fixture overflows
    titles = [title_of(s) for s in prs.slides]
    assert all(titles), titles
    by_kind = dict(zip([d.kind + (d.ref or "") for d in report.deck], titles, strict=True))
    assert by_kind["title"] == report.title
    assert by_kind["core-points"] == "核心观点"
    assert (
        by_kind["figuresurvey"] == "多数受访者同意：62%"
    )  # a binding in the deck file, from figures/
    assert by_kind["figuresplit"] == "东部数量占 41%"  # a space between Han and digits
    assert by_kind["figureshare"] == "只有少数受访者表示满意"  # the finding, without its 发现一
    assert by_kind["dividerintro"] == "第一章的标题"
    assert by_kind["strategyfirst"].startswith("拿来主义：")
    assert by_kind["caseexample"] == report.cases["example"].title
    assert by_kind["closing"] == "联系我们"


def test_slide_layouts_are_named_and_16_9(built):
    *_, prs = built
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000))
    names = [s.slide_layout.name for s in prs.slides]
    assert names[0] == "Title Slide"
    assert names[3] == "Section Header"
    assert set(names[1:3]) == {"Title Only"}
    # the built-in master is stretched to 16:9, so slides an editor adds fit the page too
    for layout in prs.slide_layouts:
        for ph in layout.placeholders:
            assert ph.left + ph.width <= prs.slide_width, (layout.name, ph.name)


def test_charts_are_native_and_hold_the_figures_data(built):
    report, *_, prs = built
    data = chart_data(prs)
    assert set(data) == {"Chart survey", "Chart share", "Chart split"}
    bar = data["Chart survey"][report.figures["survey"].title]
    assert bar == expected_data(report.figures["survey"])
    assert list(bar) == ["同意", "不同意", "不确定"]  # ranked, largest first
    share = next(iter(data["Chart share"].values()))
    assert share == {"满意": 23.0, "其余": 77.0}
    split = data["Chart split"]
    want = expected_data(report.figures["split"])
    assert split == {k + ("（推算）" if k == "其他" else ""): v for k, v in want.items()}
    # the workbook is embedded, so PowerPoint can edit the data
    for slide in prs.slides:
        for sh in slide.shapes:
            if sh.has_chart:
                assert sh.chart.part.chart_workbook.xlsx_part is not None


def test_bar_colours_highlight_the_top_items(built):
    report, brand, *_, prs = built
    slide = next(s for s in prs.slides if any(sh.name == "Chart survey" for sh in s.shapes))
    chart = next(sh for sh in slide.shapes if sh.name == "Chart survey").chart
    pts = chart.plots[0].series[0].points
    colours = [str(pts[i].format.fill.fore_color.rgb) for i in range(3)]
    assert colours[0] == brand.primary.lstrip("#").upper()  # highlight: 1
    assert colours[1] == colours[2] != colours[0]
    labels = chart.plots[0].data_labels
    assert labels.show_value and labels.number_format == 'General"%"'


def test_every_chinese_run_names_an_east_asian_face(built):
    _r, brand, _o, _res, prs = built
    faces = {brand.font_base, brand.font_headings}
    seen = 0
    for n, r in all_runs(prs):
        text = r.findtext(qn("a:t")) or ""
        if CJK.search(text):
            seen += 1
            ea = r.find(qn("a:rPr") + "/" + qn("a:ea"))
            assert ea is not None and ea.get("typeface") in faces, f"slide {n}: {text!r}"
    assert seen > 50
    # chart text: every text property block of a chart names the East Asian face too
    for slide in prs.slides:
        for sh in slide.shapes:
            if sh.has_chart:
                defs = list(sh.chart._chartSpace.iter(qn("a:defRPr")))
                assert defs and all(d.find(qn("a:ea")) is not None for d in defs), sh.name


def test_theme_fonts_set_the_chinese_face(built):
    from lxml import etree
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    _r, brand, _o, _res, prs = built
    theme = etree.fromstring(prs.slide_master.part.part_related_by(RT.THEME).blob)
    a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    for which, family in (("majorFont", brand.font_headings), ("minorFont", brand.font_base)):
        node = theme.find(f".//{a}{which}")
        assert node.find(f"{a}latin").get("typeface") == family
        assert node.find(f"{a}ea").get("typeface") == family
        assert node.find(f"{a}font[@script='Hans']").get("typeface") == family


def test_no_shape_lies_outside_the_slide(built):
    *_, prs = built
    W, H = prs.slide_width, prs.slide_height
    for n, slide in enumerate(prs.slides, 1):
        for sh in slide.shapes:
            assert sh.left >= 0 and sh.top >= 0, (n, sh.name)
            assert sh.left + sh.width <= W and sh.top + sh.height <= H, (n, sh.name)


def test_measured_text_fits_its_box(built):
    *_, prs = built
    count = 0
    for n, name, tf, w, h in text_frames(prs):
        assert tf.word_wrap is True, (n, name)
        paras = paras_of(tf)
        need = measure.block_height(paras, w)
        assert need <= h + 0.5, f"slide {n} {name}: {need:.1f} pt of text in {h:.1f} pt"
        count += 1
    assert count > 60


def test_nothing_is_tiny(built):
    *_, prs = built
    sizes = {
        r.font.size.pt
        for s in prs.slides
        for sh in s.shapes
        if sh.has_text_frame
        for p in sh.text_frame.paragraphs
        for r in p.runs
    }
    assert min(sizes) >= 11


def test_speaker_notes_on_every_slide(built):
    report, *_, prs = built
    for n, slide in enumerate(prs.slides, 1):
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip(), n
    notes = [s.notes_slide.notes_text_frame.text for s in prs.slides]
    kinds = [d.kind + (d.ref or "") for d in report.deck]
    assert "调查显示" in notes[kinds.index("figuresurvey")]  # the prose around the figure
    assert (
        "示例银行是一家城市商业银行" in notes[kinds.index("caseexample")]
    )  # the case's background


def test_slide_numbers_are_fields_that_follow_the_slide(built):
    """A presenter who inserts or reorders slides keeps right numbers: the footer's number is
    PowerPoint's slide-number field, written with the slide's position."""
    *_, prs = built
    numbered = 0
    for n, slide in enumerate(prs.slides, 1):
        for shape in slide.shapes:
            if shape.name != "Page number":
                continue
            fields = shape.text_frame._txBody.findall(".//" + qn("a:fld"))
            assert [f.get("type") for f in fields] == ["slidenum"], n
            assert shape.text_frame.text == str(n)
            assert not shape.text_frame._txBody.findall(".//" + qn("a:r")), n
            numbered += 1
    footers = sum(any(sh.name == "Footer" for sh in slide.shapes) for slide in prs.slides)
    assert numbered == footers > len(prs.slides) // 2  # every slide with a footer


def test_layout_report_is_written(built):
    report, *_ = built
    path = Path(report.root) / ".reportbuild-cache" / LAYOUT_REPORT
    entries = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(entries, list)
    for e in entries:
        assert (
            {"slide", "shape", "message", "path", "line"}
            <= set(e)
            <= {
                "slide",
                "shape",
                "message",
                "path",
                "line",
                "fitted",
            }
        ), e


def test_layout_entries_name_the_deck_file_line(tmp_path):
    """Every entry of the deck's layout report (what lint L502 reads) carries the path and
    line of the deck.yml entry that made its slide, continued slides included."""
    from reportbuild.lints.layout import lint_layout

    root = make_project(tmp_path / "proj")
    cp = root / "sources" / "core-points.yml"
    cp.write_text(
        cp.read_text(encoding="utf-8").replace("对核心观点的一句说明。", "对核心观点的说明，" * 60),
        encoding="utf-8",
    )
    src = (root / "sources" / "cases" / "example.yml").read_text(encoding="utf-8")
    for i in range(6):
        (root / "sources" / "cases" / f"bank{i}.yml").write_text(
            src.replace("示例银行", f"第{i}示例银行").replace(
                "平台上线后客户满意度提升。", "平台上线后客户满意度提升，" * 12 + "效果显著。"
            ),
            encoding="utf-8",
        )
    report, _b, _o, res = build(root)
    entries = json.loads((root / ".reportbuild-cache" / LAYOUT_REPORT).read_text("utf-8"))
    loc = {d.kind: d.loc for d in report.deck}
    shapes = {e["shape"] for e in entries}
    assert {"Point 1 text", "Cases table"} <= shapes, entries
    for e in entries:
        kind = "core-points" if e["shape"].startswith("Point") else "cases"
        assert (e["path"], e["line"]) == (loc[kind].path, loc[kind].line), e
        assert e["path"] == "sources/deck.yml" and e["line"] > 0
    assert all(m.startswith("sources/deck.yml:") for m in res.overflow), res.overflow
    # the lint reports an unfitted entry at that place (fitted ones are records, not defects)
    for e in entries:
        e.pop("fitted", None)
    (root / ".reportbuild-cache" / LAYOUT_REPORT).write_text(json.dumps(entries), "utf-8")
    found = [p for p in lint_layout(report, root) if p.code == "L502"]
    assert len(found) == len(entries)
    assert {(p.path, p.line) for p in found} == {
        (loc[k].path, loc[k].line) for k in ("core-points", "cases")
    }


def test_identical_bytes_with_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1530000000")
    root = make_project(tmp_path / "proj")
    _r, _b, a, _ = build(root, tmp_path / "a.pptx")
    _r, _b, b, _ = build(root, tmp_path / "b.pptx")
    assert a.read_bytes() == b.read_bytes()
    prs = Presentation(str(a))
    assert prs.core_properties.created.year == 2018
    assert prs.core_properties.title == "示例研究报告"


def test_long_text_shrinks_then_moves_to_the_notes_then_fails(tmp_path):
    root = make_project(tmp_path / "proj")
    cp = root / "sources" / "core-points.yml"
    original = cp.read_text(encoding="utf-8")
    # a little too long: shrunk and logged as a record
    cp.write_text(original.replace("对核心观点的一句说明。", "对核心观点的说明，" * 60), "utf-8")
    _r, _b, _o, res = build(root)
    assert any("Point 1 text" in m and "shrunk" in m for m in res.overflow), res.overflow
    # far too long, in sentences: those that do not fit at the floor go to the speaker notes,
    # with a warning at the deck file's line that gives both heights
    cp.write_text(
        original.replace("对核心观点的一句说明。", "对核心观点的很长的说明。" * 90), "utf-8"
    )
    _r, _b, out, res = build(root)
    moved = [m for m in res.overflow if "moved to the speaker notes" in m]
    assert len(moved) == 1 and re.match(
        r"sources/deck\.yml:\d+: slide 3 \(Point 1 text\)", moved[0]
    )
    need, holds = re.search(r"needs ([\d.]+) pt, its box holds ([\d.]+) pt", moved[0]).groups()
    assert "." in need and "." in holds and float(need) > float(holds)
    slide = Presentation(str(out)).slides[2]
    on_slide = "".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    notes = slide.notes_slide.notes_text_frame.text
    assert notes.startswith("（幻灯片未能容纳）对核心观点")
    said = on_slide.replace("\v", "").count("很长的说明") + notes.count("很长的说明")
    assert said >= 90 * 2  # each sentence is on the slide or in the notes (and all in the notes)
    # one item that cannot be broken (a title with no sentence end) fails, naming the slide
    cp.write_text(original.replace("第一个核心观点", "第一个核心观点" * 600), "utf-8")
    with pytest.raises(
        BuildError, match=r"sources/deck\.yml:\d+: slide 3 \(core-points\).*Point 1 text"
    ) as err:
        build(root)
    need, holds = re.search(
        r"needs ([\d.]+) pt but its box holds ([\d.]+) pt", str(err.value)
    ).groups()
    assert "." in need and "." in holds and float(need) > float(holds)


def test_many_cases_continue_on_a_second_slide(tmp_path):
    root = make_project(tmp_path / "proj")
    src = (root / "sources" / "cases" / "example.yml").read_text(encoding="utf-8")
    long_effect = "平台上线后客户满意度提升，" * 12 + "效果显著。"
    for i in range(6):
        (root / "sources" / "cases" / f"bank{i}.yml").write_text(
            src.replace("示例银行", f"第{i}示例银行").replace(
                "平台上线后客户满意度提升。", long_effect
            ),
            encoding="utf-8",
        )
    report, _b, out, res = build(root)
    prs = Presentation(str(out))
    titles = [title_of(s) for s in prs.slides]
    assert "案例一览（续）" in titles
    assert res.slides == len(report.deck) + titles.count("案例一览（续）")
    rows = sum(len(sh.table.rows) - 1 for s in prs.slides for sh in s.shapes if sh.has_table)
    assert rows == len(report.cases)
    assert any("continued" in m for m in res.overflow)


def case_tables(prs) -> list[tuple[int, object]]:
    return [(n, sh) for n, s in enumerate(prs.slides, 1) for sh in s.shapes if sh.has_table]


def test_continued_cases_are_spread_evenly(tmp_path):
    """Eight cases that need two slides are 4 + 4 (not 7 + 1, nor 5 + 3), and every table ends
    above the footer, measured as written."""
    root = make_project(tmp_path / "proj")
    src = (root / "sources" / "cases" / "example.yml").read_text(encoding="utf-8")
    effect = "平台上线后客户满意度提升，" * 5 + "效果显著。"
    for i in range(7):
        (root / "sources" / "cases" / f"bank{i}.yml").write_text(
            src.replace("示例银行", f"第{i}示例银行").replace("平台上线后客户满意度提升。", effect),
            encoding="utf-8",
        )
    report, _b, out, _res = build(root)
    assert len(report.cases) == 8
    prs = Presentation(str(out))
    tables = case_tables(prs)
    counts = [len(sh.table.rows) - 1 for _n, sh in tables]
    assert len(tables) == 2 and counts == [4, 4], counts
    footer_top = min(
        sh.top for sh in prs.slides[tables[0][0] - 1].shapes if sh.name == "Footer rule"
    )
    for n, sh in tables:
        assert sh.top + sh.height <= footer_top, f"slide {n}: the table runs into the footer"
        assert sum(r.height for r in sh.table.rows) == sh.height, n


def test_paginate_fewest_slides_then_even_rows():
    from reportbuild.deck.slides import _paginate

    def counts(heights, room):
        return [len(p) for p in _paginate(heights, room)]

    assert counts([10] * 8, 80) == [8]
    assert counts([10] * 8, 70) == [4, 4]  # not 7 + 1
    assert counts([10] * 7, 30) == [3, 2, 2]  # not 3 + 3 + 1
    assert counts([10] * 7 + [50], 80) == [4, 4]  # a tall last row still shares its slide
    assert counts([5, 5, 60, 5, 5, 5, 5, 5], 70) == [
        3,
        5,
    ]  # 4 + 4 does not fit: the evenest that does
    assert _paginate([], 50) == []
    pages = _paginate([10, 20, 30, 40, 50, 60], 100)
    assert [i for p in pages for i in p] == list(range(6))  # rows keep their order
    assert all(sum([10, 20, 30, 40, 50, 60][i] for i in p) <= 100 for p in pages)


def test_template_layouts_by_name(tmp_path):
    root = make_project(tmp_path / "proj")
    template = tmp_path / "corp.pptx"
    prs = Presentation()  # python-pptx's own 4:3 master stands in for a corporate one
    prs.slides.add_slide(prs.slide_layouts[0])  # a sample slide the deck must not keep
    prs.save(str(template))
    report, _b, out, res = build(root, template=template)
    deck = Presentation(str(out))
    assert (deck.slide_width, deck.slide_height) == (prs.slide_width, prs.slide_height)
    assert len(deck.slides) == len(report.deck)
    assert deck.slides[0].slide_layout.name == "Title Slide"
    assert deck.slides[1].slide_layout.name == "Title Only"
    assert title_of(deck.slides[0]) == report.title
    W, H = deck.slide_width, deck.slide_height
    for slide in deck.slides:
        for sh in slide.shapes:
            assert (
                sh.left >= 0 and sh.left + sh.width <= W and sh.top >= 0 and sh.top + sh.height <= H
            )
    for n, name, tf, w, h in text_frames(deck):
        assert measure.block_height(paras_of(tf), w) <= h + 0.5, (n, name)


def test_a_template_in_styles_is_used(tmp_path):
    root = make_project(tmp_path / "proj")
    prs = Presentation()
    prs.save(str(root / "styles" / "corp.pptx"))
    _r, _b, out, _res = build(root)
    assert Presentation(str(out)).slide_width == prs.slide_width  # 4:3, the template's


def test_importing_the_package_does_not_import_pptx():
    code = "import sys, reportbuild.deck; print('pptx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_wrapping_keeps_punctuation_with_its_character():
    lines = measure.wrap(
        (measure.Run("城商行金融科技发展，研究报告。" * 3),), "Noto Sans CJK SC", 20, 200
    )
    assert len(lines) > 1
    assert not any(line[0] in measure.NO_START for line in lines)
    assert "".join(lines) == "城商行金融科技发展，研究报告。" * 3
    # Latin words and numbers stay whole
    lines = measure.wrap(
        (measure.Run("资产总额2,819.76亿元 SaaS PaaS IaaS"),), "Noto Sans CJK SC", 20, 90
    )
    assert any("2,819.76" in ln for ln in lines)


def test_charts_and_deck_break_lines_by_one_set_of_rules():
    """One definition of kinsoku and of the Latin words kept whole (issue 11, item 4)."""
    from reportbuild import linebreak
    from reportbuild.charts import text as chart_text

    for name in ("NO_START", "NO_END"):
        assert getattr(measure, name) is getattr(linebreak, name)
    for name in ("NO_START", "NO_END", "WORD"):
        assert getattr(chart_text, name) is getattr(linebreak, name)
    assert measure.pieces is linebreak.pieces  # Latin words (WORD) and Chinese words whole
    # the full-width slash is a closing mark for both: never at the start of a line
    lines = measure.wrap((measure.Run("城商行金融科技／" * 8),), "Noto Sans CJK SC", 20, 150)
    assert len(lines) > 1 and not any(ln[0] in "／/" for ln in lines)


def test_copied_properties_are_the_setters_own_xml():
    """deck/props sets each distinct style through python-pptx once and copies it after: a
    second shape written alike is the same XML as the first (a control character escaped)."""
    from lxml import etree
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Pt

    from reportbuild.deck import props
    from reportbuild.deck.layout import _drop_style, write_text
    from reportbuild.deck.theme import FONTS, LANG, SCALE

    fam = "Noto Sans CJK SC"
    paras = [
        measure.para(
            "城商行金融科技发展研究报告 2024 bell\x07", 16, fam, bold=True, color="#0E2A47"
        ),
        measure.para("第二段", 12, fam, color="#12808A", align="center", before=3, after=2),
    ]
    props._WRITTEN.clear()
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    written = []
    # the design scale, language and faces a deck built earlier in this process left set
    set_back = [(v, v.set(x)) for v, x in ((SCALE, 1.0), (LANG, "zh-CN"), (FONTS, "brand"))]
    for _ in range(2):
        box = slide.shapes.add_textbox(0, 0, Emu(2_000_000), Emu(1_000_000))
        write_text(box.text_frame, paras, pad=(4, 2), anchor="middle", width=80)
        sh = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Emu(2_000_000), Emu(1_000_000))
        _drop_style(sh)
        props.paint(sh, "#D9482B", "#0E2A47", Pt(1))
        write_text(sh.text_frame, paras, width=80)
        written.append(
            [etree.tostring(s._element.spPr) + etree.tostring(s._element.txBody) for s in (box, sh)]
        )
    for var, token in set_back:
        var.reset(token)
    assert {key[0] for key in props._WRITTEN} == {"run", "paragraph", "frame", "paint"}
    assert written[0] == written[1]
    xml = written[1][1].decode()
    for part in ('sz="1600" b="1"', "<a:br/>", 'algn="ctr"', "_x0007_", 'val="D9482B"'):
        assert part in xml


# ── the real report ──────────────────────────────────────────────────────────


def test_real_deck_has_the_briefing(real_deck):
    report, _out, res, prs = real_deck
    text = "\n".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    for p in report.core_points.points:
        assert p.title.partition("，")[0] in text
    for st in report.strategies.strategies:
        assert st.name in text
    data = chart_data(prs)
    assert len(data) >= 4
    for name, series in data.items():
        fig = report.figures[name.removeprefix("Chart ")]
        want = expected_data(fig)
        got = series if fig.kind == "stacked" else next(iter(series.values()))
        if fig.kind == "donut":
            got = {k: v for k, v in got.items() if k != "其余"}
        if fig.kind == "stacked":
            got = {k.removesuffix("（推算）"): v for k, v in got.items()}
        assert got == want, name
    assert res.slides == len(prs.slides)


def test_real_deck_text_fits_and_is_chinese(real_deck):
    report, _out, _res, prs = real_deck
    for n, name, tf, w, h in text_frames(prs):
        need = measure.block_height(paras_of(tf), w)
        assert need <= h + 0.5, f"slide {n} {name}: {need:.1f} pt of text in {h:.1f} pt"
    for n, r in all_runs(prs):
        if CJK.search(r.findtext(qn("a:t")) or ""):
            assert r.find(qn("a:rPr") + "/" + qn("a:ea")) is not None, n
    W, H = prs.slide_width, prs.slide_height
    for n, slide in enumerate(prs.slides, 1):
        assert slide.notes_slide.notes_text_frame.text.strip(), n
        for sh in slide.shapes:
            assert (
                sh.left >= 0 and sh.left + sh.width <= W and sh.top >= 0 and sh.top + sh.height <= H
            ), (n, sh.name)


def test_collaboration_routes_carry_their_labels(real_deck):
    """The 借船出海 slide: every route of figures/jiechuan-collab.yml shows its title, and its
    diagram labelled parties, as native text; no two nodes of a diagram overlap."""
    report, _out, _res, prs = real_deck
    fig = report.figures.get("jiechuan-collab")
    if fig is None:
        pytest.skip("the real report has no jiechuan-collab figure")
    name = next(x.name for x in report.strategies.strategies if x.id == "jiechuan")
    slide = next(
        s
        for s in prs.slides
        if title_of(s).startswith(name) and any(sh.name == "Column 1 title" for sh in s.shapes)
    )
    # Chinese lines are written with their breaks (a:br, read as '\v'): the text is the same
    texts = [sh.text_frame.text.replace("\v", "") for sh in slide.shapes if sh.has_text_frame]
    flat = "\n".join(texts)
    for col in fig.columns:
        assert col.title in texts, col.title  # a shape of its own, whole
        for part in (col.text, *col.items):
            assert part in texts, part
    assert "加入联盟平台" in texts  # route 2: the platform is labelled, not a blank network
    assert flat.count("某城商行") == 2  # the bank: the hub of route 1, a member of route 2
    for k in range(1, len(fig.columns) + 1):
        nodes = [
            sh
            for sh in slide.shapes
            if sh.name.startswith(f"Column {k} ")
            and not sh.name.endswith("label")
            and any(w in sh.name for w in ("hub", "partner", "platform", "member"))
        ]
        assert nodes, k
        for i, a in enumerate(nodes):
            for b in nodes[i + 1 :]:
                apart = (
                    a.left + a.width <= b.left
                    or b.left + b.width <= a.left
                    or a.top + a.height <= b.top
                    or b.top + b.height <= a.top
                )
                if not apart:  # bounding boxes meet: the circles still may not
                    ra, rb = a.width / 2, b.width / 2
                    ca = (a.left + ra, a.top + a.height / 2)
                    cb = (b.left + rb, b.top + b.height / 2)
                    gap = ((ca[0] - cb[0]) ** 2 + (ca[1] - cb[1]) ** 2) ** 0.5 - ra - rb
                    assert gap > 0, (k, a.name, b.name)


def test_cached_widths_equal_the_font(tmp_path):
    from reportbuild import fonts

    measure.use_cache(tmp_path)
    try:
        measure.metrics.cache_clear()
        first = measure.metrics("Noto Sans CJK SC")  # parsed, then written
        measure.metrics.cache_clear()
        again = measure.metrics("Noto Sans CJK SC")  # read back
    finally:
        measure.use_cache(None)
        measure.metrics.cache_clear()
    assert list(tmp_path.glob("font-widths-*.json"))
    assert again == first == measure._parse(fonts.find("Noto Sans CJK SC"))
    assert first.width("城商行") == 3 * first.upm  # CJK ideographs are one em


def test_every_figure_quote_and_case_of_the_real_report_has_a_slide(real_deck, tmp_path):
    """Editors may put any figure, the quotes or any case in the deck: each has a slide form
    that fits (the real report's deck file names only some of them)."""
    report = real_deck[0]
    root = tmp_path / "all"
    for part in ("sources", "figures", "styles"):
        shutil.copytree(ROOT / part, root / part)
    slides = [f"  - {{kind: figure, ref: {f}}}" for f in sorted(report.figures)]
    slides += ["  - {kind: quotes}"] + [
        f"  - {{kind: case, ref: {c}}}" for c in sorted(report.cases)
    ]
    (root / "sources" / "deck.yml").write_text(
        "slides:\n" + "\n".join(slides) + "\n", encoding="utf-8"
    )
    _r, _b, out, res = build(root)
    prs = Presentation(str(out))
    assert len(prs.slides) >= len(slides)
    for n, name, tf, w, h in text_frames(prs):
        assert measure.block_height(paras_of(tf), w) <= h + 0.5, (n, name)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_the_contents_of_a_long_report_go_on_over_slides(tmp_path, lang):
    """Thirty chapters (bench/scale.py's ×10 report) made the contents slide's rows shorter
    than a chapter's number and failed the build; they go on over as many slides as it takes,
    each chapter once, every text fitting at one size."""
    import deck_checks as checks
    import yaml

    from reportbuild.commands.new import new_project
    from reportbuild.locale import get_locale

    root = new_project(tmp_path / "proj", lang)
    manifest = root / "sources" / "report.yml"
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    words = "Chapter" if lang == "en-US" else "第章"
    for n in range(2, 31):
        (root / "sources" / "chapters" / f"{n:02d}.md").write_text(
            f"---\nid: c{n}\ntitle: {words} {n}\nsummary: {words} {n}.\n---\n\n{words} {n}.\n",
            encoding="utf-8",
        )
        data["chapters"].append(f"chapters/{n:02d}.md")
    manifest.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (root / "sources" / "deck.yml").write_text(
        "slides:\n  - {kind: title}\n  - {kind: agenda}\n  - {kind: closing}\n", encoding="utf-8"
    )
    report, _brand, out, _res = build(root)
    prs = Presentation(str(out))
    loc = get_locale(lang)
    contents = loc.t("deck.contents")
    agenda = [s for s in prs.slides if any(sh.name.startswith("Chapter ") for sh in s.shapes)]
    titles = [s.shapes.title.text_frame.text for s in agenda]
    assert len(agenda) > 1
    assert titles == [contents] + [loc.t("deck.continued", title=contents)] * (len(agenda) - 1)
    numbers = [
        sh.text_frame.text
        for s in agenda
        for sh in s.shapes
        if sh.name.startswith("Chapter ") and sh.name.endswith(" number")
    ]
    assert numbers == [f"{c.number:02d}" for c in report.chapters] and len(numbers) == 30
    assert checks.overfull(prs) == [] and checks.shapes_outside(prs) == []
    sizes = {  # every chapter at full size, on every slide: one size for titles, one for summaries
        r.get("sz")
        for s in agenda
        for sh in s.shapes
        if sh.name.startswith("Chapter ") and sh.name.endswith(" title")
        for r in sh._element.iter(qn("a:rPr"))
    }
    assert len(sizes) == 2


def test_the_contents_set_every_chapter_at_one_size(real_deck):
    """Three chapters of the real report, the last with a three-line summary: rows as high as
    their text needs, not one shrunk to 80 % beside two at full size."""
    _report, _out, _res, prs = real_deck
    sizes = {
        (sh.name, r.get("sz"))
        for s in prs.slides
        for sh in s.shapes
        if sh.name.startswith("Chapter ") and sh.name.endswith(" title")
        for r in sh._element.iter(qn("a:rPr"))
    }
    titles = {name for name, _ in sizes}
    assert len(titles) == 3
    assert len({sz for _, sz in sizes}) == 2  # one size for the titles, one for the summaries
