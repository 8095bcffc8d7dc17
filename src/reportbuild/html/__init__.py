"""The report model → one HTML document (print or screen), through the theme's Jinja2 templates."""

from __future__ import annotations

import html as htmllib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from markupsafe import Markup, escape

from reportbuild import paths
from reportbuild.brand import Brand
from reportbuild.errors import Problems, SourceError
from reportbuild.linebreak import HAN
from reportbuild.locale import Locale, get_locale
from reportbuild.machine import machine_cache
from reportbuild.model import Figure, Report, Rich
from reportbuild.weasy import JOINER

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

# ── CJK typography done in the HTML, because WeasyPrint ignores text-spacing ──────────────
#
# Latin letters and digits next to Han characters get a quarter-em gap (clreq §3.4): a span with
# a margin, not a space, so justification (which only stretches U+0020/U+00A0) cannot widen it.
# Two adjacent full-width punctuation marks are squeezed with the font's "halt" feature
# (Noto CJK 2.00x has no "chws"), applied to the mark whose blank half faces the other.

CLOSING = "，。、；：？！）」』”’》〉】〕"
OPENING = "（「『“‘《〈【〔"
_WORD = r"[A-Za-z0-9](?:[A-Za-z0-9%+\-./&_'’]*[A-Za-z0-9%])?"
LATIN_RUN = re.compile(rf"( *)({_WORD}(?: {_WORD})*)( *)")
PUNCT_PAIR = re.compile(f"([{CLOSING}{OPENING}])(?=[{CLOSING}{OPENING}])")
IS_HAN = re.compile(f"[{HAN}]")
IS_CJK = re.compile(f"[{HAN}{CLOSING}{OPENING}]")
IS_CJK_PUNCT = re.compile(f"[{CLOSING}{OPENING}]")
TAG = re.compile(r"(<[^>]*>)")
SKIP_TAGS = re.compile(r"<(/?)(code|pre|kbd|samp)\b", re.I)


def _space_latin(text: str) -> str:
    """Escape `text` and put a quarter-em gap where Latin/digit runs touch Han characters.

    The gap is always the right margin of whatever precedes the boundary (the Han character
    before a run, or the run itself): if the line breaks there, the margin hangs invisibly at
    the line's end instead of indenting the next line.
    """
    out: list[str] = []
    pos = 0
    for m in LATIN_RUN.finditer(text):
        before = text[m.start() - 1] if m.start() > 0 else ""
        after = text[m.end()] if m.end() < len(text) else ""
        left = bool(IS_HAN.match(before))
        right = bool(IS_HAN.match(after))
        # spaces between a run and CJK text (Han or full-width punctuation) are dropped:
        # the gap comes from a margin, and a space would be stretched by justification
        lead = "" if (left or IS_CJK_PUNCT.match(before)) else m.group(1)
        trail = "" if (right or IS_CJK_PUNCT.match(after)) else m.group(3)
        head = text[pos : m.start()]
        if left:
            out.append(f'{escape(head[:-1])}<span class="gr">{escape(head[-1])}</span>')
        else:
            out.append(str(escape(head)) + lead)
        word = str(escape(m.group(2)))
        out.append(f'<span class="gr">{word}</span>' if right else word)
        out.append(trail)
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return "".join(out)


def _squeeze_punct(escaped: str) -> str:
    """Halve the blank side of the first of two adjacent full-width marks (openers: the second)."""

    def one(m: re.Match[str]) -> str:
        ch = m.group(1)
        return f'<span class="halt">{ch}</span>' if ch in CLOSING else ch

    out = PUNCT_PAIR.sub(one, escaped)
    # opening + opening: the blank half of the second faces the first
    return re.sub(f"(?<=[{OPENING}])([{OPENING}])", r'<span class="halt">\1</span>', out)


def cjk_text(text: str | None) -> Markup:
    """Plain text → safe HTML with CJK–Latin spacing and punctuation squeezing."""
    if not text:
        return Markup("")
    return Markup(_squeeze_punct(_space_latin(text)))


PHRASE_MAX = 14  # em: a phrase this short fits a line of any heading (the opener's 28 pt title)


def heading_text(text: str | None, keep: int = 4) -> Markup:
    """A title that breaks at phrase boundaries, never leaving one character on its last line.

    WeasyPrint has no `text-wrap: balance` and no word segmentation for Chinese: a long heading
    broke anywhere (持续盈|利, 人|工智能) and often ended with one character. Each phrase
    (`linebreak.phrase_cuts`: after punctuation or 的, before 与/和/及) short enough to fit any
    heading's line is kept whole; of a longer phrase, the last `keep` characters.
    """
    if not text:
        return cjk_text(text)
    from reportbuild.linebreak import phrase_cuts

    bounds = [0, *phrase_cuts(text), len(text)]
    parts = [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    if len(parts) == 1:
        return _keep_tail(text, keep)
    out = []
    for part in parts:
        if _ems(part) <= PHRASE_MAX:
            out.append(f'<span class="keep">{cjk_text(part)}</span>')
        elif IS_ALL_CJK.fullmatch(part):
            out.append(_keep_words(part, keep))
        else:
            out.append(str(_keep_tail(part, keep)))
    return Markup("".join(out))


IS_ALL_CJK = re.compile(f"[{HAN}{CLOSING}{OPENING}]+")


def _keep_words(text: str, keep: int) -> str:
    """A phrase too long for one line, of CJK only: its words (linebreak.pieces, a segmenter
    loaded only here) kept whole, and its last `keep` characters together."""
    from reportbuild.linebreak import pieces

    words = list(pieces(text))
    tail = []
    while words and sum(len(w) for w in tail) < keep:
        tail.insert(0, words.pop())
    out = [f'<span class="keep">{cjk_text(w)}</span>' if len(w) > 1 else str(cjk_text(w))
           for w in words]  # fmt: skip
    out.append(f'<span class="keep">{cjk_text("".join(tail))}</span>')
    return "".join(out)


def _ems(text: str) -> float:
    """A rough width in em: CJK characters one, Latin letters and digits about half."""
    return sum(0.55 if ch.isascii() else 1.0 for ch in text)


def _keep_tail(text: str, keep: int) -> Markup:
    """`text` whose last `keep` characters cannot be split (no single character left alone)."""
    if len(text) < 3 * keep:
        return cjk_text(text)
    cut = len(text) - keep
    # cut between two characters that take no gap: never inside a Latin run, its spaces or
    # before a closing mark, so both halves get their CJK spacing right on their own
    while cut > 0 and (text[cut].isascii() or text[cut] in CLOSING or text[cut - 1].isascii()):
        cut -= 1
    if cut <= 0:
        return cjk_text(text)
    return Markup(f'{cjk_text(text[:cut])}<span class="keep">{cjk_text(text[cut:])}</span>')


def cjk_html(fragment: str | None) -> Markup:
    """Trusted HTML (markdown-it output, raw HTML off) → the same with CJK spacing in its text."""
    if not fragment:
        return Markup("")
    out: list[str] = []
    skip = 0
    for part in TAG.split(fragment):
        if part.startswith("<"):
            m = SKIP_TAGS.match(part)
            if m:
                skip += -1 if m.group(1) else 1
            out.append(part)
        elif skip or not part.strip():
            out.append(part)
        else:
            out.append(str(cjk_text(htmllib.unescape(part))))
    return Markup("".join(out))


def rich(value: Rich | None) -> Markup:
    """A Rich field as HTML: markdown-it rendered it with raw HTML off, so it is already safe.

    Besides CJK spacing, three things are kept from breaking: a number and the CJK character
    (its unit) after it, a figure reference with the bracket and word around it (（见图 1-2）),
    and the last characters of each paragraph or list item (no lone character on a last line).
    """
    if value is None:
        return Markup("")
    return Markup(keep_paragraph_ends(keep_units(str(cjk_html(value.html)))))


# a number (in its gap span) and the CJK character after it: 7.9 亿, 2018 年
NUMBER_UNIT = re.compile(rf'(<span class="gr">[^<]*\d</span>)([{HAN}%％])')
# a figure reference and the bracket, with up to three characters (见, 如), around it
FIG_REF = re.compile(
    # a closing mark before the bracket goes along: it may not begin a line, and left behind
    # (squeezed by halt) WeasyPrint let it hang past the measure
    rf'((?:<span class="halt">[{CLOSING}]</span>|[{CLOSING}])?'
    r'(?:<span class="halt">)?[（(](?:</span>)?[^（()）<>]{0,3})?'
    r'(<a href="#fig-[^"]*"[^>]*>.*?</a>)'
    r'((?:<span class="halt">)?[）)](?:</span>)?)?'
)


def keep_units(html: str) -> str:
    """Numbers with their units and figure references (with their brackets) kept whole."""
    html = NUMBER_UNIT.sub(r'<span class="keep">\1\2</span>', html)
    return FIG_REF.sub(lambda m: f'<span class="keep">{m.group(0)}</span>', html)


PARA_END = re.compile(r"</(?:p|li)>")
TOKEN = re.compile(r"<[^>]*>|&[#\w]+;|.", re.S)


def keep_paragraph_ends(html: str, han: int = 4, words: int = 2) -> str:
    """Keep the last `han` CJK characters, punctuation included (Latin text: `words` words), of
    each paragraph and list item on one line: a last line never holds one or two characters.

    The kept run starts where the element nesting is that of the paragraph's end, so the span
    never cuts an element in two; a paragraph shorter than three times the run is left alone.
    """
    out: list[str] = []
    pos = 0
    for end in PARA_END.finditer(html):
        seg = html[pos : end.start()]
        out.append(_keep_end(seg, han, words) + end.group(0))
        pos = end.end()
    out.append(html[pos:])
    return "".join(out)


def _keep_end(seg: str, han: int, words: int) -> str:
    tokens = TOKEN.findall(seg)
    latin = not IS_HAN.search(seg)
    depth = seen = 0
    cut = None
    for i in range(len(tokens) - 1, -1, -1):
        t = tokens[i]
        if t.startswith("</"):
            depth += 1
            continue
        if t.startswith("<"):
            if t.startswith(("<p", "<li", "<ul", "<ol", "<br", "<div")):
                break  # the paragraph's start: it is short, leave it
            depth -= 1
        elif latin and t.isspace():
            seen += 1
            if seen >= words and depth == 0:
                cut = i + 1  # after the space: the line may still break there
                break
            continue
        elif not latin:
            seen += bool(IS_CJK.match(t))
        if not latin and depth == 0 and seen >= han:
            cut = i
            break
    if cut is None:
        return seg
    text = [t for t in tokens if not t.startswith("<")]
    kept = [t for t in tokens[cut:] if not t.startswith("<")]
    if len(kept) * 3 > len(text):
        return seg
    return "".join(tokens[:cut]) + '<span class="keep">' + "".join(tokens[cut:]) + "</span>"


# ── kept runs in the print HTML: joiners, not boxes ──────────────────────────────────────
#
# A `<span class="keep">` (white-space: nowrap) is an inline box, and WeasyPrint's line layout
# pays for every inline box on every line it tries (split_inline_box, computed styles): on the
# Chinese report's prose the keeps cost a fifth of the layout. In the print HTML a run whose
# characters are CJK, digits and punctuation keeps together just as well with U+200D ZERO WIDTH
# JOINER after each character where a line could break (UAX #14 LB8a: no break after ZWJ; LB9:
# none before it). A joiner joins the character before it in one cluster, so justification's
# letter spacing and the PDF's text layer (no joiner is extracted) see the same characters.
# Runs with Latin letters or spaces stay spans: a joiner after a space allows a break (LB18),
# and between letters it would let hyphenation in. Runs around anything but the CJK spacing
# spans and links (a footnote's body, an image) stay spans too.

KEEP = '<span class="keep">'
_JOINABLE_TAG = re.compile(r'<span class="(?:gr|halt|keep)">|</span>|<a href="#[^"]*">|</a>')
_CHAR = re.compile(r"&[#\w]+;|.", re.S)
_LATIN_OR_SPACE = re.compile(r"[A-Za-z\s]")


def join_keeps(html: str) -> str:
    """The print HTML with each CJK `keep` span (see above) replaced by joiners in its text."""
    out: list[str] = []
    keeps: list[bool] = []  # per open span: is it a keep
    start = 0  # where in `out` the outermost open keep began
    for tok in TAG.split(html):
        if not tok:
            continue
        out.append(tok)
        if tok.startswith("<span"):
            keeps.append(tok == KEEP)
            if tok == KEEP and keeps.count(True) == 1:
                start = len(out) - 1
        elif tok == "</span>" and keeps and keeps.pop() and True not in keeps:
            out[start:] = _joined(out[start:])
    return "".join(out)


def _joined(run: list[str]) -> list[str]:
    """A keep span's tokens (`<span class="keep">` … `</span>`) as joined text, or unchanged."""
    inner = run[1:-1]
    text = htmllib.unescape("".join(t for t in inner if not t.startswith("<")))
    tags_ok = all(_JOINABLE_TAG.fullmatch(t) for t in inner if t.startswith("<"))
    if not tags_ok or _LATIN_OR_SPACE.search(text) or JOINER in text:
        return run
    chars = [(i, c) for i, t in enumerate(inner) if not t.startswith("<") for c in _CHAR.findall(t)]
    joined: dict[int, str] = {i: "" for i, _ in chars}
    for n, (i, c) in enumerate(chars):
        after = chars[n + 1][1] if n + 1 < len(chars) else ""
        # no joiner after the run's last character, nor inside a number (no break there)
        inside_number = c.isascii() and c.isdigit() and after.isascii() and after.isdigit()
        joined[i] += c if not after or inside_number else c + JOINER
    out: list[str] = []
    keeps: list[bool] = []
    for i, t in enumerate(inner):
        if not t.startswith("<"):
            out.append(joined[i])
            continue
        if t.startswith("<span"):
            keeps.append(t == KEEP)
            if t == KEEP:
                continue  # a nested keep: its run is joined with this one
        elif t == "</span>" and keeps.pop():
            continue
        out.append(t)
    return out


def rich_run_in(value: Rich | None, lead: str, sep: str = "：") -> Markup:
    """A Rich field whose first paragraph starts with a bold run-in head ('标题：正文').

    The report prints a measure as one sentence; keeping head and text on one line keeps it one
    sentence in the PDF's text layer too.
    """
    body = str(rich(value))
    if not lead:
        return Markup(body)
    head = f'<strong class="run-in">{cjk_text(lead)}{escape(sep)}</strong>'
    if body.startswith("<p>"):
        return Markup(f"<p>{head}{body[3:]}")
    return Markup(f"<p>{head}</p>{body}")


# ── view of the report for the templates ───────────────────────────────────────────────


@dataclass(frozen=True)
class FigureView:
    """A placed figure with what the page needs: image (or None) and its data as a table."""

    fig: Figure
    src: str | None
    alt: str
    width_mm: float | None
    headers: list[str]
    rows: list[list[str]]
    outline: list[Any]  # a diagram's parts in reading order (figdata.OutlineGroup); [] for data


@dataclass(frozen=True)
class TocEntry:
    level: int  # 1 part/chapter, 2 section, 3 subsection
    target: str  # element id
    title: str
    number: str = ""


CHINESE_NUMERALS = "〇一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, for 第一章."""
    if n <= 10:
        return CHINESE_NUMERALS[n]
    if n < 20:
        return "十" + (CHINESE_NUMERALS[n - 10] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return CHINESE_NUMERALS[tens] + "十" + (CHINESE_NUMERALS[ones] if ones else "")


def _image_src(svg: Path, root: Path, mode: str) -> str:
    """file:// for WeasyPrint (through the sandbox); relative to output/ for the browser edition."""
    svg = Path(svg).resolve()
    if mode == "screen":
        where = paths.ProjectPaths(root)
        out = where.output.resolve()
        # a build writes into the staging folder, moved to output/ as a whole: same relative path
        staging = where.staging.resolve()
        if svg.is_relative_to(staging):
            return os.path.relpath(svg, staging).replace(os.sep, "/")
        if svg.is_relative_to(root.resolve()):  # output/report.html sits in output/
            return os.path.relpath(svg, out).replace(os.sep, "/")
    return svg.as_uri()


IMAGES = "images"  # the HTML edition's copies of the report's pictures, in output/
IMG_SRC = re.compile(r'<img src="([^"]+)"')


def report_images(report: Report) -> list[str]:
    """Every picture the report shows (`::: image` and Markdown images), project-relative."""
    found: dict[str, None] = {}
    blocks = [b for part in (*report.front, *report.back) for b in part.blocks]
    blocks += [b for c in report.chapters for b in c.blocks()]
    for b in blocks:
        if b.kind == "image":
            found.setdefault(b.src, None)  # type: ignore[attr-defined]
    for rich in report.all_prose():
        for src in IMG_SRC.findall(rich.html):
            if not re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):
                found.setdefault(htmllib.unescape(src), None)
    return list(found)


def figure_views(report: Report, charts: Mapping[str, Any], mode: str) -> dict[str, FigureView]:
    from reportbuild import figdata

    root = Path(report.root)
    views = {}
    for fid, fig in report.figures.items():
        chart = charts.get(fid)
        src = alt = None
        width = None
        if chart is not None:
            # print: the SVG whose text WeasyPrint sets (searchable); screen: the outlined one
            svg = chart if isinstance(chart, (str, Path)) else chart.svg
            svg = getattr(chart, "print_svg", svg) if mode == "print" else svg
            src = _image_src(Path(svg), root, mode)
            alt = getattr(chart, "alt", None)
            width = getattr(chart, "width_mm", None)
        headers, rows = figdata.data_table(fig)
        views[fid] = FigureView(
            fig=fig, src=src, alt=alt or figdata.alt_text(fig), width_mm=width,
            headers=headers, rows=rows,
            outline=[] if fig.is_data else figdata.data_outline(fig),
        )  # fmt: skip
    return views


def table_of_contents(report: Report) -> list[TocEntry]:
    toc: list[TocEntry] = []
    for p in report.front:
        toc.append(TocEntry(1, f"page-{p.id}", p.title))
    if report.core_points and report.core_points.points:
        toc.append(TocEntry(1, "core-points", report.core_points.title))
    for c in report.chapters:
        toc.append(TocEntry(1, f"ch-{c.id}", c.title, f"{c.number:02d}"))
        for s in c.sections:
            toc.append(TocEntry(2, f"sec-{s.id}", s.title, s.number))
            for h in s.subsections:
                toc.append(TocEntry(3, f"sec-{h.id}", h.title))
    for p in report.back:
        toc.append(TocEntry(1, f"page-{p.id}", p.title))
    if report.figures:
        toc.append(TocEntry(1, "appendix", get_locale(report.lang).t("appendix.title")))
    return toc


def said_elsewhere(report: Report) -> Callable[[str], bool]:
    """A test: is this text already printed as a heading or inside the prose?

    The quotes and strategies blocks carry an intro line of their own; where the chapter's
    heading or paragraph already says it, printing it again would read as a stutter.
    """
    from reportbuild.model import Prose

    def norm(t: str) -> str:
        return re.sub(r"[\s。．.!！]+", "", t)

    titles = {norm(c.title) for c in report.chapters}
    prose: list[str] = []
    for c in report.chapters:
        for s in c.sections:
            titles.add(norm(s.title))
            titles.update(norm(h.title) for h in s.subsections)
        prose.extend(norm(b.body.text) for b in c.blocks() if isinstance(b, Prose))
    body = "\n".join(prose)

    def test(text: str) -> bool:
        t = norm(text)
        return bool(t) and (t in titles or t in body)

    return test


# ── templates and styles ───────────────────────────────────────────────────────────────


def style_dirs(report: Report, theme_dirs: Sequence[Path]) -> list[Path]:
    """Folders that may override templates (templates/) and add CSS (*.css): project first."""
    seen: dict[Path, None] = {}
    for d in (paths.ProjectPaths(report.root).styles, *theme_dirs):
        d = Path(d).resolve()
        if d.is_dir():
            seen.setdefault(d, None)
    return list(seen)


@lru_cache(maxsize=8)
def environment(template_dirs: tuple[str, ...], cache_dir: str | None = None) -> Any:
    """A Jinja2 environment: autoescape, StrictUndefined; earlier folders override later ones.

    Compiling the templates costs more than rendering them (0.12 s against 0.01 s for the
    real report), so compiled templates are kept between builds (Jinja checks each against its
    source, and the environment's options are always these).
    """
    from jinja2 import FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    cache = None
    if cache_dir is not None:
        try:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            cache = FileSystemBytecodeCache(cache_dir)
        except OSError:  # a read-only project still builds, only slower
            cache = None
    # a project's templates are data from the report repository, never code: the sandbox
    # refuses attribute escapes (cycler.__init__.__globals__…) and changes to passed objects
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader([*template_dirs, str(TEMPLATES)]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=cache,
    )
    env.filters.update(
        cjk=cjk_text, heading=heading_text, rich=rich, run_in=rich_run_in, cn=chinese_number
    )
    return env


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def locale_css(loc: Locale) -> str:
    """The rules of the theme that depend on the report's language (generated words, indent)."""
    page_ref = " ".join(
        (_css_string(loc.t("page_ref.before")), "target-counter(attr(href url), page)",
         _css_string(loc.t("page_ref.after")))
    )  # fmt: skip
    indent = str(loc.rule("paragraph_indent"))
    # paragraphs on the line grid: an indent marks a new paragraph, or a blank line does
    # (never both: a 2 em indent plus half a line of space broke the 17.5 pt rhythm)
    space = "0" if indent.strip() not in ("", "0", "0em", "0pt") else "var(--gap)"
    return (
        ".page-body .prose p, .chapter-body .prose p"
        f" {{ text-indent: {indent}; }}\n"
        f".prose p {{ margin-bottom: {space}; }}\n"
        f".prose p, .case-text, .quote-text {{ hyphens: {loc.rule('hyphens')}; }}\n"
        f".pull-quote::before {{ content: {_css_string(loc.rule('quote_open'))}; }}\n"
        f".strategy a::after {{ content: {page_ref}; }}\n"
        + xref_page_css(loc)
        + (
            ""
            if loc.rule("case_label_beside")
            else ".case-label { float: none; width: auto; margin-bottom: 1mm; }\n"
            ".case-full .case-text { margin-left: 0; }\n"
        )
    )


def screen_locale_css(loc: Locale) -> str:
    """The browser edition's language rules (WeasyPrint drops a media query with features,
    with a warning, so the print HTML never carries them)."""
    # a phone's column: Latin justified at ~35 characters a line opens wide word gaps
    return (
        "@media (max-width: 720px) { .prose p, .prose li, .case-text, .quote-text"
        f" {{ text-align: {loc.rule('narrow_align')}; }} }}\n"
    )


def xref_page_css(loc: Locale) -> str:
    """Print: a reference to a section names its page, where the locale has a form for it."""
    before = loc.t("xref.page_before")
    if not before:
        return ""
    content = " ".join(
        (_css_string(before), "target-counter(attr(href url), page)",
         _css_string(loc.t("xref.page_after")))
    )  # fmt: skip
    return f".mode-print a.xref-sec::after {{ content: {content}; }}\n"


PAPER_TINT = "#F3F6F9"  # report.css --paper-tint: the lightest ground text is set on
MIN_CONTRAST = 4.5  # WCAG 2 AA for body-size text


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    rgb = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #RRGGBB colours."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def darken_to(colour: str, ground: str = PAPER_TINT, ratio: float = MIN_CONTRAST) -> str:
    """`colour` mixed with black in 2 % steps until it reads at `ratio` on `ground`."""
    h = colour.lstrip("#")
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", h):
        return colour
    rgb = [int(h[i : i + 2], 16) for i in (0, 2, 4)]
    out = f"#{h.upper()}"
    for step in range(51):
        k = 1 - step * 0.02
        out = "#" + "".join(f"{round(c * k):02X}" for c in rgb)
        if contrast(out, ground) >= ratio:
            break
    return out


def readable_colours(brand: Brand) -> str:
    """The brand's text colours, darkened where they would read below 4.5:1 on the paper tint
    (muted source lines and running heads were 3.05:1 on white)."""
    rows = []
    for name in ("muted", "secondary", "accent"):
        value = getattr(brand, name, None)
        if value and contrast(value, PAPER_TINT) < MIN_CONTRAST:
            rows.append(f"  --brand-{name}: {darken_to(value)};")
    return ":root {\n" + "\n".join(rows) + "\n}\n" if rows else ""


def stylesheet(brand: Brand, mode: str, dirs: Sequence[Path], loc: Locale) -> Markup:
    """Brand variables, the theme CSS for the mode, then each project/theme *.css by name."""
    # var() does not reach the @page background of named pages in WeasyPrint: give the colour
    pages = "".join(
        f"@page {name} {{ background: {brand.primary}; }}\n" for name in ("cover", "back")
    )
    parts = [
        brand.css_variables(), readable_colours(brand),
        (STATIC / "report.css").read_text(encoding="utf-8"),
        (STATIC / "content.css").read_text(encoding="utf-8"), pages, locale_css(loc),
    ]  # fmt: skip
    if mode == "screen":
        parts += [(STATIC / "screen.css").read_text(encoding="utf-8"), screen_locale_css(loc)]
    for d in reversed(dirs):  # the project's own CSS comes last, so it wins
        for css in sorted(d.glob("*.css")):
            # the loader refuses such links (E005); never paste a file from outside the project
            paths.ProjectPaths(d.parent).check(css)
            parts.append(f"/* {css.name} */\n" + css.read_text(encoding="utf-8"))
    # a </style> inside a stylesheet would end the element early
    return Markup("\n".join(parts).replace("</", "<\\/"))


def render_html(
    report: Report,
    brand: Brand,
    charts: Mapping[str, Any],
    *,
    mode: Literal["print", "screen"] = "print",
    theme_dirs: Sequence[Path] = (),
) -> str:
    """The report as one HTML document; `charts` maps figure id → ChartFiles (or an SVG path)."""
    if mode not in ("print", "screen"):
        raise ValueError(f"mode must be 'print' or 'screen', not {mode!r}")
    dirs = style_dirs(report, theme_dirs)
    # compiled templates are checked against their source: one cache serves every project
    cache = machine_cache(paths.ProjectPaths(report.root).cache) / "jinja"
    env = environment(
        tuple(str(d / "templates") for d in dirs if (d / "templates").is_dir()), str(cache)
    )
    from jinja2 import TemplateError

    try:
        return _render(env, report, brand, charts, mode, dirs)
    except TemplateError as err:
        raise _template_problem(err, report) from None


def _template_problem(err: Exception, report: Report) -> SourceError:
    """A template failure as a problem at the template's line (the last template frame)."""
    from jinja2.exceptions import SecurityError

    path, line = getattr(err, "filename", None), getattr(err, "lineno", None) or 0
    tb = err.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            path, line = name, tb.tb_lineno
        tb = tb.tb_next
    problems = Problems(Path(report.root))
    what = "refused by the sandbox" if isinstance(err, SecurityError) else "failed"
    problems.add(
        path or "styles/templates",
        line,
        f"template {what}: {err}; a project template may only print the report's data "
        "(fix it, or delete it to use the theme's)",
        "E006",
    )
    return SourceError(problems.items)


def _render(
    env: Any, report: Report, brand: Brand, charts: Mapping[str, Any], mode: str, dirs: list[Path]
) -> str:
    template = env.get_template("report.html.j2")
    from reportbuild import directives

    loc = get_locale(report.lang)

    def image_src(rel: str) -> str:
        # print: relative to the project (WeasyPrint's base); screen: the copy in output/images
        return f"{IMAGES}/{rel}" if mode == "screen" else rel

    text = template.render(
        block_templates=directives.templates(),
        loc=loc,
        report=report,
        brand=brand,
        mode=mode,
        css=stylesheet(brand, mode, dirs, loc),
        figures=figure_views(report, charts, mode),
        toc=table_of_contents(report),
        appendix_title=loc.t("appendix.title"),
        said_elsewhere=said_elsewhere(report),
        # a strategy's page headline prints under the heading of the section it names
        strategy_of_section={s.section: s for s in report.strategies.strategies},
        logo=_image_src(Path(brand.logo), Path(report.root), mode) if brand.logo else None,
        image_src=image_src,
    )
    if mode == "print":
        text = join_keeps(text)
    if mode == "screen":  # Markdown images in the prose point at their copies too
        for rel in report_images(report):
            ref = str(escape(rel))
            text = text.replace(f'<img src="{ref}"', f'<img src="{IMAGES}/{ref}"')
    return text
