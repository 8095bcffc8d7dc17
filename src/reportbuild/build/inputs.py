"""The inputs of a build and their digests, with the standard library only: a build with
nothing to do stops after this and never imports pydantic, WeasyPrint, matplotlib or
python-pptx."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from reportbuild import __version__, paths
from reportbuild.build.outputs import REGISTRY

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# Parts of the package that cannot change an output: the `new` skeleton, bytecode, the lints.
PACKAGE_SKIP = {"skeleton", "__pycache__", "lints"}


def _skipped(name: str) -> bool:
    # editor droppings (.#x, x~, .x.swp) and our own temp files never count as inputs
    return name.startswith(".") or name.endswith("~")


def walk(folder: Path, skip: set[str] = frozenset()) -> Iterator[Path]:
    """The files under `folder` in a stable order, skipping editor droppings and `skip`."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    for e in entries:
        if _skipped(e.name) or e.name in skip:
            continue
        if e.is_dir():
            yield from walk(Path(e.path), skip)
        elif e.is_file():
            yield Path(e.path)


def short_blake():
    return hashlib.blake2b(digest_size=16)


def hash_files(files: Iterator[Path] | list[Path], base: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    for p in files:
        try:
            rel = p.relative_to(base).as_posix()
        except ValueError:
            rel = p.as_posix()
        h.update(rel.encode() + b"\0")
        with open(p, "rb") as f:
            h.update(hashlib.file_digest(f, short_blake).digest())
    return h.hexdigest()


def digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def brand_file(root: Path) -> Path:
    return paths.ProjectPaths(root).brand_file


def input_groups(root: Path, opts) -> dict[str, str]:
    """Digests of each group of inputs: the folders people edit, the tool itself, the options
    (a BuildOptions). An output names the groups it depends on (outputs.REGISTRY)."""
    root = Path(root)
    where = paths.ProjectPaths(root)
    template = opts.template
    return {
        "sources": hash_files(walk(where.sources), root),
        "figures": hash_files(walk(where.figures), root),
        "styles": hash_files(walk(where.styles), root),
        "brand": hash_files([where.brand_file], root),
        # a deck master may be passed with --template or kept in styles/
        "decktemplate": hash_files(
            where.pptx_templates() + ([Path(template)] if template else []), root
        ),
        "tool": digest(__version__, hash_files(walk(PACKAGE_DIR, PACKAGE_SKIP), PACKAGE_DIR)),
        "epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
        "pdfopts": f"{opts.pdf_variant or ''}|{int(opts.bleed)}"
        + ("" if opts.pdf_split == "auto" else f"|{opts.pdf_split}"),
        "deckopts": getattr(opts, "deck_fonts", "brand"),
    }


def artifact_keys(groups: dict[str, str]) -> dict[str, str]:
    """Each output's cache key: a digest of the input groups it depends on."""
    return {
        name: digest(name, *(f"{g}={groups[g]}" for g in out.depends))
        for name, out in sorted(REGISTRY.items())
    }
