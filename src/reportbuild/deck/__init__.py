"""The briefing deck: sources/deck.yml → a 16:9 PowerPoint file with native charts and shapes.

python-pptx is imported only when a deck is built (see slides.py), so importing this package
costs nothing to `reportbuild check` or a no-op build.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from reportbuild import paths
from reportbuild.atomic import atomic_path, write_text
from reportbuild.brand import Brand
from reportbuild.machine import machine_cache
from reportbuild.model import Report

CACHE_DIR = paths.CACHE
LAYOUT_REPORT = "deck-layout.json"


@dataclass(frozen=True)
class DeckResult:
    """How many slides were written and what text had to be shrunk or carried over, each
    entry led by the deck file's path and line of the slide it happened on."""

    slides: int
    overflow: list[str] = field(default_factory=list)


def find_template(root: Path) -> Path | None:
    """A corporate master kept in styles/ (the first .pptx there, by name), if any."""
    return paths.ProjectPaths(root).pptx_template


def write_deck(
    report: Report,
    brand: Brand,
    out: Path,
    *,
    template: Path | None = None,
    layout_report: Path | None = None,
    fonts: str = "brand",
) -> DeckResult:
    """Build the deck declared in sources/deck.yml and write it atomically to `out`.

    Raises BuildError naming the slide when text cannot be fitted even shrunk to its limit.
    The layout report (what was shrunk, continued or moved to the notes) goes to
    `layout_report`, by default the project's cache where `check` reads it. `fonts` is
    "brand" (the brand's faces, named in the file: exact where they are installed) or
    "office" (faces Office installs: Calibri and, for Chinese, Microsoft YaHei).
    """
    from reportbuild.deck import measure
    from reportbuild.deck.slides import build_deck

    root = Path(report.root)
    # the fonts' widths are a fact of this machine: a new project need not parse them again
    measure.use_cache(machine_cache(root / CACHE_DIR))
    template = template or find_template(root)
    built = build_deck(report, brand, Path(template) if template else None, fonts=fonts)
    with atomic_path(Path(out)) as tmp:
        tmp.write_bytes(built.data)
    write_text(
        layout_report or root / CACHE_DIR / LAYOUT_REPORT,
        json.dumps(built.log, ensure_ascii=False, indent=2) + "\n",
    )
    return DeckResult(
        slides=built.slides,
        overflow=[
            f"{e['path']}:{e['line']}: slide {e['slide']} ({e['shape']}): {e['message']}"
            for e in built.log
        ],
    )
