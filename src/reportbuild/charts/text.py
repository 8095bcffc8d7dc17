"""Measuring and wrapping Chinese text: break at any CJK character, not before closing marks."""

from __future__ import annotations

from functools import lru_cache

from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import LoadFlags
from matplotlib.textpath import TextToPath

from reportbuild import fonts
from reportbuild.charts.style import MM_PER_PT
from reportbuild.errors import BuildError
from reportbuild.linebreak import NO_END, NO_START, WORD  # one set of rules for every output

_t2p = TextToPath()
# Hinted raster text (the PNG) runs up to ~2% wider than the outlines (the SVG): lay out for
# the wider of the two so neither overflows its box.
RASTER_SLACK = 1.025


@lru_cache(maxsize=64)
def _prop(family: str, size: float, weight: str) -> FontProperties:
    return FontProperties(family=family, size=size, weight=weight)


@lru_cache(maxsize=20000)
def text_width(s: str, family: str, size: float, weight: str = "normal") -> float:
    """Advance width of `s` in mm, from the font's own metrics (what matplotlib will draw)."""
    if not s:
        return 0.0
    w = _cjk_width(s, family, size, weight)
    if w is None:
        w, _h, _d = _t2p.get_text_width_height_descent(s, _prop(family, size, weight), False)
    return w * MM_PER_PT * RASTER_SLACK


# Measuring a string with matplotlib loads every glyph of it again: wrapping tries thousands of
# strings, and that was nearly all of the layout time. Without ASCII (no kerning, no shaping),
# the width matplotlib reports follows from each glyph's advance and outline box, loaded once
# here; a test checks it equals matplotlib's to the bit. Strings with anything below U+2000
# (Latin letters and digits, which are kerned; spaces) are still measured by matplotlib.
_glyphs: dict[tuple[str, str], dict[str, tuple[int, int, int]]] = {}


def _cjk_width(s: str, family: str, size: float, weight: str) -> float | None:
    if any(c < "\u2000" for c in s):  # Latin, digits, spaces: kerned, or shaped
        return None
    try:
        font = None
        known = _glyphs.setdefault((family, weight), {})
        pen = lo = hi = 0  # in 1/64 units at TextToPath.FONT_SCALE, as FT2Font.set_text
        for ch in s:
            g = known.get(ch)
            if g is None:
                if font is None:
                    font = _t2p._get_font(_prop(family, size, weight))  # noqa: SLF001
                glyph = font.load_char(ord(ch), flags=LoadFlags.NO_HINTING)
                g = known[ch] = (glyph.horiAdvance, glyph.bbox[0], glyph.bbox[2])
            lo, hi = min(lo, pen + g[1]), max(hi, pen + g[2])
            pen += g[0]
    except Exception:  # matplotlib's internals moved: measure the slow, sure way
        return None
    return (max(hi, pen) - lo) / 64.0 * (size / _t2p.FONT_SCALE)


@lru_cache(maxsize=8)
def _unscaled(family: str, bold: bool):
    """The face fontconfig gives WeasyPrint for `family` (an FT2Font reading font units), and
    the code points it covers; None if the family is not installed."""
    from matplotlib.ft2font import FT2Font

    try:
        face = fonts.find(family, bold)
    except BuildError:
        return None
    return FT2Font(face.path, face_index=face.index), fonts.coverage(face)


@lru_cache(maxsize=4096)
def letter_advance(family: str, bold: bool, char: str) -> float | None:
    """The advance of `char` set on its own in `family`, in em: what WeasyPrint moves by after
    each letter of an SVG <text>, which it lays out letter by letter (unkerned, unshaped).
    None where this face would not draw it (Pango would take another font)."""
    found = _unscaled(family, bold)
    if found is None or ord(char) not in found[1]:
        return None
    font = found[0]
    glyph = font.load_char(ord(char), flags=LoadFlags.NO_SCALE)
    return glyph.horiAdvance / font.units_per_EM


def _units(s: str) -> list[str]:
    """Unbreakable pieces: glue closing punctuation to what precedes, opening to what follows."""
    toks = WORD.findall(s)
    units: list[str] = []
    carry = ""
    for t in toks:
        if t.isspace():
            if carry:
                units.append(carry)
                carry = ""
            units.append(" ")
            continue
        if carry:
            t = carry + t
            carry = ""
        if t[-1] in NO_END:
            carry = t
            continue
        if units and units[-1] != " " and t[0] in NO_START:
            units[-1] += t
        else:
            units.append(t)
    if carry:
        units.append(carry)
    return units


def _greedy(units: list[str], width: float, measure) -> list[str]:
    lines: list[str] = []
    cur = ""
    for u in units:
        if u == " ":
            if cur:
                cur += " "
            continue
        trial = cur + u
        if not cur or measure(trial.rstrip()) <= width:
            cur = trial
            continue
        lines.append(cur.rstrip())
        cur = u
    if cur.strip():
        lines.append(cur.rstrip())
    # a unit wider than the line (a very long Latin word) is split by characters as a last resort
    out: list[str] = []
    for line in lines:
        while measure(line) > width and len(line) > 1:
            k = len(line) - 1
            while k > 1 and measure(line[:k]) > width:
                k -= 1
            out.append(line[:k])
            line = line[k:]
        out.append(line)
    return out


def wrap(
    s: str, width_mm: float, family: str, size: float, weight: str = "normal", balance: bool = True
) -> list[str]:
    """Lines of `s` that each fit `width_mm`; explicit newlines are kept.

    With `balance`, lines are made as even as the same number of lines allows, so a label
    never ends with one lonely character. Kept per arguments: a diagram's layout asks for the
    same label at the same width many times over (16,000 calls, 1,600 different, for the
    Chinese report's figures).
    """
    return list(_wrap(s, width_mm, family, size, weight, balance))


@lru_cache(maxsize=8192)
def _wrap(
    s: str, width_mm: float, family: str, size: float, weight: str, balance: bool
) -> tuple[str, ...]:
    def measure(t: str) -> float:
        return text_width(t, family, size, weight)

    out: list[str] = []
    for para in s.split("\n"):
        units = _units(para.strip())
        if not units:
            out.append("")
            continue
        lines = _greedy(units, width_mm, measure)
        if balance and len(lines) > 1:
            lo, hi = measure(para.strip()) / len(lines) * 0.9, width_mm
            best = lines
            for _ in range(12):
                mid = (lo + hi) / 2
                trial = _greedy(units, mid, measure)
                if len(trial) <= len(lines) and max(measure(x) for x in trial) <= mid + 1e-6:
                    best, hi = trial, mid
                else:
                    lo = mid
            lines = best
        out.extend(lines)
    return tuple(out)


def block_width(lines: list[str], family: str, size: float, weight: str = "normal") -> float:
    return max((text_width(x, family, size, weight) for x in lines), default=0.0)
