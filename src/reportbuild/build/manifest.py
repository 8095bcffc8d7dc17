"""The cache manifest (.reportbuild-cache/manifest.json): for each output, the key of the
inputs it was built from and the hash of every file it wrote, so that an output edited or
removed by hand is rebuilt."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from reportbuild.atomic import write_text
from reportbuild.build.inputs import short_blake

MANIFEST_VERSION = 1


def read_manifest(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return {}
    arts = data.get("artifacts")
    return arts if isinstance(arts, dict) else {}


def write_manifest(path: Path, artifacts: dict) -> None:
    data = {"version": MANIFEST_VERSION, "artifacts": artifacts}
    write_text(path, json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def file_hash(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, short_blake).hexdigest()
    except OSError:
        return None


def record(out_dir: Path, files: list[Path]) -> dict[str, str]:
    """{path under out_dir: hash} of the files an output wrote."""
    return {p.relative_to(out_dir).as_posix(): file_hash(p) or "" for p in files}


def is_fresh(entry: object, key: str, out_dir: Path) -> bool:
    """The artifact was built from these inputs and its files are still exactly what we wrote."""
    if not isinstance(entry, dict) or entry.get("key") != key:
        return False
    files = entry.get("files")
    if not isinstance(files, dict) or not files:
        return False
    return all(file_hash(out_dir / rel) == h for rel, h in files.items())
