"""Charts: every kind renders, bytes are reproducible, no text needs a font or leaves the canvas."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from reportbuild import figdata
from reportbuild.brand import load_brand
from reportbuild.charts import ChartFiles, render_all
from reportbuild.errors import SourceError
from reportbuild.load import load_project
from reportbuild.locale import get_locale

HERE = Path(__file__).parent
SKELETON = HERE.parent / "src" / "reportbuild" / "skeleton"
FIXTURE_FIGURES = HERE / "fixtures" / "charts" / "figures"
KINDS = {
    "bar",
    "grouped",
    "stacked",
    "line",
    "donut",
    "stat",
    "process",
    "ladder",
    "layers",
    "comparison",
}


def make_project(dest: Path) -> Path:
    shutil.copytree(SKELETON, dest)
    for f in FIXTURE_FIGURES.glob("*.yml"):
        shutil.copy(f, dest / "figures" / f.name)
    return dest


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("charts") / "proj")
    report, brand = load_project(root), load_brand(root)
    out = root / "output" / "figures"
    files = render_all(report, brand, out)
    return report, brand, out, files


def test_fixture_has_every_kind(rendered):
    report, *_ = rendered
    assert {f.kind for f in report.figures.values()} == KINDS


def test_every_figure_renders(rendered):
    report, _brand, out, files = rendered
    assert set(files) == set(report.figures)
    for fid, cf in files.items():
        assert isinstance(cf, ChartFiles)
        assert cf.svg == out / f"{fid}.svg" and cf.svg.stat().st_size > 1000
        assert cf.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert cf.width_mm == pytest.approx(160.0)
        assert 15 < cf.height_mm < 200
        fig = report.figures[fid]
        assert cf.alt.startswith(get_locale(fig.lang).t(f"figure.kind.{figdata.kind_word(fig)}"))


def test_png_is_twice_css_pixels(rendered):
    import struct

    *_, files = rendered
    for cf in files.values():
        w, h = struct.unpack(">II", cf.png.read_bytes()[16:24])
        assert w == round(cf.width_mm / 25.4 * 192)
        assert abs(h - cf.height_mm / 25.4 * 192) <= 1


def test_svgs_need_no_font_and_carry_no_date(rendered):
    *_, files = rendered
    for cf in files.values():
        svg = cf.svg.read_text(encoding="utf-8")
        assert "<text" not in svg
        assert "font-family" not in svg
        assert "<dc:date>" not in svg and "Matplotlib v" not in svg
        assert "<path" in svg


def test_rendering_twice_gives_identical_bytes(rendered, tmp_path):
    report, brand, out, files = rendered
    again = render_all(report, brand, tmp_path / "again")
    for fid, cf in files.items():
        assert again[fid].svg.read_bytes() == cf.svg.read_bytes(), fid
        assert again[fid].png.read_bytes() == cf.png.read_bytes(), fid
    # and one figure at a time (render_figure) as in the whole round; whole builds in separate
    # processes (other hash seeds) are compared byte for byte in test_build and test_pdf
    from reportbuild.charts import render_figure

    for fid in ("challenges", "cloud", "nalai-process"):
        here = render_figure(report.figures[fid], brand, tmp_path / "here")
        assert here.svg.read_bytes() == files[fid].svg.read_bytes(), fid
        assert here.png.read_bytes() == files[fid].png.read_bytes(), fid


def test_all_text_inside_canvas(rendered):
    import matplotlib

    from reportbuild.charts.canvas import check_inside
    from reportbuild.charts.draw import layout
    from reportbuild.charts.style import Style

    report, brand, *_ = rendered
    style = Style.from_brand(brand)
    with matplotlib.rc_context(style.rc()):
        for fig in report.figures.values():
            mfig = layout(fig, style).render()
            texts = [
                t for t in mfig.findobj(lambda a: a.__class__.__name__ == "Text") if t.get_text()
            ]
            assert texts, fig.id
            assert check_inside(mfig) == [], fig.id
            # and the check does catch a label pushed off the page
            mfig.axes[0].text(-5, 5, "出界")
            assert check_inside(mfig) == ["出界"]


def test_the_clipping_check_leaves_the_hidden_axes_ticks_unmade(rendered):
    # findobj asks each axis for its children, which makes its ticks: a fifth of a chart's
    # print SVG time, for ticks an axes drawn without axes never shows
    import matplotlib

    from reportbuild.charts.canvas import check_inside
    from reportbuild.charts.draw import layout
    from reportbuild.charts.style import Style

    report, brand, *_ = rendered
    style = Style.from_brand(brand)
    with matplotlib.rc_context(style.rc()):
        fig = next(iter(report.figures.values()))
        mfig = layout(fig, style).render()
        mfig.axes[0].text(-5, 5, "出界")
        mfig.axes[0].text(-9, 5, "也出界")
        axis = mfig.axes[0].xaxis
        made = len(axis.majorTicks)  # one, made with the axes
        assert check_inside(mfig) == ["出界", "也出界"]
        assert len(axis.majorTicks) == made
        found = [t.get_text() for t in mfig.findobj(lambda a: a.__class__.__name__ == "Text")]
        assert [t for t in found if t in ("出界", "也出界")] == ["出界", "也出界"]
        assert len(axis.majorTicks) > made  # what findobj costs


def test_a_wrap_kept_per_string_is_a_list_of_its_own():
    from reportbuild.charts.text import wrap

    first = wrap("城商行在技术应用上处于追赶地位", 12.0, "Noto Sans CJK SC", 8.5)
    first.append("changed")
    again = wrap("城商行在技术应用上处于追赶地位", 12.0, "Noto Sans CJK SC", 8.5)
    assert "changed" not in again and len(again) > 1


def test_values_of_data_charts_are_drawn(rendered):
    """Every value label of a data figure is a text element of the drawing."""
    from reportbuild.charts.draw import layout
    from reportbuild.charts.style import Style
    from reportbuild.linebreak import cjk_latin_spaced as spaced

    report, brand, *_ = rendered
    style = Style.from_brand(brand)
    for fig in report.figures.values():
        # drawn with the CJK–Latin spacing of the PDF's prose ('约 1.20 个百分点')
        drawn = " ".join(o["s"] for k, o in layout(fig, style).ops if k == "text")
        if fig.kind in ("bar", "donut"):
            for it in getattr(fig, "items", ()):
                assert spaced(figdata.format_value(fig, it)) in drawn
        if fig.kind in ("stacked", "grouped"):
            for s in getattr(fig, "series", ()):
                for c in s.values:
                    assert spaced(figdata.format_value(fig, s, c)) in drawn
                assert spaced(s.label) in drawn
        if fig.kind == "line":  # the last values and the series' names at the line ends
            for s in fig.series:
                last = [c.id for c in fig.categories if c.id in s.values][-1]
                assert spaced(figdata.format_value(fig, s, last)) in drawn
                assert spaced(figdata.series_label(fig, s)) in drawn
            for c in fig.categories:
                assert c.label in drawn


def test_unchanged_figures_are_not_redrawn(rendered, tmp_path):
    report, brand, drawn, _files = rendered
    out = tmp_path / "figs"
    shutil.copytree(drawn, out)  # the module's drawing, with its manifest
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.svg")}
    render_all(report, brand, out)
    assert stamps == {p.name: p.stat().st_mtime_ns for p in out.glob("*.svg")}
    # a brand change redraws everything; a removed figure's files go away
    brand2 = replace(brand, primary="#7A1F1F")
    only = report.model_copy(update={"figures": {"survey": report.figures["survey"]}})
    files = render_all(only, brand2, out)
    assert list(files) == ["survey"]
    assert sorted(p.name for p in out.glob("*.svg")) == ["survey.svg"]
    assert "#7a1f1f" in (out / "survey.svg").read_text().lower()


def test_importing_charts_does_not_import_matplotlib(tmp_path):
    """A render with nothing to draw (a later build, in a new process) imports neither
    matplotlib nor the drawing module. (The files are drawn first, in this process.)"""
    root = make_project(tmp_path / "proj")
    out = tmp_path / "o"
    report = load_project(root)
    report = report.model_copy(update={"figures": {"survey": report.figures["survey"]}})
    drawn = render_all(report, load_brand(root), out)["survey"]
    assert all(path.is_file() for path in drawn.paths)
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from reportbuild.load import load_project\nfrom reportbuild.brand import load_brand\n"
        "from reportbuild.charts import render_all\n"
        f"r = load_project(Path({str(root)!r})); b = load_brand(Path({str(root)!r}))\n"
        "r = r.model_copy(update={'figures': {'survey': r.figures['survey']}})\n"
        f"files = render_all(r, b, Path({str(out)!r}))\n"
        "print(files['survey'].width_mm > 0, 'matplotlib' in sys.modules,\n"
        "      'reportbuild.charts.draw' in sys.modules)\n"
    )
    got = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert got.stdout.split() == ["True", "False", "False"], "a no-op render imported drawing"


def test_cjk_font_is_the_simplified_chinese_face():
    from matplotlib import font_manager

    from reportbuild import fonts

    found = font_manager.findfont(
        font_manager.FontProperties(family="Noto Sans CJK SC"), fallback_to_default=False
    )
    face = fonts.find("Noto Sans CJK SC")
    assert (str(found), getattr(found, "face_index", 0)) == (face.path, face.index)
    assert font_manager.get_font(found).family_name == "Noto Sans CJK SC"


def test_coverage_from_fontconfig_is_the_fonts_cmap():
    """The glyph checks read fontconfig's charset (cached by fontconfig, milliseconds) rather
    than the font's cmap (a fifth of a second per CJK face): for the brand faces they agree."""
    from fontTools.ttLib import TTFont

    from reportbuild import fonts

    for face in fonts.faces(["Noto Sans CJK SC"]):
        with TTFont(face.path, fontNumber=face.index, lazy=True) as font:
            assert frozenset(fonts.coverage(face)) == frozenset(font.getBestCmap())
    assert fonts.missing_chars("城商行 A1，", fonts.faces(["Noto Sans CJK SC"])) == set()
    assert fonts.missing_chars("\U0001f600", fonts.faces(["Noto Sans CJK SC"])) == {"\U0001f600"}


def test_fast_cjk_widths_equal_matplotlibs(real_report):
    """Chinese text is measured from glyphs loaded once, not by matplotlib string by string:
    both must give the same number, to the bit, or layouts (and files) would change."""
    from matplotlib.font_manager import FontProperties

    from reportbuild.charts import text
    from reportbuild.charts.glyphs import NOT_DRAWN, drawn_strings

    # every drawn string whole (the longest sums 63 advances) and every piece of one to three
    # characters (each glyph, alone and beside each neighbour, at a string's start and end):
    # matplotlib takes 0.3 ms a string, so the pieces of four to eleven, 4000 more, proved
    # nothing these do not
    pieces = set()
    for fig in real_report.figures.values():
        for s in drawn_strings(fig.model_dump(exclude=NOT_DRAWN)):
            pieces |= {s[i:j] for i in range(len(s)) for j in range(i + 1, min(len(s), i + 3) + 1)}
            pieces.add(s)
    cjk = sorted(p for p in pieces if all(c >= "\u2000" for c in p))
    assert len(cjk) > 1000 and max(map(len, cjk)) > 40
    for weight in ("normal", "bold"):
        prop = FontProperties(family="Noto Sans CJK SC", size=7.5, weight=weight)
        for s in cjk:
            slow = text._t2p.get_text_width_height_descent(s, prop, False)[0]
            assert text._cjk_width(s, "Noto Sans CJK SC", 7.5, weight) == slow, s
    assert text._cjk_width("KYC 系统", "Noto Sans CJK SC", 7.5, "normal") is None  # kerned


# ── wrapping ──────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "text",
    [
        "金融科技公司技术领先，城商行在技术应用上处于追赶地位",
        "监管政策不确定性（含“穿透式”监管）、人才匮乏。",
        "2018 年一季度城商行平均净息差为 1.90%，较 2012 年下降约 1.20 个百分点",
        "IT 服务台、自动化运维 Kubernetes cloud-native",
    ],
)
@pytest.mark.parametrize("width", [12.0, 25.0, 40.0])
def test_wrap_fits_and_respects_punctuation(text, width):
    from reportbuild.charts.text import NO_END, NO_START, text_width, wrap

    lines = wrap(text, width, "Noto Sans CJK SC", 8.5)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for i, line in enumerate(lines):
        assert text_width(line, "Noto Sans CJK SC", 8.5) <= width + 1e-6 or len(line) <= 2
        if i > 0:
            assert line[0] not in NO_START, lines
        if i < len(lines) - 1:
            assert line[-1] not in NO_END, lines
    if "1.90%" in text:  # numbers stay whole, with their unit sign
        assert any("1.90%" in ln for ln in lines), lines


# ── figure data ───────────────────────────────────────────────────────────


def test_format_value(rendered):
    report, *_ = rendered
    m = report.figures["margins"]
    assert [figdata.format_value(m, it) for it in m.items] == ["1.90%", "约1.20个百分点", "96%–97%"]
    r = report.figures["regions"]
    assert figdata.format_value(r, r.series[1], "assets") == "18.4%"
    assert figdata.format_number(Decimal("-1.20"), "个百分点") == "\u22121.20个百分点"


def test_alt_text_names_every_value(rendered):
    report, *_ = rendered
    for fig in report.figures.values():
        alt = figdata.alt_text(fig)
        assert fig.title.rstrip("。") in alt
        for it in getattr(fig, "items", ()):
            assert figdata.format_value(fig, it) in alt
        for s in getattr(fig, "series", ()):
            for c in s.values:
                assert figdata.format_value(fig, s, c) in alt
        for st in getattr(fig, "steps", ()):
            assert st.title in alt
        for stage in getattr(fig, "stages", ()):
            assert stage.title in alt
    assert "推算" in figdata.alt_text(report.figures["regions"])


def test_data_tables(rendered):
    report, *_ = rendered
    headers, rows = figdata.data_table(report.figures["challenges"])
    assert headers == ["项目", "数值"]
    assert rows[0] == ["失去客户接触和数据", "89%"] and rows[-1] == ["其他", "3%"]
    headers, rows = figdata.data_table(report.figures["regions"])
    assert headers == ["", "城商行数量", "资产规模"]
    assert rows[-1] == ["东北（推算）", "3%", "2%"]
    for fig in report.figures.values():
        headers, rows = figdata.data_table(fig)
        assert rows and all(len(r) == len(headers) for r in rows), fig.id


def test_hash_ignores_placement_but_not_data(rendered):
    report, brand, *_ = rendered
    fig = report.figures["challenges"]
    h = figdata.figure_hash(fig, brand)
    assert figdata.figure_hash(fig.model_copy(update={"number": "9-9"}), brand) == h
    assert figdata.figure_hash(fig.model_copy(update={"highlight": 1}), brand) != h
    assert figdata.figure_hash(fig, replace(brand, accent="#000000")) != h


# ── bad figures are the loader's to report, with file:line ────────────────


def test_unknown_kind_reports_file_and_line(tmp_path):
    root = make_project(tmp_path / "proj")
    (root / "figures" / "pie.yml").write_text(
        "title: 饼图\nsource: 示例\nunit: '%'\nkind: pie\n"
        "items:\n  - {id: a, label: 甲, value: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as exc:
        load_project(root)
    msg = exc.value.format_message()
    assert re.search(r"figures/pie\.yml:4\b", msg), msg
    assert exc.value.exit_code == 2


def test_malformed_stacked_reports_file_and_line(tmp_path):
    root = make_project(tmp_path / "proj")
    text = (
        (FIXTURE_FIGURES / "regions.yml")
        .read_text(encoding="utf-8")
        .replace("assets: 53", "assets: 63")
    )
    (root / "figures" / "regions.yml").write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as exc:
        load_project(root)
    assert re.search(r"figures/regions\.yml:\d+: error E024", exc.value.format_message())


def test_extreme_content_stays_on_the_canvas(tmp_path):
    """Very long labels, tiny shares, many steps, empty layers: wrapped or moved, never clipped."""
    import matplotlib

    from reportbuild.charts.canvas import check_inside
    from reportbuild.charts.draw import layout
    from reportbuild.charts.style import Style

    root = tmp_path / "proj"
    shutil.copytree(SKELETON, root)
    for f in (HERE / "fixtures" / "charts" / "stress").glob("*.yml"):
        shutil.copy(f, root / "figures" / f.name)
    report, brand = load_project(root), load_brand(root)
    style = Style.from_brand(brand)
    with matplotlib.rc_context(style.rc()):
        for fig in report.figures.values():
            cv = layout(fig, style)
            assert check_inside(cv.render()) == [], fig.id
            for kind, o in cv.ops:  # nothing drawn left of or beyond the column width
                if kind == "rect":
                    assert o["x"] >= -0.01 and o["x"] + o["w"] <= cv.width + 0.01, fig.id


def test_every_figure_of_the_report_renders(real_report, built_zh):
    """figures/ of the real report, as the run's shared build drew them: one SVG and one PNG
    each, no font needed, nothing clipped (drawing a clipped label fails the build)."""
    out = built_zh.root / "output" / "figures"
    assert {p.stem for p in out.glob("*.svg")} == set(real_report.figures)
    assert {p.stem for p in out.glob("*.png")} == set(real_report.figures)
    for fid in real_report.figures:
        assert "<text" not in (out / f"{fid}.svg").read_text(encoding="utf-8")
        assert (out / f"{fid}.png").stat().st_size > 1000


def test_characters_the_font_lacks_are_an_error_not_tofu(tmp_path):
    from reportbuild.errors import BuildError

    root = make_project(tmp_path / "proj")
    report, brand = load_project(root), load_brand(root)
    fig = report.figures["survey"]
    items = (fig.items[0].model_copy(update={"label": "同意 \U0001f600"}),) + fig.items[1:]
    bad = report.model_copy(update={"figures": {"survey": fig.model_copy(update={"items": items})}})
    with pytest.raises(BuildError, match=r"figures/survey\.yml:1: .*\U0001f600"):
        render_all(bad, brand, tmp_path / "out")


def test_glyph_outlines_are_inlined_with_composed_transforms():
    """WeasyPrint searches the tree for every <use>: outlines are written in place instead."""
    from reportbuild.charts.draw import inline_glyphs

    svg = (
        '<defs><path id="F-4e00" d="M 0 0 L 10 0" transform="scale(0.015625)"/>'
        '<path id="F-20" transform="scale(0.015625)"/></defs>'
        '<use xlink:href="#F-4e00" transform="translate(100 0)"/>'
        '<use xlink:href="#F-20" x="3"/>'
        '<use xlink:href="#F-4e00" x="1" y="2"/>'
    )
    out = inline_glyphs(svg)
    assert "<use" not in out and 'id="F-' not in out
    assert '<path d="M 0 0 L 10 0" transform="translate(100 0) scale(0.015625)"/>' in out
    assert '<path d="M 0 0 L 10 0" transform="translate(1 2) scale(0.015625)"/>' in out


def test_drawn_svgs_use_no_use_elements(rendered):
    _, _, _, files = rendered
    for cf in files.values():
        text = cf.svg.read_text(encoding="utf-8")
        assert "<use" not in text and "<path" in text, cf.svg.name


def test_a_field_of_another_kind_is_an_error_with_file_and_line(tmp_path):
    root = make_project(tmp_path / "proj")
    p = root / "figures" / "challenges.yml"
    p.write_text(p.read_text("utf-8") + "stages: []\n", "utf-8")
    with pytest.raises(SourceError) as exc:
        load_project(root)
    msg = exc.value.format_message()
    assert re.search(
        r"figures/challenges\.yml:\d+: error E010: 'stages' is not a field of 'bar'", msg
    )
    assert "belongs to ladder" in msg


def test_a_kind_registered_in_one_place_loads_draws_and_describes(tmp_path):
    """The registry is the only list of kinds: one `register` call makes a kind loadable,
    described in words, tabled for the appendix and drawn."""
    from typing import Literal

    from reportbuild import kinds
    from reportbuild.model import ItemsFigure

    class DotsFigure(ItemsFigure):
        kind: Literal["dots"]

    def draw(cv, fig):
        for i, it in enumerate(fig.items):
            cv.rect(i * 10.0, 0.0, 8.0, float(it.value), cv.style.primary)
            cv.text(i * 10.0, float(it.value) + 1, it.label)

    kinds.register(
        kinds.FigureKind(
            name="dots",
            model=DotsFigure,
            data=True,
            requires="items",
            alt=lambda fig, w: w.join([f"{it.label} {it.value}" for it in fig.items]),
            table=lambda fig, w: (["A", "B"], [[it.label, str(it.value)] for it in fig.items]),
            draw=draw,
            names=(("zh-CN", "点图"), ("en-US", "Dot chart")),
        )
    )
    try:
        root = make_project(tmp_path / "proj")
        p = root / "figures" / "challenges.yml"
        text = p.read_text("utf-8").replace("kind: bar", "kind: dots")
        p.write_text(text.replace("highlight: 3\n", ""), "utf-8")
        report = load_project(root)
        fig = report.figures["challenges"]
        assert type(fig).__name__ == "DotsFigure" and fig.is_data
        assert figdata.data_table(fig)[0] == ["A", "B"]
        assert figdata.alt_text(fig).startswith("点图：")
        # drawn alone: the other figures are the fixture's registered kinds, drawn by `rendered`
        alone = report.model_copy(update={"figures": {"challenges": fig}})
        files = render_all(alone, load_brand(root), tmp_path / "out")
        assert list(files) == ["challenges"]
        assert files["challenges"].svg.stat().st_size > 500
    finally:
        kinds.unregister("dots")
