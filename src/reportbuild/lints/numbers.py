"""L101: a literal number in prose beside a figure item's label that disagrees with the figure.

Bound numbers ({{< num … >}}) print the figure's value and cannot drift; they are blanked
before reading. Only literal numbers carrying the figure's unit count ('74%' for a percentage
figure, '1.2 个百分点' for one in points), and only when an item's label (or a short form of
it) stands in the same clause within a few characters. A number is fine when any label in
reach agrees with it, so lists like "A（89%）、B（81%）" and repeated labels across figures do
not raise false alarms; "分别" (respectively) sentences are skipped: their pairing is by order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from reportbuild.errors import Problem
from reportbuild.lints.codes import problem
from reportbuild.lints.sites import Site, blank_bindings
from reportbuild.model import Figure, Report

# How far (in characters, spaces not counted) a label may stand from its number.
WINDOW = 20
# A label shorter than this (after removing 的 and punctuation) matches too much to be trusted.
MIN_LABEL = 4
MIN_SERIES_LABEL = 2
APPROX = Decimal("0.05")

NUMBER = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*[%％]?\s*[-–—~～至到]\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?))?"
)
# A single newline in Markdown is a soft break inside a paragraph, so only a blank line ends
# a clause or sentence besides punctuation.
CLAUSE_END = re.compile(r"[。；;！？!?，,]|\n[ \t]*\n")
SENTENCE_END = re.compile(r"[。；;！？!?]|\n[ \t]*\n")
RESPECTIVELY = ("分别", "respectively")
# Between the characters of a label, prose may add 的, spaces or Markdown emphasis.
JOINER = r"(?:\s|\*|_|的)*"
_CLAUSE_SPLIT = re.compile(r"[，,、；;：:]")
_PAREN = re.compile(r"[（(][^（）()]*[）)]")
_DROP = re.compile(r"[\s\"'“”‘’「」『』《》*_的]")


@dataclass(frozen=True)
class Target:
    """One figure value a label can name."""

    figure: Figure
    path: str  # binding path: 'item' or 'series.category'
    label: str
    lo: Decimal
    hi: Decimal
    unit: str
    approx: bool
    forms: tuple[re.Pattern[str], ...]
    needs: tuple[
        re.Pattern[str], ...
    ] = ()  # another label that must be in the sentence (a category)

    def shown(self) -> str:
        one = lambda v: f"{v}{self.unit}"  # noqa: E731
        return one(self.lo) if self.lo == self.hi else f"{one(self.lo)}–{one(self.hi)}"

    def agrees(self, lo: Decimal, hi: Decimal) -> bool:
        if lo != hi:  # a range in prose
            return (lo == self.lo and hi == self.hi) or (lo <= self.lo and self.hi <= hi)
        if self.lo <= lo <= self.hi:
            return True
        # either side may be rounded (53% for 53.4, 74.2% for a chart that shows 74): compare
        # at the coarser of the two precisions
        for v in (self.lo, self.hi):
            q = Decimal(1).scaleb(-min(_places(lo), _places(v)))
            if v.quantize(q, rounding=ROUND_HALF_UP) == lo.quantize(q, rounding=ROUND_HALF_UP):
                return True
        # 约 1.2 个百分点: an approximate value may be off by 5% of itself
        return self.approx and abs(lo - self.lo) <= abs(self.lo) * APPROX


def _places(d: Decimal) -> int:
    exp = d.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def label_forms(label: str, min_len: int = MIN_LABEL) -> tuple[re.Pattern[str], ...]:
    """Regexes for a label and its short forms: without 的 or brackets, and its last clause."""
    texts = {label, _PAREN.sub("", label)}
    for t in list(texts):
        parts = [p for p in _CLAUSE_SPLIT.split(t) if p.strip()]
        if len(parts) > 1:
            texts.add(parts[-1])
    out = []
    for t in texts:
        core = _DROP.sub("", _CLAUSE_SPLIT.sub("", t)).strip()
        if len(core) < min_len:
            continue
        out.append(re.compile(JOINER.join(re.escape(ch) for ch in core)))
    # the longest form first: it pins the label most precisely
    return tuple(sorted(out, key=lambda p: -len(p.pattern)))


def targets(report: Report) -> list[Target]:
    out: list[Target] = []
    for fig in report.figures.values():
        if not fig.is_data:
            continue
        if hasattr(fig, "series"):
            unit = (fig.unit or "").strip()
            if not unit:
                continue
            cats = {c.id: c for c in fig.categories}
            for s in fig.series:
                forms = label_forms(s.label, MIN_SERIES_LABEL)
                for cid, v in s.values.items():
                    # with one bar the series label alone is enough; else the bar must be named too
                    needs = label_forms(cats[cid].label) if len(cats) > 1 and cid in cats else ()
                    if len(cats) > 1 and not needs:
                        continue
                    label = f"{s.label}（{cats[cid].label}）" if cid in cats else s.label
                    out.append(
                        Target(fig, f"{s.id}.{cid}", label, v, v, unit, s.derived, forms, needs)
                    )
            continue
        for it in fig.items:
            unit = (it.unit if it.unit is not None else fig.unit or "").strip()
            if it.value is None or not unit:
                continue
            out.append(
                Target(
                    fig,
                    it.id,
                    it.label,
                    it.value,
                    it.high or it.value,
                    unit,
                    it.approx,
                    label_forms(it.label),
                )
            )
    return [t for t in out if t.forms]


def _decimal(s: str | None) -> Decimal | None:
    if s is None:
        return None
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


def _unit_at(text: str, pos: int, units: list[str]) -> str | None:
    rest = text[pos:].lstrip(" \u00a0")
    for u in units:  # longest first
        if rest.startswith(u) or (u == "%" and rest.startswith("％")):
            return u
    return None


def _span(text: str, pos: int, end: int, stops: re.Pattern[str]) -> tuple[int, int]:
    """The clause (or sentence) around text[pos:end]."""
    a, b = 0, len(text)
    for m in stops.finditer(text):
        if m.end() <= pos:
            a = m.end()
        elif m.start() >= end:
            b = m.start()
            break
    return a, b


@dataclass(frozen=True)
class Mention:
    """A literal number with a unit in a text."""

    start: int
    end: int  # after the unit
    lo: Decimal
    hi: Decimal
    unit: str
    written: str


def mentions(text: str, units: list[str]) -> Iterator[Mention]:
    for m in NUMBER.finditer(text):
        unit = _unit_at(text, m.end(), units)
        lo, hi = _decimal(m.group(1)), _decimal(m.group(2))
        if unit is None or lo is None:
            continue
        end = m.end() + (len(text[m.end() :]) - len(text[m.end() :].lstrip(" \u00a0"))) + len(unit)
        yield Mention(m.start(), end, lo, hi if hi is not None else lo, unit, text[m.start() : end])


def check_site(site: Site, tgts: list[Target], units: list[str]) -> list[Problem]:
    text = blank_bindings(site.source)
    found = list(mentions(text, units))
    out = []
    for mt in found:
        c0, c1 = _span(text, mt.start, mt.end, CLAUSE_END)
        s0, s1 = _span(text, mt.start, mt.end, SENTENCE_END)
        clause, sentence = text[c0:c1], text[s0:s1]
        if any(w in clause for w in RESPECTIVELY):
            continue
        others = [o for o in found if o is not mt and c0 <= o.start < c1]
        near: list[tuple[int, Target]] = []
        for t in tgts:
            if t.unit != mt.unit:
                continue
            if t.needs and not any(p.search(sentence) for p in t.needs):
                continue
            # "从 50% 上升到 74%": the label's value is in the clause; the other is another year's
            if any(o.unit == t.unit and t.agrees(o.lo, o.hi) for o in others):
                continue
            d = _distance(text, c0, c1, mt, others, t)
            if d is not None:
                near.append((d, t))
        if not near or any(t.agrees(mt.lo, mt.hi) for _, t in near):
            continue
        d, t = min(near, key=lambda x: x[0])
        fig = t.figure
        name = f"{fig.label} " if fig.label else ""
        out.append(
            problem(
                "L101",
                site.path,
                site.line_at(mt.start),
                f"'{mt.written}' beside '{t.label}' disagrees with {name}'{fig.id}' ({fig.title}), "
                f"which gives {t.shown()}; write {{{{< num {fig.id}.{t.path} >}}}} so the prose "
                "follows the figure, or correct the figure",
            )
        )
    return out


def _gap(text: str, a: int, b: int, mt: Mention) -> int | None:
    """Characters (spaces not counted) between the span a:b and a number; None if they overlap."""
    if b <= mt.start:
        between = text[b : mt.start]
    elif a >= mt.end:
        between = text[mt.end : a]
    else:
        return None  # the number is inside the label ('2018 年…')
    return len(re.sub(r"\s", "", between))


def _distance(
    text: str, c0: int, c1: int, mt: Mention, others: list[Mention], t: Target
) -> int | None:
    """Characters between the number and the nearest form of t's label in its clause, or None.

    A label speaks of the number nearest to it: in "A（89%）和 B（81%）" B is not 89%'s label,
    however close, because 81% is closer to it.
    """
    best = None
    for form in t.forms:
        for m in form.finditer(text, c0, c1):
            d = _gap(text, m.start(), m.end(), mt)
            if d is None or d > WINDOW or (best is not None and d >= best):
                continue
            if any((g := _gap(text, m.start(), m.end(), o)) is not None and g < d for o in others):
                continue
            best = d
    return best


def lint_numbers(report: Report, sites: list[Site]) -> list[Problem]:
    """L101 over all running text of the report."""
    tgts = targets(report)
    if not tgts:
        return []
    units = sorted({t.unit for t in tgts}, key=len, reverse=True)
    out: list[Problem] = []
    for site in sites:
        if site.prose:
            out.extend(check_site(site, tgts, units))
    return out
