"""L501/L502: overflow the last build's PDF and deck stages reported (absent reports: nothing)."""

from __future__ import annotations

import json
from pathlib import Path

from reportbuild import paths
from reportbuild.errors import Problem
from reportbuild.lints.codes import problem
from reportbuild.model import Report

CACHE = paths.CACHE
PDF_LAYOUT = f"{CACHE}/pdf-layout.json"
DECK_LAYOUT = f"{CACHE}/deck-layout.json"
DECK = "sources/deck.yml"


def _entries(root: Path, rel: str, out: list[Problem]) -> list[dict]:
    path = root / rel
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        out.append(
            problem("L500", rel, 0, f"cannot read the layout report ({exc}); rebuild to refresh it")
        )
        return []
    if not isinstance(data, list):
        out.append(
            problem(
                "L500", rel, 0, "the layout report is not a list of findings; rebuild to refresh it"
            )
        )
        return []
    return [e for e in data if isinstance(e, dict) and e.get("message")]


def lint_layout(report: Report, root: Path | str) -> list[Problem]:
    root = Path(root)
    out: list[Problem] = []
    for e in _entries(root, PDF_LAYOUT, out):
        where = f"page {e['page']}: " if e.get("page") else ""
        out.append(
            problem(
                "L501",
                str(e.get("path") or PDF_LAYOUT),
                int(e.get("line") or 0),
                f"{where}{e['message']}",
            )
        )
    for e in _entries(root, DECK_LAYOUT, out):
        if e.get("fitted"):
            continue  # shrunk within its limits or continued on a new slide, as designed
        slide = e.get("slide")
        # the deck file's entry that made the slide, when the deck stage says so; slide numbers
        # alone cannot be mapped back, because long slides continue onto extra ones
        path = str(e.get("path") or (DECK if report.deck else DECK_LAYOUT))
        shape = f", shape '{e['shape']}'" if e.get("shape") else ""
        out.append(
            problem("L502", path, int(e.get("line") or 0), f"slide {slide}{shape}: {e['message']}")
        )
    return out
