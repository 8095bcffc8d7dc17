"""`reportbuild new DIR`: a minimal report (manifest, chapter, case, figure, brand) that builds."""

from __future__ import annotations

import shutil
from pathlib import Path

from reportbuild import paths
from reportbuild.errors import BuildError

SKELETON = Path(__file__).resolve().parent.parent / "skeleton"
GITIGNORE = f"{paths.OUTPUT}/\n{paths.CACHE}/\n"


def new_project(directory: Path | str) -> Path:
    """Copy the skeleton into `directory` (absent or empty); return its path."""
    dest = Path(directory)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BuildError(f"{dest} already exists and is not empty; choose a new folder")
    shutil.copytree(
        SKELETON, dest, dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", paths.OUTPUT, paths.CACHE),
    )  # fmt: skip
    (dest / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    return dest
