"""The deck on corporate masters of other sizes and other applications' layout names: built for
the Chinese report and for an English project, read back and checked as a designer would."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import deck_checks as checks
import pytest
from click.testing import CliRunner
from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
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
# Google Slides' names for its predefined layouts as its .pptx export writes them (Apps
# Script's PredefinedLayout: TITLE, TITLE_AND_BODY, SECTION_HEADER…); its section header
# holds a title only, like its "Title only" layout, so only the names tell them apart.
GOOGLE = {
    "Title Slide": "TITLE",
    "Title and Content": "TITLE_AND_BODY",
    "Section Header": "SECTION_HEADER",
    "Two Content": "TITLE_AND_TWO_COLUMNS",
    "Comparison": "SECTION_TITLE_AND_DESCRIPTION",
    "Title Only": "TITLE_ONLY",
    "Blank": "BLANK",
    "Content with Caption": "ONE_COLUMN_TEXT",
    "Picture with Caption": "CAPTION_ONLY",
    "Title and Vertical Text": "MAIN_POINT",
    "Vertical Title and Text": "BIG_NUMBER",
}
MASTERS = {
    "wide-13.33in": (Inches(13.333), Inches(7.5), {}),
    "libreoffice-28cm": (Cm(28), Cm(15.75), LIBREOFFICE),
    "4x3-10in": (Inches(10), Inches(7.5), {}),
    "google-25.4cm": (Cm(25.4), Cm(14.29), GOOGLE),
}
EXAMPLE = ROOT / "examples" / "minimum-wage-2013"
# a LibreOffice Impress template (MPL-2.0) saved as .pptx: four masters, the first a title
# page covered in coloured triangles (see tests/fixtures/README.md)
FOCUS = Path(__file__).parent / "fixtures" / "libreoffice-focus.pptx"


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
        if names is GOOGLE and lay.name == "Section Header":
            for ph in list(lay.placeholders)[1:]:  # Google's holds its title alone
                ph._element.getparent().remove(ph._element)
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
    for who, root in (("zh", ROOT), ("en", english), ("example", EXAMPLE)):
        report, brand = load_project(root), load_brand(root)
        for name, master in masters.items():
            path = folder / f"{who}-{name}.pptx"
            write_deck(
                report, brand, path, template=master, layout_report=path.with_suffix(".json")
            )
            out[who, name] = (report, Presentation(str(path)))
    return out


CASES = [(who, m) for who in ("zh", "en", "example") for m in MASTERS]


@pytest.mark.parametrize(("who", "master"), CASES)
def test_the_deck_keeps_the_masters_size_and_slides(decks, masters, who, master):
    report, prs = decks[who, master]
    width, height, names = MASTERS[master]
    assert (prs.slide_width, prs.slide_height) == (int(width), int(height))
    assert len(prs.slides) >= len(report.deck)
    assert prs.slides[0].slide_layout.name == names.get("Title Slide", "Title Slide")
    content = {s.slide_layout.name for s in list(prs.slides)[1:]}
    assert names.get("Title Only", "Title Only") in content
    if any(s.kind == "divider" for s in report.deck):
        assert names.get("Section Header", "Section Header") in content or names is LIBREOFFICE


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


def test_doctor_names_the_masters_a_libreoffice_template_uses():
    result = CliRunner().invoke(cli, ["doctor", "--template", str(FOCUS)])
    assert result.exit_code == 0, result.output
    assert "on 4 masters" in result.output
    assert "title    → 'Title Slide' of master 1" in result.output
    assert "content  → 'Title Only' of master 1 " not in result.output
    assert "master 4 layout 'Title Only'" in result.output


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
    assert "deck fonts: the brand's (" in result.output
    assert "not embedded" in result.output and "--deck-fonts office" in result.output
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
                # 12 a line: four strategies go on two rows where four columns are too narrow
                assert w * 0.97 / p.size >= 12 - 0.01, (n, name, w, p.size)
                seen += 1
        assert tf.text.strip() != "—", (n, name)
    assert seen >= 7


def test_four_strategies_take_two_rows_on_4x3(decks):
    """On a 4:3 master four columns would hold fewer than 12 characters a line at the small
    size: the strategies slide is a 2 × 2 grid there, and one row on 16:9."""

    def rows(prs) -> int:
        for slide in prs.slides:
            cards = [sh for sh in slide.shapes if re.fullmatch(r"Strategy \d card", sh.name)]
            if len(cards) == 4:
                return len({c.top for c in cards})
        raise AssertionError("no slide with four strategy cards")

    assert rows(decks["zh", "4x3-10in"][1]) == 2
    assert rows(decks["zh", "wide-13.33in"][1]) == 1


# ── decorated masters: a dark background, a picture, a real LibreOffice template ──

DARK = "1F2433"
CHECK_DARK, CHECK_LIGHT = "202020", "F2F2F2"


def checkerboard() -> bytes:
    """A 64 × 36 picture of dark and light squares: no text colour reads on both."""
    from PIL import Image

    img = Image.new("RGB", (64, 36))
    for x in range(64):
        for y in range(36):
            dark = (x // 8 + y // 6) % 2 == 0
            img.putpixel((x, y), tuple(bytes.fromhex(CHECK_DARK if dark else CHECK_LIGHT)))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def decorated_master(path: Path, how: str) -> Path:
    """The 16:9 default master with a dark solid background, or a picture background."""
    make_master(path, Inches(13.333), Inches(7.5), {})
    prs = Presentation(str(path))
    master = prs.slide_masters[0]
    if how == "dark":
        master.background.fill.solid()
        master.background.fill.fore_color.rgb = RGBColor.from_string(DARK)
    else:
        _part, rid = master.part.get_or_add_image_part(io.BytesIO(checkerboard()))
        c_sld = master._element.find(qn("p:cSld"))
        for old in c_sld.findall(qn("p:bg")):  # the theme's background style reference
            c_sld.remove(old)
        bg = etree.Element(qn("p:bg"))
        c_sld.insert(0, bg)
        pr = etree.SubElement(bg, qn("p:bgPr"))
        fill = etree.SubElement(pr, qn("a:blipFill"))
        etree.SubElement(fill, qn("a:blip")).set(qn("r:embed"), rid)
        etree.SubElement(etree.SubElement(fill, qn("a:stretch")), qn("a:fillRect"))
        etree.SubElement(pr, qn("a:effectLst"))
    prs.save(str(path))
    return path


@pytest.fixture(scope="module")
def decorated(tmp_path_factory):
    """Both reports on the dark, the picture and the Focus masters: {(who, master): prs}."""
    folder = tmp_path_factory.mktemp("decorated")
    masters = {
        "dark": decorated_master(folder / "dark.pptx", "dark"),
        "picture": decorated_master(folder / "picture.pptx", "picture"),
        "focus": FOCUS,
    }
    out = {}
    for who, root in (("zh", ROOT), ("example", EXAMPLE)):
        report, brand = load_project(root), load_brand(root)
        for name, master in masters.items():
            path = folder / f"{who}-{name}.pptx"
            write_deck(
                report, brand, path, template=master, layout_report=path.with_suffix(".json")
            )
            out[who, name] = Presentation(str(path))
    return out


@pytest.mark.parametrize("who", ["zh", "example"])
def test_text_reads_on_a_dark_master(decorated, who):
    """Every run reads against the master's dark background where nothing of the slide's
    own is under it: the dark brand colours are made light, not kept."""
    prs = decorated[who, "dark"]
    assert checks.low_contrast(prs, back=lambda _s, _x, _y: [DARK]) == []
    titles = [s.shapes.title for s in prs.slides if s.shapes.title is not None]
    light = [
        t
        for t in titles
        if checks.luminance(str(t.text_frame.paragraphs[0].runs[0].font.color.rgb)) > 0.5
    ]
    assert len(light) == len(titles) and titles


@pytest.mark.parametrize("who", ["zh", "example"])
def test_text_over_a_picture_is_set_on_panels(decorated, who):
    """On a picture of dark and light squares no colour reads 4.5:1 on both: every text
    reads on the squares under it, or stands on a fill of the slide's own (a card, a cell, a
    chart's or a text's panel)."""
    prs = decorated[who, "picture"]
    w, h = prs.slide_width, prs.slide_height

    def square(_slide, x, y):  # the picture's square at a point, 8 × 6 pixels each
        dark = (int(x / w * 64) // 8 + int(y / h * 36) // 6) % 2 == 0
        return [CHECK_DARK if dark else CHECK_LIGHT]

    assert checks.low_contrast(prs, back=square) == []
    # bold titles may take a grey that reads 3:1 on both; the footer's small type cannot
    panels = [sh.name for s in prs.slides for sh in s.shapes if sh.name.endswith(" panel")]
    assert "Footer panel" in panels, panels


def test_the_backdrop_sees_the_picture_and_the_dark_fill(tmp_path):
    from reportbuild.deck import backdrop
    from reportbuild.deck.layout import Box

    for how, want in (("dark", {DARK}), ("picture", {CHECK_DARK, CHECK_LIGHT})):
        prs = Presentation(str(decorated_master(tmp_path / f"{how}.pptx", how)))
        paint = backdrop.paint(prs.slide_layouts[5], 960, 540, 1.0)
        got = {c.lstrip("#") for c in paint.under(Box(0, 0, 960, 540))}
        assert got == want, (how, got)


@pytest.mark.parametrize("who", ["zh", "example"])
def test_focus_template_content_on_its_plain_master(decorated, who):
    """LibreOffice's Focus: the title slide on the first master (the template's own first
    slide), content on a later, plainer one; on the slides, nothing outside, no overflow, no
    split word, and every text readable against what the template paints under it."""
    from reportbuild.deck import backdrop, masters
    from reportbuild.deck.layout import Box

    prs = decorated[who, "focus"]
    ms = list(prs.slide_masters)
    assert ms.index(prs.slides[0].slide_layout.slide_master) == 0
    assert {ms.index(s.slide_layout.slide_master) for s in list(prs.slides)[1:]} != {0}
    k = masters.design_scale(prs.slide_width, prs.slide_height)
    W, H = prs.slide_width / 12700 / k, prs.slide_height / 12700 / k
    painted = {}

    def back(slide, x, y):
        """The colours the slide's layout paints around a point (EMU)."""
        lay = slide.slide_layout
        if id(lay) not in painted:
            painted[id(lay)] = backdrop.paint(lay, W, H, k)
        px, py = x / 12700 / k, y / 12700 / k
        return [c.lstrip("#") for c in painted[id(lay)].under(Box(px - 1, py - 1, 2, 2))]

    assert checks.shapes_outside(prs) == []
    assert checks.overfull(prs) == []
    assert checks.split_words(prs) == []
    assert checks.low_contrast(prs, back=back) == []


@pytest.mark.parametrize("who", ["zh", "example"])
def test_nothing_is_set_over_the_focus_templates_triangles(decorated, who):
    """Focus paints coloured triangles into the corners and a band down the right edge of
    its content zone: titles, text, charts and footers keep to the plain middle (127 of the
    Chinese deck's shapes lay over them when the grid was the master's zones as drawn)."""
    from reportbuild.deck import backdrop, masters
    from reportbuild.deck.layout import Box

    prs = decorated[who, "focus"]
    k = masters.design_scale(prs.slide_width, prs.slide_height)
    W, H = prs.slide_width / 12700 / k, prs.slide_height / 12700 / k
    painted: dict = {}
    over = []
    for n, slide in enumerate(list(prs.slides)[1:], 2):  # the cover is the template's own
        lay = slide.slide_layout
        drawn = painted.setdefault(id(lay), backdrop.paint(lay, W, H, k))
        for sh in slide.shapes:
            box = Box(*(v / 12700 / k for v in (sh.left, sh.top, sh.width, sh.height)))
            if drawn.clear_part(box, sides="") is None:  # something of the master under it
                over.append((n, sh.name))
    assert over == []


def test_clear_part_moves_only_the_edges_it_may():
    """The largest clear part of a zone: a corner square is cut off by the nearer edge; with
    no edge allowed to move, a zone over decoration has no clear part."""
    from PIL import Image, ImageDraw

    from reportbuild.deck.backdrop import Backdrop
    from reportbuild.deck.layout import Box

    img = Image.new("RGB", (480, 270), "white")
    ImageDraw.Draw(img).rectangle((0, 0, 29, 29), fill="red")  # 60 × 60 pt at the top left
    drawn = Backdrop(img)
    zone = Box(20, 20, 400, 100)
    assert drawn.clear_part(zone, sides="") is None
    got = drawn.clear_part(zone, sides="lr")
    assert got.x >= 60 and got.right == zone.right and (got.y, got.h) == (zone.y, zone.h)
    assert drawn.clear_part(zone, sides="l", most=0.05) is None  # 40 pt is not enough
    assert drawn.clear_part(Box(100, 100, 50, 50), sides="") == Box(100, 100, 50, 50)
