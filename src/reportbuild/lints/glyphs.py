"""L401: every character the report prints can be drawn by the brand's fonts (no tofu boxes)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from reportbuild import fonts, paths
from reportbuild.brand import Brand
from reportbuild.errors import Problem
from reportbuild.lints.codes import problem
from reportbuild.lints.sites import Site

CACHE = paths.CACHE


def lint_glyphs(brand: Brand, sites: list[Site], root: Path | str | None = None) -> list[Problem]:
    # a missing brand font raises BuildError (exit 1) naming the package to install
    faces = fonts.faces(brand.families)
    # fonts' one rule of which characters need a glyph (the PDF stage checks with it too)
    missing = fonts.missing_chars("".join({ch for s in sites for ch in s.text}), faces)
    if not missing:
        return []
    families = " / ".join(brand.families)
    out: list[Problem] = []
    seen: set[tuple[str, int, str]] = set()
    for s in sites:
        for ch in sorted(missing & set(s.text)):
            # locate the character in the source; a binding's output falls back to the first line
            pos = s.source.find(ch)
            line = s.line_at(pos) if pos >= 0 else s.line
            if (s.path, line, ch) in seen:
                continue
            seen.add((s.path, line, ch))
            name = unicodedata.name(ch, "unnamed")
            out.append(
                problem(
                    "L401",
                    s.path,
                    line,
                    f"'{ch}' (U+{ord(ch):04X} {name}) in {s.where} cannot be drawn by the "
                    f"brand fonts ({families}); replace it with a character the fonts have, "
                    "or choose fonts that have it",
                )
            )
    return out
