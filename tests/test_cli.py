"""The CLI wiring: build, new, clean, doctor; exit codes and messages (click's CliRunner)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reportbuild.cli import cli

EPOCH = "1700000000"


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return CliRunner()


def test_build_only_html(runner, project):
    res = runner.invoke(cli, ["build", "-C", str(project), "--only", "html"])
    assert res.exit_code == 0, res.output
    html = (project / "output" / "report.html").read_text(encoding="utf-8")
    assert "第一章的标题" in html and 'src="figures/survey.svg"' in html
    assert (project / "output" / "figures" / "survey.svg").is_file()
    assert not (project / "output" / "report.pdf").exists()
    # feedback on stderr: each step with its time, then the summary
    assert "charts " in res.stderr and "html " in res.stderr
    assert "output/report.html" in res.stderr and "output/figures/" in res.stderr
    assert res.stdout == ""

    again = runner.invoke(cli, ["build", "-C", str(project), "--only", "html"])
    assert again.exit_code == 0 and "up to date" in again.stderr

    quiet = runner.invoke(cli, ["build", "-C", str(project), "--only", "html", "-q", "--force"])
    assert quiet.exit_code == 0 and quiet.output == ""


def _break_chapter(project: Path) -> None:
    chapter = project / "sources" / "chapters" / "01-intro.md"
    text = chapter.read_text(encoding="utf-8").replace("::: figure survey", "::: figure surve")
    chapter.write_text(text, encoding="utf-8")


def test_bad_source_exits_2_names_file_line_and_keeps_old_output(runner, project):
    out = project / "output"
    out.mkdir()
    old = out / "report.html"
    old.write_text("<p>the previous build</p>", encoding="utf-8")
    _break_chapter(project)
    res = runner.invoke(cli, ["build", "-C", str(project)])
    assert res.exit_code == 2
    assert "sources/chapters/01-intro.md:11:" in res.stderr
    assert "did you mean 'survey'" in res.stderr
    assert "Traceback" not in res.output
    assert old.read_text(encoding="utf-8") == "<p>the previous build</p>"
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]  # nothing else written


def test_failing_stage_exits_1_without_traceback_and_keeps_old_output(runner, project, monkeypatch):
    import reportbuild.html

    assert runner.invoke(cli, ["build", "-C", str(project), "--only", "html"]).exit_code == 0
    html = project / "output" / "report.html"
    before = html.read_bytes()
    chapter = project / "sources" / "chapters" / "01-intro.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("template exploded")

    monkeypatch.setattr(reportbuild.html, "render_html", broken)
    res = runner.invoke(cli, ["build", "-C", str(project), "--only", "html"])
    assert res.exit_code == 1
    assert "html: internal error RuntimeError: template exploded" in res.stderr
    assert "Traceback" not in res.output
    assert html.read_bytes() == before


def test_only_twice_builds_both_and_not_the_rest(runner, project):
    res = runner.invoke(cli, ["build", "-C", str(project), "--only", "charts", "--only", "html"])
    assert res.exit_code == 0, res.output
    out = project / "output"
    assert (out / "report.html").is_file() and (out / "figures" / "survey.png").is_file()
    assert not (out / "summary.pptx").exists() and not (out / "report.pdf").exists()
    # the summary in the registry's order, whatever the order asked
    lines = [ln.split()[0] for ln in res.stderr.splitlines() if ln.startswith("  output/")]
    assert lines == ["output/report.html", "output/figures/"], res.stderr
    again = runner.invoke(cli, ["build", "-C", str(project), "--only", "html", "--only", "charts"])
    assert again.exit_code == 0 and "up to date" in again.stderr


def test_unknown_only_is_a_usage_error(runner, project):
    res = runner.invoke(cli, ["build", "-C", str(project), "--only", "docx"])
    assert res.exit_code == 2 and "'docx' is not one of" in res.output


def test_build_outside_a_project_says_what_to_do(runner, tmp_path):
    res = runner.invoke(cli, ["build", "-C", str(tmp_path)])
    assert res.exit_code == 1 and "has no sources/ folder" in res.stderr


def test_new_then_check_then_clean(runner, tmp_path):
    dest = tmp_path / "fresh"
    res = runner.invoke(cli, ["new", str(dest)])
    assert res.exit_code == 0, res.output
    assert (dest / "sources" / "report.yml").is_file()
    assert (dest / "figures" / "survey.yml").is_file()
    assert runner.invoke(cli, ["check", "-C", str(dest)]).exit_code == 0

    again = runner.invoke(cli, ["new", str(dest)])
    assert again.exit_code == 1 and "not empty" in again.stderr

    (dest / "output" / "figures").mkdir(parents=True)
    (dest / "output" / "report.pdf").write_bytes(b"%PDF-")
    (dest / ".reportbuild-cache").mkdir(exist_ok=True)
    (dest / ".reportbuild-cache" / "manifest.json").write_text("{}")
    res = runner.invoke(cli, ["clean", "-C", str(dest)])
    assert res.exit_code == 0
    assert not (dest / "output").exists() and not (dest / ".reportbuild-cache").exists()
    assert (dest / "sources" / "report.yml").is_file()


def test_doctor_lists_fonts_harfbuzz_and_versions(runner, project):
    res = runner.invoke(cli, ["doctor", "-C", str(project)])
    assert res.exit_code == 0, res.output
    assert "✓ font Noto Sans CJK SC" in res.output
    assert "✓ font Noto Serif CJK SC" in res.output
    assert "libharfbuzz-subset" in res.output and "weasyprint" in res.output
    assert res.output.rstrip().endswith("ready to build")


def test_doctor_says_what_to_install_for_a_missing_font(runner, project):
    brand = project / "styles" / "_brand.yml"
    text = brand.read_text(encoding="utf-8")
    brand.write_text(text.replace("family: Noto Serif CJK SC", "family: Nowhere Sans"), "utf-8")
    res = runner.invoke(cli, ["doctor", "-C", str(project)])
    assert res.exit_code == 1
    assert "✗ font Nowhere Sans" in res.output and "not ready" in res.output
