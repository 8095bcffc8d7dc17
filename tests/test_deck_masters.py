"""The deck on corporate masters of other sizes and other applications' layout names: built for
the Chinese report and for an English project, read back and checked as a designer would."""

from __future__ import annotations

import shutil
from pathlib import Path

import deck_checks as checks
import pytest
from click.testing import CliRunner
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Cm, Emu, Inches

from reportbuild.brand import load_brand
from reportbuild.cli import cli
from reportbuild.deck import write_deck
from reportbuild.errors import BuildError
from reportbuild.load import load_project

ROOT = Path(__file__).resolve().parent.parent
# LibreOffice Impress's names for the layouts of python-pptx's default master, as its export
# writes them ("Title, Content", "Centered Text", …); Section Header has no LibreOffice twin.
LIBREOFFICE = {
    "Title and Content": "Title, Content",
    "Section Header": "Centered Text",
    "Two Content": "Title, 2 Content",
    "Comparison": "Title, 2 Content over Content",
    "Content with Caption": "Title, Content and 2 Content",
    "Picture with Caption": "Title, 4 Content",
    "Title and Vertical Text": "Title, Vertical Text",
    "Vertical Title and Text": "Vertical Title, Vertical Text",
}
MASTERS = {
    "wide-13.33in": (Inches(13.333), Inches(7.5), {}),
    "libreoffice-28cm": (Cm(28), Cm(15.75), LIBREOFFICE),
    "4x3-10in": (Inches(10), Inches(7.5), {}),
}


def make_master(path: Path, width: int, height: int, names: dict[str, str]) -> Path:
    """python-pptx's default master resized (every placed shape scaled) and its layouts renamed."""
    prs = Presentation()
    kx, ky = width / prs.slide_width, height / prs.slide_height
    prs.slide_width, prs.slide_height = Emu(int(width)), Emu(int(height))
    for master in prs.slide_masters:
        for holder in [master, *master.slide_layouts]:
            for sh in holder.shapes:
                if sh._element.find(".//" + qn("a:off")) is not None:
                    sh.left, sh.width = Emu(int(sh.left * kx)), Emu(int(sh.width * kx))
                    sh.top, sh.height = Emu(int(sh.top * ky)), Emu(int(sh.height * ky))
    for lay in prs.slide_layouts:
        lay.name = names.get(lay.name, lay.name)
    prs.save(str(path))
    return path


@pytest.fixture(scope="module")
def masters(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("masters")
    return {k: make_master(folder / f"{k}.pptx", *v) for k, v in MASTERS.items()}


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("en") / "proj"
    result = CliRunner().invoke(cli, ["new", str(dest), "--lang", "en-US"])
    assert result.exit_code == 0, result.output
    return dest


@pytest.fixture(scope="module")
def decks(masters, english, tmp_path_factory):
    """Every report on every master: {(report, master): (report model, Presentation)}."""
    out = {}
    folder = tmp_path_factory.mktemp("decks")
    for who, root in (("zh", ROOT), ("en", english)):
        report, brand = load_project(root), load_brand(root)
        for name, master in masters.items():
            path = folder / f"{who}-{name}.pptx"
            write_deck(
                report, brand, path, template=master, layout_report=path.with_suffix(".json")
            )
            out[who, name] = (report, Presentation(str(path)))
    return out


CASES = [(who, m) for who in ("zh", "en") for m in MASTERS]


@pytest.mark.parametrize(("who", "master"), CASES)
def test_the_deck_keeps_the_masters_size_and_slides(decks, masters, who, master):
    report, prs = decks[who, master]
    width, height, _names = MASTERS[master]
    assert (prs.slide_width, prs.slide_height) == (int(width), int(height))
    assert len(prs.slides) >= len(report.deck)
    assert prs.slides[0].slide_layout.name == "Title Slide"
    content = {s.slide_layout.name for s in list(prs.slides)[1:]}
    assert "Title Only" in content


@pytest.mark.parametrize(("who", "master"), CASES)
def test_nothing_lies_outside_the_slide(decks, who, master):
    assert checks.shapes_outside(decks[who, master][1]) == []


@pytest.mark.parametrize(("who", "master"), CASES)
def test_measured_text_fits_every_box(decks, who, master):
    assert checks.overfull(decks[who, master][1]) == []


@pytest.mark.parametrize(("who", "master"), CASES)
def test_no_chinese_word_is_split_at_a_line_end(decks, who, master):
    assert checks.split_words(decks[who, master][1]) == []


@pytest.mark.parametrize(("who", "master"), CASES)
def test_every_text_reads_on_its_fill(decks, who, master):
    """4.5:1 (3:1 for bold 18 pt and more) for every run and every chart data label."""
    assert checks.low_contrast(decks[who, master][1]) == []


def test_content_shares_one_left_edge(decks):
    """Titles and bodies of content slides start at the same x on every slide."""
    _report, prs = decks["zh", "libreoffice-28cm"]
    lefts = {
        sh.left
        for slide in list(prs.slides)[1:]
        if slide.slide_layout.name == "Title Only"
        for sh in slide.shapes
        if sh.name in ("Title 1", "Subtitle", "Footer") or sh.is_placeholder
    }
    assert len(lefts) == 1, lefts


def test_a_slide_names_its_layout(english, masters, tmp_path):
    root = tmp_path / "proj"
    shutil.copytree(english, root)
    deck = root / "sources" / "deck.yml"
    text = deck.read_text(encoding="utf-8")
    first = text.index("- {kind: core-points")
    line = text[first : text.index("}", first)] + ", layout: 'Title, Content'}"
    deck.write_text(text[:first] + line + text[text.index("\n", first) :], encoding="utf-8")
    out = tmp_path / "deck.pptx"
    write_deck(load_project(root), load_brand(root), out, template=masters["libreoffice-28cm"])
    assert Presentation(str(out)).slides[1].slide_layout.name == "Title, Content"
    deck.write_text(deck.read_text(encoding="utf-8").replace("Title, Content", "Tilte"), "utf-8")
    with pytest.raises(BuildError) as err:
        write_deck(load_project(root), load_brand(root), out, template=masters["libreoffice-28cm"])
    message = str(err.value)
    assert "deck.yml:" in message and "'Tilte'" in message and "'Title Only'" in message


def test_doctor_lists_the_templates_layouts(masters):
    result = CliRunner().invoke(cli, ["doctor", "--template", str(masters["libreoffice-28cm"])])
    assert result.exit_code == 0, result.output
    assert "28.00 × 15.75 cm" in result.output
    assert "layout 'Title, Content'" in result.output
    assert "content  → 'Title Only'" in result.output
    assert "section  → 'Centered Text'" in result.output


def test_source_line_breaks_collapse_by_script():
    from reportbuild import linebreak

    assert linebreak.collapse("received\nadvance by\n  the bank") == "received advance by the bank"
    assert linebreak.collapse("城商行的\n数字化转型，\nAI 驱动") == "城商行的数字化转型，AI 驱动"
    assert linebreak.space_cjk_latin("占41%的AI驱动") == "占 41% 的 AI 驱动"
    assert linebreak.pieces("城商行的数字化运营") == ["城商行", "的", "数字化", "运营"]


def test_check_warns_of_a_title_over_one_line_at_its_deck_line(english, tmp_path):
    from reportbuild.lints.layout import lint_layout

    root = tmp_path / "proj"
    shutil.copytree(english, root)
    deck = root / "sources" / "deck.yml"
    long = "Key findings of the survey, read together with the interviews and the cases"
    deck.write_text(
        deck.read_text("utf-8").replace("title: Key findings", f"title: '{long}'"), "utf-8"
    )
    line = next(
        n for n, t in enumerate(deck.read_text("utf-8").splitlines(), 1) if "core-points" in t
    )
    report = load_project(root)
    write_deck(report, load_brand(root), tmp_path / "deck.pptx")
    found = [p for p in lint_layout(report, root) if p.code == "L503"]
    assert len(found) == 1 and found[0].line == line, found
    assert found[0].path.endswith("deck.yml") and "takes 2 lines" in found[0].message


def test_office_fonts_name_faces_office_installs(english, tmp_path):
    """`--deck-fonts office`: every run and the theme name Calibri, and Microsoft YaHei for
    Chinese text, instead of the brand's Noto faces that PowerPoint may not have."""
    for who, root in (("en", english), ("zh", ROOT)):
        out = tmp_path / f"{who}.pptx"
        report = load_project(root)
        write_deck(
            report, load_brand(root), out, layout_report=tmp_path / f"{who}.json", fonts="office"
        )
        prs = Presentation(str(out))
        latin = {el.get("typeface") for s in prs.slides for el in s._element.iter(qn("a:latin"))}
        ea = {el.get("typeface") for s in prs.slides for el in s._element.iter(qn("a:ea"))}
        assert latin == {"Calibri"}, latin
        assert ea == ({"Microsoft YaHei"} if who == "zh" else {"Calibri"}), ea
        theme = (
            prs.slide_masters[0]
            .part.part_related_by(
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"
            )
            .blob.decode()
        )
        assert "Noto" not in theme and 'typeface="Calibri"' in theme


def test_build_deck_fonts_office_says_so_in_the_summary(english, tmp_path):
    root = tmp_path / "proj"
    shutil.copytree(english, root)
    args = ["build", "-C", str(root), "--only", "pptx", "-j", "1"]
    result = CliRunner().invoke(cli, [*args, "--deck-fonts", "office"])
    assert result.exit_code == 0, result.output
    assert "deck fonts: Office's" in result.output
    prs = Presentation(str(root / "output" / "summary.pptx"))
    faces = {el.get("typeface") for s in prs.slides for el in s._element.iter(qn("a:latin"))}
    assert faces == {"Calibri"}
    result = CliRunner().invoke(cli, args)  # the choice is part of the deck's cache key
    assert "deck fonts: the brand's, not embedded" in result.output
    prs = Presentation(str(root / "output" / "summary.pptx"))
    faces = {el.get("typeface") for s in prs.slides for el in s._element.iter(qn("a:latin"))}
    assert "Calibri" not in faces


@pytest.mark.parametrize("master", list(MASTERS))
def test_card_text_holds_twelve_chinese_characters_a_line(decks, master):
    """Card and column text (not their headings) is set so that a line holds 12 Chinese
    characters, or at the floor where the column is too narrow for that; table cells with
    nothing to say are empty, not a dash."""
    _report, prs = decks["zh", master]
    seen = 0
    for n, name, tf, w, _h in checks.text_frames(prs):
        if name.endswith(" tagline") or (name.startswith("Point ") and name.endswith(" text")):
            for p in checks.paras_of(tf)[1 if name.startswith("Point ") else 0 :]:
                # 12 a line, unless that needs type below the floor (4 columns on 4:3)
                floor = 12 * checks._scale(prs) - 0.01
                assert w * 0.97 / p.size >= 12 - 0.01 or p.size <= floor + 0.02, (n, name, w)
                seen += 1
        assert tf.text.strip() != "—", (n, name)
    assert seen >= 7
