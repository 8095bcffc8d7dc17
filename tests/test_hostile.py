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
