"""The block registry: every kind of block a chapter or page holds, one entry each.

An entry says everything the pipeline needs to know about one kind of block:

- `name`: the kind (`::: name` in Markdown when `container` is true; `prose` and `heading` are
  the plain Markdown blocks and are entries too, so the list is complete);
- `block`: its model class (a `model.Block` with `kind: Literal[name]`);
- `build(loader, path, raw)`: the parsed piece (`markup.RawBlock`) → a model block, or None;
- `template`: the Jinja partial that renders one block (the block is `b` in its context);
- `walk(walker, where, block)`: hands the block's text to the lint walker (`lints.sites`);
- `check(loader, block)`: cross-references, once every file is loaded;
- `place(loader, chapter, raw)`: pass 1, before prose is read (numbers, chapter of an item);
- `args` and `body`: the syntax `check` enforces ('none' | 'one' | 'any' ids; body or not).

Markup, loader, templates and lints read this dict and nothing else: adding a kind of block is
one module that calls `register()` plus its template (docs/ARCHITECTURE.md shows one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from reportbuild import model


def _nothing(*_: Any) -> None:
    return None


@dataclass(frozen=True)
class Directive:
    name: str
    block: type[model.Block]
    build: Callable[[Any, Path, Any], model.Block | None]
    template: str
    walk: Callable[[Any, str, Any], None] = _nothing
    check: Callable[[Any, Any], None] = _nothing
    place: Callable[[Any, dict, Any], None] = _nothing
    args: Literal["none", "one", "any"] = "any"
    body: bool = False
    container: bool = True
    example: str = ""  # how it is written, for messages


REGISTRY: dict[str, Directive] = {}


def register(directive: Directive) -> Directive:
    """Add (or replace) one kind of block."""
    REGISTRY[directive.name] = directive
    return directive


def container_names() -> tuple[str, ...]:
    """The `::: name` directives, in registration order."""
    return tuple(d.name for d in REGISTRY.values() if d.container)


def templates() -> dict[str, str]:
    """kind → the partial that renders it."""
    return {d.name: d.template for d in REGISTRY.values()}


def get(kind: str) -> Directive:
    return REGISTRY[kind]


# the built-in kinds; each module registers its entries on import
from reportbuild.directives import builtin, image, table  # noqa: E402, F401
