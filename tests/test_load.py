"""The loader: the real report's structure, and one test per kind of bad input."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ONE_JOB

from reportbuild.cli import cli
from reportbuild.errors import SourceError
from reportbuild.load import load_project
from reportbuild.model import CaseRef, FigureRef, Prose

# ── the real report ────────────────────────────────────────────────────────


def test_real_report_structure(real_report):
    r = real_report
    assert r.title == "城商行金融科技发展研究报告"
    assert [p.name for p in r.publishers] == [
        "中小银行互联网金融（深圳）联盟",
        "深圳壹账通智能科技有限公司",
        "北京优智汇咨询有限公司",
    ]
    assert len(r.chapters) == 3
    assert len(r.quotes.quotes) == 6
    assert len(r.strategies.strategies) == 4
    assert [s.name for s in r.strategies.strategies] == [
        "拿来主义",
        "借船出海",
        "基因重组",
        "应用云化",
    ]
    assert len(r.core_points.points) == 3
    banks = {c.org for c in r.cases.values()}
    for bank in (
        "乌鲁木齐银行",
        "广东华兴银行",
        "青岛银行",
        "重庆银行",
        "兰州银行",
        "台州银行",
        "河北银行",
        "金城银行",
    ):
        assert bank in banks
    full = [c for c in r.cases.values() if c.kind == "full"]
    assert len(full) == 6 and all(c.background and c.measures for c in full)


def test_real_report_every_case_and_figure_is_placed(real_report):
    placed_figs = {
        b.figure for c in real_report.chapters for b in c.blocks() if isinstance(b, FigureRef)
    }
    placed_cases = {
        b.case for c in real_report.chapters for b in c.blocks() if isinstance(b, CaseRef)
    }
    assert placed_cases == set(real_report.cases)
    assert placed_figs == set(real_report.figures)
    numbers = [f.number for f in real_report.figures.values()]
    assert numbers[0] == "1-1" and len(set(numbers)) == len(numbers)


def test_real_report_numbers_are_bound_from_figures(real_report):
    """The prose restating 89% carries the figure's value, not a second copy of it."""
    challenges = real_report.figures["challenges"]
    top = max(challenges.items, key=lambda i: i.value)
    assert top.value == Decimal("89")
    text = "\n".join(
        b.body.text for c in real_report.chapters for b in c.blocks() if isinstance(b, Prose)
    )
    assert "89%" in text
    assert "{{<" not in text and "@fig-" not in text


def test_decimals_keep_their_digits(real_report):
    nim = real_report.figures["nim"]
    assert any(str(i.value) == "1.90" for i in nim.items)


# ── bad input: each names the file and the line ────────────────────────────


def problems_of(root: Path) -> list[str]:
    with pytest.raises(SourceError) as exc:
        load_project(root)
    return [p.format() for p in exc.value.problems]


def test_skeleton_loads(project):
    report = load_project(project)
    assert report.chapters[0].sections[0].id == "first"
    assert report.figures["survey"].number == "1-1"


def test_yaml_syntax_error_names_line(project):
    (project / "figures" / "survey.yml").write_text(
        "title: x\nkind: bar\nitems: [\n  - a\n", "utf-8"
    )
    msgs = problems_of(project)
    assert any(m.startswith("figures/survey.yml:") and "YAML syntax" in m for m in msgs), msgs


def test_front_matter_syntax_error_names_line(project):
    p = project / "sources" / "chapters" / "01-intro.md"
    p.write_text(p.read_text("utf-8").replace("title: 第一章的标题", "title: [第一章"), "utf-8")
    msgs = problems_of(project)
    assert any(
        m.startswith("sources/chapters/01-intro.md:") and "YAML syntax" in m for m in msgs
    ), msgs


def test_unknown_field_did_you_mean(project):
    p = project / "figures" / "survey.yml"
    p.write_text(p.read_text("utf-8").replace("source:", "sourse:"), "utf-8")
    msgs = problems_of(project)
    assert any(
        "figures/survey.yml:4:" in m
        and "unknown field 'sourse'" in m
        and "did you mean 'source'" in m
        for m in msgs
    ), msgs


def test_missing_field(project):
    p = project / "figures" / "survey.yml"
    p.write_text(p.read_text("utf-8").replace("kind: bar\n", ""), "utf-8")
    msgs = problems_of(project)
    assert any(
        m.startswith("figures/survey.yml:1:") and "missing required field 'kind'" in m for m in msgs
    ), msgs


def test_unknown_chart_kind(project):
    p = project / "figures" / "survey.yml"
    p.write_text(p.read_text("utf-8").replace("kind: bar", "kind: pie"), "utf-8")
    msgs = problems_of(project)
    assert any("figures/survey.yml:2:" in m and "'kind' is 'pie'" in m for m in msgs), msgs


def test_percentage_out_of_range(project):
    p = project / "figures" / "survey.yml"
    p.write_text(p.read_text("utf-8").replace("value: 62", "value: 162"), "utf-8")
    msgs = problems_of(project)
    assert any("figures/survey.yml:7:" in m and "outside 0–100" in m for m in msgs), msgs


def test_empty_required_field(project):
    p = project / "sources" / "cases" / "example.yml"
    p.write_text(p.read_text("utf-8").replace("org: 示例银行", "org: ''"), "utf-8")
    msgs = problems_of(project)
    assert any(
        m.startswith("sources/cases/example.yml:1:") and "'org' is empty" in m for m in msgs
    ), msgs


def test_duplicate_yaml_key(project):
    p = project / "figures" / "survey.yml"
    p.write_text(p.read_text("utf-8") + "title: again\n", "utf-8")
    msgs = problems_of(project)
    assert any("figures/survey.yml:10:" in m and "duplicate key 'title'" in m for m in msgs), msgs


def test_duplicate_item_ids(project):
    p = project / "figures" / "survey.yml"
    p.write_text(p.read_text("utf-8").replace("id: no,", "id: yes,"), "utf-8")
    msgs = problems_of(project)
    assert any("figures/survey.yml:8:" in m and "duplicate item id 'yes'" in m for m in msgs), msgs


def test_reference_to_missing_figure_and_case(project):
    p = project / "sources" / "chapters" / "01-intro.md"
    text = (
        p.read_text("utf-8")
        .replace("::: figure survey", "::: figure surveys")
        .replace("::: case example", "::: case exampel")
    )
    p.write_text(text, "utf-8")
    msgs = problems_of(project)
    assert any(
        "01-intro.md:11:" in m and "names no figure" in m and "did you mean 'survey'" in m
        for m in msgs
    ), msgs
    assert any("01-intro.md:14:" in m and "names no case" in m for m in msgs), msgs


def test_reference_to_missing_chapter(project):
    p = project / "sources" / "report.yml"
    p.write_text(
        p.read_text("utf-8").replace("chapters/01-intro.md", "chapters/01-intro.mdx"), "utf-8"
    )
    msgs = problems_of(project)
    assert any(m.startswith("sources/report.yml:22:") and "does not exist" in m for m in msgs), msgs


def test_binding_to_missing_value(project):
    p = project / "sources" / "chapters" / "01-intro.md"
    p.write_text(p.read_text("utf-8").replace("survey.yes", "survey.yess"), "utf-8")
    msgs = problems_of(project)
    assert any("01-intro.md:9:" in m and "did you mean 'survey.yes'" in m for m in msgs), msgs


def test_unknown_directive(project):
    p = project / "sources" / "chapters" / "01-intro.md"
    p.write_text(p.read_text("utf-8").replace("::: case example", "::: cases example"), "utf-8")
    msgs = problems_of(project)
    assert any(
        "01-intro.md:14:" in m and "unknown directive" in m and "did you mean 'case'" in m
        for m in msgs
    ), msgs


def test_not_utf8(project):
    p = project / "sources" / "cases" / "example.yml"
    p.write_bytes("bank: 示例银行\n".encode() + "title: 案例\n".encode("gb18030"))
    msgs = problems_of(project)
    assert any(m.startswith("sources/cases/example.yml:2:") and "not UTF-8" in m for m in msgs), (
        msgs
    )


def test_all_problems_reported_together(project):
    (project / "figures" / "survey.yml").write_text("title: x\nkind: [\n", "utf-8")
    p = project / "sources" / "cases" / "example.yml"
    p.write_text(p.read_text("utf-8").replace("org:", "ogr:"), "utf-8")
    msgs = problems_of(project)
    assert any(m.startswith("figures/survey.yml") for m in msgs)
    assert any(m.startswith("sources/cases/example.yml") for m in msgs)


def test_raw_html_is_escaped_by_default(project):
    p = project / "sources" / "preface.md"
    p.write_text(p.read_text("utf-8") + "\n<script>alert(1)</script>\n", "utf-8")
    html = load_project(project).front[0].blocks[-1].body.html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_yaml_is_loaded_safely(project):
    p = project / "figures" / "survey.yml"
    p.write_text("!!python/object/apply:os.system ['echo pwned']\n", "utf-8")
    msgs = problems_of(project)
    assert any(m.startswith("figures/survey.yml:1:") for m in msgs), msgs


def test_check_command_exit_codes(project):
    runner = CliRunner()
    ok = runner.invoke(cli, ["check", "-C", str(project)])
    assert ok.exit_code == 0, ok.output
    assert "chapters" in ok.output
    p = project / "figures" / "survey.yml"
    p.write_text(p.read_text("utf-8").replace("value: 62", "value: 162"), "utf-8")
    bad = runner.invoke(cli, ["check", "-C", str(project)])
    assert bad.exit_code == 2
    assert "figures/survey.yml:7:" in bad.output


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("::: note\none line\n:::\n", "one line"),
        ("::: note\nl1\nl2\nl3\n:::\n", "l1\nl2\nl3"),
        ("::: note\nunclosed\n", "unclosed"),
        ("::: figure regions\n:::\n", ""),
    ],
)
def test_a_directive_keeps_every_line_of_its_body(body, text):
    from reportbuild import markup

    (block,) = markup.blocks_of(markup.parser(False), body, 1)
    assert block.text == text


def test_a_report_without_the_genre_parts_is_first_class(project):
    """Core points, quotes, strategies and cases are optional collections, not a genre."""
    from click.testing import CliRunner

    from reportbuild.cli import cli

    (project / "sources" / "core-points.yml").unlink()
    deck = project / "sources" / "deck.yml"
    deck.write_text(
        "\n".join(ln for ln in deck.read_text(encoding="utf-8").splitlines()
                  if "core-points" not in ln) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    res = CliRunner().invoke(cli, ["build", "-C", str(project), "-q", *ONE_JOB])
    assert res.exit_code == 0, res.output
    html = (project / "output" / "report.html").read_text(encoding="utf-8")
    assert 'class="core-points' not in html and "核心观点" not in html
