"""HTML → PDF with WeasyPrint: fonts checked, resources sandboxed, metadata set, atomic write."""

from __future__ import annotations

import html as htmllib
import json
import logging
import os
import re
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from reportbuild import deferred, fonts, pagefit, paths, weasy
from reportbuild.atomic import atomic_path, write_text
from reportbuild.brand import Brand
from reportbuild.deferred import PendingCharts
from reportbuild.errors import BuildError, Problems
from reportbuild.justify import inter_character
from reportbuild.model import Loc, Report, Rich

VARIANTS = (None, "pdf/ua-1", "pdf/a-3b")
# Print production: bleed and crop marks; chapters open on a right-hand page, and the blank
# left page that this may insert carries no running head or folio.
BLEED_CSS = """
@page { bleed: 3mm; marks: crop; }
.chapter { break-before: right !important; }  /* user stylesheet: needs !important */
@page :blank {
  @top-left { content: none !important; border: 0 !important }
  @top-right { content: none !important; border: 0 !important }
  @bottom-left { content: none !important } @bottom-right { content: none !important }
}
"""
LAYOUT_REPORT = Path(paths.CACHE) / "pdf-layout.json"
# the figures pagefit drew smaller in the last single pass, as a user stylesheet: the print HTML
# typeset with it by WeasyPrint alone gives the same pages (bench/bench.py's floor does); a
# split build removes it
PAGEFIT_CSS = Path(paths.CACHE) / "pagefit.css"
PACKAGE = Path(__file__).resolve().parent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PdfResult:
    """What a PDF build produced: page count, layout problems, WeasyPrint's own time in seconds."""

    pages: int
    overflow: list[str] = field(default_factory=list)
    seconds: float = 0.0


# ── fonts are never silent ─────────────────────────────────────────────────────────────


def _strings(obj: object, loc: Loc | None) -> Iterator[tuple[str, Loc | None, Rich | None]]:
    """Every piece of text in the model with the nearest place it was written."""
    from pydantic import BaseModel

    if isinstance(obj, Rich):
        yield obj.text, obj.loc, obj
    elif isinstance(obj, BaseModel):
        here = getattr(obj, "loc", None)
        here = here if isinstance(here, Loc) else loc
        for name in type(obj).model_fields:
            if name in ("root", "loc", "id"):
                continue
            yield from _strings(getattr(obj, name), here)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v, loc)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v, loc)
    elif isinstance(obj, str):
        yield obj, loc, None


def check_fonts(report: Report, brand: Brand) -> None:
    """Raise if a brand font is missing (BuildError) or a character is undrawable (SourceError)."""
    faces = fonts.faces(brand.families)
    if any("<code" in r.html for r in report.all_prose()):
        fonts.find(brand.font_mono)  # code spans are set in the monospace family: it must exist
    problems = Problems(Path(report.root))
    covered = fonts.covered_by(tuple(faces))
    seen: set[str] = set()
    for text, loc, rich in _strings(report, Loc(path="sources/report.yml", line=1)):
        missing = fonts.undrawable(text, covered) - seen
        for ch in sorted(missing):
            seen.add(ch)
            path, line = (loc.path, loc.line) if loc else ("sources/report.yml", 0)
            if rich is not None:
                for i, src_line in enumerate(rich.source.split("\n")):
                    if ch in src_line:
                        line = rich.loc.line + i
                        break
            problems.add(
                Path(report.root) / path, line,
                f"character '{ch}' (U+{ord(ch):04X}) cannot be drawn by the brand fonts "
                f"({', '.join(brand.families)}); replace it or choose a font that has it",
                "E050",
            )  # fmt: skip
    problems.raise_if_errors()


# ── who asked for a URL (for the sandbox's error message) ──────────────────────────────

URL_ATTR = re.compile(r'(?:src|href)="([^"]*)"')
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


def origin_finder(report: Report, base_url: str, css_dirs: list[Path]):
    """A function url → 'file:line' of the source that references it, or None."""
    root = Path(report.root)

    def same(ref: str, url: str) -> bool:
        ref = htmllib.unescape(ref)
        return ref == url or urllib.parse.urljoin(base_url, ref) == url

    def find(url: str) -> str | None:
        for rich in report.all_prose():
            for ref in URL_ATTR.findall(rich.html):
                if same(ref, url):
                    line = rich.loc.line
                    for i, src_line in enumerate(rich.source.split("\n")):
                        if htmllib.unescape(ref) in src_line:
                            line += i
                            break
                    return f"{rich.loc.path}:{line}"
        for d in css_dirs:  # project stylesheets and template overrides
            for tpl in sorted(Path(d).glob("templates/*.j2")):
                for n, text in enumerate(tpl.read_text(encoding="utf-8").split("\n"), 1):
                    if any(same(ref, url) for ref in URL_ATTR.findall(text)):
                        rel = tpl.relative_to(root) if tpl.is_relative_to(root) else tpl
                        return f"{Path(rel).as_posix()}:{n}"
            for css in sorted(Path(d).glob("*.css")):
                for n, text in enumerate(css.read_text(encoding="utf-8").split("\n"), 1):
                    for ref in CSS_URL.findall(text):
                        if (
                            same(ref.strip(), url)
                            or urllib.parse.urljoin(css.as_uri(), ref.strip()) == url
                        ):
                            rel = css.relative_to(root) if css.is_relative_to(root) else css
                            return f"{Path(rel).as_posix()}:{n}"
        return None

    return find


# ── layout problems ────────────────────────────────────────────────────────────────────


class WarningLog(logging.Handler):
    """Keeps the warnings logged to it (WeasyPrint's, in the single pass and in each group's
    process of a split PDF; a test's own)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


LAYOUT_WORDS = re.compile(r"overflow|too (?:large|wide|tall)|does not fit|break|anchor|page", re.I)
TOLERANCE = 0.75  # CSS px (≈0.2 mm): rounding, not overflow


def _text_of(box) -> str:
    if weasy.is_text(box):
        return weasy.text_of(box)
    out = []
    for child in weasy.children(box):
        out.append(_text_of(child))
        if sum(len(t) for t in out) > 40:
            break
    return "".join(out)


def find_wide_tables(document, first: int = 1) -> list[dict]:
    """Tables (::: table) wider than their page's text block, each named by where it was
    written (the figure's data-loc): a finding with file:line, never a silent overflow."""
    out: list[dict] = []
    seen: set[str] = set()

    def walk(box, holder, n: int, right: float) -> None:
        element = weasy.element(box)
        if element is not None and "table-block" in (element.get("class") or ""):
            holder = element
        if weasy.is_table(box) and holder is not None:
            over = box.position_x + box.margin_width() - right
            where = holder.get("data-loc", "")
            if over > TOLERANCE and where and where not in seen:
                seen.add(where)
                path, _, line = where.rpartition(":")
                out.append(
                    {
                        "path": path,
                        "line": int(line or 0),
                        "page": n,
                        "message": (
                            f"table '{holder.get('id', '')[4:]}' is {over * 25.4 / 96:.1f} mm "
                            "wider than the text block; add 'wide: small' (smaller type) or "
                            "'wide: landscape' (a page of its own), or cut columns"
                        ),
                    }
                )
            return
        for child in weasy.children(box):
            walk(child, holder, n, right)

    for n, page in enumerate(document.pages, first):
        walk(weasy.page_box(page), None, n, weasy.text_block_edges(page)[0])
    return out


NOTE = re.compile(r'<span class="footnote" data-n="(\d+)" data-loc="([^"]+)"')


def find_lost_footnotes(document, html: str) -> list[dict]:
    """Footnotes the typesetter left out. WeasyPrint (70) drops a block footnote that cannot
    fit on the page of its call instead of moving the call; say so at the note's line."""
    placed: set[str] = set()

    def walk(box, inside: bool) -> None:
        inside = inside or weasy.is_footnote_area(box)
        element = weasy.element(box)
        if inside and element is not None and element.get("data-loc"):
            placed.add(element.get("data-loc"))
        for child in weasy.children(box):
            walk(child, inside)

    for page in document.pages:
        walk(weasy.page_box(page), False)
    out = []
    for n, where in NOTE.findall(html):
        if where not in placed:
            path, _, line = where.rpartition(":")
            out.append(
                {
                    "path": path,
                    "line": int(line or 0),
                    "message": (
                        f"footnote {n} is missing from the PDF: it did not fit on the page of "
                        "its call and the typesetter left it out; shorten it, or move its call"
                    ),
                }
            )
    return out


def find_overflows(document, first: int = 1) -> list[dict]:
    """Lines and images that run past the text block's right or bottom edge, as layout-report
    entries: `message`, `page` and the line's `text` (which `check` maps to its source line).
    `first`: the number of the document's first page (a part of a split PDF)."""
    out: list[str] = []
    for n, page in enumerate(document.pages, first):
        right, bottom = weasy.text_block_edges(page)  # into the footer is overflow too
        content = weasy.page_content(page)
        for box in (b for c in content for b in weasy.descendants(c)):
            if not (weasy.is_line(box) or weasy.is_replaced(box)):
                continue
            over_x = box.position_x + box.margin_width() - right
            over_y = box.position_y + box.margin_height() - bottom
            if over_x > TOLERANCE or over_y > TOLERANCE:
                what = "an image" if weasy.is_replaced(box) else "a line"
                where = "right margin" if over_x > TOLERANCE else "bottom margin"
                by = max(over_x, over_y) * 25.4 / 96
                text = _text_of(box).strip()
                snippet = text[:30]
                message = f"page {n}: {what} runs {by:.1f} mm past the {where}"
                message += f": “{snippet}”" if snippet else ""
                out.append({"message": message, "page": n, "text": text})
    return out


def layout_findings(document, html: str, first: int = 1) -> tuple[list[dict], list[dict]]:
    """(wide tables and lost footnotes, lines and images past the margins)."""
    wide_tables = find_wide_tables(document, first) + find_lost_footnotes(document, html)
    outside = find_overflows(document, first)
    # a wide table's cells run past too: one finding per table is enough
    table_pages = {t.get("page") for t in wide_tables}
    outside = [
        e for e in outside if not (e["page"] in table_pages and "a line runs" in e["message"])
    ]
    return wide_tables, outside


def _w3c_date() -> str:
    """Creation date: SOURCE_DATE_EPOCH when set (reproducible builds), else now; UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def set_metadata(document, report: Report) -> None:
    """The PDF's title, authors, subject, keywords, language, generator and dates."""
    import weasyprint

    from reportbuild import __version__

    meta = document.metadata
    meta.title = report.title
    meta.authors = [p.name for p in report.publishers]
    meta.description = report.subtitle or report.series or report.title
    meta.keywords = list(report.keywords)
    meta.lang = report.lang
    meta.generator = f"reportbuild {__version__} (WeasyPrint {weasyprint.__version__})"
    meta.created = meta.modified = _w3c_date()


# Every PDF is tagged (structure tree, alt text, language, title): screen readers and reflow get
# the reading order; a variant adds PDF/A or PDF/UA metadata on top. bench/bench.py gives
# WeasyPrint alone these options too, for a floor that writes the same kind of PDF.
OPTIONS = {"pdf_tags": True}


def write_pdf(
    html: str,
    out: Path,
    *,
    root: Path,
    report: Report,
    brand: Brand,
    variant: str | None = None,
    bleed: bool = False,
    charts: PendingCharts | None = None,
    split: str = "off",
    jobs: int = 2,
    fonts_checked: bool = False,
) -> PdfResult:
    """Typeset `html` into `out` atomically; layout problems also go to pdf-layout.json.

    `charts`: chart SVGs still being drawn (see reportbuild.deferred). The pages are laid out
    with their announced sizes, and the files are read before the PDF is drawn (while the
    charts stage draws what the PDF does not use: outlined SVGs, PNGs).
    `split`: on, or auto for a long report: groups of chapters typeset in `jobs` processes and
    joined (pdfsplit.py), unless the document cannot be split provably.
    `fonts_checked`: the caller has run check_fonts (a build does, in its main process, while
    this one typesets); else it runs here, before anything is written.
    """
    if variant not in VARIANTS:
        raise BuildError(f"unknown PDF variant '{variant}'; choose one of: pdf/ua-1, pdf/a-3b")
    root = Path(root).resolve()

    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    from reportbuild.fetcher import make_url_fetcher

    if charts and not weasy.can_swap_svg():
        log.info("pdf: this WeasyPrint cannot take charts drawn while it typesets; waiting")
        charts.drawn()
        charts = None  # the plain path: typeset from the drawn files

    base_url = root.as_uri() + "/"
    css_dirs = [paths.ProjectPaths(root).styles]
    allowed = [root, PACKAGE / "html", PACKAGE / "theme"]
    origin = origin_finder(report, base_url, css_dirs)
    options: dict = dict(OPTIONS)
    if variant:
        options["pdf_variant"] = variant

    if split == "on" or (split == "auto" and _long(html)):
        done = _write_split(
            html, Path(out), root=root, report=report, brand=brand, allowed=allowed,
            css_dirs=css_dirs, options=options, jobs=jobs, charts=charts, bleed=bleed,
            variant=variant,
        )  # fmt: skip
        if done is not None:
            return done

    def typeset(pending: PendingCharts | None):
        fetcher = make_url_fetcher(
            allowed, origin=origin, stand_in=pending.stand_in if pending else None
        )
        cache: dict = {}  # WeasyPrint's images by URL: where swap_in finds the stand-ins
        stylesheets = [weasyprint.CSS(string=BLEED_CSS)] if bleed else []
        source = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        with inter_character():  # CJK lines justified between characters (justify.py)
            # a figure that left a hole is drawn smaller, its pages laid out again (pagefit.py)
            fitted = pagefit.render(source, stylesheets=stylesheets, cache=cache, **options)
        return fitted, fetcher, cache

    collect = WarningLog()
    wlog = logging.getLogger("weasyprint")
    wlog.addHandler(collect)
    old_level = wlog.level
    if wlog.getEffectiveLevel() > logging.WARNING:  # an application may have silenced warnings
        wlog.setLevel(logging.WARNING)
    started = time.perf_counter()
    try:
        fitted, fetcher, cache = typeset(charts)
        document = fitted.document
        # checked now, not before typesetting: in a build the PDF waits here for the charts
        if not fonts_checked:  # undrawable characters: an error before anything is written
            check_fonts(report, brand)
        findings = layout_findings(document, html)
        if charts:
            charts.drawn()
            try:
                deferred.swap_in(charts, cache, fetcher.read)
            except weasy.Unsupported as exc:  # never a failure: typeset from the drawn files
                log.info("pdf: %s; typesetting again from the drawn charts", exc)
                collect.messages.clear()
                fitted, fetcher, cache = typeset(None)
                document = fitted.document
                findings = layout_findings(document, html)
        wide_tables, outside = findings
        set_metadata(document, report)
        # each chart letter laid out once (weasy.svg_letters_once), each PDF object's bytes
        # made once (weasy.pdf_bytes_once): the same bytes, sooner
        with atomic_path(Path(out)) as tmp, weasy.svg_letters_once(), weasy.pdf_bytes_once():
            document.write_pdf(tmp, pdf_identifier=True, **options)
        seconds = time.perf_counter() - started
        # its page numbers: a later split of the same HTML needs no layout-only pass
        from reportbuild import pdfsplit

        key = pdfsplit.layout_key(html, root, options, bleed=bleed)
        pdfsplit.remember_single(root, key, document)
        write_text(root / PAGEFIT_CSS, fitted.css + "\n" if fitted.css else "")
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        if isinstance(cause, BuildError):
            raise BuildError(cause.message) from None
        raise BuildError(f"WeasyPrint could not fetch a resource: {exc}") from None
    finally:
        wlog.removeHandler(collect)
        wlog.setLevel(old_level)

    return _layout_report(
        root, len(document.pages), collect.messages, outside, wide_tables, seconds
    )


def _layout_report(root: Path, pages: int, messages, outside, wide_tables, seconds) -> PdfResult:
    entries = [{"message": m} for m in messages if LAYOUT_WORDS.search(m)] + outside
    entries += wide_tables
    overflow = [e["message"] for e in entries]
    for m in messages:
        if m not in overflow:
            log.warning("WeasyPrint: %s", m)
    write_text(root / LAYOUT_REPORT, json.dumps(entries, ensure_ascii=False, indent=2) + "\n")
    return PdfResult(pages=pages, overflow=overflow, seconds=seconds)


def _long(html: str) -> bool:
    from reportbuild import pdfsplit

    return pdfsplit.estimate_pages(html) >= pdfsplit.AUTO_PAGES


def _write_split(html: str, out: Path, *, root: Path, report: Report, **kw) -> PdfResult | None:
    """The PDF typeset in groups of chapters (pdfsplit.py); None if it cannot be split."""
    from reportbuild import pdfsplit

    started = time.perf_counter()
    try:
        got = pdfsplit.typeset(html, out, root=root, report=report, **kw)
    except pdfsplit.SplitRefused as exc:
        log.info("pdf: typeset in a single pass: %s", exc)
        return None
    seconds = time.perf_counter() - started
    # each group chose its own smaller figures: no one stylesheet gives these pages, and an
    # earlier single pass's would give others
    (root / PAGEFIT_CSS).unlink(missing_ok=True)
    log.info(
        "pdf: %d groups (%d typeset, %d laid out to count pages), numbers settled in %d round(s)",
        got.groups, got.typeset, got.laid_out, got.rounds,
    )  # fmt: skip
    return _layout_report(root, got.pages, got.messages, got.outside, got.wide, seconds)
