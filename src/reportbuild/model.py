"""The report as plain, typed, immutable data: what every stage reads, nothing renders here."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Loc(Frozen):
    """Where a thing was written: project-relative path and 1-based line."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class Rich(Frozen):
    """A piece of prose in three forms: as written, as HTML, as plain text (bindings resolved)."""

    source: str
    html: str
    text: str
    loc: Loc


# ── figures ────────────────────────────────────────────────────────────────


class Item(Frozen):
    id: Id
    label: NonEmpty
    value: Decimal | None = None
    high: Decimal | None = None  # upper end of a range (96–97)
    unit: str | None = None  # overrides the figure's unit
    approx: bool = False
    derived: bool = False
    note: str | None = None


class Category(Frozen):
    id: Id
    label: NonEmpty


class Series(Frozen):
    id: Id
    label: NonEmpty
    values: dict[str, Decimal]
    derived: bool = False


class Step(Frozen):
    id: Id | None = None
    title: NonEmpty
    text: str = ""


class Example(Frozen):
    title: NonEmpty
    steps: tuple[Step, ...]


class Stage(Frozen):
    id: Id
    title: NonEmpty
    headline: str = ""
    points: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


class Group(Frozen):
    title: str = ""
    items: tuple[str, ...] = ()


class Layer(Frozen):
    id: Id
    title: NonEmpty
    text: str = ""
    groups: tuple[Group, ...] = ()
    items: tuple[str, ...] = ()


class Column(Frozen):
    title: NonEmpty
    subtitle: str = ""
    text: str = ""
    items: tuple[str, ...] = ()


class Footer(Frozen):
    title: NonEmpty
    items: tuple[str, ...] = ()


class Figure(Frozen):
    """What every figure has, whatever its kind. Each kind's model (registered in
    reportbuild.kinds, the only list of kinds) adds its own fields and a `kind` literal;
    `number` ('1-2'), `chapter` and `lang` are set where the figure is placed."""

    id: Id
    kind: str
    title: NonEmpty
    caption: str | None = None
    question: str | None = None
    finding: str | None = None
    source: str | None = None
    note: str | None = None
    loc: Loc
    number: str = ""
    chapter: str | None = None
    lang: str = "zh-CN"

    @property
    def is_data(self) -> bool:
        from reportbuild import kinds

        return kinds.of(self).data

    @property
    def label(self) -> str:
        """'图 1-2' (in the report's locale) once placed, else ''."""
        from reportbuild.locale import get_locale

        return get_locale(self.lang).t("figure.label", number=self.number) if self.number else ""

    @property
    def display_caption(self) -> str:
        return self.caption or self.title

    def value(self, path: str) -> BoundValue | None:
        """The value an inline binding names ('item' or 'series.category'); None if none."""
        return None

    def binding_paths(self) -> list[str]:
        return []


class ItemsFigure(Figure):
    """A data figure of labelled values (bars, donut, callouts)."""

    unit: str | None = None
    items: tuple[Item, ...] = ()

    def value(self, path: str) -> BoundValue | None:
        for it in self.items:
            if it.id == path and it.value is not None:
                return BoundValue(
                    value=it.value,
                    high=it.high,
                    unit=it.unit if it.unit is not None else (self.unit or ""),
                    lang=self.lang,
                )
        return None

    def binding_paths(self) -> list[str]:
        return [it.id for it in self.items if it.value is not None]


class SeriesFigure(Figure):
    """A data figure of series over categories (stacked, grouped, line)."""

    unit: str | None = None
    categories: tuple[Category, ...] = ()
    series: tuple[Series, ...] = ()

    def value(self, path: str) -> BoundValue | None:
        sid, _, cid = path.partition(".")
        for s in self.series:
            if s.id == sid and cid in s.values:
                return BoundValue(value=s.values[cid], unit=self.unit or "", lang=self.lang)
        return None

    def binding_paths(self) -> list[str]:
        return [f"{s.id}.{c}" for s in self.series for c in s.values]


class BoundValue(Frozen):
    value: Decimal
    high: Decimal | None = None
    unit: str = ""
    lang: str = "zh-CN"

    def format(self) -> str:
        """As the chart prints it: one number formatter for prose, charts, alt text and deck."""
        from reportbuild.figdata import format_number

        return format_number(self.value, self.unit, self.high, lang=self.lang)


# ── prose structure ────────────────────────────────────────────────────────


class Block(Frozen):
    """One block of a chapter or page. Each kind is one entry of `reportbuild.directives`
    (how it is parsed, rendered and linted); `kind` names that entry."""

    kind: str

    def prose(self) -> list[Rich]:
        """The running text this block holds (for the glyph check and the summary)."""
        return []


class Prose(Block):
    kind: Literal["prose"] = "prose"
    body: Rich

    def prose(self) -> list[Rich]:
        return [self.body]


class Heading(Block):
    kind: Literal["heading"] = "heading"
    level: int
    id: str
    title: str
    loc: Loc


class FigureRef(Block):
    kind: Literal["figure"] = "figure"
    figure: str
    loc: Loc


class CaseRef(Block):
    kind: Literal["case"] = "case"
    case: str
    loc: Loc


class QuotesRef(Block):
    kind: Literal["quotes"] = "quotes"
    quotes: tuple[str, ...]
    loc: Loc


class StrategiesRef(Block):
    kind: Literal["strategies"] = "strategies"
    loc: Loc


class Note(Block):
    kind: Literal["note"] = "note"
    body: Rich

    def prose(self) -> list[Rich]:
        return [self.body]


class Footnote(Frozen):
    """A footnote of a chapter or page, numbered in the order of its first call ('[^label]')."""

    id: str  # the HTML id of its endnote ('fn-<chapter>-<n>')
    label: str
    number: int
    body: Rich


class Section(Frozen):
    id: str
    title: str
    number: str  # '1.2'
    blocks: tuple[Block, ...]
    loc: Loc

    @property
    def subsections(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]


class Chapter(Frozen):
    id: Id
    number: int
    title: NonEmpty
    summary: Rich | None
    intro: tuple[Block, ...]
    sections: tuple[Section, ...]
    loc: Loc
    notes: tuple[Footnote, ...] = ()

    def blocks(self) -> list[Block]:
        out = list(self.intro)
        for s in self.sections:
            out.extend(s.blocks)
        return out


class Page(Frozen):
    """A front- or back-matter page: preface, closing words, acknowledgements."""

    id: Id
    title: NonEmpty
    blocks: tuple[Block, ...]
    loc: Loc
    notes: tuple[Footnote, ...] = ()


# ── items placed by reference ──────────────────────────────────────────────


class Measure(Frozen):
    title: str
    text: Rich


class Case(Frozen):
    id: Id
    org: NonEmpty
    title: NonEmpty
    kind: Literal["full", "example"] = "full"
    background: Rich | None = None
    measures: tuple[Measure, ...] = ()
    effect: Rich | None = None
    body: Rich | None = None
    loc: Loc
    chapter: str | None = None


class Quote(Frozen):
    id: Id
    org: NonEmpty
    text: Rich
    loc: Loc


class Quotes(Frozen):
    intro: str = ""
    lead: str = ""
    quotes: tuple[Quote, ...] = ()


class CorePoint(Frozen):
    id: Id
    title: NonEmpty
    text: str = ""
    loc: Loc


class CorePoints(Frozen):
    title: str = "核心观点"
    subtitle: str = ""
    points: tuple[CorePoint, ...] = ()


class Strategy(Frozen):
    id: Id
    number: int
    name: NonEmpty
    tagline: str = ""
    headline: str = ""
    section: str
    figures: tuple[str, ...] = ()
    loc: Loc


class Strategies(Frozen):
    title: str = ""
    strategies: tuple[Strategy, ...] = ()


# ── the whole report ───────────────────────────────────────────────────────


class Link(Frozen):
    label: NonEmpty
    value: NonEmpty


class Publisher(Frozen):
    id: Id
    name: NonEmpty
    short_name: str = ""
    profile: Rich | None = None
    links: tuple[Link, ...] = ()


class Contact(Frozen):
    title: str = "联系我们"
    lines: tuple[Link, ...] = ()


class Credit(Frozen):
    title: NonEmpty
    names: tuple[str, ...]


class DeckSlide(Frozen):
    """One slide as the deck file declares it; the deck stage gives it a layout."""

    kind: str
    ref: str | None = None
    title: str | None = None
    layout: str | None = None  # a layout of the template by name, instead of the kind's own
    loc: Loc


class Style(Frozen):
    """The report's choice where writers differ (report.yml `style:`), kept by lints L703–L705;
    unset, the form the report uses most is the rule."""

    slash: Literal["/", "／"] | None = None
    range: Literal["–", "—", "～", "~", "〜"] | None = None
    thousands: Literal[",", "none"] | None = None


class Report(Frozen):
    root: str
    title: NonEmpty
    subtitle: str = ""
    series: str = ""
    year: int | None = None
    lang: str = "zh-CN"
    keywords: tuple[str, ...] = ()
    allow_html: bool = False
    style: Style = Style()
    publishers: tuple[Publisher, ...] = ()
    contact: Contact | None = None
    credits: tuple[Credit, ...] = ()
    front: tuple[Page, ...] = ()
    core_points: CorePoints | None = None
    chapters: tuple[Chapter, ...] = ()
    back: tuple[Page, ...] = ()
    cases: dict[str, Case] = {}
    quotes: Quotes = Quotes()
    strategies: Strategies = Strategies()
    figures: dict[str, Figure] = {}
    deck: tuple[DeckSlide, ...] = ()

    def all_prose(self) -> list[Rich]:
        """Every piece of prose in reading order, for lints and glyph checks."""
        out: list[Rich] = []
        blocks: list[Block] = []
        for p in self.front:
            blocks.extend(p.blocks)
        for c in self.chapters:
            if c.summary:
                out.append(c.summary)
            blocks.extend(c.blocks())
        for p in self.back:
            blocks.extend(p.blocks)
        for b in blocks:
            out.extend(b.prose())
        for part in (*self.front, *self.chapters, *self.back):
            out.extend(n.body for n in part.notes)
        for case in self.cases.values():
            for r in (case.background, case.effect, case.body):
                if r:
                    out.append(r)
            out.extend(m.text for m in case.measures)
        out.extend(q.text for q in self.quotes.quotes)
        out.extend(p.profile for p in self.publishers if p.profile)
        return out
