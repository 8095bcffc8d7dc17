"""L6xx: the typesetting report, read from the built PDF's glyph positions (PDFium).

The PDF is measured as a reader sees it, not as the engine meant it: every glyph's box comes
from the file (PDFium, through pypdfium2), glyphs on one baseline make a line, and each line
is mapped back to the source text it prints (`lints.sites`), which gives its file and line, its
kind (body, case, quote, heading, figure source) and whether it ends a paragraph. Nothing here
depends on WeasyPrint, so the same measure reads any PDF of the same sources (Typst's, say).

What is counted (docs/typography.md, "Measured"):
- non-final lines of justified text that stop more than 0.1 em short of their measure (L601);
- paragraphs whose last line holds two CJK characters or fewer, or one word (L602);
- lines that begin with a mark that may not begin one, or end with one that may not end one (L603);
- breaks inside a number and its unit, or inside a figure reference (L604);
- headings in the last 15 % of the text area, or broken inside a phrase (L605, L606);
- pages more than 30 % empty at the foot when the chapter goes on (L607);
- figures printed without a source line (L608);
- word spaces wider than 0.33 em (counted, and L601's message names them).
"""

from __future__ import annotations

import bisect
import contextlib
import json
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from reportbuild import paths
from reportbuild.errors import Problem
from reportbuild.linebreak import HAN as HAN_CHARS
from reportbuild.linebreak import NO_END, NO_START, phrase_cuts
from reportbuild.lints.codes import problem
from reportbuild.lints.sites import Site, sites
from reportbuild.model import Report

REPORT = f"{paths.CACHE}/typeset.json"
SHORT_EM = 0.1  # a non-final line this far short of its measure is not flush
MAX_SPACE_EM = 0.33  # the widest word space a justified line may show
FOOT_SHARE = 0.15  # a heading in the last 15 % of the text area is stranded
HOLE_SHARE = 0.30  # more than 30 % of the text area empty at the foot, the chapter going on

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
HAN = re.compile(f"[{HAN_CHARS}]")
PUNCT_BREAK = set("，。、；：？！）」』”’》〉】〕,.;:?!)—-–/／ ")
UNIT_AFTER_NUMBER = re.compile(r"[%％‰\u3400-\u9fff]")
SPACE = re.compile(r"\s+")
CLOSING_MARKS = frozenset("，。、；：！？）》」』】〕〉”’")  # ink in the left half of the em box


@dataclass
class Glyph:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class Line:
    page: int  # 1-based
    glyphs: list[Glyph]
    site: Site | None = None
    start: int = 0  # span of the line in its site's normalized text
    end: int = 0
    marks: list[Glyph] = field(default_factory=list)  # note calls set beside the line, raised

    @property
    def text(self) -> str:
        return "".join(g.text for g in self.glyphs)

    @property
    def norm(self) -> str:
        return SPACE.sub("", self.text)

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @property
    def x1(self) -> float:
        ink = [g.x1 for g in (*self.glyphs, *self.marks) if g.text.strip()]
        return max(ink) if ink else self.x0

    @property
    def ink_x1(self) -> float:
        """Where the ink ends: a closing CJK mark (，。、）) is drawn in the left half of its
        em box, and an engine may squeeze it or hang it half into the margin (Typst), so its
        box's right edge (the font's full width) is not where the line ends to the eye."""
        last = self.glyphs[-1] if not self.marks else None
        if last is not None and last.text in CLOSING_MARKS and last.x1 - last.x0 > 0.9 * last.size:
            return last.x0 + 0.5 * last.size
        return self.x1

    @property
    def hangs(self) -> bool:
        return self.ink_x1 != self.x1

    @property
    def top(self) -> float:
        return min(g.top for g in self.glyphs)

    @property
    def bottom(self) -> float:
        return max(g.bottom for g in self.glyphs)

    @property
    def size(self) -> float:
        return max(g.size for g in self.glyphs)


@dataclass
class Finding:
    code: str
    page: int
    path: str
    line: int
    message: str


@dataclass
class TypesetReport:
    """Counts and findings of one PDF; `counts` is what bench/ and the tests read."""

    pdf: str
    counts: dict = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def to_json(self) -> str:
        data = {"pdf": self.pdf, "counts": self.counts,
                "findings": [asdict(f) for f in self.findings]}  # fmt: skip
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# ── reading the PDF ───────────────────────────────────────────────────────────────────


def read_lines(pdf_path: Path) -> tuple[list[list[Line]], list[list[tuple[float, float]]]]:
    """Lines of each page (glyphs on one baseline, split at column gaps) and, per page, the
    (top, bottom) of everything drawn on it, for the page-fill measure.

    PDFium reads the glyphs (pdfminer, in Python, took 3.4 s for 35 pages of CJK text justified
    glyph by glyph; PDFium 0.4 s). Each glyph's box is as pdfminer gives it: from its origin
    to its advance, and from the font's descent up by the font size, in points from the top
    of the page. PDFium drops the space glyphs a line draws and puts its own where a gap looks
    like one (between letter-spaced letters, or beside a CJK–Latin gap): a line gets its word
    spaces from its source text instead (`respace`), once it is mapped to it."""
    import pypdfium2
    import pypdfium2.raw as pdfium

    pages: list[list[Line]] = []
    extents: list[list[tuple[float, float]]] = []
    drawn_kinds = (pdfium.FPDF_PAGEOBJ_PATH, pdfium.FPDF_PAGEOBJ_IMAGE,
                   pdfium.FPDF_PAGEOBJ_SHADING, pdfium.FPDF_PAGEOBJ_FORM)  # fmt: skip
    matrix, box = pdfium.FS_MATRIX(), pdfium.FS_RECTF()
    doc = pypdfium2.PdfDocument(str(pdf_path))
    try:
        for n, page in enumerate(doc, 1):
            height = page.get_height()
            text = page.get_textpage()
            rows: dict[tuple[float, float], list[Glyph]] = defaultdict(list)
            drawn: list[tuple[float, float]] = []
            for i in range(text.count_chars()):
                if pdfium.FPDFText_IsGenerated(text.raw, i):
                    continue
                pdfium.FPDFText_GetMatrix(text.raw, i, matrix)
                pdfium.FPDFText_GetLooseCharBox(text.raw, i, box)
                size = pdfium.FPDFText_GetFontSize(text.raw, i) * matrix.d
                bottom = height - box.bottom
                drawn.append((bottom - size, bottom))
                if matrix.b or matrix.c or matrix.a * matrix.d <= 0:
                    continue  # not upright
                char = chr(pdfium.FPDFText_GetUnicode(text.raw, i))
                char = "-" if char == "\x02" else char  # PDFium's mark for a line-end hyphen
                g = Glyph(char, box.left, box.right, bottom - size, bottom, size)
                rows[(round(matrix.f, 1), round(size, 1))].append(g)
            text.close()
            lines: list[Line] = []
            for (_, size), glyphs in rows.items():
                glyphs.sort(key=lambda g: g.x0)
                cur: list[Glyph] = []
                for g in glyphs:
                    # a gap wider than 1.5 em is a column gap: a label beside its text
                    if cur and g.x0 - cur[-1].x1 > 1.5 * size:
                        lines.append(Line(n, cur))
                        cur = []
                    cur.append(g)
                if cur:
                    lines.append(Line(n, cur))
            lines = _attach_marks([ln for ln in lines if ln.text.strip()])
            lines.sort(key=lambda ln: (round(ln.top, 0), ln.x0))
            pages.append(lines)
            for obj in page.get_objects(filter=drawn_kinds, max_depth=1):
                _left, low, _right, high = obj.get_bounds()
                drawn.append((height - high, height - low))
            extents.append(drawn)
            page.close()
    finally:
        doc.close()
    return pages, extents


def _attach_marks(lines: list[Line]) -> list[Line]:
    """A footnote call (a small raised number) is on a baseline of its own: it is given to the
    line it ends, whose ink it extends, and is not a line itself."""
    out = []
    for ln in lines:
        host = None
        if len(ln.norm) <= 3 and all(g.text.isdigit() or not g.text.strip() for g in ln.glyphs):
            host = next(
                (b for b in lines if b is not ln and ln.size <= 0.8 * b.size
                 and ln.top < b.bottom and ln.bottom > b.top
                 and -0.1 * b.size <= ln.x0 - b.x1 <= 0.3 * b.size),
                None,
            )  # fmt: skip
        if host is None:
            out.append(ln)
        else:
            host.marks.extend(ln.glyphs)
    return out


# ── mapping lines to the sources ──────────────────────────────────────────────────────


class Corpus:
    """Every site's text without white space, end to end; a line is found by its text."""

    def __init__(self, items: list[Site]):
        self.sites = items
        parts: list[str] = []
        self.starts: list[int] = []
        self.breaks: list[set[int]] = []  # paragraph ends (offsets in the site's own text)
        pos = 0
        for s in items:
            norm, ends, i = [], set(), 0
            for para in s.text.split("\n"):
                p = SPACE.sub("", para)
                norm.append(p)
                i += len(p)
                ends.add(i)
            text = "".join(norm)
            self.starts.append(pos)
            self.breaks.append(ends)
            parts.append(text + "\x00")
            pos += len(text) + 1
        self.text = "".join(parts)
        self._spaces: dict[int, dict[int, str]] = {}
        self.whole: dict[str, int] = {}  # a site's whole text → where it starts (labels, names)
        for i, s in enumerate(items):
            self.whole.setdefault(SPACE.sub("", s.text), self.starts[i])

    def spaces(self, i: int) -> dict[int, str]:
        """Site `i`'s white space: offset in its text without white space → the white space
        character before it (within a paragraph; a tab or line end as a space)."""
        if i not in self._spaces:
            found: dict[int, str] = {}
            at = 0
            for para in self.sites[i].text.split("\n"):
                for m in re.finditer(r"(\s*)(\S+)", para):
                    if m.group(1) and m.start(2) > 0:
                        found[at] = " " if m.group(1)[0] in " \t\r" else m.group(1)[0]
                    at += len(m.group(2))
            self._spaces[i] = found
        return self._spaces[i]

    def site_at(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def find(self, needle: str, start: int = 0) -> int:
        return self.text.find(needle, start) if needle else -1


def map_lines(pages: list[list[Line]], corpus: Corpus) -> None:
    """Give each line its site and span; short lines follow the line before them."""
    prev_end = 0
    for lines in pages:
        for ln in lines:
            n = ln.norm
            if n.endswith(("-", "\u2010")) and len(n) > 1 and n[-2].isalpha():
                n = n[:-1]  # a hyphen added where the line breaks a word
            at = corpus.whole.get(n, -1)
            if at >= 0:
                pass
            elif len(n) >= 6 or prev_end:
                # where the text goes on from the line before (the next line of a paragraph)
                if corpus.text.startswith(n, prev_end):
                    at = prev_end
                elif len(n) >= 4:
                    at = corpus.find(n, prev_end)
                    if at < 0 or at - prev_end > 4000:
                        at = corpus.find(n)
            elif len(n) >= 2:
                at = corpus.find(n)
            if at < 0 and len(n) >= 8:
                # a run-in head (“平台搭建：”) set before its text: drop up to 12 characters
                for k in range(1, min(13, len(n) - 5)):
                    at = corpus.find(n[k:])
                    if at >= 0:
                        n = n[k:]
                        ln.glyphs = _drop(ln.glyphs, k)
                        break
            if at < 0:
                continue
            i = corpus.site_at(at)
            ln.site = corpus.sites[i]
            ln.start = at - corpus.starts[i]
            ln.end = ln.start + len(n)
            prev_end = at + len(n)


def respace(pages: list[list[Line]], corpus: Corpus) -> None:
    """Put the word spaces of each mapped line back, where its source text has white space
    between two of its characters (the first white space character of the run: a no-break
    space stays one). The space spans the gap between its neighbours. Beside a CJK character
    a space in the source is the CJK–Latin gap the HTML sets instead (a margin, no glyph)."""
    index = {id(s): i for i, s in enumerate(corpus.sites)}
    for lines in pages:
        for ln in lines:
            if ln.site is None:
                continue
            spaces = corpus.spaces(index[id(ln.site)])
            out: list[Glyph] = []
            pos = ln.start
            for g in ln.glyphs:
                a = out[-1] if out else None
                if (
                    a is not None and pos in spaces and a.text.strip() and g.text.strip()
                    and not CJK.match(a.text) and not CJK.match(g.text)
                ):  # fmt: skip
                    out.append(Glyph(spaces[pos], a.x1, g.x0, a.top, a.bottom, a.size))
                out.append(g)
                pos += len(SPACE.sub("", g.text))
            ln.glyphs = out


def _word_ends(text: str) -> set[int]:
    """Offsets in `text` where a word ends (the segmenter of linebreak.pieces)."""
    from reportbuild.linebreak import pieces

    ends, pos = set(), 0
    for w in pieces(text):
        pos += len(w)
        ends.add(pos)
    return ends


def _drop(glyphs: list[Glyph], k: int) -> list[Glyph]:
    """The glyphs after the first `k` non-space ones."""
    seen = 0
    for i, g in enumerate(glyphs):
        if seen == k and g.text.strip():
            return glyphs[i:]
        seen += bool(g.text.strip())
    return glyphs


def _source_line(ln: Line) -> tuple[str, int]:
    site = ln.site
    if site is None:
        return "", 0
    head = ln.norm[:6]
    # the first characters of the line, searched in the source as written
    src = SPACE.sub(" ", site.source)
    pattern = r"\s*".join(re.escape(ch) for ch in head)
    m = re.search(pattern, site.source)
    if m and src:
        return site.path, site.line_at(m.start())
    return site.path, site.line


# ── what kind of text a line is ───────────────────────────────────────────────────────


def justified(site: Site) -> bool:
    """Running text set justified by the theme: prose, summaries, cases, quotes, profiles."""
    w = site.where
    if w.endswith((" title", " organisation", " name", " link", " heading", " note")):
        return False
    return (
        w.endswith((" prose", " summary", " profile"))
        or w.startswith("case ")
        or (w.startswith("quote ") and "(" in w)
    )


def is_heading(site: Site) -> bool:
    w = site.where
    return w.endswith((" heading",)) or (
        w.endswith(" title")
        and w.startswith(("section ", "chapter ", "case ", "page ", "core points"))
    )


# ── the measure ───────────────────────────────────────────────────────────────────────


def measure(pdf_path: Path, report: Report, root: Path, labels: list[str] | None = None):
    """The typesetting report of `pdf_path` (a PDF built from `report`)."""
    root = Path(root)
    items = sites(report, root)
    corpus = Corpus(items)
    index = {id(s): i for i, s in enumerate(items)}
    pages, extents = read_lines(pdf_path)
    map_lines(pages, corpus)
    respace(pages, corpus)
    out = TypesetReport(pdf=str(pdf_path))
    labels = labels if labels is not None else [f.label for f in report.figures.values() if f.label]

    def final(ln: Line) -> bool:
        return ln.end in corpus.breaks[index[id(ln.site)]] if ln.site else True

    def first(ln: Line) -> bool:
        return ln.start == 0 or ln.start in corpus.breaks[index[id(ln.site)]] if ln.site else True

    def add(code: str, ln: Line, message: str) -> None:
        path, line = _source_line(ln)
        out.findings.append(Finding(code, ln.page, path or "output/report.pdf", line, message))

    # the measure of a column: the right edge most lines with the same left edge (continuation
    # lines), size and page side end at — a line hanging past it does not move it — or, for
    # a text with too few such lines, the longest of its lines on the page
    ends: dict[tuple, list[float]] = defaultdict(list)
    by_site_page: dict[tuple, float] = defaultdict(float)
    body = [ln for lines in pages for ln in lines if ln.site and justified(ln.site)]
    for ln in body:
        # a line ending in a closing mark ends either at its em box (set full width) or at its
        # ink (squeezed or hung): the edge is found from the other lines
        x1 = ln.ink_x1 if ln.hangs else ln.x1
        by_site_page[(id(ln.site), ln.page)] = max(by_site_page[(id(ln.site), ln.page)], x1)
        if not first(ln) and not ln.hangs:
            ends[(ln.page % 2, round(ln.size, 1), round(ln.x0))].append(ln.x1)
    right: dict[tuple, float] = {}
    for key, xs in ends.items():
        common = Counter(round(x * 2) / 2 for x in xs).most_common(1)[0]
        right[key] = common[0] if common[1] >= 2 else max(xs)

    # a line is known to be non-final when the next line found carries its text on
    continued: set[int] = set()
    carried: set[int] = set()  # … and the line that carries it on
    ordered = [ln for lines in pages for ln in lines if ln.site]
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.site is b.site and b.start == a.end:
            continued.add(id(a))
            carried.add(id(b))

    judged = flush = 0
    spaces_over = 0
    widest_space = 0.0
    short_lines: list[float] = []
    for ln in body:
        size = ln.size
        if not final(ln):
            if id(ln) not in continued:
                continue
            key = (ln.page % 2, round(size, 1), round(ln.x0))
            edge = right.get(key) if not first(ln) else None
            if edge is None:
                edge = by_site_page[(id(ln.site), ln.page)]
            short = (edge - ln.x1) / size
            if ln.hangs and abs(edge - ln.ink_x1) < abs(edge - ln.x1):
                short = (edge - ln.ink_x1) / size
            judged += 1
            if -SHORT_EM <= short <= SHORT_EM:
                flush += 1
            elif short < 0:
                add("L601", ln, f"line runs {-short:.2f} em past the measure: “{ln.text[-12:]}”")
            else:
                short_lines.append(short)
                add("L601", ln, f"line short of the measure by {short:.2f} em: “{ln.text[-12:]}”")
            widest = _widest_space(ln)
            widest_space = max(widest_space, widest)
            if widest > MAX_SPACE_EM:
                spaces_over += 1
                add("L601", ln, f"a word space stretched to {widest:.2f} em: “{ln.text[:24]}”")
        else:
            n = ln.norm
            cjk = len(CJK.findall(n))
            words = len(ln.text.split())
            lone = cjk <= 2 if HAN.search(ln.site.text) else words <= 1
            if lone and not first(ln):
                add("L602", ln, f"the paragraph's last line holds only “{n}”")

    prohibited = split = 0
    all_lines = [
        ln
        for lines in pages
        for ln in lines
        if ln.site and (justified(ln.site) or is_heading(ln.site))
    ]
    for a, b in zip(all_lines, all_lines[1:], strict=False):
        if a.site is not b.site or final(a) or b.start != a.end:
            continue
        ta, tb = a.norm, b.norm
        if tb[:1] in NO_START and not tb.startswith(("——", "……")):
            prohibited += 1
            add("L603", b, f"line begins with “{tb[:1]}”, which may not begin a line")
        elif ta[-1:] in NO_END:
            prohibited += 1
            add("L603", a, f"line ends with “{ta[-1:]}”, which may not end a line")
        joined = ta[-12:] + tb[:12]
        cut = len(ta[-12:])
        if ta[-1:].isdigit() and UNIT_AFTER_NUMBER.match(tb[:1]):
            split += 1
            add("L604", a, f"a number is parted from its unit: “{ta[-6:]}|{tb[:4]}”")
            continue
        for label in labels:
            lab = SPACE.sub("", label)
            for m in re.finditer(r"（?[^（）]{0,2}" + re.escape(lab) + r"）?", joined):
                if m.start() < cut < m.end() and lab in m.group(0):
                    split += 1
                    add("L604", a, f"a figure reference is broken: “{ta[-6:]}|{tb[:6]}”")
                    break
            else:
                continue
            break

    # headings: stranded at the foot, or broken inside a phrase
    tops = [ln.top for lines in pages for ln in lines if ln.site and justified(ln.site)]
    bottoms = [ln.bottom for lines in pages for ln in lines if ln.site and justified(ln.site)]
    area_top = min(tops, default=0.0)
    area_bottom = max(bottoms, default=0.0)
    area = max(area_bottom - area_top, 1.0)
    at_foot = split_heads = 0
    for lines in pages:
        heads = [ln for ln in lines if ln.site and is_heading(ln.site)]
        running = [ln for ln in lines if ln.site and justified(ln.site)]
        # contents and chapter openers list titles; they are not headings in the flow
        listing = len(heads) > len(running)
        for ln in [] if listing else heads:
            after = [o for o in lines if o.top > ln.bottom and o.site and justified(o.site)]
            if (ln.top - area_top) / area > 1 - FOOT_SHARE and len(after) < 2:
                at_foot += 1
                add("L605", ln, f"heading at the foot of the page: “{ln.norm[:20]}”")
        for a, b in zip(heads, heads[1:], strict=False):
            if a.site is b.site and b.start == a.end and a.end:
                last, nxt = a.text.rstrip(), b.text.lstrip()
                if (
                    last[-1:] in PUNCT_BREAK
                    or a.text.endswith(" ")
                    or not (HAN.match(last[-1:]) and HAN.match(nxt[:1]))
                ):
                    continue
                title = SPACE.sub("", a.site.text)
                if a.end in phrase_cuts(title) or a.end in _word_ends(title):
                    continue  # a phrase boundary (after 的, before 与…) or between two words
                split_heads += 1
                add("L606", a, f"heading broken inside a phrase: “{last[-4:]}|{nxt[:4]}”")

    # pages with a hole at the foot while the chapter goes on
    holes = 0
    part, count = {}, 0  # sites in reading order; a chapter or front/back page opens a part
    for s in items:
        count += _opens_part(s)
        part[id(s)] = count

    def running(lines: list[Line]) -> list[Line]:
        # running text found whole: a short line (a table's "2.1%") found somewhere in the
        # prose says nothing about where a chapter goes on
        return [ln for ln in lines if ln.site and justified(ln.site)
                and (len(ln.norm) >= 6 or id(ln) in continued or id(ln) in carried)]  # fmt: skip

    for n, lines in enumerate(pages, 1):
        body_lines = running(lines)
        following = running(pages[n]) if n < len(pages) else []
        if not body_lines or not following:
            continue
        if part[id(body_lines[-1].site)] != part[id(following[0].site)]:
            continue  # the chapter (or page) ends here: white space is its due
        # the lowest thing drawn in the text area (running heads and folios lie outside it)
        inside = [b for t, b in extents[n - 1] if t >= area_top - 6 and b <= area_bottom + 6]
        low = min(max(inside, default=area_top), area_bottom)
        empty = (area_bottom - low) / area
        if empty > HOLE_SHARE:
            holes += 1
            add("L607", body_lines[-1], f"page {n} is {empty:.0%} empty at the foot, the text "
                "going on overleaf")  # fmt: skip

    # figures printed without a source line
    printed = {ln.site.where.split()[1] for lines in pages for ln in lines
               if ln.site and ln.site.where.startswith("figure ")}  # fmt: skip
    no_source = 0
    for fid, fig in report.figures.items():
        if fid in printed and fig.number and not (fig.source or "").strip():
            no_source += 1
            what = f"figure {fig.label or fid} is printed without a source"
            out.findings.append(Finding("L608", 0, fig.loc.path, fig.loc.line, what))

    mapped = sum(1 for lines in pages for ln in lines if ln.site)
    total = sum(len(lines) for lines in pages)
    out.counts = {
        "pages": len(pages),
        "lines": total,
        "lines_mapped": mapped,
        "justified_nonfinal": judged,
        "flush": flush,
        "flush_share": round(flush / judged, 4) if judged else 1.0,
        "short_max_em": round(max(short_lines, default=0.0), 2),
        "widest_space_em": round(widest_space, 3),
        "spaces_over_033em": spaces_over,
        "lone_last_lines": sum(1 for f in out.findings if f.code == "L602"),
        "prohibited_breaks": prohibited,
        "split_units": split,
        "headings_at_foot": at_foot,
        "headings_split": split_heads,
        "holes": holes,
        "figures_without_source": no_source,
    }
    return out


def _opens_part(site: Site) -> bool:
    w = site.where
    return (w.startswith(("chapter ", "page ")) and w.endswith(" title")) or w in (
        "core points title",
        "report title",
    )  # the report's own: covers, back page


def _widest_space(ln: Line) -> float:
    """The widest gap (in em) that holds a space glyph, between the characters around it."""
    g = ln.glyphs
    widest = 0.0
    for i, x in enumerate(g):
        if x.text == " " and 0 < i < len(g) - 1 and g[i - 1].text != " ":
            j = i
            while j < len(g) and g[j].text == " ":
                j += 1
            if j < len(g):
                widest = max(widest, (g[j].x0 - g[i - 1].x1) / x.size)
    return widest


# ── the lint: findings as problems ────────────────────────────────────────────────────


def lint_typeset(report: Report, root: Path | str, pdf: Path | None = None) -> tuple[list, dict]:
    """Measure the built PDF; write the report (for bench/) and return (problems, counts)."""
    from reportbuild.atomic import write_text

    root = Path(root)
    pdf = pdf or paths.ProjectPaths(root).output / "report.pdf"
    if not pdf.is_file():
        return [
            problem("L600", "output/report.pdf", 0, "no PDF to measure; run reportbuild build")
        ], {}
    result = measure(pdf, report, root)
    with contextlib.suppress(OSError):  # a read-only project is still measured
        write_text(root / REPORT, result.to_json())
    found: list[Problem] = []
    for f in result.findings:
        where = f"page {f.page}: " if f.page else ""
        found.append(problem(f.code, f.path, f.line, f"{where}{f.message}"))
    return found, result.counts


def format_counts(counts: dict) -> str:
    """The typesetting report's counts as a few lines for the terminal."""
    c = counts
    return "\n".join((
        f"typesetting ({c['pages']} pages, {c['lines_mapped']}/{c['lines']} lines found in the "
        "sources):",
        f"  justified non-final lines flush: {c['flush']}/{c['justified_nonfinal']} "
        f"({c['flush_share']:.1%}); worst {c['short_max_em']} em short; widest word space "
        f"{c['widest_space_em']} em ({c['spaces_over_033em']} over 0.33 em)",
        f"  lone last lines {c['lone_last_lines']}, prohibited breaks {c['prohibited_breaks']}, "
        f"split units/references {c['split_units']}",
        f"  headings at a page's foot {c['headings_at_foot']}, split inside a phrase "
        f"{c['headings_split']}; pages >30% empty mid-chapter {c['holes']}; figures without "
        f"a source {c['figures_without_source']}",
    ))  # fmt: skip
