"""Content types: the block registry, tables, footnotes, section references, images."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Literal

import pytest

from reportbuild import directives, model
from reportbuild.brand import load_brand
from reportbuild.directives import REGISTRY, Directive, register
from reportbuild.errors import SourceError
from reportbuild.html import render_html
from reportbuild.lints.sites import sites
from reportbuild.load import load_project

CHAPTER = "sources/chapters/01-intro.md"


def add_to_chapter(project: Path, text: str) -> None:
    path = project / CHAPTER
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def html_of(project: Path, mode: str = "print") -> str:
    report = load_project(project)
    return render_html(report, load_brand(project), {}, mode=mode)


# ── the registry is the only list ──────────────────────────────────────────


def test_every_block_type_of_the_model_is_a_registry_entry():
    blocks = {
        cls
        for _, cls in inspect.getmembers(model, inspect.isclass)
        if issubclass(cls, model.Block) and cls is not model.Block
    }
    registered = {d.block for d in REGISTRY.values()}
    assert blocks <= registered, blocks - registered
    for d in REGISTRY.values():
        assert d.block.model_fields["kind"].default == d.name
        assert (Path(directives.__file__).parent.parent / "html/templates" / d.template).is_file()


def test_markup_knows_exactly_the_registered_directives():
    from reportbuild.markup import parser

    md = parser(False)
    containers = {r for r in md.block.ruler.get_all_rules() if r.startswith("container_")}
    assert containers == {f"container_{n}" for n in directives.container_names()}


class Toy(model.Block):
    kind: Literal["toy"] = "toy"
    body: model.Rich

    def prose(self) -> list[model.Rich]:
        return [self.body]


@pytest.fixture
def toy():
    entry = register(
        Directive(
            "toy",
            Toy,
            lambda loader, path, raw: Toy(body=loader.rich(raw.text, path, raw.line + 1)),
            "blocks/toy.html.j2",
            walk=lambda w, where, b: w.rich(f"{where} toy", b.body),
            args="none",
            body=True,
        )
    )
    yield entry
    del REGISTRY["toy"]


def test_a_toy_directive_registered_once_is_parsed_rendered_and_linted(project, toy):
    (project / "styles/templates/blocks").mkdir(parents=True)
    (project / "styles/templates/blocks/toy.html.j2").write_text(
        '<div class="toy">{{ b.body | rich }}</div>\n', encoding="utf-8"
    )
    add_to_chapter(project, "::: toy\n玩具文本 toy words\n:::\n")
    report = load_project(project)
    toys = [b for b in report.chapters[0].blocks() if isinstance(b, Toy)]
    assert [t.body.text for t in toys] == ["玩具文本 toy words"]
    assert any(r.text == "玩具文本 toy words" for r in report.all_prose())
    html = render_html(report, load_brand(project), {})
    assert '<div class="toy"><p>玩具文' in html
    found = [s for s in sites(report, project) if s.where.endswith("toy")]
    assert found and found[0].path == CHAPTER and found[0].text == "玩具文本 toy words"


def test_an_unregistered_directive_is_an_error_naming_the_known_ones(project):
    add_to_chapter(project, "::: toy\ntext\n:::\n")
    with pytest.raises(SourceError) as exc:
        load_project(project)
    msg = str(exc.value)
    assert "01-intro.md:" in msg and "unknown directive '::: toy'" in msg
    assert "figure" in msg and "note" in msg
