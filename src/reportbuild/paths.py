"""Every folder and file of a report project the tool reads or writes, named once.

A report repository is shared data: what it may make the tool read is limited to the project
itself. `ProjectPaths.inside()` is the one containment check (symlinks followed), used for every
file the project supplies — chapters, cases, figures, styles, templates, brand assets.
Standard library only: the no-op build imports this before anything heavy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_BRAND = PACKAGE_DIR / "theme" / "_brand.yml"

SOURCES = "sources"
FIGURES = "figures"
STYLES = "styles"
OUTPUT = "output"
CACHE = ".reportbuild-cache"
BRAND = "_brand.yml"
TEMPLATES = "templates"


class OutsideProject(Exception):
    """A project file that resolves (through a symlink or '..') to a place outside the project."""

    def __init__(self, path: Path, target: Path):
        super().__init__(f"{path} points outside the project (to {target})")
        self.path = Path(path)
        self.target = Path(target)

    def advice(self) -> str:
        return (
            f"resolves to {self.target}, outside the project; report files are read only "
            "inside the project: copy the file in instead of linking to it"
        )


@dataclass(frozen=True)
class ProjectPaths:
    """One project's layout; `root` is resolved once, so checks compare like with like."""

    root: Path

    def __init__(self, root: Path | str):
        object.__setattr__(self, "root", Path(root).resolve())

    # ── folders people edit ────────────────────────────────────────────────
    @property
    def sources(self) -> Path:
        return self.root / SOURCES

    @property
    def manifest(self) -> Path:
        return self.sources / "report.yml"

    @property
    def cases(self) -> Path:
        return self.sources / "cases"

    @property
    def figures(self) -> Path:
        return self.root / FIGURES

    @property
    def styles(self) -> Path:
        return self.root / STYLES

    @property
    def templates(self) -> Path:
        return self.styles / TEMPLATES

    @property
    def project_brand(self) -> Path:
        return self.styles / BRAND

    @property
    def brand_file(self) -> Path:
        """The project's brand, or the default theme's when it has none."""
        p = self.project_brand
        return p if p.is_file() else DEFAULT_BRAND

    def pptx_templates(self) -> list[Path]:
        """Deck masters kept in styles/ (the first by name is used unless --template is given)."""
        return sorted(self.styles.glob("*.pptx")) if self.styles.is_dir() else []

    @property
    def pptx_template(self) -> Path | None:
        found = self.pptx_templates()
        return found[0] if found else None

    # ── what the tool writes ───────────────────────────────────────────────
    @property
    def output(self) -> Path:
        return self.root / OUTPUT

    @property
    def cache(self) -> Path:
        return self.root / CACHE

    @property
    def staging(self) -> Path:
        """Where a build writes its outputs until all of them succeeded (then moved to output/)."""
        return self.root / CACHE / "staging"

    # ── the containment check ──────────────────────────────────────────────
    def inside(self, path: Path | str) -> bool:
        """Is `path`, with every symlink followed, inside the project?"""
        try:
            real = Path(os.path.realpath(path))
        except (OSError, ValueError):
            return False
        return real == self.root or real.is_relative_to(self.root)

    def check(self, path: Path | str) -> Path:
        """`path` itself if it stays inside the project; else raise OutsideProject."""
        if not self.inside(path):
            raise OutsideProject(Path(path), Path(os.path.realpath(path)))
        return Path(path)

    def outside_files(self) -> list[Path]:
        """Every file or folder link in sources/, figures/ and styles/ that leads out of the
        project (a link is reported where it stands and not followed further)."""
        found: list[Path] = []
        for top in (self.sources, self.figures, self.styles):
            if not top.exists() and not top.is_symlink():
                continue
            if not self.inside(top):
                found.append(top)
                continue
            for folder, dirs, files in os.walk(top):
                for name in sorted(dirs + files):
                    p = Path(folder) / name
                    if p.is_symlink() and not self.inside(p):
                        found.append(p)
                        if name in dirs:
                            dirs.remove(name)
        return sorted(found)

    def rel(self, path: Path | str) -> str:
        """`path` relative to the project (as written, symlinks not followed), for messages."""
        p = Path(path)
        try:
            return p.absolute().relative_to(self.root).as_posix()
        except ValueError:
            return p.as_posix()
