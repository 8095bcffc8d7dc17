"""Finding the brand's fonts on this machine and knowing which characters they can draw."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportbuild.atomic import write_text
from reportbuild.errors import BuildError

# Which Debian package provides a family, for error messages that say what to install.
PACKAGES = {
    "noto sans cjk": "fonts-noto-cjk",
    "noto serif cjk": "fonts-noto-cjk",
    "noto sans mono cjk": "fonts-noto-cjk",
    "dejavu": "fonts-dejavu-core",
}


def package_for(family: str) -> str:
    key = family.lower()
    for prefix, pkg in PACKAGES.items():
        if key.startswith(prefix):
            return pkg
    return "the package that provides it"


@dataclass(frozen=True)
class FontFace:
    """One face of a font file; `index` selects the face inside a .ttc collection."""

    family: str
    path: str
    index: int
    bold: bool = False


@lru_cache(maxsize=32)
def find(family: str, bold: bool = False) -> FontFace:
    """Locate a family by name through fontconfig; raise BuildError if it is not installed.

    Selecting by name matters for CJK collections: the first face of NotoSansCJK.ttc is
    Japanese, so opening the file by path would draw Chinese with Japanese glyph shapes.
    """
    if shutil.which("fc-match") is None:
        raise BuildError("fontconfig's fc-match is missing; install the 'fontconfig' package")
    pattern = f"{family}:style={'Bold' if bold else 'Regular'}"
    out = subprocess.run(
        ["fc-match", "-f", "%{file}|%{index}|%{family}", pattern],
        capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    path, _, rest = out.partition("|")
    index, _, families = rest.partition("|")
    names = [n.strip().lower() for n in families.split(",")]
    if not path or family.lower() not in names:
        raise BuildError(
            f"font '{family}' named by styles/_brand.yml is not installed "
            f"(fontconfig offers '{families or 'nothing'}' instead); "
            f"install {package_for(family)} (e.g. `apt-get install {package_for(family)}`) "
            "or name an installed family in the brand"
        )
    return FontFace(family=family, path=path, index=int(index or 0), bold=bold)


def faces(families: list[str]) -> list[FontFace]:
    """Regular and bold faces of each family (a family not installed is a BuildError)."""
    return [find(family, bold) for family in dict.fromkeys(families) for bold in (False, True)]


def is_installed(family: str) -> bool:
    try:
        find(family)
    except BuildError:
        return False
    return True


@lru_cache(maxsize=16)
def coverage(face: FontFace) -> frozenset[int]:
    """The code points a face has glyphs for (from its cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(face.path, fontNumber=face.index, lazy=True) as font:
        return frozenset(font.getBestCmap())


def undrawable(text: str, covered: set[int] | frozenset[int]) -> set[str]:
    """Characters of `text` outside `covered` (whitespace and controls need no glyph)."""
    return {
        ch for ch in set(text) if ch.isprintable() and not ch.isspace() and ord(ch) not in covered
    }


def missing_chars(text: str, faces: list[FontFace], cache_dir: Path | None = None) -> set[str]:
    """Characters of `text` that none of the faces can draw; with `cache_dir`, their coverage
    comes from the project cache (see cached_coverage) instead of parsing the fonts."""
    covered: set[int] = set()
    for f in faces:
        covered |= cached_coverage(f, cache_dir) if cache_dir is not None else coverage(f)
    return undrawable(text, covered)


def cache_key(face: FontFace) -> str:
    """Identifies a face's file version for build caches."""
    st = Path(face.path).stat()
    return f"{face.path}:{face.index}:{st.st_size}:{int(st.st_mtime)}"


def in_child(work: Callable[[], None]) -> bool:
    """Run `work` in a forked child and wait: parsing a CJK font's tables leaves a process
    ~30 MB larger per face for good, so the parse that fills a cache runs where that memory
    is returned at exit. False if it could not (no fork, other threads alive, it failed)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    pid = os.fork()
    if pid == 0:  # the child: do the work, leave without running the parent's exit handlers
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    return os.waitpid(pid, 0)[1] == 0


def _read_ranges(path: Path) -> frozenset[int] | None:
    try:
        ranges = json.loads(path.read_text(encoding="utf-8"))
        return frozenset(c for a, b in ranges for c in range(a, b + 1))
    except (OSError, ValueError, TypeError):
        return None


def _write_ranges(face: FontFace, path: Path) -> frozenset[int]:
    points = coverage(face)
    ranges: list[list[int]] = []
    for c in sorted(points):
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    with contextlib.suppress(OSError):  # a read-only project still builds
        write_text(path, json.dumps(ranges, separators=(",", ":")))
    return points


def cached_coverage(face: FontFace, cache_dir: Path) -> frozenset[int]:
    """A face's code points, kept in the project cache as ranges.

    Reading four CJK cmaps with fontTools costs most of a second per build; the cached ranges
    a few milliseconds. The key is the font file's path, face index, size and mtime. A missing
    entry is parsed in a child process (see in_child).
    """
    name = hashlib.sha256(cache_key(face).encode()).hexdigest()[:16]
    path = cache_dir / f"cmap-{name}.json"
    points = _read_ranges(path)
    if points is None and in_child(lambda: _write_ranges(face, path)):
        points = _read_ranges(path)
    return points if points is not None else _write_ranges(face, path)
