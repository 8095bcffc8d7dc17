"""The staging folder: every stage writes there, and the files move into output/ only when all
of them succeeded, so a failed (or interrupted) build leaves the previous outputs untouched."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
from pathlib import Path

from reportbuild import paths
from reportbuild.errors import BuildError

TEMP_NAME = re.compile(r"^\.(.+)\.[A-Za-z0-9_]+\.tmp$")  # atomic.py's: .NAME.XXXXXX.tmp


def shown_path(path: Path, root: Path) -> Path:
    """A path as the user knows it: a staged file by its place in output/, a temporary file by
    the file it was to become, relative to the project where it is inside it."""
    m = TEMP_NAME.match(path.name)
    if m:
        path = path.with_name(m.group(1))
    parts = path.parts
    for i in range(len(parts) - 1):
        if parts[i] == paths.CACHE and parts[i + 1] == "staging":
            return Path(paths.OUTPUT, *parts[i + 2 :])
    with contextlib.suppress(ValueError):
        return path.relative_to(root)
    return path


def cannot_write(name: str, exc: OSError, root: Path) -> str:
    """One line for a failed write (read-only folder, a folder where a file goes, disk full)."""
    # os.replace(tmp, target) names both: the target is the one to talk about
    raw = exc.filename2 or exc.filename
    where = shown_path(Path(raw), Path(root)) if raw else None
    if isinstance(exc, IsADirectoryError) and where is not None:
        return (
            f"{name}: {where} is a folder where a file goes; remove or rename that folder, "
            "then build again (the previous outputs are unchanged)"
        )
    what = f"cannot write {where}" if where is not None else "cannot write the outputs"
    return (
        f"{name}: {what}: {exc.strerror or exc}; make the folder writable and free space, "
        "then build again (the previous outputs are unchanged)"
    )


def check_writable(out_dir: Path, targets: list[tuple[str, bool]], root: Path) -> None:
    """output/ and each output's place ((name, is a folder) under it) can take a new file;
    checked before any work."""
    probe = out_dir if out_dir.exists() else out_dir.parent
    problems = []
    if probe.exists() and not probe.is_dir():
        problems.append(f"{probe.relative_to(root)} is a file; output/ must be a folder")
    elif not os.access(probe, os.W_OK | os.X_OK):
        problems.append(f"{probe.relative_to(root) if probe != root else '.'} is not writable")
    for name, folder in targets:
        target = out_dir / name
        if not folder and target.is_dir() and not target.is_symlink():
            problems.append(f"{target.relative_to(root)} is a folder where the file goes")
    if problems:
        raise BuildError(
            "cannot write the outputs: " + "; ".join(problems) + "; fix it, then build again",
            exit_code=2,
        )


def stage_folder(staging: Path, final: Path, figures: bool) -> None:
    """An empty staging folder; with `figures`, a copy of output/figures to draw over (the
    print HTML names chart files there, and charts are redrawn only where they changed)."""
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if figures and (final / "figures").is_dir():
        shutil.copytree(final / "figures", staging / "figures", symlinks=False)


def link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def move_into(src: Path, dst: Path) -> None:
    """Put a staged file in its place: a rename, or an atomic copy across file systems."""
    if dst.is_dir() and not dst.is_symlink():
        raise IsADirectoryError(21, "a folder stands where the file goes", str(dst))
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        from reportbuild.atomic import atomic_path

        with atomic_path(dst) as tmp:
            shutil.copyfile(src, tmp)
