"""Chapters typeset in parallel: the print HTML cut into groups of chapters, each group laid out
in its own process with its page offset known, the part PDFs joined into one (pdfjoin.py).

WeasyPrint keeps every laid-out page of a document until it has written the PDF, so one
process's memory grows with the report; a group's process holds only its group's pages. A
group's document is the whole print HTML with the other groups' top-level elements emptied and
hidden (so sibling selectors, the head and the stylesheets stay as they are) and three things
the single pass would have known from the rest of the document written in:

- its first page number and side: `@page :first { counter-reset: page N }` and, for an even N,
  `html { break-before: left }`;
- the page of every anchor a `target-counter(attr(href url), page)` names (the contents, page
  references): that function is replaced by `attr(data-rb-page)`, and every link carries its
  target's page;
- links to an anchor in another group: `href="rbpart:<hex>"`, an external link here, that the
  join turns back into the named destination.

The page counts and anchor pages come from the last build (kept with the parts), else from the
last single pass of the same document (pdf.py keeps its anchors' pages), else from a layout-only
pass; after the parts are written their real counts and anchor pages are compared with the ones
they were made with, and the groups that were given wrong numbers are typeset again. Anything
the split cannot reproduce (page counters touched by the stylesheets, `:first`/`:blank` page
rules, bleed, a PDF variant, target functions other than the contents' form, unresolved links)
makes `plan` raise SplitRefused: the caller typesets in a single pass.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

log = logging.getLogger(__name__)

# A report of at least this many pages (estimated) is split when --pdf-split is auto.
AUTO_PAGES = 120
# Pages per group (a guess of the group's size from its share of the HTML): two processes at a
# time, each holding one group; fewer groups keep fewer copies of the font subsets.
GROUP_PAGES = 60
HTML_BYTES_PER_PAGE = 3000  # the theme's print HTML: 107 kB for 36 pages (this report)

TARGET_COUNTER = "target-counter(attr(href url), page)"
PAGE_ATTR = "data-rb-page"
FOREIGN = "rbpart:"
HIDDEN = ' style="display:none!important"'
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip

# what the split cannot reproduce (in any stylesheet of the document)
UNSUPPORTED = [
    (re.compile(r"counter-(?:reset|set|increment)\s*:[^;{}]*\bpages?\b"), "page counters"),
    (re.compile(r"counters?\(\s*pages\s*[,)]"), "counter(pages)"),
    (re.compile(r"@page[^{]*:(?:first|blank|nth)"), "@page :first/:blank/:nth"),
    (re.compile(r"target-text|target-counters"), "target-text/target-counters"),
    (re.compile(r"attr\(\s*href(?!\s+url\),\s*page\))"), "attr(href)"),
]
STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)
HREF = re.compile(r'\bhref="#([^"]*)"')
ANY_HREF = re.compile(r'\bhref="([^"]*)"')
HREF_ATTR = "data-rb-href"  # selectors on href match this copy (a foreign link's href changes)
ID = re.compile(r'\sid="([^"]*)"')


class SplitRefused(Exception):
    """This document cannot be split provably; typeset it in a single pass."""


# ── the document's top-level elements ──────────────────────────────────────────────────


@dataclass
class Span:
    """A top-level element: [start, end) in the HTML, its start tag, and its tag name."""

    start: int
    end: int
    tag: str
    start_tag: str
    classes: tuple[str, ...] = ()


class _Spans(HTMLParser):
    """Offsets of body's children and of main's children (the chapters live in main)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lines = [0]
        for m in re.finditer("\n", html):
            self.lines.append(m.end())
        self.stack: list[tuple[str, int, str, tuple[str, ...]]] = []
        self.body_children: list[Span] = []
        self.main_children: list[Span] = []
        self.main: tuple[int, int] | None = None  # main's content [start, end)
        self.body: tuple[int, int] | None = None
        self.body_depth = -1
        self.error: str | None = None

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.lines[line - 1] + col

    def _depth_kind(self) -> str | None:
        if self.body_depth < 0:
            return None
        rel = len(self.stack) - self.body_depth  # 0: in body; 1: in one of body's children
        if rel == 0:
            return "body"
        if rel == 1 and self.stack[-1][0] == "main":
            return "main"
        return None

    def handle_starttag(self, tag, attrs):
        start = self._offset()
        text = self.get_starttag_text() or ""
        if tag == "body":
            self.body_depth = len(self.stack) + 1
        if tag in VOID:
            kind = self._depth_kind()
            if kind:
                span = Span(start, start + len(text), tag, text)
                (self.body_children if kind == "body" else self.main_children).append(span)
            return
        classes = tuple((dict(attrs).get("class") or "").split())
        self.stack.append((tag, start, text, classes))
        if tag == "body":
            self.body = (start + len(text), -1)
        if tag == "main" and self._depth_kind_of_open() == "body":
            self.main = (start + len(text), -1)

    def _depth_kind_of_open(self) -> str | None:
        rel = len(self.stack) - self.body_depth
        return "body" if rel == 1 else None

    def handle_startendtag(self, tag, attrs):
        start = self._offset()
        text = self.get_starttag_text() or ""
        kind = self._depth_kind()
        if kind:
            span = Span(start, start + len(text), tag, text)
            (self.body_children if kind == "body" else self.main_children).append(span)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            open_tag = self.stack[-1][0] if self.stack else ""
            self.error = f"</{tag}> at line {self.getpos()[0]} does not close <{open_tag}>"
            return
        start_of_end = self._offset()
        name, start, text, classes = self.stack.pop()
        end = start_of_end + len(f"</{tag}>")
        rel = len(self.stack) + 1 - self.body_depth
        if self.body_depth >= 0 and rel == 1 and tag != "body":
            self.body_children.append(Span(start, end, name, text, classes))
        elif (
            self.body_depth >= 0
            and rel == 2
            and len(self.stack) >= 1
            and self.stack[-1][0] == "main"
        ):
            self.main_children.append(Span(start, end, name, text, classes))
        if tag == "main" and self.main and self.main[1] == -1 and rel == 1:
            self.main = (self.main[0], start_of_end)
        if tag == "body" and self.body:
            self.body = (self.body[0], start_of_end)


# ── the plan ───────────────────────────────────────────────────────────────────────────


@dataclass
class Group:
    """Consecutive top-level pieces typeset together; `ids` are the anchors it holds."""

    index: int
    keep: list[Span]  # elements laid out in this group (the others are hidden)
    ids: set[str] = field(default_factory=set)
    weight: int = 0
    names: tuple[str, ...] = ()  # the chapters' ids: what the last build's numbers are kept by


@dataclass
class Plan:
    html: str
    spans: list[Span]  # every top-level element, in document order
    groups: list[Group]
    owner: dict[str, int]  # anchor → the group that holds it (the first, as WeasyPrint does)

    def group_html(self, g: Group, offset: int, pages: dict[str, int]) -> str:
        """Group `g`'s document: the others hidden, page numbers and foreign links written in."""
        keep = {id(s) for s in g.keep}
        out: list[str] = []
        pos = 0
        html = self.html
        for s in self.spans:
            out.append(html[pos : s.start])
            if id(s) in keep:
                out.append(_rewrite(html[s.start : s.end], g.index, self.owner, pages))
            else:
                name = s.tag
                tag = s.start_tag
                out.append(tag[: 1 + len(name)] + HIDDEN + tag[1 + len(name) :])
                if not tag.endswith("/>") and name not in VOID:
                    out.append(f"</{name}>")
            pos = s.end
        out.append(html[pos:])
        doc = STYLE.sub(_restyle, "".join(out))
        first = offset + 1
        css = f"@page :first {{ counter-reset: page {first} }}\n"
        if first % 2 == 0:
            css += "html { break-before: left !important }\n"
        head_end = doc.index("</head>")
        return doc[:head_end] + f"<style>{css}</style>\n" + doc[head_end:]


def _restyle(m: re.Match) -> str:
    """A style element with the page references and the selectors on href rewritten."""
    css = m.group(0).replace(TARGET_COUNTER, f"attr({PAGE_ATTR})")
    return re.sub(r"\[\s*href\b", f"[{HREF_ATTR}", css)


def _rewrite(piece: str, group: int, owner: dict[str, int], pages: dict[str, int]) -> str:
    def link(m: re.Match) -> str:
        href = m.group(1)
        if not href.startswith("#"):
            return f'href="{href}" {HREF_ATTR}="{href}"'
        name = href[1:]
        page = pages.get(name, 0)
        if owner.get(name, group) != group:
            target = FOREIGN + name.encode().hex()
            return f'href="{target}" {HREF_ATTR}="{href}" {PAGE_ATTR}="{page}"'
        return f'href="{href}" {HREF_ATTR}="{href}" {PAGE_ATTR}="{page}"'

    return ANY_HREF.sub(link, piece)


def refusal(html: str, *, bleed: bool, variant: str | None) -> str | None:
    """Why this document cannot be split (None: it can)."""
    if bleed:
        return "bleed (chapters open on right-hand pages)"
    if variant:
        return f"the {variant} variant"
    css = "\n".join(m.group(0) for m in STYLE.finditer(html))
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    if re.search(r"<link[^>]+stylesheet", html):
        return "a linked stylesheet"
    for pattern, what in UNSUPPORTED:
        if pattern.search(css):
            return what
    rest = css.replace(TARGET_COUNTER, "")
    if "target-counter" in rest:
        return "a target-counter() of another form"
    if PAGE_ATTR in html or FOREIGN in html or HREF_ATTR in html:
        return "the document already uses the split's own markers"
    return None


def plan(html: str, *, groups: int, bleed: bool = False, variant: str | None = None) -> Plan:
    """Cut `html` into about `groups` groups of chapters; SplitRefused if it cannot be."""
    why = refusal(html, bleed=bleed, variant=variant)
    if why:
        raise SplitRefused(why)
    parser = _Spans(html)
    parser.feed(html)
    parser.close()
    if parser.error or parser.stack or parser.main is None:
        raise SplitRefused(parser.error or "the document has no <main> of chapters")
    spans = sorted(parser.body_children + parser.main_children, key=lambda s: s.start)
    spans = [s for s in spans if s.tag != "main"]  # main itself stays; its children are split
    for s in spans:  # each piece is exactly one element, or the offsets are wrong
        piece = html[s.start : s.end]
        if not piece.startswith(s.start_tag) or not (
            s.tag in VOID or s.start_tag.endswith("/>") or piece.endswith(f"</{s.tag}>")
        ):
            raise SplitRefused(f"could not find the extent of a <{s.tag}> element")
    chapter_at = [i for i, s in enumerate(spans) if "chapter" in s.classes]
    if len(chapter_at) < 2:
        raise SplitRefused("fewer than two chapters")
    # units: everything before the second chapter, then each chapter with what follows it
    starts = [0, *chapter_at[1:]]
    units = [spans[a:b] for a, b in zip(starts, [*starts[1:], len(spans)], strict=True)]
    weights = [sum(s.end - s.start for s in u) for u in units]
    n = max(1, min(groups, len(units)))
    total = sum(weights)
    bounds = [0]
    acc = 0
    for i, w in enumerate(weights[:-1]):
        acc += w
        left = len(units) - 1 - i  # units after this one
        if len(bounds) < n and (acc >= total * len(bounds) / n or left == n - len(bounds)):
            bounds.append(i + 1)
    bounds.append(len(units))
    out = [
        _group(k, units[a:b], html)
        for k, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))
    ]
    owner: dict[str, int] = {}
    for g in out:  # the first in document order wins, as in WeasyPrint
        for name in sorted(g.ids):
            owner.setdefault(name, g.index)
    missing = {m for m in HREF.findall(html) if m not in owner}
    if missing:
        raise SplitRefused(f"links to missing anchors ({', '.join(sorted(missing)[:3])})")
    return Plan(html=html, spans=spans, groups=out, owner=owner)


def _group(index: int, units: list[list[Span]], html: str) -> Group:
    keep = [s for u in units for s in u]
    ids: set[str] = set()
    for s in keep:
        ids.update(ID.findall(html[s.start : s.end]))
        ids.update(ID.findall(" " + s.start_tag))
    names = tuple(
        name
        for u in units
        for s in u
        if "chapter" in s.classes
        for name in ID.findall(" " + s.start_tag)[:1]
    )
    return Group(index, keep, ids, sum(s.end - s.start for s in keep), names)


def estimate_pages(html: str) -> int:
    """A guess of the page count from the HTML's size (to choose the groups)."""
    return len(html.encode()) // HTML_BYTES_PER_PAGE


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else p.encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


# ── typesetting the groups ─────────────────────────────────────────────────────────────

PARTS_DIR = "pdf-parts"  # under the project's cache folder
LAST = "last.json"  # each group's page facts from the last split, by its chapters' ids
SINGLE = "single.json"  # the last single pass's page facts (pdf.write_pdf), by its layout_key
ROUNDS = 4  # passes with corrected numbers before giving up (then: a single pass)


def page_facts(document) -> dict:
    """A laid-out document's page count and the page (1-based) of every anchor it reports,
    the first where a name is reported twice (as WeasyPrint resolves a link)."""
    anchors: dict[str, int] = {}
    for n, page in enumerate(document.pages, 1):
        for name in page.anchors:
            anchors.setdefault(name, n)
    return {"pages": len(document.pages), "anchors": anchors}


def layout_key(html: str, root, options: dict, *, bleed: bool = False) -> str:
    """What the pages of `html` depend on, wherever the project lies: the print HTML with the
    project's folder left out (a chart named in the build's staging folder as in output/,
    where the build moves it), the writing options, bleed and the versions."""
    import weasyprint

    from reportbuild import __version__, paths

    p = paths.ProjectPaths(root)
    text = html.replace(p.staging.as_uri() + "/", p.output.as_uri() + "/")
    text = text.replace(p.root.as_uri() + "/", "")
    return digest(__version__, weasyprint.__version__, dumps(options), str(bleed), text)


def remember_single(root, key: str, document) -> None:
    """Keep a single pass's page facts: a split of the same document later (--pdf-split on)
    takes its groups' page counts and anchor pages from them instead of a layout-only pass."""
    from pathlib import Path

    from reportbuild import paths
    from reportbuild.atomic import write_text

    record = {"key": key, **page_facts(document)}
    write_text(Path(root) / paths.CACHE / PARTS_DIR / SINGLE, dumps(record))


def _from_single(p: Plan, record: dict) -> list[dict] | None:
    """Each group's page facts as its own layout would report them, from a single pass of the
    whole document: a group starts on the page of its first chapter's anchor (the first group
    on page 1) and ends before the next group's; its anchors are the single pass's that it
    holds, counted from its first page. None where the single pass cannot tell: an anchor
    outside every group's elements (every group's document would report it) or one of a group
    that the single pass found elsewhere (an id given twice)."""
    anchors, total = record["anchors"], record["pages"]
    firsts = [1]
    for g in p.groups[1:]:
        first = anchors.get(g.names[0]) if g.names else None
        if first is None or first <= firsts[-1]:
            return None
        firsts.append(first)
    if firsts[-1] > total:
        return None
    held = set().union(*(g.ids for g in p.groups))
    if any(name not in held for name in anchors):
        return None
    out = []
    for g, first, end in zip(p.groups, firsts, [*firsts[1:], total + 1], strict=True):
        mine = {name: page for name, page in anchors.items() if name in g.ids}
        if any(not first <= page < end for page in mine.values()):
            return None
        out.append({"pages": end - first, "anchors": {n: k - first + 1 for n, k in mine.items()}})
    return out


def _typeset_group(task: dict) -> dict:
    """In a group's process: lay out (and with `task['out']`, write) one group's document.
    Returns its page count, its anchors' pages (1-based, within the group), the layout findings
    and WeasyPrint's warnings."""

    import weasyprint

    from reportbuild import pagefit, pdf, weasy
    from reportbuild.atomic import atomic_path
    from reportbuild.deferred import PendingCharts
    from reportbuild.fetcher import make_url_fetcher
    from reportbuild.justify import inter_character

    report, root = task["report"], task["root"]
    base_url = root.as_uri() + "/"
    sizes = task.get("sizes")
    stand_in = None
    if sizes:
        pending = PendingCharts(
            paths=tuple(task["pending"]), sizes=lambda: sizes, drawn=lambda: None
        )
        stand_in = pending.stand_in
    fetcher = make_url_fetcher(
        task["allowed"],
        origin=pdf.origin_finder(report, base_url, task["css_dirs"]),
        stand_in=stand_in,
    )
    collect = pdf.WarningLog()  # reported as the single pass reports them
    wlog = logging.getLogger("weasyprint")
    wlog.addHandler(collect)
    if wlog.getEffectiveLevel() > logging.WARNING:
        wlog.setLevel(logging.WARNING)
    options = task["options"]
    source = weasyprint.HTML(string=task["html"], base_url=base_url, url_fetcher=fetcher)
    with inter_character():  # as pdf.write_pdf typesets (justify.py, pagefit.py)
        # the single pass keeps pagefit's smaller figures if the whole document has fewer
        # holes: the caller decides that over all groups and may force the choice
        got = pagefit.render(source, choice=task.get("fit"), **options)
    document, fit_holes, fitted = got.document, got.holes, got.fitted
    facts = {**page_facts(document), "fit": fit_holes, "fitted": fitted}
    if task.get("out") is None:
        return facts
    pdf.set_metadata(document, report)
    wide, outside = pdf.layout_findings(document, task["html"], task["offset"] + 1)
    with atomic_path(task["out"]) as tmp, weasy.svg_letters_once(), weasy.pdf_bytes_once():
        document.write_pdf(tmp, pdf_identifier=True, **options)  # as pdf.write_pdf writes
    facts.update(
        wide=wide, outside=outside, messages=[m for m in collect.messages if FOREIGN not in m]
    )
    return facts


def _run_child(task: dict, result: str, parent: int) -> None:
    """In a forked child: typeset, leave the outcome in the file `result`, and exit."""
    import os
    import pickle

    code = 0
    try:
        from reportbuild.procs import child_signals, die_with_parent

        child_signals()
        die_with_parent(parent)
        try:
            outcome = ("ok", _typeset_group(task))
        except BaseException as exc:  # noqa: BLE001 - the parent reports it
            outcome = ("error", _message(exc))
        with open(result, "wb") as fh:
            pickle.dump(outcome, fh)
    except BaseException:  # noqa: BLE001
        code = 1
    finally:
        os._exit(code)


def _message(exc: BaseException) -> str:
    from reportbuild.errors import BuildError

    cause = exc.__cause__
    if isinstance(cause, BuildError):
        return cause.message
    if isinstance(exc, BuildError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


def run_all(tasks: list[dict], jobs: int) -> list[dict]:
    """Each task in a forked process of its own (its memory goes back when it ends), `jobs` at
    a time, the largest first. With other threads alive (the preview server) forking is not
    safe: the tasks run here, one after the other."""
    import os
    import pickle
    import signal
    import tempfile
    import threading
    import time

    from reportbuild.errors import BuildError
    from reportbuild.procs import signals_held

    if not tasks:
        return []
    if threading.active_count() > 1:
        try:
            return [_typeset_group(t) for t in tasks]
        except BuildError:
            raise
        except Exception as exc:
            raise BuildError("pdf: " + _message(exc)) from None
    order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i]["html"]))
    results: dict[int, dict] = {}
    running: dict[int, tuple[int, str]] = {}  # pid → (task, result file)
    errors: list[str] = []
    me = os.getpid()
    with tempfile.TemporaryDirectory(prefix="reportbuild-parts-") as tmp:
        try:
            while (order and not errors) or running:
                while order and len(running) < max(1, jobs) and not errors:
                    i = order.pop(0)
                    result = os.path.join(tmp, f"{i}.pickle")
                    with signals_held():
                        pid = os.fork()
                    if pid == 0:
                        _run_child(tasks[i], result, me)
                    running[pid] = (i, result)
                done = False
                for pid in list(running):
                    got, status = os.waitpid(pid, os.WNOHANG)
                    if got == 0:
                        continue
                    done = True
                    i, result = running.pop(pid)
                    try:
                        with open(result, "rb") as fh:
                            outcome, value = pickle.load(fh)
                    except (OSError, EOFError, pickle.UnpicklingError):
                        outcome, value = "error", f"a typesetting process died ({status})"
                    if outcome == "ok":
                        results[i] = value
                    else:
                        errors.append(value)
                if not done:
                    time.sleep(0.02)
        finally:
            for pid in running:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
    if errors:
        raise BuildError("pdf: " + errors[0])
    return [results[i] for i in range(len(tasks))]


def _resources(html: str, root) -> str:
    """A digest of the local files a group's document reads (charts, images, fonts, CSS)."""
    import urllib.parse
    from pathlib import Path

    h = hashlib.sha256()
    for url in sorted(set(re.findall(r'(?:src|href)="(file://[^"]+)"', html))):
        path = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
        h.update(url.encode())
        try:
            h.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            h.update(b"missing")
    return h.hexdigest()


def typeset(
    html: str, out, *, root, report, brand, allowed, css_dirs, options: dict, jobs: int,
    pages_hint: int | None = None, charts=None, bleed: bool = False, variant: str | None = None,
) -> Split:  # fmt: skip
    """Typeset `html` in groups and join the parts into `out`. SplitRefused when the document
    cannot be split provably."""
    from pathlib import Path

    import weasyprint

    from reportbuild import __version__, paths, pdf, pdfjoin
    from reportbuild.atomic import atomic_path, write_text

    est = pages_hint or estimate_pages(html)
    n_groups = max(2, round(est / GROUP_PAGES))
    p = plan(html, groups=n_groups, bleed=bleed, variant=variant)
    cache = Path(root) / paths.CACHE / PARTS_DIR
    cache.mkdir(parents=True, exist_ok=True)
    last_path = cache / LAST
    try:
        last = json.loads(last_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        last = {}
    base = {
        "report": report, "root": Path(root), "allowed": allowed, "css_dirs": css_dirs,
        "options": options,
    }  # fmt: skip
    salt = digest(__version__, weasyprint.__version__, dumps(options))
    facts: list[dict | None] = [last.get("|".join(g.names)) for g in p.groups]
    seeded = 0
    if any(f is None for f in facts):  # the first split: the single pass's numbers, if any
        try:
            single = json.loads((cache / SINGLE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            single = {}
        derived = None
        if single.get("key") == layout_key(html, root, options, bleed=bleed):
            derived = _from_single(p, single)
        for i, f in enumerate(derived or ()):
            if facts[i] is None:
                facts[i] = f
                seeded += 1
        if seeded:
            log.info("pdf: the page numbers of %d groups from the single pass", seeded)
    laid_out = 0
    if any(f is None for f in facts):  # else a layout-only pass for the page counts
        todo = [g for g, f in zip(p.groups, facts, strict=True) if f is None]
        laid_out = len(todo)
        extra = {}
        if charts is not None:
            extra = {"sizes": dict(charts.sizes()), "pending": list(charts.paths)}
        found = run_all([{**base, **extra, "html": p.group_html(g, 0, {})} for g in todo], jobs)
        for g, f in zip(todo, found, strict=True):
            facts[g.index] = f
    if charts is not None:
        charts.drawn()  # the print SVGs are written: the parts can be drawn
    used: set[str] = set()
    typeset_now = 0
    force: list[bool | None] = [None] * len(p.groups)  # pagefit's choice, where it was forced
    known: dict[int, list[int]] = {}  # each group's holes without and with pagefit's figures
    for _round in range(ROUNDS):
        offsets, pages = _numbers(p, facts)
        docs = [p.group_html(g, offsets[g.index], pages) for g in p.groups]
        keys = [
            digest(salt, d, _resources(d, root), str(f)) for d, f in zip(docs, force, strict=True)
        ]
        todo = [i for i, k in enumerate(keys) if not (cache / f"{k}.json").exists()]
        tasks = [
            {**base, "html": docs[i], "offset": offsets[i], "out": cache / f"{keys[i]}.pdf",
             "fit": force[i]}
            for i in todo
        ]  # fmt: skip
        for i, f in zip(todo, run_all(tasks, jobs), strict=True):
            write_text(cache / f"{keys[i]}.json", dumps(f))
        typeset_now += len(todo)
        got = [json.loads((cache / f"{k}.json").read_text(encoding="utf-8")) for k in keys]
        used.update(keys)
        # the single pass keeps pagefit's smaller figures only if the whole document then has
        # fewer holes: every group that had a choice must have made that one
        for i, g in enumerate(got):
            if g.get("fit"):
                known[i] = g["fit"]  # a group forced not to fit does not count its holes again
        want = sum(h[1] for h in known.values()) < sum(h[0] for h in known.values())
        wrong = [i for i, g in enumerate(got) if i in known and g["fitted"] != want]
        for i in wrong:
            force[i] = want
        settled = not wrong and all(
            g["pages"] == f["pages"] and g["anchors"] == f["anchors"]
            for g, f in zip(got, facts, strict=True)
        )
        log.info("pdf: %d groups, %d typeset, round %d", len(p.groups), len(todo), _round + 1)
        if settled:
            break
        facts = got
    else:
        raise SplitRefused("the page numbers did not settle")
    pdf.check_fonts(report, brand)  # undrawable characters: an error before anything is written
    with atomic_path(Path(out)) as tmp:
        total = pdfjoin.join([cache / f"{k}.pdf" for k in keys], tmp)
    write_text(
        last_path,
        dumps({"|".join(g.names): {"pages": f["pages"], "anchors": f["anchors"]}
               for g, f in zip(p.groups, got, strict=True)}),
    )  # fmt: skip
    keep = (LAST, SINGLE)
    for old in cache.glob("*"):  # parts of earlier builds
        if old.suffix in (".pdf", ".json") and old.stem not in used and old.name not in keep:
            old.unlink(missing_ok=True)
    return Split(
        pages=total,
        groups=len(p.groups),
        typeset=typeset_now,
        laid_out=laid_out,
        seeded=seeded,
        rounds=_round + 1,
        wide=[e for f in got for e in f.get("wide", [])],
        outside=[e for f in got for e in f.get("outside", [])],
        messages=[m for f in got for m in f.get("messages", [])],
    )


@dataclass
class Split:
    """A PDF typeset in groups: its pages, how many groups, how many group documents were
    typeset this time (the others came from the cache), how many groups were first laid out
    only to learn their page numbers and how many took them from the single pass instead
    (the others: from the last split), the rounds until the numbers held, and the groups'
    findings."""

    pages: int
    groups: int
    typeset: int
    laid_out: int
    seeded: int
    rounds: int
    wide: list[dict]
    outside: list[dict]
    messages: list[str]


def _numbers(p: Plan, facts: list[dict]) -> tuple[list[int], dict[str, int]]:
    """Each group's page offset, and every anchor's page number in the joined document."""
    offsets = []
    at = 0
    for f in facts:
        offsets.append(at)
        at += f["pages"]
    pages: dict[str, int] = {}
    for g, f in zip(p.groups, facts, strict=True):
        for name, n in f["anchors"].items():
            if p.owner.get(name) == g.index:
                pages[name] = offsets[g.index] + n
    return offsets, pages
