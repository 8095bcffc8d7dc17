"""Editorial hygiene lints (L70x): punctuation and number style, sources of diagrams, 多选 notes."""

from __future__ import annotations

from pathlib import Path

from reportbuild.brand import load_brand
from reportbuild.lints import run_lints
from reportbuild.load import load_project

ROOT = Path(__file__).resolve().parent.parent

DIRTY = """
## 体例

调研显示,多数银行已起步?部分银行仍在观望...例如网银/手机银行与网银／手机银行并用。
资产总额2,819.76亿元，另一家为3062.76亿元；占比96%—97%，另一处写作40%～50%。
"""


def _codes(project: Path) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for p in run_lints(load_project(project), load_brand(project), project):
        found.setdefault(p.code, []).append(p.line)
    return found


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(i for i, ln in enumerate(lines, 1) if text in ln)


def _dirty(project: Path) -> Path:
    chapter = next((project / "sources" / "chapters").glob("*.md"))
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + DIRTY, encoding="utf-8")
    return chapter


def test_each_slip_is_found_at_its_line(project):
    chapter = _dirty(project)
    first, second = _line_of(chapter, "调研显示"), _line_of(chapter, "资产总额")
    got = _codes(project)
    assert got["L701"] == [first, first]  # ',' and '?'
    assert got["L702"] == [first]  # '...'
    assert got["L703"] == [first]  # '/' beside '／' (one of each: the first met is the norm)
    assert got["L704"] == [second]  # '—' and '～': one is flagged
    assert got["L705"] == [second]


def test_report_yml_chooses_the_style(project):
    _dirty(project)
    manifest = project / "sources" / "report.yml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text + 'style:\n  range: "～"\n  thousands: ","\n', encoding="utf-8")
    got = _codes(project)
    # now the em dash range and the number without separators are the slips
    line = _line_of(next((project / "sources" / "chapters").glob("*.md")), "资产总额")
    assert got["L704"] == [line]
    assert got["L705"] == [line]


def test_diagrams_need_a_source_and_multiple_choice_a_note(project):
    fig = project / "figures" / "survey.yml"
    text = fig.read_text(encoding="utf-8").replace("value: 8}", "value: 80}")
    fig.write_text(
        text.replace("kind: bar\n", "kind: bar\nquestion: 您同意吗？\n"), encoding="utf-8"
    )
    assert "L707" in _codes(project)  # 170 % with no 多选 note
    fig.write_text(fig.read_text(encoding="utf-8") + "note: 多选题\n", encoding="utf-8")
    assert "L707" not in _codes(project)


def test_the_real_report_is_clean(real_report):
    found = run_lints(real_report, load_brand(ROOT), ROOT)
    assert not [p for p in found if p.code.startswith("L70")]
