"""Finding the brand's fonts on this machine and knowing which characters they can draw."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reportbuild.errors import BuildError

# Which Debian package provides a family, for error messages that say what to install.
PACKAGES = {
    "noto sans cjk": "fonts-noto-cjk",
    "noto serif cjk": "fonts-noto-cjk",
    "noto sans mono cjk": "fonts-noto-cjk",
    "dejavu": "fonts-dejavu-core",
}


def package_for(family: str) -> str | None:
    key = family.lower()
    for prefix, pkg in PACKAGES.items():
        if key.startswith(prefix):
            return pkg
    return None


def not_installed(family: str, offered: str = "") -> str:
    """What to do about a brand font that fontconfig does not have."""
    pkg = package_for(family)
    how = (
        f"install it (`apt-get install {pkg}`)"
        if pkg
        else "install it (`fc-list : family` lists the installed families)"
    )
    return (
        f"font '{family}' is not installed (fontconfig would draw '{offered or 'nothing'}' "
        f"instead); {how}, or name an installed family in the brand"
    )


@dataclass(frozen=True)
class FontFace:
    """One face of a font file; `index` selects the face inside a .ttc collection.

    `charset` is fontconfig's list of the code points the face covers, as hex ranges
    ("20-7e a0-103 …"): the same coverage Pango consults when it chooses a font."""

    family: str
    path: str
    index: int
    bold: bool = False
    charset: str = field(default="", repr=False, compare=False)


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
        ["fc-match", "-f", "%{file}|%{index}|%{family}|%{charset}", pattern],
        capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    path, _, rest = out.partition("|")
    index, _, rest = rest.partition("|")
    families, _, charset = rest.partition("|")
    names = [n.strip().lower() for n in families.split(",")]
    if not path or family.lower() not in names:
        raise BuildError(not_installed(family, families), exit_code=2)
    return FontFace(family=family, path=path, index=int(index or 0), bold=bold, charset=charset)


def faces(families: list[str]) -> list[FontFace]:
    """Regular and bold faces of each family (a family not installed is a BuildError)."""
    return [find(family, bold) for family in dict.fromkeys(families) for bold in (False, True)]


@dataclass(frozen=True)
class Coverage:
    """Code points as sorted, disjoint ranges: a CJK face's 44,000 points in ~700 pairs, where
    a set of them took ~4 MB (and a build's PDF worker keeps them through WeasyPrint's peak)."""

    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()

    @classmethod
    def of(cls, ranges: list[tuple[int, int]]) -> Coverage:
        merged: list[list[int]] = []
        for first, last in sorted(ranges):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        return cls(tuple(r[0] for r in merged), tuple(r[1] for r in merged))

    def __contains__(self, cp: object) -> bool:
        if not isinstance(cp, int):
            return False
        i = bisect_right(self.starts, cp) - 1
        return i >= 0 and cp <= self.ends[i]

    def __iter__(self) -> Iterator[int]:
        for first, last in self.ranges:
            yield from range(first, last + 1)

    @property
    def ranges(self) -> list[tuple[int, int]]:
        return list(zip(self.starts, self.ends, strict=True))

    def __or__(self, other: Coverage) -> Coverage:
        return Coverage.of(self.ranges + other.ranges)


@lru_cache(maxsize=16)
def coverage(face: FontFace) -> Coverage:
    """The code points a face has glyphs for.

    From fontconfig's charset, which fontconfig keeps in its own cache: a few milliseconds,
    where reading a CJK cmap with fontTools took a fifth of a second per face (and ~30 MB that
    a process never returns). For the Noto CJK faces the two agree code point for code point.
    """
    ranges = []
    for part in face.charset.split():
        first, _, last = part.partition("-")
        ranges.append((int(first, 16), int(last or first, 16)))
    return Coverage.of(ranges)


# Unicode categories drawn with no glyph: controls, format characters (soft hyphen, zero-width
# space and joiners), spaces and separators. Everything else needs one, private-use (Co) and
# unassigned (Cn) code points too: str.isprintable() calls those unprintable, and they printed
# as empty boxes that no check reported.
NO_GLYPH = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def undrawable(text: str, covered: Container[int]) -> set[str]:
    """Characters of `text` outside `covered` (whitespace and controls need no glyph)."""
    return {
        ch
        for ch in set(text)
        if unicodedata.category(ch) not in NO_GLYPH and not ch.isspace() and ord(ch) not in covered
    }


@lru_cache(maxsize=16)
def covered_by(faces: tuple[FontFace, ...]) -> Coverage:
    """The code points one of the faces covers: their ranges merged once per set of faces (a
    build asked for the same union for every figure, 3 ms each)."""
    covered = Coverage()
    for f in faces:
        covered |= coverage(f)
    return covered


def missing_chars(text: str, faces: list[FontFace]) -> set[str]:
    """Characters of `text` that none of the faces can draw."""
    return undrawable(text, covered_by(tuple(faces)))


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
    from reportbuild.procs import child_signals, signals_held

    with signals_held():
        pid = os.fork()
    if pid == 0:  # the child: do the work, leave without running the parent's exit handlers
        code = 1
        try:
            child_signals()
            work()
            code = 0
        finally:
            os._exit(code)
    return os.waitpid(pid, 0)[1] == 0
