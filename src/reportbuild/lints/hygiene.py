"""L7xx: editorial hygiene — punctuation and number style a copy editor would mark (GB/T 15834).

Read from every printed text (`lints.sites`), so a finding names the file and line it is
written on:

- L701 ASCII punctuation (`,` `;` `:` `?` `!` `(` `)`) touching CJK text, where the full-width
  mark belongs;
- L702 `...` (or `。。。`) for an ellipsis, which is `……` in CJK text (`…` in Latin);
- L703 ASCII `/` and full-width `／` both used between CJK words in one report;
- L704 ranges written with different marks (`96%–97%`, `1000 亿—2000 亿`, `30～40`), and
- L705 numbers of four digits or more written both with and without thousands separators;
  for both, the report may choose its style in report.yml (`style: {range: "–", thousands:
  ","}`); without a choice the style most used wins and the others are flagged;
- L706 a diagram (a figure without data) with no source line;
- L707 a survey figure whose shares add up to more than 100 % without a note saying the
  question allowed several answers (the locale's `lint.multiple_choice` words).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from reportbuild.errors import Problem
from reportbuild.lints.codes import problem
from reportbuild.lints.sites import Site, blank_bindings
from reportbuild.locale import get_locale
from reportbuild.model import Report

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_PUNCT = "，。、；：？！（）《》“”‘’「」"
ASCII_PUNCT = re.compile(
    rf"(?<=[{HAN}{CJK_PUNCT}])[,;:?!]|[,;:?!](?=[{HAN}])|\((?=[^()]*[{HAN}])[^()]*\)"
)
FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
ELLIPSIS = re.compile(r"\.{3,}|。{3,}|(?<!…)…(?!…)")
SLASH = re.compile(rf"(?<=[{HAN}])\s*([/／])\s*(?=[{HAN}])")
# a range: number (with its unit) – number; the mark between is what is checked
# (hyphens write figure numbers, dates and phone numbers; 至/到 are words: neither is checked)
RANGE = re.compile(rf"(?<![\d.])(\d[\d,.]*\s*(?:%|％|[{HAN}]{{0,2}}))\s*([–—～~])\s*(\d)")
BIG = re.compile(r"(?<![\d.,/\-])(\d{1,3}(?:,\d{3})+|\d{4,})(?:\.\d+)?(?![\d,]|[-/]\d)")
YEAR_LIKE = re.compile(r"^(1[89]|20)\d\d$")


@dataclass(frozen=True)
class Style:
    range: str = ""  # the chosen range mark, "" = the report's most used
    thousands: str | None = None  # "," or "" (none); None = the report's most used


def _style(report: Report) -> Style:
    style = getattr(report, "style", None)
    if style is None:
        return Style()
    return Style(range=style.range or "", thousands=style.thousands)


def _latin(site: Site, report: Report) -> bool:
    """Latin rules for a text with no Han character in a report not written in Chinese."""
    return not report.lang.startswith("zh") and not re.search(f"[{HAN}]", site.text)


def lint_hygiene(report: Report, texts: list[Site]) -> list[Problem]:
    out: list[Problem] = []
    loc = get_locale(report.lang)

    def at(site: Site, pos: int) -> int:
        return (
            site.line_at(pos) if site.source == site.text or pos < len(site.source) else site.line
        )

    ranges: list[tuple[Site, int, str, str]] = []
    numbers: list[tuple[Site, int, bool, str]] = []
    slashes: list[tuple[Site, int, str]] = []
    for site in texts:
        src = blank_bindings(site.source)
        if _latin(site, report):
            for m in re.finditer(r"(?<!\.)\.{3}(?!\.)", src):
                out.append(problem("L702", site.path, at(site, m.start()),
                                   f"{site.where}: '...' for an ellipsis; write '…'"))  # fmt: skip
        else:
            for m in ASCII_PUNCT.finditer(src):
                got = m.group(0)
                if got.startswith("(") and re.fullmatch(r"\([\w\s.,%-]*\)", got, re.A):
                    continue
                if got in ":" and re.match(r"\d", src[m.end() : m.end() + 1]):
                    continue  # a time or ratio (7:30)
                want = FULL.get(got[0], got) + ("…）" if len(got) > 1 else "")
                what = f"'{got}'" if len(got) == 1 else f"'{got[:12]}' in ASCII brackets"
                out.append(problem("L701", site.path, at(site, m.start()),
                                   f"{site.where}: {what} in Chinese text; write "
                                   f"'{want if len(got) == 1 else '（…）'}'"))  # fmt: skip
            for m in ELLIPSIS.finditer(src):
                if m.group(0) == "……":
                    continue
                what = f"{site.where}: '{m.group(0)}' for an ellipsis; write '……'"
                out.append(problem("L702", site.path, at(site, m.start()), what))
            for m in SLASH.finditer(src):
                slashes.append((site, m.start(1), m.group(1)))
        for m in RANGE.finditer(src):
            ranges.append((site, m.start(2), m.group(2), m.group(0)))
        for m in BIG.finditer(src):
            digits = m.group(1)
            if "," not in digits and (YEAR_LIKE.match(digits) or len(digits) > 7):
                continue  # a year, or a phone/code number: no separators either way
            if _in_url_or_code(src, m.start()):
                continue
            numbers.append((site, m.start(), "," in digits, m.group(0)))

    style = _style(report)
    if {s for _, _, s in slashes} == {"/", "／"}:
        common = Counter(s for _, _, s in slashes).most_common(1)[0][0]
        for site, pos, s in slashes:
            if s != common:
                what = f"{site.where}: '{s}' between Chinese words, '{common}' elsewhere"
                out.append(problem("L703", site.path, at(site, pos), f"{what}; use one"))
    marks = Counter(mark for _, _, mark, _ in ranges)
    if marks:
        chosen = style.range or marks.most_common(1)[0][0]
        for site, pos, mark, text in ranges:
            if mark != chosen:
                why = "report.yml's style" if style.range else "the report's most used mark"
                out.append(problem("L704", site.path, at(site, pos),
                                   f"{site.where}: range '{text}…' marked with '{mark}'; "
                                   f"{why} is '{chosen}'"))  # fmt: skip
    if numbers:
        if style.thousands is not None:
            comma = style.thousands == ","
        else:
            comma = Counter(c for _, _, c, _ in numbers).most_common(1)[0][0]
        for site, pos, has, text in numbers:
            if has != comma:
                want = "with" if comma else "without"
                out.append(problem("L705", site.path, at(site, pos),
                                   f"{site.where}: '{text}' — the report writes numbers {want} "
                                   f"thousands separators"))  # fmt: skip
    multi = loc.t("lint.multiple_choice")
    words = [w.strip() for w in multi.split("|") if w.strip()]
    for fid, fig in report.figures.items():
        if not fig.is_data and fig.number and not (fig.source or "").strip():
            out.append(problem("L706", fig.loc.path, fig.loc.line,
                               f"diagram {fig.label or fid} has no source line; add `source:` "
                               "(the publishers' own analysis is a source too)"))  # fmt: skip
        total = _percent_total(fig) if fig.question else 0.0  # survey questions only
        if total > 100.5:
            said = " ".join(str(t or "") for t in (fig.note, fig.question, fig.caption, fig.title))
            if not any(w in said for w in words):
                what = (
                    f"figure {fig.label or fid}: its shares add up to {total:g}% with no note "
                    f"that several answers were allowed; add `note:` saying so "
                    f"('{words[0] if words else ''}')"
                )
                out.append(problem("L707", fig.loc.path, fig.loc.line, what))
    return out


def _percent_total(fig) -> float:
    """The sum of a percentage figure's single-series values (0 for anything else)."""
    unit = str(getattr(fig, "unit", "") or "")
    items = getattr(fig, "items", None)
    if unit not in ("%", "％") or not items or getattr(fig, "series", None):
        return 0.0
    total = 0.0
    for it in items:
        v = getattr(it, "value", None)
        try:
            total += float(v)
        except (TypeError, ValueError):
            return 0.0
    return total


def _in_url_or_code(text: str, pos: int) -> bool:
    start = max(text.rfind(" ", 0, pos), text.rfind("\n", 0, pos)) + 1
    word = text[start : pos + 1]
    return "://" in word or "www." in word or "@" in word or "`" in word
