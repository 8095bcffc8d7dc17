"""`reportbuild new DIR`: a minimal report (manifest, chapter, case, figure, brand) that builds."""

from __future__ import annotations

import shutil
from pathlib import Path

from reportbuild import paths
from reportbuild.errors import BuildError

PACKAGE = Path(__file__).resolve().parent.parent
SKELETON = PACKAGE / "skeleton"  # the default locale's (zh-CN)


def skeleton_for(lang: str | None) -> Path:
    """The skeleton of a locale: skeletons/<tag>/, or the default one."""
    from reportbuild.locale import DEFAULT, get_locale

    tag = get_locale(lang or DEFAULT).tag
    other = PACKAGE / "skeletons" / tag
    return other if other.is_dir() else SKELETON


GITIGNORE = f"{paths.OUTPUT}/\n{paths.CACHE}/\n"


def new_project(directory: Path | str, lang: str | None = None) -> Path:
    """Copy the locale's skeleton into `directory` (absent or empty); return its path."""
    dest = Path(directory)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BuildError(f"{dest} already exists and is not empty; choose a new folder")
    shutil.copytree(
        skeleton_for(lang), dest, dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", paths.OUTPUT, paths.CACHE),
    )  # fmt: skip
    (dest / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    return dest
