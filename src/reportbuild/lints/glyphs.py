"""L401: every character the report prints can be drawn by the brand's fonts (no tofu boxes)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import unicodedata
from functools import lru_cache
from pathlib import Path

from reportbuild import fonts
from reportbuild.atomic import write_text
from reportbuild.brand import Brand
from reportbuild.errors import Problem
from reportbuild.lints.codes import problem
from reportbuild.lints.sites import Site

CACHE = ".reportbuild-cache/fonts"


def brand_faces(brand: Brand) -> list[fonts.FontFace]:
    """Regular and bold faces of the body and heading families (fonts.find caches per process)."""
    return [fonts.find(family, bold) for family in brand.families for bold in (False, True)]


def _ranges(points: frozenset[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for p in sorted(points):
        if out and out[-1][1] == p - 1:
            out[-1][1] = p
        else:
            out.append([p, p])
    return out


@lru_cache(maxsize=16)
def coverage(face: fonts.FontFace, cache_dir: Path | None) -> frozenset[int]:
    """fonts.coverage, kept as code-point ranges on disk: reading a CJK cmap costs ~0.2 s a face."""
    if cache_dir is None:
        return fonts.coverage(face)
    key = hashlib.sha256(fonts.cache_key(face).encode()).hexdigest()[:20]
    path = cache_dir / f"cmap-{key}.json"
    try:
        ranges = json.loads(path.read_text(encoding="utf-8"))
        return frozenset(p for a, b in ranges for p in range(a, b + 1))
    except (OSError, ValueError, TypeError):
        pass
    got = fonts.coverage(face)
    with contextlib.suppress(OSError):  # a read-only checkout still lints, only slower
        write_text(path, json.dumps(_ranges(got)))
    return got


def undrawable(
    chars: set[str], faces: list[fonts.FontFace], cache_dir: Path | None = None
) -> set[str]:
    """The characters no face can draw. Faces are opened only while something is still missing."""
    missing = {ch for ch in chars if ch.isprintable() and not ch.isspace()}
    for face in faces:
        if not missing:
            break
        cmap = coverage(face, cache_dir)
        missing = {ch for ch in missing if ord(ch) not in cmap}
    return missing


def lint_glyphs(brand: Brand, sites: list[Site], root: Path | str | None = None) -> list[Problem]:
    # a missing brand font raises BuildError (exit 1) naming the package to install
    faces = brand_faces(brand)
    cache_dir = Path(root) / CACHE if root is not None else None
    missing = undrawable({ch for s in sites for ch in s.text}, faces, cache_dir)
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
