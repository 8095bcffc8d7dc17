"""Measuring slide text with the brand font's own advance widths, and wrapping Chinese lines."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reportbuild import fonts
from reportbuild.atomic import write_text
from reportbuild.linebreak import HAN as HAN_CHARS
from reportbuild.linebreak import NO_END, NO_START, pieces  # the same rules as the charts

# PowerPoint and LibreOffice round glyph positions differently from the font's design units;
# wrap against a slightly narrower line so that neither breaks a line we did not.
WIDTH_SLACK = 0.97


HAN = re.compile(f"[{HAN_CHARS}]")
MISSING = 0xFFFF  # no glyph for the code point: measured as one em


def _table(widths: dict[int, int]) -> array:
    """Widths indexed by code point: ~400 kB a CJK face, where a dict of them took ~5 MB."""
    table = array("H", [MISSING]) * (max(widths, default=0) + 1)
    for cp, w in widths.items():
        table[cp] = min(w, MISSING - 1)
    return table


@dataclass(frozen=True)
class Metrics:
    """Advance widths of one face, in font units, indexed by code point (MISSING: none)."""

    upm: int
    widths: array
    ascent: int
    descent: int

    def width(self, text: str) -> int:
        w, n, upm = self.widths, len(self.widths), self.upm
        total = 0
        for ch in text:
            cp = ord(ch)
            v = w[cp] if cp < n else MISSING
            total += upm if v == MISSING else v
        return total


# Where parsed widths are kept between builds (set by write_deck: machine.machine_cache).
# Parsing a CJK face's cmap and hmtx takes ~0.25 s a face; reading the cached table, ~20 ms.
_cache_dir: Path | None = None


def use_cache(folder: Path | None) -> None:
    global _cache_dir
    _cache_dir = folder


def _cache_file(face: fonts.FontFace, cache_dir: Path) -> Path:
    key = hashlib.sha1(fonts.cache_key(face).encode()).hexdigest()[:16]
    return cache_dir / f"font-widths-{key}.json"


@lru_cache(maxsize=8)
def metrics(family: str, bold: bool = False) -> Metrics:
    """The advance widths of the brand face (by family name: the .ttc's first face is Japanese)."""
    face = fonts.find(family, bold)
    if _cache_dir is None:
        return _parse(face)
    cached = _cache_file(face, _cache_dir)
    m = _read(cached)
    # a missing entry is parsed in a child process, whose memory is returned when it exits
    if m is None and fonts.in_child(lambda: _write(_parse(face), cached)):
        m = _read(cached)
    if m is None:  # no fork, or a read-only project: parse here
        m = _parse(face)
        _write(m, cached)
    return m


def ensure_cached(family: str, bold: bool = False) -> None:
    """Parse a face's widths into the cache if they are not there yet (in a child process),
    without loading them here: what a worker does early, before the memory peak."""
    face = fonts.find(family, bold)
    if _cache_dir is not None and not _cache_file(face, _cache_dir).is_file():
        fonts.in_child(lambda: _write(_parse(face), _cache_file(face, _cache_dir)))


def _read(path: Path) -> Metrics | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        runs = data["runs"]
        top = max((start + len(run) for start, run in runs), default=1)
        widths = array("H", [MISSING]) * top
        for start, run in runs:
            chunk = array("H", run)
            if MISSING in chunk:  # a width of 65535 units is kept as 65534 (MISSING: no glyph)
                chunk = array("H", (min(w, MISSING - 1) for w in run))
            widths[start : start + len(run)] = chunk
        return Metrics(data["upm"], widths, data["ascent"], data["descent"])
    except (OSError, ValueError, KeyError, TypeError, OverflowError):
        return None


def _write(m: Metrics, path: Path) -> None:
    with contextlib.suppress(OSError):  # a read-only project still builds, only slower
        write_text(path, json.dumps(_runs(m), separators=(",", ":")))


def _parse(face: fonts.FontFace) -> Metrics:
    from fontTools.ttLib import TTFont

    with TTFont(face.path, fontNumber=face.index, lazy=True) as font:
        cmap = font.getBestCmap()
        hmtx = font["hmtx"].metrics
        upm = font["head"].unitsPerEm
        hhea = font["hhea"]
        widths = _table({cp: hmtx[g][0] for cp, g in cmap.items() if g in hmtx})
        return Metrics(upm=upm, widths=widths, ascent=hhea.ascent, descent=-hhea.descent)


def _runs(m: Metrics) -> dict:
    """The widths as runs of consecutive code points: compact, and fast to read back."""
    runs: list[list] = []
    for cp, w in enumerate(m.widths):
        if w == MISSING:
            continue
        if runs and runs[-1][0] + len(runs[-1][1]) == cp:
            runs[-1][1].append(w)
        else:
            runs.append([cp, [w]])
    return {"upm": m.upm, "ascent": m.ascent, "descent": m.descent, "runs": runs}


def text_width(text: str, family: str, size: float, bold: bool = False) -> float:
    """Advance width of `text` in points at `size`."""
    m = metrics(family, bold)
    return _advance(text, family, bold) * size / m.upm


# The same words come back at every size a text is tried at, and in every paragraph.
@lru_cache(maxsize=65536)
def _advance(text: str, family: str, bold: bool) -> int:
    """Advance width of `text` in font units."""
    return metrics(family, bold).width(text)


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    color: str | None = None


@dataclass(frozen=True)
class Para:
    """One paragraph as it will be written: every value explicit, so it can be measured back."""

    runs: tuple[Run, ...]
    size: float
    family: str
    line: float = 1.4  # exact line pitch as a multiple of the size
    before: float = 0.0  # points
    after: float = 0.0
    align: str = "left"  # left | center | right

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    def scaled(self, k: float, floor: float) -> Para:
        size = max(min(self.size, floor), round(self.size * k * 2) / 2)
        f = size / self.size
        return Para(
            self.runs, size, self.family, self.line, self.before * f, self.after * f, self.align
        )


def para(
    text: str, size: float, family: str, *, bold: bool = False, color: str | None = None, **kw
) -> Para:
    return Para((Run(text, bold, color),), size, family, **kw)


Segment = tuple[str, "Run"]  # a piece of text and the run it comes from


def _units(runs: tuple[Run, ...]) -> list[list[Segment]]:
    """Unbreakable pieces: a Latin word, a space, a Chinese word (linebreak.pieces), with
    closing punctuation glued to the piece before and opening punctuation to the next."""
    raw: list[Segment] = []
    for r in runs:
        raw.extend((piece, r) for piece in pieces(r.text))
    out: list[list[Segment]] = []
    glue_next = False
    for piece, r in raw:
        if out and (glue_next or (piece[0] in NO_START and not piece.isspace())):
            out[-1].append((piece, r))
        else:
            out.append([(piece, r)])
        glue_next = piece[-1] in NO_END
    return out


def _width(unit: list[Segment], family: str, size: float) -> float:
    return sum(text_width(t, family, size, r.bold) for t, r in unit)


def wrap_runs(runs: tuple[Run, ...], family: str, size: float, width: float) -> list[list[Segment]]:
    """Lines of a paragraph set in `width` points, each a list of (text, run): breaks between
    words (Latin at spaces, Chinese between the segmenter's words), never before closing or
    after opening punctuation; a word longer than the line breaks by characters."""
    return [list(ln) for ln in _wrapped(runs, family, size, width)]


# A deck measures the same text at the same size and width many times over (fitting tries
# each scale, the ink box and the writer measure again): each is wrapped once.
@lru_cache(maxsize=8192)
def _wrapped(
    runs: tuple[Run, ...], family: str, size: float, width: float
) -> tuple[tuple[Segment, ...], ...]:
    limit = width * WIDTH_SLACK
    lines: list[list[Segment]] = []
    for text_line in _split_breaks(runs):
        # each line as units (a word with its glued punctuation) and their widths
        out: list[list[tuple[list[Segment], float]]] = []
        cur: list[tuple[list[Segment], float]] = []
        cur_w = 0.0
        for unit in _units(text_line):
            w = _width(unit, family, size)
            if all(not t.strip() for t, _ in unit):
                if cur:  # a space inside a line (none at its start)
                    cur.append((unit, w))
                    cur_w += w
                continue
            if cur_w + w > limit and cur:
                out.append(cur)
                cur, cur_w = [], 0.0
            if w <= limit:
                cur.append((unit, w))
                cur_w += w
                continue
            # a word longer than the line: break it by characters, as PowerPoint does
            for t, r in unit:
                for ch in t:
                    cw = text_width(ch, family, size, r.bold)
                    if cur_w + cw > limit and cur:
                        out.append(cur)
                        cur, cur_w = [], 0.0
                    cur.append(([(ch, r)], cw))
                    cur_w += cw
        out.append(cur)
        _no_widow(out, limit)
        lines.extend(_rstrip([seg for unit, _w in ln for seg in unit]) for ln in out)
    return tuple(tuple(ln) for ln in lines)


def _no_widow(out: list[list[tuple[list[Segment], float]]], limit: float) -> None:
    """A paragraph's last line holding only one or two Chinese characters takes the last word
    of the line before with it, if that line keeps another."""
    if len(out) < 2:
        return
    last = "".join(t for unit, _w in out[-1] for t, _r in unit).strip()
    if not (0 < len(last) <= 2 and HAN.search(last)):
        return
    prev = out[-2]
    while prev and all(not t.strip() for t, _ in prev[-1][0]):
        prev.pop()
    inked = [u for u in prev if any(t.strip() for t, _ in u[0])]
    if len(inked) < 2:
        return
    moved = prev.pop()
    if moved[1] + sum(w for _u, w in out[-1]) > limit:
        prev.append(moved)
        return
    out[-1].insert(0, moved)


def _rstrip(line: list[Segment]) -> list[Segment]:
    out = list(line)
    while out and not out[-1][0].strip():
        out.pop()
    if out:
        out[-1] = (out[-1][0].rstrip(), out[-1][1])
    return out


def wrap(runs: tuple[Run, ...], family: str, size: float, width: float) -> list[str]:
    """The lines of `wrap_runs` as strings."""
    return ["".join(t for t, _ in ln) for ln in _wrapped(runs, family, size, width)]


def _split_breaks(runs: tuple[Run, ...]) -> list[tuple[Run, ...]]:
    """Runs cut at hard line breaks (a:br, written as '\\v' or '\\n')."""
    out: list[list[Run]] = [[]]
    for r in runs:
        parts = re.split(r"[\v\n]", r.text)
        for i, p in enumerate(parts):
            if i:
                out.append([])
            if p:
                out[-1].append(Run(p, r.bold, r.color))
    return [tuple(x) for x in out]


def para_lines(p: Para, width: float) -> list[str]:
    return wrap(p.runs, p.family, p.size, width)


def para_height(p: Para, width: float) -> float:
    """Height in points: lines × exact pitch, plus the space before and after."""
    return len(para_lines(p, width)) * p.size * p.line + p.before + p.after


def block_height(paras: list[Para], width: float) -> float:
    return sum(para_height(p, width) for p in paras)


def widest_line(paras: list[Para], width: float) -> float:
    best = 0.0
    for p in paras:
        for ln in para_lines(p, width):
            best = max(best, text_width(ln, p.family, p.size, any(r.bold for r in p.runs)))
    return best


@dataclass
class Fit:
    """The outcome of fitting text to a box: the paragraphs as placed and how far they shrank."""

    paras: list[Para]
    scale: float
    height: float
    notes: list[str] = field(default_factory=list)


# Shrinking stops here: below it, text is split or the build fails.
MIN_SCALE = 0.8
STEPS = (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.0)  # 0: all at the floor


def fit(
    paras: list[Para],
    width: float,
    height: float,
    *,
    floor: float = 12.0,
    min_scale: float = MIN_SCALE,
) -> Fit | None:
    """The largest scale (down to `min_scale`, no size below `floor`) at which the paragraphs
    fit `width` × `height` points; None if they do not fit even then."""
    last = None
    for k in STEPS:
        if k < min_scale - 1e-9:
            break
        ps = paras if k == 1.0 else [p.scaled(k, floor) for p in paras]
        sizes = tuple(p.size for p in ps)
        if sizes == last:
            continue
        last = sizes
        h = block_height(ps, width)
        if h <= height + 0.01:
            return Fit(ps, k, h)
    return None
