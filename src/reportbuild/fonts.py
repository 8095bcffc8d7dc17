"""Finding the brand's fonts on this machine and knowing which characters they can draw."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
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


def missing_chars(text: str, faces: list[FontFace]) -> set[str]:
    """Characters of `text` that none of the faces can draw (whitespace and controls ignored)."""
    covered: set[int] = set()
    for f in faces:
        covered |= coverage(f)
    return {
        ch for ch in set(text) if ch.isprintable() and not ch.isspace() and ord(ch) not in covered
    }


def cache_key(face: FontFace) -> str:
    """Identifies a face's file version for build caches."""
    st = Path(face.path).stat()
    return f"{face.path}:{face.index}:{st.st_size}:{int(st.st_mtime)}"
