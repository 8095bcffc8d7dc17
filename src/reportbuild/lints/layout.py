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


def _stale(root: Path, rel: str) -> bool:
    """A layout report older than a source, figure or style: it may describe other text."""
    report = root / rel
    if not report.is_file():
        return False
    made = report.stat().st_mtime
    where = paths.ProjectPaths(root)
    for folder in (where.sources, where.figures, where.styles):
        if folder.is_dir() and any(
            p.stat().st_mtime > made for p in folder.rglob("*") if p.is_file()
        ):
            return True
    return False


def _source_of(text: str, items: list) -> tuple[str, int] | None:
    """The file and line of the source text a printed line comes from (spaces ignored)."""
    needle = "".join(text.split())[:40]
    if len(needle) < 4:
        return None
    for site in items:
        flat = "".join(site.text.split())
        if needle in flat:
            return site.path, site.line
    return None


def lint_layout(report: Report, root: Path | str) -> list[Problem]:
    from reportbuild.lints.sites import sites

    root = Path(root)
    out: list[Problem] = []
    if _stale(root, PDF_LAYOUT):
        out.append(
            problem(
                "L500",
                PDF_LAYOUT,
                0,
                "the PDF's layout report is older than the sources; build to check the layout",
            )  # fmt: skip
        )
        entries: list[dict] = []
    else:
        entries = _entries(root, PDF_LAYOUT, out)
    items = sites(report, root) if any(e.get("text") for e in entries) else []
    for e in entries:
        found = _source_of(str(e.get("text") or ""), items)
        path, line = found or (str(e.get("path") or PDF_LAYOUT), int(e.get("line") or 0))
        where = f"page {e['page']}: " if e.get("page") and not found else ""
        out.append(problem("L501", path, line, f"{where}{e['message']}"))
    deck_stale = _stale(root, DECK_LAYOUT)
    if deck_stale:
        out.append(
            problem(
                "L500",
                DECK_LAYOUT,
                0,
                "the deck's layout report is older than the sources; build to check the slides",
            )  # fmt: skip
        )
    for e in [] if deck_stale else _entries(root, DECK_LAYOUT, out):
        if e.get("fitted"):
            continue  # shrunk within its limits or continued on a new slide, as designed
        slide = e.get("slide")
        # the deck file's entry that made the slide, when the deck stage says so; slide numbers
        # alone cannot be mapped back, because long slides continue onto extra ones
        path = str(e.get("path") or (DECK if report.deck else DECK_LAYOUT))
        shape = f", shape '{e['shape']}'" if e.get("shape") else ""
        code = "L503" if e.get("code") == "L503" else "L502"  # a long title, or overflow
        out.append(
            problem(code, path, int(e.get("line") or 0), f"slide {slide}{shape}: {e['message']}")
        )
    return out
