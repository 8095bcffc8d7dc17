"""Every text of a report in reading order, each with the file and line it was written on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reportbuild.markup import NUM, XREF
from reportbuild.model import Figure, Report, Rich

# A YAML key whose value is a block scalar: its text starts on the next line.
_BLOCK_KEY = re.compile(r":\s*[|>][-+0-9]*\s*(#.*)?$")


@dataclass(frozen=True)
class Site:
    """One text as a reader meets it. `source` keeps bindings; `text` is what is printed."""

    where: str  # for messages: "case qingdao 效果", "chapter 1 summary"
    path: str
    line: int  # the line `source` starts on
    source: str
    text: str
    prose: bool  # running text (read by the number and repeat lints), not a label

    def line_at(self, pos: int) -> int:
        """The file line of a position in `source` (exact for Markdown and block scalars)."""
        return self.line + self.source.count("\n", 0, pos)


class Locator:
    """Finds the line of a plain YAML value by searching its file; files are read once."""

    def __init__(self, root: Path):
        self.root = root
        self._lines: dict[str, list[str]] = {}

    def lines(self, path: str) -> list[str]:
        if path not in self._lines:
            try:
                self._lines[path] = (self.root / path).read_text(encoding="utf-8").split("\n")
            except (OSError, UnicodeDecodeError):
                self._lines[path] = []
        return self._lines[path]

    def find(self, path: str, text: str, start: int = 1) -> int:
        """The first line at or after `start` (else anywhere) holding the start of `text`."""
        first = next((ln.strip() for ln in str(text).split("\n") if ln.strip()), "")
        needle = first[:12]
        lines = self.lines(path)
        if not needle or not lines:
            return start
        for i in [*range(max(start, 1) - 1, len(lines)), *range(0, max(start, 1) - 1)]:
            if needle in lines[i]:
                return i + 1
        return start

    def rich_line(self, rich: Rich) -> int:
        """Rich.loc.line, moved past a block-scalar key line (`text: |`) onto the text."""
        lines = self.lines(rich.loc.path)
        n = rich.loc.line
        if (
            0 < n <= len(lines)
            and _BLOCK_KEY.search(lines[n - 1])
            and rich.loc.path.endswith((".yml", ".yaml"))
        ):
            return n + 1
        return n


class Walker:
    """Builds the list of sites; each model item is visited once, where it is first placed."""

    def __init__(self, report: Report, root: Path):
        self.report = report
        self.loc = Locator(root)
        self.out: list[Site] = []
        self.seen: set[tuple[str, str]] = set()

    def rich(self, where: str, r: Rich | None) -> None:
        if r is not None:
            self.out.append(Site(where, r.loc.path, self.loc.rich_line(r), r.source, r.text, True))

    def plain(
        self, where: str, path: str, text: str | None, near: int = 1, prose: bool = False
    ) -> None:
        if text and str(text).strip():
            text = str(text)
            self.out.append(Site(where, path, self.loc.find(path, text, near), text, text, prose))

    def once(self, kind: str, ident: str) -> bool:
        if (kind, ident) in self.seen:
            return False
        self.seen.add((kind, ident))
        return True

    # ── the report in reading order ────────────────────────────────────────

    def walk(self) -> list[Site]:
        r = self.report
        for p in r.front:
            self.plain(f"page {p.id} title", p.loc.path, p.title)
            self.blocks(f"page {p.id}", p.blocks)
        self.core_points()
        for c in r.chapters:
            name = f"chapter {c.number}"
            self.plain(f"{name} title", c.loc.path, c.title)
            self.rich(f"{name} summary", c.summary)
            self.blocks(f"{name} opener", c.intro)
            for s in c.sections:
                self.plain(f"section {s.number} title", s.loc.path, s.title, s.loc.line)
                self.blocks(f"section {s.number}", s.blocks)
        for p in r.back:
            self.plain(f"page {p.id} title", p.loc.path, p.title)
            self.blocks(f"page {p.id}", p.blocks)
        # what no chapter places is still printed somewhere (deck, overview) or is a lint finding
        for cid in r.cases:
            self.case(cid)
        for q in r.quotes.quotes:
            self.quote(q.id)
        self.strategies()
        for fid in r.figures:
            self.figure(fid)
        self.front_matter()
        return self.out

    def blocks(self, where: str, blocks) -> None:
        from reportbuild.directives import REGISTRY

        for b in blocks:
            REGISTRY[b.kind].walk(self, where, b)

    def case(self, cid: str) -> None:
        case = self.report.cases.get(cid)
        if case is None or not self.once("case", cid):
            return
        name = f"case {cid} ({case.org})"
        self.plain(f"{name} organisation", case.loc.path, case.org)
        self.plain(f"{name} title", case.loc.path, case.title)
        self.rich(f"{name} 背景", case.background)
        for m in case.measures:
            self.plain(f"{name} 措施 title", m.text.loc.path, m.title, max(m.text.loc.line - 1, 1))
            self.rich(f"{name} 措施「{m.title}」", m.text)
        self.rich(f"{name} 效果", case.effect)
        self.rich(f"{name}", case.body)

    def quotes_intro(self) -> None:
        if self.once("quotes", "intro"):
            path = "sources/quotes.yml"
            self.plain("quotes intro", path, self.report.quotes.intro, prose=True)
            self.plain("quotes lead", path, self.report.quotes.lead, prose=True)

    def quote(self, qid: str) -> None:
        q = next((q for q in self.report.quotes.quotes if q.id == qid), None)
        if q is None or not self.once("quote", qid):
            return
        self.quotes_intro()
        self.plain(f"quote {qid} organisation", q.loc.path, q.org, q.loc.line)
        self.rich(f"quote {qid} ({q.org})", q.text)

    def core_points(self) -> None:
        cp = self.report.core_points
        if cp is None:
            return
        path = "sources/core-points.yml"
        self.plain("core points title", path, cp.title)
        self.plain("core points subtitle", path, cp.subtitle)
        for p in cp.points:
            self.plain(f"core point {p.id}", p.loc.path, p.title, p.loc.line, prose=True)
            self.plain(f"core point {p.id} text", p.loc.path, p.text, p.loc.line, prose=True)

    def strategies(self) -> None:
        st = self.report.strategies
        if not self.once("strategies", "all"):
            return
        path = "sources/strategies.yml"
        self.plain("strategies title", path, st.title)
        for s in st.strategies:
            name = f"strategy {s.id}"
            self.plain(f"{name} name", s.loc.path, s.name, s.loc.line)
            self.plain(f"{name} tagline", s.loc.path, s.tagline, s.loc.line, prose=True)
            self.plain(f"{name} headline", s.loc.path, s.headline, s.loc.line, prose=True)

    def figure(self, fid: str) -> None:
        fig = self.report.figures.get(fid)
        if fig is None or not self.once("figure", fid):
            return
        for where, text, prose in figure_texts(fig):
            self.plain(f"figure {fid} {where}", fig.loc.path, text, prose=prose)

    def front_matter(self) -> None:
        r = self.report
        path = "sources/report.yml"
        for where, text in (("title", r.title), ("subtitle", r.subtitle), ("series", r.series)):
            self.plain(f"report {where}", path, text)
        for k in r.keywords:
            self.plain("report keyword", path, k)
        for p in r.publishers:
            self.plain(f"publisher {p.id} name", path, p.name)
            self.plain(f"publisher {p.id} short name", path, p.short_name)
            self.rich(f"publisher {p.id} profile", p.profile)
            for link in p.links:
                self.plain(f"publisher {p.id} link", path, f"{link.label}")
                self.plain(f"publisher {p.id} link", path, f"{link.value}")
        if r.contact:
            self.plain("contact title", path, r.contact.title)
            for link in r.contact.lines:
                self.plain("contact", path, link.label)
                self.plain("contact", path, link.value)
        for c in r.credits:
            self.plain("credits title", path, c.title)
            for n in c.names:
                self.plain("credits", path, n)
        for s in r.deck:
            self.plain("deck slide title", s.loc.path, s.title, s.loc.line)


def figure_texts(fig: Figure) -> list[tuple[str, str, bool]]:
    """(field, text, is running text) for every text a figure prints."""
    out: list[tuple[str, str, bool]] = []

    def add(where: str, text: str | None, prose: bool = False) -> None:
        if text and str(text).strip():
            out.append((where, str(text), prose))

    add("title", fig.title)
    add("caption", fig.caption, True)
    add("question", fig.question)
    add("finding", fig.finding, True)
    add("unit", fig.unit)
    add("source", fig.source)
    add("note", fig.note, True)
    for it in fig.items:
        add("item label", it.label)
        add("item unit", it.unit)
        add("item note", it.note)
    for c in fig.categories:
        add("category label", c.label)
    for s in fig.series:
        add("series label", s.label)
    steps = list(fig.steps) + (list(fig.example.steps) if fig.example else [])
    if fig.example:
        add("example title", fig.example.title)
    for st in steps:
        add("step title", st.title)
        add("step text", st.text)
    for sg in fig.stages:
        for t in (sg.title, sg.headline, *sg.points, *sg.tags, *sg.examples):
            add("stage", t)
    for layer in fig.layers:
        for t in (layer.title, layer.text, *layer.items):
            add("layer", t)
        for g in layer.groups:
            for t in (g.title, *g.items):
                add("layer group", t)
    for g in fig.sides:
        for t in (g.title, *g.items):
            add("side", t)
    for col in fig.columns:
        for t in (col.title, col.subtitle, col.text, *col.items):
            add("column", t)
    if fig.footer:
        for t in (fig.footer.title, *fig.footer.items):
            add("footer", t)
    return out


def sites(report: Report, root: Path | str) -> list[Site]:
    """Every text of the report, in reading order (cases where placed, then the rest)."""
    return Walker(report, Path(root)).walk()


def expand(source: str, report: Report) -> str:
    """`source` with bindings replaced by what they print, keeping its line structure."""

    def num(m: re.Match[str]) -> str:
        fid, _, rest = m.group(1).partition(".")
        fig = report.figures.get(fid)
        got = fig.value(rest) if fig and rest else None
        return got.format() if got else m.group(0)

    def xref(m: re.Match[str]) -> str:
        fig = report.figures.get(m.group(1))
        return fig.label if fig and fig.label else m.group(0)

    return XREF.sub(xref, NUM.sub(num, source))


def blank_bindings(source: str) -> str:
    """`source` with bindings overwritten by filler of the same length (positions are kept)."""
    fill = lambda m: "\ufffc" * len(m.group(0))  # noqa: E731 - a one-use substitution
    return XREF.sub(fill, NUM.sub(fill, source))
