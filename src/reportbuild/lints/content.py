"""L801–L803: content that would print wrong: a picture without alt text, raw HTML printed as
typed because the report does not allow it, a reference written after its own label."""

from __future__ import annotations

import re

from reportbuild.errors import Problem
from reportbuild.lints.codes import problem
from reportbuild.lints.sites import Site
from reportbuild.markup import REF
from reportbuild.model import Block, Report

IMG = re.compile(r"<img\b[^>]*>")
NO_ALT = re.compile(r'\balt=""')
CODE_SPAN = re.compile(r"(`+).+?\1")
# a tag as HTML writes it: <b>, </div>, <br/>, <span class="x"> (not '<5%', not autolinks)
TAG = re.compile(
    r"</?[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w:.-]*(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*\s*/?>"
)


NUMBER = r"[\d一二三四五六七八九十]+(?:\.\d+)*"


def _label_patterns(lang: str) -> list[re.Pattern]:
    """What a chapter or section reference prints, as the locale words it ("Chapter {n}",
    "第 {n} 章"), to find it written by hand just before the reference."""
    from reportbuild.locale import get_locale

    loc = get_locale(lang)
    out = []
    for key in ("xref.chapter", "xref.section"):
        form = re.escape(loc.t(key)).replace(r"\ ", " ")
        form = re.sub(r"\\\{(?:n|number)\\\}", lambda _: NUMBER, form).replace(" ", r"\s*")
        out.append(re.compile(rf"{form}\s*[(（]?\s*$", re.I))
    return out


def _doubled_references(report: Report, sites: list[Site]) -> list[Problem]:
    patterns = _label_patterns(report.lang)
    out: list[Problem] = []
    for s in sites:
        for m in REF.finditer(s.source):
            if m.group(1) != "sec":
                continue
            before = s.source[max(0, m.start() - 40) : m.start()]
            hit = next((p.search(before) for p in patterns if p.search(before)), None)
            if hit:
                out.append(
                    problem(
                        "L803",
                        s.path,
                        s.line_at(m.start()),
                        f"{m.group(0)} follows '{hit.group(0).rstrip('(（ ')}', which it "
                        "prints itself (in print with its page): write the reference alone",
                    )
                )
    return out


def _blocks(report: Report) -> list[Block]:
    out: list[Block] = []
    for part in (*report.front, *report.back):
        out.extend(part.blocks)
    for c in report.chapters:
        out.extend(c.blocks())
    return out


def lint_content(report: Report, sites: list[Site]) -> list[Problem]:
    out: list[Problem] = []
    for b in _blocks(report):
        if b.kind == "image" and not getattr(b, "alt", "").strip():
            out.append(
                problem(
                    "L801",
                    b.loc.path,
                    b.loc.line,
                    f"image '{b.id}' has no alt text; add 'alt: …' saying what it shows (read "
                    "aloud by screen readers, shown when the picture cannot be)",
                )
            )
    for rich in report.all_prose():
        for tag in IMG.findall(rich.html):
            if NO_ALT.search(tag):
                src = re.search(r'src="([^"]*)"', tag)
                name = src.group(1) if src else "an image"
                line = rich.loc.line
                for i, text in enumerate(rich.source.split("\n")):
                    if name.rsplit("/", 1)[-1] in text:
                        line += i
                        break
                out.append(
                    problem(
                        "L801",
                        rich.loc.path,
                        line,
                        f"image '{name}' has no alt text; write it between the brackets: "
                        "![what the picture shows](path)",
                    )
                )
    out += _doubled_references(report, sites)
    if report.allow_html:
        return out
    for s in sites:
        plain = CODE_SPAN.sub(lambda m: " " * len(m.group(0)), s.source)
        for m in TAG.finditer(plain):
            out.append(
                problem(
                    "L802",
                    s.path,
                    s.line_at(m.start()),
                    f"raw HTML '{m.group(0)}' prints as typed, because report.yml does not "
                    "set 'allow_html: true'; write it in Markdown, or put it in `code` if the "
                    "tag itself is meant",
                )
            )
    return out
