"""Where facts about this machine are kept between builds of any project."""

from __future__ import annotations

import os
from pathlib import Path


def machine_cache(fallback: Path) -> Path:
    """The folder for what depends on this machine alone (the fonts' advance widths, compiled
    templates, brand files as brand-yml read them), like fontconfig's own cache:
    $XDG_CACHE_HOME/reportbuild, else ~/.cache/reportbuild; `fallback` (the project's cache)
    when that cannot be created."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(base) / "reportbuild"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return fallback
    return folder if os.access(folder, os.W_OK) else fallback
