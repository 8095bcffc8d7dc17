"""Hostile and careless inputs (issue #15): each one a clear file:line error, exit 2, no traceback.

Report repositories are shared: every file in them is data. These tests take a fresh
`reportbuild new` skeleton, break or poison one thing, and check what the tool says.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportbuild.cli import cli


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return CliRunner()


def check(runner: CliRunner, project: Path, *extra: str):
    res = runner.invoke(cli, ["check", "-C", str(project), *extra])
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output
    return res


def assert_error(res, where: str, code: str) -> str:
    """Exit 2 and one line `where…: error CODE: …`; return that line."""
    assert res.exit_code == 2, res.output
    pattern = re.compile(rf"^{re.escape(where)}:\d+: error {code}: .+$", re.M)
    m = pattern.search(res.output)
    assert m, res.output
    return m.group(0)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ── 3. files outside the project ─────────────────────────────────────────────


def test_css_symlink_outside_is_refused(runner, project, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("/* SECRET-TOKEN */", encoding="utf-8")
    (project / "styles" / "evil.css").symlink_to(secret)
    line = assert_error(check(runner, project), "styles/evil.css", "E005")
    assert "outside the project" in line
    res = runner.invoke(cli, ["build", "-C", str(project), "--only", "html"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert not (project / "output" / "report.html").exists()


@pytest.mark.parametrize("where", ["figures/leak.yml", "sources/cases/leak.yml"])
def test_data_symlink_outside_is_refused(runner, project, tmp_path, where):
    src = project / ("figures/survey.yml" if where.startswith("figures") else "sources/cases")
    if src.is_dir():
        src = next(src.glob("*.yml"))
    outside = tmp_path / "outside.yml"
    outside.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    (project / where).symlink_to(outside)
    assert_error(check(runner, project), where, "E005")


def test_template_folder_symlink_outside_is_refused(runner, project, tmp_path):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "_note.html.j2").write_text("x", encoding="utf-8")
    (project / "styles" / "templates").symlink_to(tmp_path / "tpl")
    assert_error(check(runner, project), "styles/templates", "E005")


def test_brand_logo_outside_is_refused(runner, project, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    brand = project / "styles" / "_brand.yml"
    brand.write_text(
        brand.read_text(encoding="utf-8") + "logo:\n  small: ../../logo.png\n", encoding="utf-8"
    )
    line = assert_error(check(runner, project), "styles/_brand.yml", "E005")
    assert "logo" in line


def test_errors_in_sources_and_brand_come_together(runner, project, tmp_path):
    (project / "styles" / "evil.css").symlink_to(tmp_path)
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    brand = project / "styles" / "_brand.yml"
    brand.write_text(
        brand.read_text(encoding="utf-8") + "logo:\n  small: ../../logo.png\n", encoding="utf-8"
    )
    res = check(runner, project)
    assert_error(res, "styles/evil.css", "E005")
    assert_error(res, "styles/_brand.yml", "E005")


@pytest.mark.parametrize("word", ["no", "off", '"false"', "yes"])
def test_allow_html_takes_only_true_or_false(runner, project, word):
    """`allow_html: no` once turned raw HTML on (bool('no') is True): only YAML booleans count."""
    manifest = project / "sources" / "report.yml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + f"allow_html: {word}\n", encoding="utf-8"
    )
    chapter = next((project / "sources" / "chapters").glob("*.md"))
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + "\n<script>alert(1)</script>\n", encoding="utf-8"
    )
    line = assert_error(check(runner, project), "sources/report.yml", "E017")
    assert "did you mean `allow_html: " in line
    res = runner.invoke(cli, ["build", "-C", str(project), "--only", "html"])
    assert res.exit_code == 2
    assert not (project / "output" / "report.html").exists()


def test_raw_html_stays_text_unless_enabled(runner, project):
    chapter = next((project / "sources" / "chapters").glob("*.md"))
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + '\n<img src=x onerror="alert(1)">\n',
        encoding="utf-8",
    )
    res = runner.invoke(cli, ["build", "-C", str(project), "--only", "html"])
    assert res.exit_code == 0, res.output
    html = (project / "output" / "report.html").read_text(encoding="utf-8")
    assert "<img src=x onerror" not in html and "&lt;img src=x onerror" in html


@pytest.mark.parametrize("written", ["010", "0x10", "1:30", "0b101", "08"])
def test_numbers_yaml_1_1_would_change_are_refused_at_their_line(runner, project, written):
    fig = next((project / "figures").glob("*.yml"))
    lines = fig.read_text(encoding="utf-8").splitlines()
    at = next(i for i, ln in enumerate(lines) if re.search(r"value:\s*[\d.]+\b", ln))
    lines[at] = re.sub(r"value:\s*[\d.]+", f"value: {written}", lines[at], count=1)
    fig.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = assert_error(check(runner, project), f"figures/{fig.name}", "E003")
    assert f":{at + 1}:" in line and f"'{written}' is not a plain number" in line


def test_an_exponent_is_read_as_the_plain_number():
    from decimal import Decimal

    from reportbuild.yamlio import loads

    assert loads("a: 1.0e+3\nb: 7.0E-10\n") == {"a": Decimal("1000"), "b": Decimal("0.00000000070")}


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("{{< num survey.yes extra >}}", "takes one FIGURE.ITEM, not 2 words"),
        ("{{< num >}}", "names no figure value"),
        ("{{< num survey.yes", "never closed"),
    ],
)
def test_a_binding_written_wrong_is_an_error_never_printed_as_typed(runner, project, written, says):
    chapter = next((project / "sources" / "chapters").glob("*.md"))
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + f"\n同意的比例为{written}。\n", encoding="utf-8")
    line = assert_error(check(runner, project), f"sources/chapters/{chapter.name}", "E0\\d\\d")
    assert says in line
    assert f":{len(text.splitlines()) + 2}:" in line


def test_the_old_bank_field_names_its_new_name(runner, project):
    case = next((project / "sources" / "cases").glob("*.yml"))
    edit(case, "org:", "bank:")
    line = assert_error(check(runner, project), f"sources/cases/{case.name}", "E010")
    assert "'bank:' is now 'org:'" in line
