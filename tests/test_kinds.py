"""Chart kinds in both locales: line, grouped, stacked amounts, negatives, many-part donuts.

One project per locale is built once (charts, PDF, deck) from the fictional fixture figures in
tests/fixtures/kinds; the tests read what a reader would see: the print SVG's text and shapes,
the PDF's data appendix, the deck's native charts.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import pages_text
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from reportbuild import figdata
from reportbuild.brand import load_brand
from reportbuild.charts import render_all
from reportbuild.charts.text import letter_advance
from reportbuild.deck import write_deck
from reportbuild.errors import SourceError
from reportbuild.html import render_html
from reportbuild.linebreak import cjk_latin_spaced
from reportbuild.load import load_project
from reportbuild.pdf import write_pdf

HERE = Path(__file__).parent
SKELETONS = {
    "zh-CN": HERE.parent / "src" / "reportbuild" / "skeleton",
    "en-US": HERE.parent / "src" / "reportbuild" / "skeletons" / "en-US",
}
FIXTURES = HERE / "fixtures" / "kinds"
FIGURES = ["trend", "floor", "groups", "amounts", "donut4", "growth"]


def make_project(dest: Path, lang: str) -> Path:
    """The skeleton of `lang` with the fixture figures placed in its chapter and on slides."""
    shutil.copytree(SKELETONS[lang], dest)
    for f in (FIXTURES / lang).glob("*.yml"):
        shutil.copy(f, dest / "figures" / f.name)
    chapter = next((dest / "sources" / "chapters").glob("*.md"))
    chapter.write_text(
        chapter.read_text("utf-8") + "".join(f"\n::: figure {f}\n:::\n" for f in FIGURES),
        "utf-8",
    )
    deck = dest / "sources" / "deck.yml"
    deck.write_text(
        deck.read_text("utf-8").replace(
            "  - {kind: closing}",
            "".join(f"  - {{kind: figure, ref: {f}}}\n" for f in FIGURES) + "  - {kind: closing}",
        ),
        "utf-8",
    )
    return dest


class Built:
    def __init__(self, root: Path):
        self.root = root
        self.report = load_project(root)
        self.brand = load_brand(root)
        # the print SVGs, which the PDF and these tests read; not the outlined SVGs and PNGs
        figures = root / "output" / "figures"
        self.charts = render_all(self.report, self.brand, figures, portable=False)
        html = render_html(self.report, self.brand, self.charts)
        self.pdf = root / "output" / "report.pdf"
        write_pdf(html, self.pdf, root=root, report=self.report, brand=self.brand)
        self.pptx = root / "output" / "summary.pptx"
        write_deck(self.report, self.brand, self.pptx)
        self.deck = Presentation(str(self.pptx))
        # PDFium: 0.1 CPU-s for both languages' PDFs, pypdf 0.5 (the same words in the same order)
        self.text = "\n".join(pages_text(self.pdf))

    def svg(self, fid: str) -> str:
        return self.charts[fid].print_svg.read_text("utf-8")

    def chart(self, fid: str):
        for slide in self.deck.slides:
            for sh in slide.shapes:
                if sh.name == f"Chart {fid}":
                    return sh.chart
        raise AssertionError(f"no chart for {fid} in the deck")


@pytest.fixture(scope="module", params=["zh-CN", "en-US"])
def built(request, tmp_path_factory):
    return Built(make_project(tmp_path_factory.mktemp("kinds") / "proj", request.param))


# ── reading the print SVG ─────────────────────────────────────────────────

SVG_NS = "{http://www.w3.org/2000/svg}"
RECT_D = re.compile(
    r"M ([-\d.]+) ([-\d.]+) L ([-\d.]+) ([-\d.]+) L ([-\d.]+) ([-\d.]+) L ([-\d.]+) ([-\d.]+) z"
)


def painted(svg: str, tag: str) -> list[tuple[ET.Element, dict[str, str]]]:
    """Every `tag` element of an SVG with its own properties (attributes and style="…")."""
    out = []
    for el in ET.fromstring(svg).iter(SVG_NS + tag):
        style = dict(
            (k.strip(), v.strip())
            for k, _, v in (d.partition(":") for d in el.get("style", "").split(";"))
            if v
        )
        out.append((el, {**el.attrib, **style}))
    return out


def texts(svg: str) -> list[tuple[str, float, float, float]]:
    """(text, left, y, right) of every text element, in drawing order: where its letters
    start and end (a print SVG's labels are anchored at their start, matplotlib's SVG's at
    their middle or end too), from each letter's advance in its face."""
    out = []
    for el, p in painted(svg, "text"):
        text, x, size = el.text or "", float(p["x"]), float(p["font-size"].removesuffix("px"))
        family = p["font-family"].split(",")[0].strip("'\" ")
        bold = p.get("font-weight", "normal") in ("bold", "700")
        width = sum(letter_advance(family, bold, c) for c in text) * size
        left = x - {"start": 0, "middle": 0.5, "end": 1}[p.get("text-anchor", "start")] * width
        out.append((text, left, float(p["y"]), left + width))
    return out


def rects(svg: str) -> list[tuple[float, float, float, float, str]]:
    """(x0, y0, x1, y1, fill) of every filled rectangle but the figure's background."""
    out = []
    for _, p in painted(svg, "path"):
        m = RECT_D.fullmatch(" ".join(p.get("d", "").split()))
        if not m or not re.fullmatch(r"#[0-9a-f]{6}", p.get("fill", "")):
            continue
        xs, ys = [float(v) for v in m.groups()[0::2]], [float(v) for v in m.groups()[1::2]]
        if min(xs) == 0 and min(ys) == 0:  # the background, under everything
            continue
        out.append((min(xs), min(ys), max(xs), max(ys), p["fill"]))
    return out


def at(svg: str, s: str) -> tuple[float, float, float]:
    """Where `s` is drawn, (left, y, right) (with the CJK–Latin spacing every chart text gets)."""
    s = cjk_latin_spaced(s)
    found = [(x0, y, x1) for t, x0, y, x1 in texts(svg) if t == s]
    assert found, f"{s!r} not drawn; texts: {[t for t, *_ in texts(svg)]}"
    return found[0]


# ── line ──────────────────────────────────────────────────────────────────


def test_line_keeps_years_in_source_order(built):
    fig = built.report.figures["trend"]
    svg = built.svg("trend")
    xs = [(at(svg, c.label)[0] + at(svg, c.label)[2]) / 2 for c in fig.categories]  # centres
    assert [c.label for c in fig.categories] == ["2016", "2017", "2018", "2019", "2020", "2021"]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    # one line per series with a dot on each point
    assert svg.count('id="line2d_') >= len(fig.series)
    # the last values are printed, the names at the line ends (no legend: they fit)
    for s in fig.series:
        last = figdata.format_value(fig, s, "2021")
        vx, vy, _ = at(svg, last)
        nx, ny, _ = at(svg, s.label)
        assert nx > vx and abs(ny - vy) < 1.0  # the name right of the value, on its line
        assert vx > xs[-1]  # beyond the last point
    # the zero line and a tick below it: the negative point is inside the plot
    ticks = [t for t, *_ in texts(svg) if re.fullmatch(r"[\u2212]?\d+%", t)]
    assert "0%" in ticks and any(t.startswith("\u2212") for t in ticks)


def test_line_in_the_deck_is_a_native_line_chart(built):
    fig = built.report.figures["trend"]
    chart = built.chart("trend")
    assert chart.chart_type == XL_CHART_TYPE.LINE_MARKERS
    plot = chart.plots[0]
    assert list(plot.categories) == [c.label for c in fig.categories]
    assert [s.name for s in plot.series] == [s.label for s in fig.series]
    assert list(plot.series[1].values) == [float(v) for v in fig.series[1].values.values()]
    # the axis reaches below zero for the −2.5 point, on the print chart's ticks
    assert chart.value_axis.minimum_scale == -5.0
    assert chart.value_axis.maximum_scale == 20.0
    # each line named at its end, with its last value; no legend
    assert not chart.has_legend
    xml = plot.series[0]._element.xml
    assert '<c:idx val="5"/>' in xml and '<c:showSerName val="1"/>' in xml


def test_line_from_a_declared_floor(built):
    fig = built.report.figures["floor"]
    svg = built.svg("floor")
    ticks = [t for t, *_ in texts(svg) if re.fullmatch(r"\d+(\.\d)?", t)]
    assert ticks[0] == "90" and "0" not in ticks
    # values: all: every point's value printed
    for c in fig.categories:
        at(svg, figdata.format_value(fig, fig.series[0], c.id))
    # a worded unit is named once, above the axis, in the locale's words
    note = "单位：点" if fig.lang == "zh-CN" else "points"
    assert note in [t for t, *_ in texts(svg)]
    chart = built.chart("floor")
    assert chart.value_axis.minimum_scale == 90.0
    # in the deck too: numbers on the ticks, the worded unit once, as the axis' title
    assert chart.value_axis.tick_labels.number_format == "General"
    assert chart.value_axis.axis_title.text_frame.text == note
    alt = figdata.alt_text(fig)
    assert ("纵轴自 90 起" if fig.lang == "zh-CN" else "the value axis starts at 90") in alt


def test_line_below_its_floor_is_an_error(tmp_path):
    root = make_project(tmp_path / "p", "en-US")
    p = root / "figures" / "floor.yml"
    p.write_text(p.read_text("utf-8").replace("2019: 96", "2019: 86"), "utf-8")
    with pytest.raises(SourceError) as exc:
        load_project(root)
    assert re.search(
        r"figures/floor\.yml:\d+: error E025: value 86 .* below y_min 90",
        str(exc.value.format_message()),
    )


# ── grouped ───────────────────────────────────────────────────────────────


def test_grouped_bars_side_by_side_with_a_legend(built):
    fig = built.report.figures["groups"]
    svg = built.svg("groups")
    # the legend names each series; categories are labelled in the order written
    for s in fig.series:
        at(svg, s.label)
    ys = [at(svg, c.label)[1] for c in fig.categories]
    assert ys == sorted(ys)
    # bars, not the legend's square swatches
    bars = [r for r in rects(svg) if abs((r[2] - r[0]) - (r[3] - r[1])) > 0.5 and r[3] - r[1] > 5]
    fills = {r[4] for r in bars}
    assert len(fills) == len(fig.series)  # one colour per series
    # the negative bar grows left of the zero line; its value sits left of its end
    neg = figdata.format_value(fig, fig.series[1], "west")
    assert neg.startswith("\u2212")
    _, ny, n_end = at(svg, neg)
    left_bar = min(bars, key=lambda r: r[0])
    assert n_end < left_bar[0] and left_bar[1] < ny < left_bar[3] + 3
    p_start, _, _ = at(svg, figdata.format_value(fig, fig.series[1], "east"))
    assert p_start > left_bar[2]


def test_grouped_in_the_deck_is_a_clustered_bar_chart(built):
    fig = built.report.figures["groups"]
    chart = built.chart("groups")
    assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    assert [s.name for s in chart.plots[0].series] == [s.label for s in fig.series]
    assert list(chart.plots[0].series[1].values) == [44.0, 28.0, -3.0]
    assert chart.has_legend
    assert chart.value_axis.minimum_scale < -3.0  # the negative bar is drawn
    colours = {str(s.format.fill.fore_color.rgb) for s in chart.plots[0].series}
    assert len(colours) == 2


def test_one_series_is_not_a_group(tmp_path):
    root = make_project(tmp_path / "p", "zh-CN")
    p = root / "figures" / "groups.yml"
    text = p.read_text("utf-8")
    p.write_text(text[: text.index("  - {id: y2020")], "utf-8")
    with pytest.raises(SourceError, match=r"groups\.yml:\d+: error E025: .*kind: bar"):
        load_project(root)


# ── every new kind: alt text and appendix table in the report's language ─


def test_data_appendix_in_the_pdf(built):
    text = re.sub(r"\s+", " ", built.text)
    years = " ".join(str(y) for y in range(2016, 2022))
    assert years in text  # the line's table: the years as columns, in order
    fig = built.report.figures["trend"]
    row = " ".join(figdata.format_value(fig, fig.series[1], str(y)) for y in range(2016, 2022))
    assert row in text
    total = "合计" if fig.lang == "zh-CN" else "Total"
    assert total in text


def test_alt_texts_in_the_reports_language(built):
    zh = built.report.lang == "zh-CN" if hasattr(built.report, "lang") else None
    for fid in FIGURES:
        fig = built.report.figures[fid]
        alt = figdata.alt_text(fig)
        cjk = re.search(r"[\u4e00-\u9fff]", alt)
        assert bool(cjk) == (fig.lang == "zh-CN"), (fid, alt)
        for s in getattr(fig, "series", ()):
            for c in s.values:
                assert figdata.format_value(fig, s, c) in alt
    del zh
    kinds_named = {
        "zh-CN": ("折线图", "分组条形图", "堆积条形图"),
        "en-US": ("Line chart", "Grouped bar chart", "Stacked bar chart"),
    }[built.report.figures["trend"].lang]
    for fid, word in zip(("trend", "groups", "amounts"), kinds_named, strict=True):
        assert figdata.alt_text(built.report.figures[fid]).startswith(word)


def test_kinds_have_a_value_axis_rule_shared_by_print_and_deck():
    D = Decimal
    assert figdata.value_ticks(D("-2.5"), D("16.1")) == [D(x) for x in (-5, 0, 5, 10, 15, 20)]
    assert figdata.value_ticks(D(0), D(89)) == [D(x) for x in (0, 20, 40, 60, 80, 100)]
    assert figdata.value_ticks(D(0), D(104), D(90))[0] == 90


def test_cjk_latin_boundaries_spaced_as_in_the_pdf(built):
    """'2019年' and '样例Apollo平台' are drawn as '2019 年' and '样例 Apollo 平台': the PDF's
    prose puts a gap there too, whether or not the author typed the space."""
    fig = built.report.figures["growth"]
    drawn = [t for t, *_ in texts(built.svg("growth"))]
    if fig.lang == "zh-CN":
        assert [it.label for it in fig.items][:2] == ["2019年", "2020年"]
        assert "2019 年" in drawn and "样例 Apollo 平台" in drawn
        assert "2019年" not in drawn
    else:  # nothing to space in English
        assert [it.label for it in fig.items] == [t for t in drawn if t in ("2019", "2020", "2021")]


# ── stacked amounts, negatives, donuts, rounding ──────────────────────────


def test_stacked_amounts_share_one_scale_with_totals(built):
    fig = built.report.figures["amounts"]
    assert fig.absolute  # a worded unit: amounts, not shares
    svg = built.svg("amounts")
    total = figdata.format_number(Decimal(120), fig.unit, lang=fig.lang)  # declared, not summed
    net = figdata.format_number(Decimal(106), fig.unit, lang=fig.lang)  # 82 + 30 − 6
    tx, ty, _ = at(svg, total)
    nx, _, _ = at(svg, net)
    # one scale: the 120 bar reaches further right than the 112-wide positive part of 2021
    assert tx > nx
    segs = [r for r in rects(svg) if r[3] - r[1] > 20]  # the 9 mm bars, not legend swatches
    left = min(segs, key=lambda r: r[0])
    assert left[1] > ty  # the leftmost segment is the −6 of the second bar
    chart = built.chart("amounts")
    assert chart.chart_type == XL_CHART_TYPE.BAR_STACKED
    assert chart.value_axis.minimum_scale < -6.0
    assert list(chart.plots[0].series[2].values) == [14.8, -6.0]
    # the unit as the locale writes it after a number: '70.4 billion dollars', '70.4亿元'
    sep = " " if fig.lang == "en-US" else ""
    unit = f'General"{sep}{fig.unit}"'
    # and a negative part with the print charts' minus sign (U+2212)
    assert chart.plots[0].data_labels.number_format == f'{unit};"\u2212"{unit}'


def test_a_declared_total_is_checked_within_the_tolerance(tmp_path):
    root = make_project(tmp_path / "p", "en-US")
    p = root / "figures" / "amounts.yml"
    p.write_text(p.read_text("utf-8").replace("total: 120", "total: 125"), "utf-8")
    with pytest.raises(SourceError) as exc:
        load_project(root)
    msg = exc.value.format_message()
    assert re.search(r"amounts\.yml:7: error E024: the parts of '2020' add up to 120\.4", msg)
    p.write_text(
        p.read_text("utf-8").replace("totals: true", "totals: true\ntolerance: 5"), "utf-8"
    )
    assert load_project(root).figures["amounts"].categories[0].total == 125


def test_negative_bar_in_print_and_deck(built):
    fig = built.report.figures["growth"]
    svg = built.svg("growth")
    neg = figdata.format_value(fig, fig.items[1])
    _, _, n_end = at(svg, neg)
    bars = [r for r in rects(svg) if r[3] - r[1] > 5]
    zero = min(r[2] for r in bars if r[0] < min(b[0] for b in bars) + 0.1)
    assert n_end < min(r[0] for r in bars)  # left of the bar growing left
    assert zero > min(r[0] for r in bars)
    # source order kept: 2019, 2020, 2021 from the top
    ys = [at(svg, it.label)[1] for it in fig.items]
    assert ys == sorted(ys)
    chart = built.chart("growth")
    assert chart.value_axis.minimum_scale < -3.2
    assert list(chart.plots[0].series[0].values) == [4.5, -3.2, 6.1]


def test_rounded_shares_of_101_pass_with_their_tolerance(built, tmp_path):
    fig = built.report.figures["donut4"]
    assert sum(it.value for it in fig.items) == 101 and fig.tolerance == 1
    svg = built.svg("donut4")
    drawn = texts(svg)
    assert drawn[0][0] == "39%"  # the first part's value in the hole
    for it in fig.items:  # the key: each part's label and, right of it, its value
        lx, ly, _ = at(svg, it.label)
        value = figdata.format_value(fig, it)
        assert any(t == value and x > lx and abs(y - ly) < 1.5 for t, x, y, _ in drawn), value
    chart = built.chart("donut4")
    assert chart.chart_type == XL_CHART_TYPE.DOUGHNUT
    assert list(chart.plots[0].series[0].values) == [39.0, 39.0, 16.0, 7.0]
    assert chart.has_legend
    # without the declared tolerance of 1 … still within the default 1.5; at 0.5, refused
    root = make_project(tmp_path / "p", "en-US")
    p = root / "figures" / "donut4.yml"
    p.write_text(p.read_text("utf-8").replace("tolerance: 1", "tolerance: 0.5"), "utf-8")
    with pytest.raises(SourceError, match=r"donut4\.yml:\d+: error E024"):
        load_project(root)


def test_a_donut_of_seven_parts_suggests_bars(tmp_path):
    root = make_project(tmp_path / "p", "zh-CN")
    p = root / "figures" / "donut4.yml"
    text = p.read_text("utf-8").replace("value: 39}", "value: 13}")
    extra = "".join(f"  - {{id: x{i}, label: 其{i}, value: 1}}\n" for i in range(3))
    p.write_text(text + extra, "utf-8")
    with pytest.raises(SourceError, match=r"donut4\.yml:\d+: error E026: .*at most 6 .*kind: bar"):
        load_project(root)
