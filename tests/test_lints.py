"""Editorial lints: each one fires on a small broken project and stays quiet on a sound one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportbuild.brand import load_brand
from reportbuild.cli import cli
from reportbuild.errors import Problem, SourceError
from reportbuild.lints import run_lints
from reportbuild.lints.numbers import label_forms
from reportbuild.lints.repeats import Place, find_repeats, normalise
from reportbuild.load import load_project

FIXTURES = Path(__file__).parent / "fixtures" / "lints"


def lint(project: Path) -> list[Problem]:
    return run_lints(load_project(project), load_brand(project), project)


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(i for i, ln in enumerate(lines, 1) if needle in ln)


def with_challenges(project: Path) -> Path:
    """Add the original report's challenges chart (89/81/74 %) to chapter 1; return the chapter."""
    shutil.copy(FIXTURES / "defects" / "figures" / "challenges.yml", project / "figures")
    ch1 = project / "sources" / "chapters" / "01-intro.md"
    edit(
        ch1,
        "::: case example",
        "见@fig-challenges。\n\n::: figure challenges\n:::\n\n::: case example",
    )
    return ch1


@pytest.fixture
def defects(project: Path) -> Path:
    """The skeleton with two chapters, two cases and the original report's three defects."""
    shutil.copytree(FIXTURES / "defects", project, dirs_exist_ok=True)
    (project / "README.md").unlink()
    (project / "sources" / "deck.yml").unlink()  # its case slide names the skeleton's case
    return project


@pytest.fixture
def fixed(defects: Path) -> Path:
    """The defects project as the editors resolved it."""
    ch1 = defects / "sources" / "chapters" / "01-intro.md"
    edit(ch1, "（80%）", "（{{< num challenges.experience >}}）")
    edit(ch1, "（68%）", "（{{< num challenges.young >}}）<!-- 原文 68%，与图表 74% 不符 -->")
    edit(
        defects / "sources" / "chapters" / "02-direction.md",
        "绝大多数城商行都已经认识到发展金融科技的重要性，并且开始了探索与实践。城商行发展金融科技主要采用的是跟随策略，采用有成熟应用案例的技术。",
        "在认识到金融科技重要性之后，城商行需要找准方向。",
    )
    urumqi = defects / "sources" / "cases" / "urumqi.yml"
    text = urumqi.read_text(encoding="utf-8")
    urumqi.write_text(text[: text.index("effect:")], encoding="utf-8")
    return defects


# ── the skeleton and the resolved report are clean ────────────────────────


def test_skeleton_is_clean(project):
    assert lint(project) == []


def test_resolved_defects_are_quiet(fixed):
    assert lint(fixed) == []


# ── L101 numbers ──────────────────────────────────────────────────────────


def test_numbers_contradicting_the_chart_are_errors_with_their_line(defects):
    found = [p for p in lint(defects) if p.code == "L101"]
    ch1 = defects / "sources" / "chapters" / "01-intro.md"
    line = line_of(ch1, "（80%）")
    assert [(p.path, p.line, p.severity) for p in found] == [
        ("sources/chapters/01-intro.md", line, "error"),
        ("sources/chapters/01-intro.md", line, "error"),
    ]
    text = " ".join(p.message for p in found)
    assert "'80%'" in text and "81%" in text and "challenges.experience" in text
    assert "'68%'" in text and "74%" in text and "challenges.young" in text
    assert "'89%'" not in text  # the first of the three agrees with the chart


@pytest.mark.parametrize(
    "sentence",
    [
        "“客户对服务和体验的要求不断提升”（81%）和“年轻客户的流失”（74%）。",  # right numbers
        "年轻客户流失的比例从 2016 年的 50% 上升到 74%。",  # another year beside the right value
        "失去客户接触和数据、年轻客户流失分别占 89%、74%。",  # 分别: pairing by order
        "年轻客户的流失问题在 80 家银行中普遍存在。",  # not a percentage
        "年轻客户的流失令人担忧。全行存款增长了 68%。",  # another sentence
        "年轻客户的流失、理财业务被第三方争夺、线下渠道使用率大减等诸多挑战中，有 68% 的银行",  # noqa: E501 - far
        "年轻客户的流失约 74.2%。",  # the chart rounds to 74
    ],
)
def test_numbers_no_false_alarm(project, sentence):
    ch1 = with_challenges(project)
    edit(ch1, "见@fig-challenges。", f"{sentence}见@fig-challenges。")
    assert codes(lint(project)) == []


def test_numbers_bound_values_and_comments_are_not_read(project):
    ch1 = with_challenges(project)
    edit(
        ch1, "见@fig-challenges。",
        "“年轻客户流失”（{{< num challenges.young >}}）<!-- 原文 68% -->，存款理财化造成资金成本升高（52%）。"  # noqa: E501
        "见@fig-challenges。",
    )  # fmt: skip
    assert lint(project) == []
    edit(ch1, "资金成本升高（52%）", "资金成本升高（\n55%）")
    (p,) = lint(project)
    assert (p.code, p.line) == ("L101", line_of(ch1, "55%）"))
    assert "challenges.deposits" in p.message and "52%" in p.message


def test_numbers_line_inside_a_yaml_block(project):
    with_challenges(project)
    case = project / "sources" / "cases" / "example.yml"
    edit(
        case,
        "  平台上线后客户满意度提升。",
        "  平台上线后客户满意度提升。\n  此外，年轻客户流失的比例达 70%。",
    )
    (p,) = lint(project)
    assert (p.code, p.path, p.line) == ("L101", "sources/cases/example.yml", line_of(case, "70%"))


def test_numbers_each_label_speaks_of_its_nearest_number(project):
    ch1 = with_challenges(project)
    edit(
        ch1, "见@fig-challenges。",
        "“客户对服务和体验的要求不断提升”（80%）和“年轻客户的流失”（74%）见@fig-challenges。",
    )  # fmt: skip
    (p,) = lint(project)
    assert "'80%'" in p.message and "challenges.experience" in p.message


def test_numbers_approximate_values(project):
    ch1 = with_challenges(project)
    edit(project / "figures" / "challenges.yml", "value: 52}", "value: 52, approx: true}")
    edit(ch1, "见@fig-challenges。", "存款理财化造成资金成本升高（约 53%）。见@fig-challenges。")
    assert lint(project) == []
    edit(ch1, "约 53%", "约 56%")
    assert codes(lint(project)) == ["L101"]


def test_label_short_forms():
    (young,) = label_forms("年轻客户的流失")
    assert young.search("客户特别是年轻客户流失") and young.search("年轻客户的流失")
    forms = label_forms("应用场景被第三方占据，失去客户接触和数据")
    assert any(f.search("“失去客户接触和数据”（89%）") for f in forms)
    assert label_forms("同意") == ()  # too short to trust


# ── L201/L202 repeats ─────────────────────────────────────────────────────


def test_repeats_chapter_opener_and_pasted_case_effect(defects):
    found = [p for p in lint(defects) if p.code == "L201"]
    assert {(p.path, p.severity) for p in found} == {
        ("sources/chapters/02-direction.md", "warning"),
        ("sources/cases/urumqi.yml", "warning"),
    }
    by_path = {p.path: p for p in found}
    opener = by_path["sources/chapters/02-direction.md"]
    assert opener.line == line_of(defects / "sources/chapters/02-direction.md", "绝大多数城商行")
    assert (
        "chapter 1 summary" in opener.message and "sources/chapters/01-intro.md:4" in opener.message
    )
    effect = by_path["sources/cases/urumqi.yml"]
    assert effect.line == line_of(defects / "sources/cases/urumqi.yml", "青岛银行私人银行")
    assert "case qingdao" in effect.message and "效果" in effect.message


def test_repeats_within_one_text(project):
    ch1 = project / "sources" / "chapters" / "01-intro.md"
    para = (
        "城商行定位于服务地方经济，与区域政府有着紧密联系，深耕本地市场，熟悉本地客户与产业的特点。"
    )
    edit(ch1, "::: figure survey", f"{para}\n\n中间一段不同的文字。\n\n{para}\n\n::: figure survey")
    (p,) = lint(project)
    assert (p.code, p.line) == ("L201", line_of(ch1, para) + 4)
    assert "same text" in p.message and f"01-intro.md:{line_of(ch1, para)}" in p.message


def test_repeats_allowed_in_lints_yml(defects):
    (defects / "sources" / "lints.yml").write_text(
        "allow_repeats:\n"
        "  - text: 绝大多数城商行都已经认识到发展金融科技的重要性\n"
        "    reason: 章首语重复第一章摘要，原报告如此\n"
        "  - text: 这段话在报告中并不存在也不会重复出现\n"
        "    reason: stale\n",
        encoding="utf-8",
    )
    found = lint(defects)
    assert [p.path for p in found if p.code == "L201"] == ["sources/cases/urumqi.yml"]
    (unused,) = [p for p in found if p.code == "L202"]
    assert (unused.path, unused.line) == ("sources/lints.yml", 4)


def test_repeats_ignore_punctuation_and_short_overlaps():
    def place(text):
        norm, pos = normalise(text)
        return Place(site=None, text=text, norm=norm, pos=pos)  # type: ignore[arg-type]

    a = place(
        "青岛银行私人银行荣膺胡润百富“地区性商业银行私人银行最佳表现奖”、2016 年“十佳财富管理创新奖”。"  # noqa: E501
    )
    b = place(
        "青岛银行私人银行荣膺胡润百富 “地区性商业银行私人银行最佳表现奖”、2016年 “十佳财富管理创新奖”"  # noqa: E501
    )
    c = place(
        "青岛银行私人银行荣膺胡润百富。别的内容完全不同，长度也足够长，但没有四十个相同的字。"
    )
    (r,) = find_repeats([a, b])
    assert r.length == len(a.norm)
    assert find_repeats([a, c]) == []


def test_lints_yml_problems_are_l001(project):
    (project / "sources" / "lints.yml").write_text(
        "allow_repeats:\n  - text: 太短\n    reason: x\nignore:\n  - {code: L101, reason: no}\n  - {code: L301}\n",  # noqa: E501
        encoding="utf-8",
    )
    found = lint(project)
    assert codes(found) == ["L001", "L001", "L001"]
    assert [p.line for p in found] == [2, 5, 6]


# ── L301–L307 figures ─────────────────────────────────────────────────────


def test_figure_never_referenced(project):
    ch1 = project / "sources" / "chapters" / "01-intro.md"
    edit(ch1, "（见@fig-survey）", "")
    (p,) = lint(project)
    assert (p.code, p.severity, p.path, p.line) == (
        "L301",
        "warning",
        "sources/chapters/01-intro.md",
        line_of(ch1, "::: figure survey"),
    )


def test_figure_never_referenced_can_be_ignored(project):
    edit(project / "sources" / "chapters" / "01-intro.md", "（见@fig-survey）", "")
    (project / "sources" / "lints.yml").write_text(
        "ignore:\n  - {code: L301, path: sources/chapters/, reason: 图在正文旁，无需引用}\n",
        encoding="utf-8",
    )
    assert lint(project) == []


def test_missing_source_note_is_caught_with_file_line(project):
    fig = project / "figures" / "survey.yml"
    edit(fig, "source: 示例问卷调查\n", "")
    result = CliRunner().invoke(cli, ["check", "-C", str(project)])
    assert result.exit_code == 2
    assert "figures/survey.yml:1: error E011" in result.output and "source:" in result.output


def test_placeholder_source_note(project):
    edit(project / "figures" / "survey.yml", "source: 示例问卷调查", "source: 待补充")
    (p,) = lint(project)
    assert (p.code, p.severity, p.path, p.line) == ("L303", "error", "figures/survey.yml", 4)


def test_donut_shares_over_100(project):
    (project / "figures" / "satisfaction.yml").write_text(
        "title: 满意度\nkind: donut\nunit: '%'\nsource: 问卷\nitems:\n"
        "  - {id: yes, label: 满意，达到预期效果, value: 61}\n  - {id: no, label: 不满意, value: 49}\n",  # noqa: E501
        encoding="utf-8",
    )
    ch1 = project / "sources" / "chapters" / "01-intro.md"
    edit(
        ch1,
        "::: case example",
        "见@fig-satisfaction。\n\n::: figure satisfaction\n:::\n\n::: case example",
    )
    # the loader refuses it (E024), so build and check say the same
    with pytest.raises(
        SourceError, match=r"figures/satisfaction.yml:5: error E024: .*add up to 110"
    ):
        lint(project)
    edit(project / "figures" / "satisfaction.yml", "value: 49", "value: 39")
    assert lint(project) == []


def test_numbering_gap(project):
    from reportbuild.lints.figures import lint_figures
    from reportbuild.lints.sites import sites

    report = load_project(project)
    fig = report.figures["survey"].model_copy(update={"number": "1-2"})
    broken = report.model_copy(update={"figures": {"survey": fig}})
    (p,) = lint_figures(broken, sites(broken, project), project)
    assert (
        p.code == "L305"
        and "1-1" in p.message
        and p.line == line_of(project / "sources/chapters/01-intro.md", "::: figure")
    )
    assert lint_figures(report, sites(report, project), project) == []


def test_figure_never_placed_and_literal_numbers(project):
    shutil.copy(project / "figures" / "survey.yml", project / "figures" / "spare.yml")
    ch1 = project / "sources" / "chapters" / "01-intro.md"
    edit(ch1, "（见@fig-survey）", "（见@fig-survey，另见图 1-3）")
    found = lint(project)
    assert sorted((p.code, p.path) for p in found) == [
        ("L306", "figures/spare.yml"),
        ("L307", "sources/chapters/01-intro.md"),
    ]
    literal = next(p for p in found if p.code == "L307")
    assert literal.line == line_of(ch1, "图 1-3") and "no figure is numbered 1-3" in literal.message


# ── L401 glyphs ───────────────────────────────────────────────────────────


def test_glyph_outside_the_fonts(project):
    case = project / "sources" / "cases" / "example.yml"
    edit(case, "  平台上线后客户满意度提升。", "  平台上线后\n  客户满意度提升🙂。")
    edit(project / "sources" / "core-points.yml", "第一个核心观点", "第一个核心观点ა")
    found = lint(project)
    assert sorted((p.code, p.path, p.line) for p in found) == [
        ("L401", "sources/cases/example.yml", line_of(case, "🙂")),
        ("L401", "sources/core-points.yml", 4),
    ]
    assert any("U+1F642" in p.message for p in found) and any("U+10D0" in p.message for p in found)
    assert all(p.severity == "error" for p in found)


def test_private_use_characters_need_a_glyph_too_but_format_characters_do_not(project):
    """U+E000 (private use) printed as an empty box: str.isprintable() calls it unprintable.
    A soft hyphen or a zero-width space draws nothing and needs no glyph."""
    case = project / "sources" / "cases" / "example.yml"
    edit(case, "  平台上线后客户满意度提升。", "  平台上线后\n  客户满意度\ue000提升\u00ad\u200b。")
    found = lint(project)
    assert [(p.code, p.line) for p in found] == [("L401", line_of(case, "\ue000"))]
    assert "U+E000" in found[0].message


# ── L501/L502 layout ──────────────────────────────────────────────────────


def test_layout_reports_of_the_last_build(project):
    assert lint(project) == []  # no build yet: nothing to read
    cache = project / ".reportbuild-cache"
    cache.mkdir(exist_ok=True)
    (cache / "pdf-layout.json").write_text(json.dumps([{"message": "table overflows the page"}]))
    (cache / "deck-layout.json").write_text(
        json.dumps(
            [
                {"slide": 3, "shape": "title", "message": "text shrunk to 90% to fit its box"},
                {
                    "slide": 4,
                    "shape": "Cases table",
                    "message": "continued",
                    "path": "sources/deck.yml",
                    "line": 6,
                },
                {"slide": 5, "shape": "Quotes", "message": "continued", "fitted": True},
            ]
        )
    )
    found = lint(project)
    assert [p.code for p in found] == ["L501", "L502", "L502"]
    assert {p.severity for p in found} == {"warning"}
    deck, located = [p for p in found if p.code == "L502"]
    assert (deck.path, deck.line) == ("sources/deck.yml", 0)
    assert (located.path, located.line) == ("sources/deck.yml", 6)
    assert "shape 'title'" in deck.message


def test_unreadable_layout_report(project):
    cache = project / ".reportbuild-cache"
    cache.mkdir(exist_ok=True)
    (cache / "pdf-layout.json").write_text("[{")
    (p,) = lint(project)
    assert (p.code, p.path, p.severity) == ("L500", ".reportbuild-cache/pdf-layout.json", "warning")


# ── the command: formats, exit codes, speed ───────────────────────────────


def test_check_exit_codes_and_strict(project):
    runner = CliRunner()
    edit(project / "sources" / "chapters" / "01-intro.md", "（见@fig-survey）", "")
    ok = runner.invoke(cli, ["check", "-C", str(project)], env={"GITHUB_ACTIONS": "false"})
    assert ok.exit_code == 0, ok.output
    assert "warning L301" in ok.output and "ok: 0 errors, 1 warning" in ok.output
    strict = runner.invoke(
        cli, ["check", "-C", str(project), "--strict"], env={"GITHUB_ACTIONS": "false"}
    )
    assert strict.exit_code == 2 and "failed: 0 errors, 1 warning" in strict.output


def test_check_errors_exit_2(defects):
    result = CliRunner().invoke(cli, ["check", "-C", str(defects)], env={"GITHUB_ACTIONS": "false"})
    assert result.exit_code == 2
    assert "sources/chapters/01-intro.md:" in result.output and "error L101" in result.output


def test_check_json(defects):
    result = CliRunner().invoke(cli, ["check", "-C", str(defects), "--format", "json"])
    assert result.exit_code == 2
    rows = json.loads(result.stdout)
    # L705: the defects keep the seed's one "2,819.76" among numbers written without separators
    assert {r["code"] for r in rows} == {"L101", "L201", "L705"}
    assert set(rows[0]) == {"path", "line", "severity", "code", "name", "message"}


def test_check_github_annotations_by_default_in_actions(defects):
    result = CliRunner().invoke(cli, ["check", "-C", str(defects)], env={"GITHUB_ACTIONS": "true"})
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("::")]
    assert len(lines) == 5
    assert any(
        ln.startswith("::error file=sources/chapters/01-intro.md,line=") and "title=L101" in ln
        for ln in lines
    )
    assert any(
        ln.startswith("::warning file=sources/cases/urumqi.yml,line=13,title=L201") for ln in lines
    )


def test_check_github_format_for_load_errors(project):
    edit(project / "figures" / "survey.yml", "source: 示例问卷调查\n", "")
    result = CliRunner().invoke(cli, ["check", "-C", str(project), "--format", "github"])
    assert result.exit_code == 2
    assert result.stdout.startswith("::error file=figures/survey.yml,line=1,title=E011")


def test_check_json_for_load_errors(project):
    edit(project / "figures" / "survey.yml", "source: 示例问卷调查\n", "")
    result = CliRunner().invoke(cli, ["check", "-C", str(project), "--format", "json"])
    assert result.exit_code == 2
    (row,) = json.loads(result.stdout)
    assert (row["path"], row["line"], row["code"]) == ("figures/survey.yml", 1, "E011")


def test_check_imports_no_renderer():
    code = (
        "import sys, reportbuild.cli, reportbuild.lints, reportbuild.lints.report_format;"
        "bad = [m for m in ('weasyprint', 'matplotlib', 'pptx') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ── the real report ───────────────────────────────────────────────────────


def test_real_report_known_defects_stay_fixed(real_report):
    """80%/68% against the chart's 81%/74%, ch2's opener repeating ch1's summary, and 青岛银行's
    效果 pasted into the 乌鲁木齐银行 case were resolved in the sources; they must not return."""
    root = Path(real_report.root)
    found = run_lints(real_report, load_brand(root), root)
    assert [p.format() for p in found if p.code == "L101"] == []
    repeats = [p for p in found if p.code == "L201"]
    assert not [p.format() for p in repeats if p.path.startswith("sources/chapters/02-")]
    assert not [p.format() for p in repeats if p.path == "sources/cases/urumqi.yml"]
    assert [p.format() for p in found if p.severity == "error"] == []


def test_real_report_defects_reintroduced_are_caught(real_report, tmp_path):
    """Put the original report's three defects back into a copy of the real sources."""
    import re

    root = Path(real_report.root)
    copy = tmp_path / "real"
    for part in ("sources", "figures", "styles"):
        shutil.copytree(root / part, copy / part)
    ch1 = copy / real_report.chapters[0].loc.path
    text = ch1.read_text(encoding="utf-8")
    text, n = re.subn(r"(要求不断提升”（)\{\{< num challenges\.[a-z0-9-]+ >\}\}", r"\g<1>80%", text)
    text, m = re.subn(r"(年轻客户流失”（)\{\{< num challenges\.[a-z0-9-]+ >\}\}", r"\g<1>68%", text)
    assert n == m == 1, "the challenges sentence changed; update this test"
    ch1.write_text(text, encoding="utf-8")
    ch2 = copy / real_report.chapters[1].loc.path
    opener = real_report.chapters[0].summary.source  # the original printed it again on ch2's opener
    head, sep, body = ch2.read_text(encoding="utf-8").partition("\n---\n")
    ch2.write_text(f"{head}{sep}\n{opener}\n{body}", encoding="utf-8")
    urumqi = copy / real_report.cases["urumqi"].loc.path
    effect = real_report.cases["qingdao"].effect.source.split("。")[0] + "。"
    with urumqi.open("a", encoding="utf-8") as f:
        f.write(f"effect: |\n  {effect}\n")

    found = lint(copy)
    numbers = [p for p in found if p.code == "L101"]
    assert len(numbers) == 2 and {p.path for p in numbers} == {real_report.chapters[0].loc.path}
    assert "'80%'" in numbers[0].message + numbers[1].message
    repeats = {p.path: p for p in found if p.code == "L201"}
    assert "chapter 1 summary" in repeats[real_report.chapters[1].loc.path].message
    assert len(repeats) == 2, [p.format() for p in repeats.values()]
    # reported at whichever of the two cases comes second in reading order, naming the other
    pasted = [p for p in repeats.values() if "case qingdao" in p.message + p.path]
    assert len(pasted) == 1 and "urumqi" in pasted[0].path + pasted[0].message


# ── editorial hygiene (L70x) ──────────────────────────────────────────────────


def _append(project: Path, text: str) -> tuple[Path, int]:
    ch1 = project / "sources" / "chapters" / "01-intro.md"
    before = ch1.read_text(encoding="utf-8")
    ch1.write_text(before + "\n" + text + "\n", encoding="utf-8")
    return ch1, len(before.split("\n")) + 1


def test_ascii_punctuation_and_dots_inside_chinese_are_named(project):
    _, line = _append(project, "城商行发展很快,但问题不少?详见后文...")
    found = [(p.code, p.line) for p in lint(project) if p.code in ("L701", "L702")]
    assert sorted(found) == [("L701", line), ("L701", line), ("L702", line)]
    _append(project, "另一段写得正确：城商行发展很快，但问题不少？详见后文……")
    assert [p for p in lint(project) if p.code in ("L701", "L702")][-1].line == line


def test_one_style_per_report_for_slashes_ranges_and_thousands(project):
    _append(project, "产品／业务与渠道／网点，网银/手机银行。规模 1000亿—2000亿元，另有 3～5 年。")
    _append(project, "资产 3062.76 亿元，存款 2,819.76 亿元，员工 1200 人。")
    got = sorted(p.code for p in lint(project) if p.code in ("L703", "L704", "L705"))
    assert got == ["L703", "L704", "L705"], got
    report = project / "sources" / "report.yml"
    report.write_text(
        report.read_text("utf-8") + 'style: {slash: "/", range: "—", thousands: ","}\n', "utf-8"
    )
    found = {p.code: p for p in lint(project) if p.code in ("L703", "L704", "L705")}
    assert set(found) == {"L703", "L704", "L705"}
    assert "report.yml chooses style.range: '—'" in found["L704"].message
    assert "(3062.76)" in found["L705"].message


def test_a_style_that_is_not_a_choice_is_an_error_at_its_line(project):
    from reportbuild.errors import SourceError

    report = project / "sources" / "report.yml"
    report.write_text(report.read_text("utf-8") + 'style: {range: "to"}\n', "utf-8")
    with pytest.raises(SourceError, match=r"sources/report.yml:\d+: error"):
        lint(project)


def test_diagrams_without_source_and_multiple_choice_without_note(project):
    (project / "figures" / "steps.yml").write_text(
        "title: 步骤\nkind: process\nsteps:\n"
        "  - {title: 一, text: 第一步}\n  - {title: 二, text: 第二步}\n",
        encoding="utf-8",
    )
    (project / "figures" / "survey.yml").write_text(
        'title: 多项\nkind: bar\nunit: "%"\nsource: 问卷\nitems:\n'
        "  - {id: yes, label: 甲, value: 80}\n  - {id: no, label: 乙, value: 70}\n",
        encoding="utf-8",
    )
    _append(project, "见@fig-steps。\n\n::: figure steps\n:::")
    found = {p.code: p for p in lint(project)}
    assert found["L706"].path == "figures/steps.yml"
    assert "150%" in found["L707"].message
    edit(project / "figures" / "survey.yml", "source: 问卷\n", "source: 问卷\nnote: 本题可多选。\n")
    edit(
        project / "figures" / "steps.yml", "kind: process\n", "kind: process\nsource: 本报告整理\n"
    )
    assert not {"L706", "L707"} & set(codes(lint(project)))


def test_english_reports_take_ascii_punctuation_and_their_own_ellipsis(tmp_path):
    from click.testing import CliRunner

    from reportbuild.cli import cli

    root = tmp_path / "en"
    assert CliRunner().invoke(cli, ["new", "--lang", "en-US", str(root)]).exit_code == 0
    ch1 = next((root / "sources" / "chapters").glob("*.md"))
    ch1.write_text(ch1.read_text("utf-8") + "\nBanks grew, but why? See below...\n", "utf-8")
    found = [p for p in lint(root) if p.code.startswith("L70")]
    assert [p.code for p in found] == ["L702"] and "'…'" in found[0].message
