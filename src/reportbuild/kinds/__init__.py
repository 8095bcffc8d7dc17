"""Figure kinds: one registry entry per kind, the only list of them.

An entry (`FigureKind`) holds everything the pipeline needs to know about one kind of figure:
its model (the fields a figures/*.yml file of that kind may have), its alt text, its data
table for the appendix, its load-time checks, the function that lays it out on a chart canvas
and the one that builds it on a slide. The loader validates a figure file against the
discriminated union of the registered models (`figure_adapter`), so a field of another kind is
an error with file:line; charts, deck, HTML and lints look the kind up here.

Drawing and deck builders may be given as "module:function" strings: they are imported only
when a figure of that kind is drawn, so loading a report never imports matplotlib or pptx.
Adding a kind is one module that calls `register` (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field, TypeAdapter

from reportbuild.model import Figure

if TYPE_CHECKING:
    from reportbuild.locale import Locale

# what a check hook reports: (path inside the figure's YAML, message, code)
Report = Callable[[tuple[Any, ...], str, str], None]
Table = tuple[list[str], list[list[str]]]


@dataclass(frozen=True)
class FigureKind:
    """One kind of figure. `data`: a chart of numbers (needs a source, has a data table);
    otherwise a diagram (its appendix entry is an outline of its parts)."""

    name: str
    model: type[Figure]
    data: bool
    alt: Callable[[Any, Locale], str]  # the figure described in words, every value in it
    table: Callable[[Any, Locale], Table]  # (headers, rows) for the data appendix
    draw: Callable[..., None] | str  # (canvas, figure) -> None: the chart laid out on a Canvas
    deck: Callable[..., Any] | str | None = None  # (SlideCtx, Box, figure): native on a slide
    outline: Callable[[Any, Locale], list] | None = None  # a diagram's parts, for the appendix
    check: Callable[[Any, Report], None] | None = None  # load-time checks beyond the model
    requires: str = ""  # the field that may not be empty ('items', 'series', …)
    # the kind's name by locale tag, for a kind whose name the locale tables lack
    names: tuple[tuple[str, str], ...] = ()
    # the figure.kind.* locale key naming a figure of this kind, when it depends on the figure
    # (a stacked chart of shares or of amounts); default: the kind's name
    word: Callable[[Any], str] | None = None

    def drawing(self) -> Callable[..., None]:
        return _resolve(self.draw)

    def deck_builder(self) -> Callable[..., Any] | None:
        return _resolve(self.deck) if self.deck is not None else None


REGISTRY: dict[str, FigureKind] = {}


def _resolve(fn: Callable | str) -> Callable:
    if callable(fn):
        return fn
    module, _, name = fn.partition(":")
    return getattr(importlib.import_module(module), name)


def register(kind: FigureKind) -> FigureKind:
    """Add (or replace) a kind. Its model must declare `kind: Literal['<name>']`."""
    field = kind.model.model_fields.get("kind")
    if field is None or getattr(field.annotation, "__args__", ()) != (kind.name,):
        raise ValueError(f"{kind.model.__name__}.kind must be Literal[{kind.name!r}]")
    REGISTRY[kind.name] = kind
    figure_adapter.cache_clear()
    return kind


def unregister(name: str) -> None:
    REGISTRY.pop(name, None)
    figure_adapter.cache_clear()


def get(name: str) -> FigureKind:
    _builtin()
    return REGISTRY[name]


def of(fig: Figure) -> FigureKind:
    return get(fig.kind)


def names() -> list[str]:
    _builtin()
    return list(REGISTRY)


@cache
def figure_adapter() -> TypeAdapter:
    """The discriminated union (on `kind`) of every registered figure model."""
    _builtin()
    models = tuple(k.model for k in REGISTRY.values())
    union = Union[models] if len(models) > 1 else models[0]  # noqa: UP007 - built at run time
    return TypeAdapter(Annotated[union, Field(discriminator="kind")])


def owners(field: str) -> list[str]:
    """The kinds whose model has `field` (for 'belongs to …' hints)."""
    _builtin()
    return [k.name for k in REGISTRY.values() if field in k.model.model_fields]


_loaded = False


def _builtin() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        from reportbuild.kinds import charts, diagrams  # noqa: F401 - they register themselves
