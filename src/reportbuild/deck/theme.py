"""The brand in the deck's XML: theme fonts and colours, faces on every run, reproducible zips."""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import zipfile
from contextvars import ContextVar
from functools import lru_cache

from lxml import etree
from pptx.oxml.ns import qn

from reportbuild.brand import Brand

# The language runs are marked with (spell checking, the theme font PowerPoint picks): the
# report's, set once by the deck builder for the deck being built.
LANG: ContextVar[str] = ContextVar("deck_lang", default="zh-CN")
# Slides are laid out in design points, on a slide 540 design points high (a 13.33 × 7.5 in
# slide is 960 × 540); SCALE turns them into the template's real points when written, so a
# 28 × 15.75 cm or a 20 in wide master gets the same proportions, type included.
SCALE: ContextVar[float] = ContextVar("deck_scale", default=1.0)

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
# Scripts whose theme font PowerPoint picks by the text's language: Chinese must not fall
# back to the template's 宋体/MS ゴシック entries.
CJK_SCRIPTS = ("Hans", "Hant")


def real_pt(v: float) -> float:
    """Design points as the template's points, rounded down to the 0.01 pt a file keeps (never
    up: text measured at the design size must not come out wider)."""
    return math.floor(v * SCALE.get() * 100 + 1e-6) / 100


@lru_cache(maxsize=1024)  # a deck's few colours, read against each other hundreds of times
def luminance(color: str) -> float:
    def ch(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    h = hex_of(color)
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def legible(color: str, fill: str, size: float, bold: bool) -> str:
    """`color`, or the nearest shade of it (towards black on a light fill, white on a dark one)
    that reads on `fill`: 4.5:1, or 3:1 for bold text of 18 pt and more (WCAG AA)."""
    need = 3.0 if bold and size >= 18 else 4.5
    if contrast(color, fill) >= need:
        return color
    target = "#000000" if luminance(fill) > 0.18 else "#FFFFFF"
    a = [int(hex_of(color)[i : i + 2], 16) for i in (0, 2, 4)]
    b = [int(target[1:][i : i + 2], 16) for i in (0, 2, 4)]
    for step in range(1, 21):
        t = step / 20
        shade = "#" + "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(a, b, strict=True))
        if contrast(shade, fill) >= need:
            return shade
    return target


def legible_over(
    color: str, fills: list[str], size: float, bold: bool, prefer: str | None = None
) -> str | None:
    """`color`; else `prefer` (white on a template's dark band) if that reads; else the
    nearest shade of `color` (towards
    black or white, whichever needs the smaller step) that reads on every colour of `fills` —
    a decorated or photographic background behind the text; None when none reads on all, or
    when the background is light and dark at once (3:1 between them)."""
    need = 3.0 if bold and size >= 18 else 4.5
    if all(contrast(color, f) >= need for f in fills):
        return color
    if prefer is not None and all(contrast(prefer, f) >= need for f in fills):
        return prefer
    if len(fills) == 1:
        return legible(color, fills[0], size, bold)
    lum = sorted(luminance(f) for f in fills)
    if (lum[-1] + 0.05) / (lum[0] + 0.05) >= 3.0:
        return None  # light and dark at once: a grey between them reads poorly; a panel
    a = [int(hex_of(color)[i : i + 2], 16) for i in (0, 2, 4)]
    for step in range(1, 21):
        t = step / 20
        for target in ("#000000", "#FFFFFF"):
            b = [int(target[1:][i : i + 2], 16) for i in (0, 2, 4)]
            shade = "#" + "".join(
                f"{round(x + (y - x) * t):02X}" for x, y in zip(a, b, strict=True)
            )
            if all(contrast(shade, f) >= need for f in fills):
                return shade
    return None


def ink_on(fill: str, dark: str, size: float = 0.0, bold: bool = False) -> str:
    """White, or else the dark text colour (made legible), for a label set on `fill`."""
    if contrast("#FFFFFF", fill) >= (3.0 if bold and size >= 18 else 4.5):
        return "#FFFFFF"
    return legible(dark, fill, size, bold)


# `--deck-fonts office`: the faces named in the file are ones Office installs, by the report's
# language (East Asian face) — the text is still measured with the brand's fonts, whose
# Chinese glyphs are as wide (1 em) as these; Latin text set in Calibri comes out narrower.
OFFICE_LATIN = "Calibri"
OFFICE_EAST_ASIAN = {
    "zh-CN": "Microsoft YaHei",
    "zh-SG": "Microsoft YaHei",
    "zh-TW": "Microsoft JhengHei",
    "zh-HK": "Microsoft JhengHei",
    "ja": "Yu Gothic",
    "ko": "Malgun Gothic",
}
FONTS: ContextVar[str] = ContextVar("deck_fonts", default="brand")


def faces(family: str) -> tuple[str, str]:
    """(Latin face, East Asian face) written for a brand family: itself twice, or with
    `--deck-fonts office` the faces Office installs for the deck's language."""
    if FONTS.get() != "office":
        return family, family
    lang = LANG.get()
    ea = OFFICE_EAST_ASIAN.get(lang) or OFFICE_EAST_ASIAN.get(lang.split("-")[0], OFFICE_LATIN)
    return OFFICE_LATIN, ea


def hex_of(color: str) -> str:
    return color.lstrip("#").upper()[:6]


def set_typefaces(rPr, latin: str, ea: str) -> None:
    """Give a run (or a default run property) its Latin, East Asian and complex-script faces.

    python-pptx's `font.name` writes only a:latin; without a:ea, PowerPoint sets the Chinese
    characters in the theme's East Asian face — often a Japanese one.
    """
    for tag in ("a:latin", "a:ea", "a:cs"):
        for old in rPr.findall(qn(tag)):
            rPr.remove(old)
    faces = [
        etree.Element(qn(t), typeface=f)
        for t, f in (("a:latin", latin), ("a:ea", ea), ("a:cs", latin))
    ]
    # a:latin/a:ea/a:cs come after the fills and effects and before a:sym and the hyperlinks
    successors = {qn(t) for t in ("a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst")}
    anchor = next((c for c in rPr if c.tag in successors), None)
    for f in faces:
        if anchor is None:
            rPr.append(f)
        else:
            anchor.addprevious(f)


def style_font(
    font, family: str, size: float | None = None, color: str | None = None, bold: bool | None = None
) -> None:
    """A python-pptx Font (run, chart text, data labels) in the brand: size, colour, both faces."""
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    if size is not None:
        font.size = Pt(real_pt(size))
    if bold is not None:
        font.bold = bold
    if color:
        font.color.rgb = RGBColor.from_string(hex_of(color))
    set_typefaces(font._rPr, *faces(family))
    rPr = font._rPr
    if rPr.tag == qn("a:rPr") or rPr.tag == qn("a:defRPr"):
        lang = LANG.get()
        rPr.set("lang", lang)
        if not lang.startswith("en"):
            rPr.set("altLang", "en-US")


def apply_theme(prs, brand: Brand, *, colours: bool) -> None:
    """Set the theme's major/minor fonts (latin, ea and the Chinese script entries) and,
    for the built-in master, its colour scheme."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    seen = set()
    for master in prs.slide_masters:
        part = master.part.part_related_by(RT.THEME)
        if id(part) in seen:
            continue
        seen.add(id(part))
        root = etree.fromstring(part.blob)
        _fonts(root, "majorFont", brand.font_headings)
        _fonts(root, "minorFont", brand.font_base)
        if colours:
            _colours(root, brand)
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _fonts(root, which: str, family: str) -> None:
    node = root.find(f".//{{{A}}}fontScheme/{{{A}}}{which}")
    if node is None:
        return
    latin = node.find(f"{{{A}}}latin")
    ea = node.find(f"{{{A}}}ea")
    if latin is None:
        latin = etree.SubElement(node, f"{{{A}}}latin")
    if ea is None:
        ea = etree.Element(f"{{{A}}}ea")
        latin.addnext(ea)
    latin_face, ea_face = faces(family)
    latin.set("typeface", latin_face)
    ea.set("typeface", ea_face)
    for script in CJK_SCRIPTS:
        entry = node.find(f"{{{A}}}font[@script='{script}']")
        if entry is None:
            entry = etree.Element(f"{{{A}}}font", script=script)
            ext = node.find(f"{{{A}}}extLst")  # a:font entries come before a:extLst
            if ext is None:
                node.append(entry)
            else:
                ext.addprevious(entry)
        entry.set("typeface", ea_face)


def _colours(root, brand: Brand) -> None:
    scheme = root.find(f".//{{{A}}}clrScheme")
    if scheme is None:
        return
    scheme.set("name", brand.name or "Brand")
    palette = list(dict.fromkeys(brand.palette.values()))
    extra = [c for c in palette if c not in (brand.primary, brand.secondary, brand.accent)]
    values = {
        "dk1": brand.foreground,
        "lt1": brand.background,
        "dk2": brand.dark,
        "lt2": brand.light,
        "accent1": brand.primary,
        "accent2": brand.secondary,
        "accent3": brand.accent,
        "accent4": brand.muted,
        "accent5": (extra + [brand.muted])[0],
        "accent6": (extra[1:] + [brand.light])[0],
        "hlink": brand.secondary,
        "folHlink": brand.muted,
    }
    for name, colour in values.items():
        slot = scheme.find(f"{{{A}}}{name}")
        if slot is None:
            continue
        for child in list(slot):
            slot.remove(child)
        etree.SubElement(slot, f"{{{A}}}srgbClr", val=hex_of(colour))


def build_time() -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now; UTC, whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def reproducible(data: bytes, when: dt.datetime) -> bytes:
    """The package rewritten with one timestamp on every zip entry, and the embedded chart
    workbooks (whose core properties XlsxWriter dates 'now') given the same date."""
    stamp = max(when, dt.datetime(1980, 1, 1)).timetuple()[:6]
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename.endswith(".xlsx"):
                blob = reproducible(blob, when)
            elif info.filename.endswith("docProps/core.xml"):
                blob = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>" + iso.encode() + rb"\2",
                    blob,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, blob)
    return out.getvalue()
