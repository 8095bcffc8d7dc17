"""Hostile and careless inputs (issue #15): each one a clear file:line error, exit 2, no traceback.

Report repositories are shared: every file in them is data. These tests take a fresh
`reportbuild new` skeleton, break or poison one thing, and check what the tool says.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ONE_JOB

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
    res = runner.invoke(cli, ["build", "-C", str(project), "--only", "html", *ONE_JOB])
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


# ── 5. limits: never a hang, a MemoryError or a RecursionError ──────────────


def _chapter(project: Path) -> Path:
    return next((project / "sources" / "chapters").glob("*.md"))


def test_a_yaml_alias_bomb_is_refused_at_its_line_quickly(runner, project):
    import time

    rows = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    rows += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    case = next((project / "sources" / "cases").glob("*.yml"))
    case.write_text(case.read_text(encoding="utf-8") + "\n".join(rows) + "\n", encoding="utf-8")
    t0 = time.perf_counter()
    line = assert_error(check(runner, project), f"sources/cases/{case.name}", "E003")
    assert time.perf_counter() - t0 < 10
    assert "aliases are expanded" in line


def test_deep_nesting_is_an_error_not_a_recursion_error(runner, project):
    case = next((project / "sources" / "cases").glob("*.yml"))
    case.write_text(
        case.read_text(encoding="utf-8") + "extra: " + "[" * 300 + "]" * 300 + "\n",
        encoding="utf-8",
    )
    line = assert_error(check(runner, project), f"sources/cases/{case.name}", "E003")
    assert "nested more than" in line


def test_an_oversized_source_file_is_refused_before_it_is_read(runner, project):
    case = next((project / "sources" / "cases").glob("*.yml"))
    with case.open("a", encoding="utf-8") as f:
        f.write("# " + "x" * (5 * 1024 * 1024) + "\n")
    line = assert_error(check(runner, project), f"sources/cases/{case.name}", "E002")
    assert "at most 4 MB" in line


def test_a_number_out_of_range_is_refused():
    from reportbuild.yamlio import YamlSyntaxError, loads

    with pytest.raises(YamlSyntaxError, match="out of range"):
        loads("a: 1.0e+999999\n")


# ── 11. quietly wrong results ────────────────────────────────────────────────


def test_crlf_line_ends_and_a_bom_are_ordinary_input(runner, project):
    for path in (_chapter(project), project / "sources" / "report.yml"):
        raw = path.read_bytes().replace(b"\n", b"\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + raw)
    res = check(runner, project)
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize(("char", "name"), [("\x07", "BELL"), ("\x1b", "ESCAPE")])
def test_control_characters_are_named_at_their_line(runner, project, char, name):
    chapter = _chapter(project)
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + f"\n正文{char}[31m。\n", encoding="utf-8")
    line = assert_error(check(runner, project), f"sources/chapters/{chapter.name}", "E002")
    assert name in line and f":{len(text.splitlines()) + 2}:" in line


def test_a_heading_id_used_in_two_chapters_is_an_error(runner, project):
    first = _chapter(project)
    second = first.with_name("02-second.md")
    second.write_text(
        "---\nid: second\ntitle: 第二章\n---\n\n## 又一节 {#first}\n\n正文。\n", "utf-8"
    )
    report = project / "sources" / "report.yml"
    edit(
        report,
        f"  - chapters/{first.name}",
        f"  - chapters/{first.name}\n  - chapters/02-second.md",
    )
    line = assert_error(check(runner, project), "sources/chapters/02-second.md", "E021")
    assert f"first at sources/chapters/{first.name}" in line


def test_an_unclosed_directive_is_an_error_at_its_opening_line(runner, project):
    chapter = _chapter(project)
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + "\n::: note\n未关闭。\n\n## 后来的一节\n\n正文。\n", "utf-8")
    line = assert_error(check(runner, project), f"sources/chapters/{chapter.name}", "E031")
    assert "never closed" in line and f":{len(text.splitlines()) + 2}:" in line


def test_a_directive_inside_another_is_an_error_not_dropped(runner, project):
    chapter = _chapter(project)
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + "\n::: note\n注。\n\n::: figure survey\n:::\n:::\n", "utf-8")
    res = check(runner, project)
    line = assert_error(res, f"sources/chapters/{chapter.name}", "E031")
    assert "do not nest" in line
    assert "closes nothing" in res.output


def test_a_donut_over_100_percent_is_refused_by_build_too(runner, project):
    (project / "figures" / "survey.yml").write_text(
        'title: 态度\nkind: donut\nunit: "%"\nsource: 示例\nitems:\n'
        "  - {id: yes, label: 同意, value: 60}\n  - {id: no, label: 不同意, value: 50}\n",
        "utf-8",
    )
    res = runner.invoke(cli, ["build", "-C", str(project)])
    assert_error(res, "figures/survey.yml", "E024")
    assert not (project / "output").exists()


def test_a_figure_that_failed_is_not_reported_again_at_each_binding(runner, project):
    edit(project / "figures" / "survey.yml", "kind: bar", "kind: barr")
    res = check(runner, project)
    assert_error(res, "figures/survey.yml", "E014")
    assert "E030" not in res.output


def test_a_long_url_wraps_inside_the_margin(runner, project):
    """Every glyph of the URL ends inside the page: PDFium's boxes of the characters (pypdf's
    visitor gave where each run of text starts, which an unbroken URL does inside the margin,
    in 0.19 CPU-s; PDFium 0.02)."""
    import pypdfium2

    chapter = _chapter(project)
    chapter.write_text(
        chapter.read_text("utf-8") + "\n参见 https://example.org/" + "a" * 600 + " 。\n", "utf-8"
    )
    res = runner.invoke(cli, ["build", "-C", str(project), "--only", "pdf", *ONE_JOB])
    assert res.exit_code == 0, res.output
    doc = pypdfium2.PdfDocument(project / "output" / "report.pdf")
    try:
        width = doc[0].get_width()
        ends: list[float] = []  # the right edge of each "a" of the URL
        for page in doc:
            text = page.get_textpage()
            for run in re.finditer("a{4,}", text.get_text_range()):
                ends += [text.get_charbox(i)[2] for i in range(*run.span())]
    finally:
        doc.close()
    assert ends and max(ends) < width


# ── 8, 9. validation before any write; user mistakes are not internal errors ─


def _outputs(project) -> dict[str, bytes]:
    out = project / "output"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_a_failed_build_leaves_every_previous_output_untouched(runner, built_project):
    project = built_project
    before = _outputs(project)
    edit(project / "figures" / "survey.yml", "value: 62", "value: 63")  # charts would change
    chapter = _chapter(project)
    chapter.write_text(chapter.read_text("utf-8") + "\n西夏文𗀀字。\n", "utf-8")  # no font has it
    res = runner.invoke(cli, ["build", "-C", str(project)])
    assert res.exit_code == 2 and "E050" in res.output, res.output
    assert _outputs(project) == before
    assert not (project / ".reportbuild-cache" / "staging").exists()


def test_a_folder_where_an_output_goes_is_said_before_any_work(runner, built_project):
    project = built_project
    before = _outputs(project)
    (project / "output" / "report.pdf").unlink()
    (project / "output" / "report.pdf").mkdir()
    edit(project / "figures" / "survey.yml", "value: 62", "value: 63")
    res = runner.invoke(cli, ["build", "-C", str(project)])
    assert res.exit_code == 2 and "output/report.pdf is a folder" in res.output, res.output
    assert "internal error" not in res.output
    del before["report.pdf"]
    assert _outputs(project) == before


@pytest.mark.parametrize("kind", ["text", "zip", "potx"])
def test_a_template_that_is_no_presentation_is_a_user_error(runner, project, tmp_path, kind):
    import zipfile

    bad = tmp_path / "bad.pptx"
    if kind == "text":
        bad.write_text("not a deck", "utf-8")
    else:
        with zipfile.ZipFile(bad, "w") as z:
            types = "presentationml.template.main+xml" if kind == "potx" else "x"
            z.writestr("[Content_Types].xml", f"<Types>{types}</Types>")
    res = runner.invoke(cli, ["build", "-C", str(project), "--template", str(bad)])
    assert res.exit_code == 2, res.output
    assert "internal error" not in res.output and "Traceback" not in res.output
    assert ("save it as a .pptx" if kind == "potx" else "not a PowerPoint file") in res.output
    assert not (project / "output").exists()


def test_a_bad_brand_colour_is_an_error_at_its_line(runner, project):
    edit(project / "styles" / "_brand.yml", '"#0E2A47"', '"#0E2A4G"')
    line = assert_error(check(runner, project), "styles/_brand.yml", "E015")
    assert "#0E2A4G" in line and "#RRGGBB" in line


def test_an_uninstalled_brand_font_is_an_error_at_its_line_once(runner, project):
    brand = project / "styles" / "_brand.yml"
    brand.write_text(
        brand.read_text("utf-8").replace("Noto Sans CJK SC", "Nonexistent Sans"), "utf-8"
    )
    res = runner.invoke(cli, ["build", "-C", str(project)])
    line = assert_error(res, "styles/_brand.yml", "E015")
    assert "'Nonexistent Sans' is not installed" in line
    assert res.output.count("Nonexistent Sans") <= 2  # the line, and click's echo of the error


def test_clean_keeps_a_linked_output_folder_and_other_files(runner, project, tmp_path):
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine", "utf-8")
    (project / "output").symlink_to(elsewhere)
    # the HTML and its charts: outputs in the linked folder, without typesetting a PDF
    res = runner.invoke(cli, ["build", "-C", str(project), "--only", "html", *ONE_JOB])
    assert res.exit_code == 0 and (elsewhere / "report.html").is_file(), res.output
    res = runner.invoke(cli, ["clean", "-C", str(project)])
    assert res.exit_code == 0 and "Traceback" not in res.output, res.output
    assert (project / "output").is_symlink()
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]


def test_a_core_point_id_used_twice_is_an_error(runner, project):
    points = project / "sources" / "core-points.yml"
    points.write_text(
        points.read_text("utf-8") + "  - id: first\n    title: 又一个\n    text: 说明。\n", "utf-8"
    )
    line = assert_error(check(runner, project), "sources/core-points.yml", "E021")
    assert "duplicate core point id 'first'" in line


def test_a_write_that_fails_halfway_puts_every_output_back(built_project, monkeypatch):
    """Disk full while the outputs move into place: one line naming the file, and the files
    moved before it are put back, so output/ is all old or all new."""
    import errno

    from reportbuild import build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    # one job: the outputs move into place in this process whatever the jobs (conftest.ONE_JOB)
    opts = build.BuildOptions(verbosity=0, jobs=1)
    build.run_build(built_project, opts)
    before = _outputs(built_project)
    edit(built_project / "figures" / "survey.yml", "value: 62", "value: 63")  # every output changes
    real, calls = build.staging.move_into, []

    def full_disk(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        real(src, dst)

    monkeypatch.setattr(build.staging, "move_into", full_disk)
    with pytest.raises(build.BuildError, match=r"cannot write .*: No space left on device"):
        build.run_build(built_project, opts)
    assert len(calls) == 3
    assert _outputs(built_project) == before
    monkeypatch.setattr(build.staging, "move_into", real)
    build.run_build(built_project, opts)  # the next build puts it right
    assert _outputs(built_project) != before
