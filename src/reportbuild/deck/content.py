"""What each slide says, drawn from the model: action titles, short lines and speaker notes."""

from __future__ import annotations

import re

from reportbuild import model
from reportbuild.errors import BuildError
from reportbuild.linebreak import collapse
from reportbuild.locale import Locale
from reportbuild.markup import NUM

SENTENCE = re.compile(r".+?(?:[。！？!?](?![”’」』）]*[，、])[”’」』）]*|$)", re.S)
FINDING = re.compile(r"^(发现[一二三四五六七八九十]+)[：:]\s*")
CHINESE_NUMBERS = "一二三四五六七八九十"


FIG_REF = re.compile(r"[（(]\s*见\s*图\s*[\d\-–、\s图]+[）)]")


def clean(text: str) -> str:
    """Prose for a slide or its notes: one line, without the PDF's '（见图 2-1）' pointers;
    source line breaks read as a space in Latin text and as nothing between Chinese characters
    (linebreak.collapse)."""
    return FIG_REF.sub("", collapse(text)).strip()


def first_sentence(text: str) -> str:
    text = clean(text)
    m = SENTENCE.match(text)
    return (m.group(0) if m else text).strip()


def sentences(text: str) -> list[str]:
    text = clean(text)
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


def resolve(report: model.Report, text: str, where: model.Loc) -> str:
    """A deck title with its `{{< num FIGURE.ITEM >}}` bindings printed from figures/."""

    def one(m: re.Match[str]) -> str:
        fig_id, _, path = m.group(1).partition(".")
        fig = report.figures.get(fig_id)
        got = fig.value(path) if fig else None
        if got is None:
            raise BuildError(f"{where}: binding '{m.group(0)}' names no figure value")
        return got.format()

    return NUM.sub(one, text)


def split_finding(text: str) -> tuple[str, str]:
    """'发现一：…' → ('发现一', '…'); other text → ('', text)."""
    m = FINDING.match(text)
    return (m.group(1), text[m.end() :]) if m else ("", text)


def figure_place(report: model.Report, fig_id: str):
    """(chapter, section, index of the FigureRef in section.blocks) where a figure stands."""
    for ch in report.chapters:
        for sec in ch.sections:
            for i, b in enumerate(sec.blocks):
                if isinstance(b, model.FigureRef) and b.figure == fig_id:
                    return ch, sec, i
    return None, None, -1


def figure_heading(report: model.Report, fig_id: str) -> str:
    """The nearest heading over a figure: its subsection if it has one, else its section."""
    _ch, sec, i = figure_place(report, fig_id)
    if sec is None:
        return ""
    for b in reversed(sec.blocks[:i]):
        if isinstance(b, model.Heading):
            return b.title
    return _strip_number(sec.title)


def _strip_number(title: str) -> str:
    return re.sub(r"^[一二三四五六七八九十]+、\s*", "", title)


def figure_prose(report: model.Report, fig_id: str) -> list[str]:
    """The paragraphs around a figure: those before it back to a heading, and those after it
    up to the next heading, figure or case."""
    _ch, sec, i = figure_place(report, fig_id)
    if sec is None:
        return []
    before: list[str] = []
    for b in reversed(sec.blocks[:i]):
        if not isinstance(b, model.Prose):
            break
        before.insert(0, b.body.text)
    after: list[str] = []
    for b in sec.blocks[i + 1 :]:
        if not isinstance(b, model.Prose):
            if isinstance(b, model.FigureRef):
                continue  # two charts on one page share the prose that follows them
            break
        after.append(b.body.text)
    return [t for t in before + after if clean(t)]


def section_prose(sec: model.Section) -> list[str]:
    out = []
    for b in sec.blocks:
        if isinstance(b, model.Heading):
            out.append(f"【{b.title}】")
        elif isinstance(b, (model.Prose, model.Note)):
            out.append(b.body.text)
    return out


def find_section(report: model.Report, section_id: str) -> model.Section | None:
    for ch in report.chapters:
        for sec in ch.sections:
            if sec.id == section_id:
                return sec
    return None


def chapter_of_strategies(report: model.Report) -> model.Chapter | None:
    ids = {s.section for s in report.strategies.strategies}
    for ch in report.chapters:
        if any(sec.id in ids for sec in ch.sections):
            return ch
    return None


def strategy_label(st: model.Strategy, loc: Locale) -> str:
    n = st.number
    return loc.t("deck.strategy", n=n, cn=CHINESE_NUMBERS[n - 1] if 0 < n <= 10 else n)


def case_focus(case: model.Case) -> str:
    """What a case is about, without the bank's name leading it."""
    title = case.title
    head, sep, tail = title.partition("：")
    if sep and case.org in tail and case.org not in head:
        return head  # '客户管理：青岛银行…' → '客户管理'
    if sep and case.org in head:
        return tail
    return title.replace(case.org, "").strip("：:，, ") or title


def case_measure(case: model.Case) -> str:
    if case.measures:
        return case.measures[0].title
    return ""


def case_result(case: model.Case) -> str:
    """The first sentence of the effect (or of an example's body)."""
    for r in (case.effect, case.body):
        if r and r.text.strip():
            return first_sentence(r.text)
    return ""


def case_notes(case: model.Case, loc: Locale) -> str:
    colon = loc.t("sep.label")
    parts = [f"{case.org}{colon}{case.title}"]
    if case.background:
        parts.append(loc.t("case.background") + colon + case.background.text)
    for m in case.measures:
        parts.append(loc.t("deck.measure_note", title=m.title) + colon + m.text.text)
    if case.effect:
        parts.append(loc.t("case.effect") + colon + case.effect.text)
    if case.body:
        parts.append(case.body.text)
    return "\n\n".join(clean(p) for p in parts)


def join_notes(parts: list[str]) -> str:
    return "\n\n".join(clean(p) for p in parts if p and p.strip())
