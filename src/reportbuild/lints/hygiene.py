"""L70x: editorial hygiene — the small marks a copy editor fixes, and one style per report.

- L701 ASCII punctuation inside CJK text (`，` not `,`, `？` not `?` between Chinese characters);
- L702 an ellipsis written as dots (`...`, `。。。`) instead of the locale's (`……` / `…`);
- L703–L705 one style per report for slashes (`/` or `／`), range marks (`96%–97%`,
  `1000 亿～2000 亿`) and thousands separators (`2,819.76` or `2819.76`): what `style:` in
  report.yml chooses, else what the report writes most; every other form is named;
- L706 a diagram without a source line (a data figure without one is L303);
- L707 a survey chart whose percentages add up to more than 100 without a note that the
  question allowed several answers (the locale's words for it, e.g. 多选 / multiple).

Only text the author wrote is read (`Site.source`, bindings and URLs left out): numbers the
tool prints from figures follow the formatter.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

from reportbuild.errors import Problem
from reportbuild.kinds import of as kind_of
from reportbuild.lints.codes import problem
from reportbuild.lints.sites import Site
from reportbuild.locale import get_locale
from reportbuild.model import Report

CJK = r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]"
_SKIP = re.compile(r"\{\{<.*?>\}\}|https?://\S+|`[^`]*`|\]\([^)]*\)|@[a-z]+-[\w-]+")
_ASCII_PUNCT = re.compile(rf"(?<={CJK})[,?!;:]|[,?!;:](?={CJK})|(?<={CJK})\((?!\d+\))|\)(?={CJK})")
FULL = {",": "，", "?": "？", "!": "！", ";": "；", ":": "：", "(": "（", ")": "）"}
_DOTS = re.compile(r"\.{3,}|。{3,}|(?<!…)…(?!…)")
_SLASH = re.compile(rf"(?<={CJK})\s*([/／])\s*(?={CJK})|／")
# a number (with its unit) + a range mark + a number: 96%–97%, 1000 亿—2000 亿, 3～5 年
_RANGE = re.compile(r"(?<![\d.])\d[\d,.]*\s*(?:%|[^\W\d_]{0,2})\s*([–—～~〜])\s*\d")
_NUMBER = re.compile(
    r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|(?<![\d.,])\d{4,}(?:\.\d+)?(?![\d,])"
)


def _clean(text: str) -> str:
    """The text with bindings, URLs, code and references blanked (positions kept)."""
    return _SKIP.sub(lambda m: " " * len(m.group(0)), text)


def _line(site: Site, pos: int) -> int:
    return site.line_at(pos)


def lint_hygiene(report: Report, texts: list[Site]) -> list[Problem]:
    loc = get_locale(report.lang)
    style = report.style
    out: list[Problem] = []
    slashes: list[tuple[str, Site, int]] = []
    ranges: list[tuple[str, Site, int]] = []
    thousands: list[tuple[str, Site, int, str]] = []
    ellipsis = loc.rule("ellipsis")
    for site in texts:
        text = _clean(site.source)
        if loc.cjk:
            for m in _ASCII_PUNCT.finditer(text):
                ch = m.group(0)
                out.append(
                    problem(
                        "L701",
                        site.path,
                        _line(site, m.start()),
                        f"ASCII '{ch}' inside Chinese text in {site.where}; write '{FULL[ch]}'",
                    )  # fmt: skip
                )
        for m in _DOTS.finditer(text):
            if m.group(0) == "…" and ellipsis == "…":
                continue
            out.append(
                problem(
                    "L702",
                    site.path,
                    _line(site, m.start()),
                    f"'{m.group(0)}' in {site.where} is not an ellipsis; write '{ellipsis}'",
                )  # fmt: skip
            )
        if loc.cjk:
            for m in _SLASH.finditer(text):
                form = m.group(1) or m.group(0)
                slashes.append((form.strip(), site, m.start()))
        for m in _RANGE.finditer(text):
            ranges.append((m.group(1), site, m.start(1)))
        for m in _NUMBER.finditer(text):
            n = m.group(0)
            whole = n.split(".")[0].replace(",", "")
            if "," not in n and "." not in n and len(whole) == 4 and 1900 <= int(whole) <= 2100:
                continue  # a year
            thousands.append(("," if "," in n else "none", site, m.start(), n))
    out += _one_style("L703", "slash", slashes, style.slash, "a slash between words")
    out += _one_style("L704", "range", ranges, style.range, "a range")
    out += _one_style("L705", "thousands", thousands, style.thousands, "a number over 999")
    out += _figures(report, loc)
    return out


def _one_style(code: str, key: str, found: list, chosen: str | None, what: str) -> list[Problem]:
    forms = Counter(f[0] for f in found)
    if not forms:
        return []

    def show(form: str) -> str:
        return "no separator" if form == "none" else f"'{form}'"

    if chosen is None:
        if len(forms) == 1:
            return []
        chosen, _ = forms.most_common(1)[0]
        why = f"the report writes {show(chosen)} {forms[chosen]} times"
    else:
        why = f"report.yml chooses style.{key}: '{chosen}'"

    out = []
    for form, site, pos, *rest in found:
        if form == chosen:
            continue
        shown = f" ({rest[0]})" if rest else ""
        out.append(
            problem(
                code,
                site.path,
                _line(site, pos),
                f"{what} in {site.where} uses {show(form)}{shown}; {why}: write {show(chosen)}, "
                f"or choose one in report.yml (style: {{{key}: …}})",
            )  # fmt: skip
        )
    return out


def _figures(report: Report, loc) -> list[Problem]:
    out = []
    hints = [w.lower() for w in loc.rule("multiple_choice_words")]
    for fid, fig in report.figures.items():
        path, line = fig.loc.path, fig.loc.line
        kind = kind_of(fig)
        if not kind.data and not (fig.source or "").strip():
            out.append(
                problem(
                    "L706",
                    path,
                    line,
                    f"diagram '{fid}' has no source line; write where it comes from in "
                    "'source:' (for the report's own framework, say so)",
                )  # fmt: skip
            )
        items = getattr(fig, "items", None)
        if fig.kind != "bar" or not items or "%" not in (fig.unit or ""):
            continue
        total = sum((it.value for it in items if it.value is not None), Decimal(0))
        note = " ".join(str(x) for x in (fig.note, fig.title) if x).lower()
        if total > 100 + getattr(fig, "tolerance", Decimal("1.5")) and not any(
            h in note for h in hints
        ):
            out.append(
                problem(
                    "L707",
                    path,
                    line,
                    f"the answers of '{fid}' add up to {total}%: say in 'note:' that several "
                    f"answers were allowed ({' / '.join(loc.rule('multiple_choice_words'))})",
                )  # fmt: skip
            )
    return out
