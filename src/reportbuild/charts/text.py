"""Measuring and wrapping Chinese text: break at any CJK character, not before closing marks."""

from __future__ import annotations

import re
from functools import lru_cache

from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from reportbuild.charts.style import MM_PER_PT

# May not begin a line (closing punctuation, units that belong to the number before).
NO_START = set("，。、；：！？）》」』】〕〉”’%％…·,.;:!?)]}—～-–")
# May not end a line (opening punctuation).
NO_END = set("（《「『【〔〈“‘([{")
# Runs kept whole: Latin words and numbers with their signs and decimals.
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+/&'’_-]*|\s+|.", re.S)

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
    w, _h, _d = _t2p.get_text_width_height_descent(s, _prop(family, size, weight), ismath=False)
    return w * MM_PER_PT * RASTER_SLACK


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
    never ends with one lonely character.
    """

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
    return out


def block_width(lines: list[str], family: str, size: float, weight: str = "normal") -> float:
    return max((text_width(x, family, size, weight) for x in lines), default=0.0)
