"""A one-screen summary of a loaded report: what `reportbuild check` prints."""

from __future__ import annotations

import re

from reportbuild.model import Report

_CJK = re.compile(r"[\u3400-\u9fff]")


def summarize(report: Report) -> str:
    prose = report.all_prose()
    chars = sum(len(r.text) for r in prose)
    cjk = sum(len(_CJK.findall(r.text)) for r in prose)
    sections = sum(len(c.sections) for c in report.chapters)
    data = [f for f in report.figures.values() if f.is_data]
    lines = [
        f"{report.title} ({report.year or 'no year'})",
        f"  chapters    {len(report.chapters):>4}   sections {sections}",
        f"  cases       {len(report.cases):>4}   quotes {len(report.quotes.quotes)}"
        f"   core points {len(report.core_points.points) if report.core_points else 0}"
        f"   strategies {len(report.strategies.strategies)}",
        f"  figures     {len(report.figures):>4}   charts {len(data)}, diagrams "
        f"{len(report.figures) - len(data)}",
        f"  characters {chars:>5}   (CJK {cjk})",
        f"  deck slides {len(report.deck):>4}",
    ]
    for c in report.chapters:
        lines.append(f"  {c.number}. {c.title}  ({len(c.sections)} sections)")
    lines.append("ok: no problems found")
    return "\n".join(lines)
