"""`reportbuild clean`: remove the generated outputs and the build cache (under the build lock)."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from reportbuild.build import CACHE_DIR, OUTPUT_DIR, REGISTRY, BuildLock


def clean_project(root: Path | str, lock_timeout: float = 600.0) -> list[str]:
    """Remove output/ and .reportbuild-cache/; return the names of what was removed."""
    root = Path(root)
    removed: list[str] = []
    out, cache = root / OUTPUT_DIR, root / CACHE_DIR
    if not out.exists() and not cache.exists():
        return removed
    # hold the lock so that a running build is never cleaned from under its feet
    with BuildLock(cache, lock_timeout):
        if out.is_symlink():
            # output/ links elsewhere (a shared drive, say): remove what a build writes there,
            # never the link, its target or anything else in it
            for kind in REGISTRY.values():
                target = out / kind.target
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                elif target.exists() or target.is_symlink():
                    target.unlink()
            removed.append(f"{OUTPUT_DIR}/ (the outputs in it; the link is kept)")
        elif out.exists():
            shutil.rmtree(out)
            removed.append(f"{OUTPUT_DIR}/")
        for p in sorted(cache.iterdir()):
            if p.name != "lock":
                shutil.rmtree(p) if p.is_dir() else p.unlink()
        (cache / "lock").unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # another build took the lock meanwhile: its folder now
        cache.rmdir()
    removed.append(f"{CACHE_DIR}/")
    return removed
