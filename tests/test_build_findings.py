"""The build's summary names the editorial lints' findings (`check` is where they fail a run)."""

from __future__ import annotations

from click.testing import CliRunner

from reportbuild.cli import cli

CHAPTER = "sources/chapters/01-intro.md"


def _add_raw_html(project) -> int:
    """A paragraph with raw HTML (off in the skeleton): L802, a warning. Returns its line."""
    chapter = project / CHAPTER
    text = chapter.read_text(encoding="utf-8").rstrip("\n") + "\n\n一行<br>两行。\n"
    chapter.write_text(text, encoding="utf-8")
    return text.split("\n").index("一行<br>两行。") + 1


def test_build_summary_lists_lint_findings_with_file_and_line(project):
    line = _add_raw_html(project)
    runner = CliRunner()
    res = runner.invoke(cli, ["build", "-C", str(project), "--only", "html"])
    assert res.exit_code == 0, res.output  # a warning never fails a build
    assert "lints: 1 warning (reportbuild check lists them" in res.stderr
    assert f"{CHAPTER}:{line}: warning L802" in res.stderr
    # the same finding as `check` reports, which --strict fails on
    check = runner.invoke(cli, ["check", "-C", str(project), "--strict"])
    assert check.exit_code == 2 and f"{CHAPTER}:{line}: warning L802" in check.output

    quiet = runner.invoke(cli, ["build", "-C", str(project), "--only", "html", "-q", "--force"])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_clean_report_has_no_lint_line(project):
    res = CliRunner().invoke(cli, ["build", "-C", str(project), "--only", "html"])
    assert res.exit_code == 0, res.output
    assert "lints:" not in res.stderr
