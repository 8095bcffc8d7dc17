"""The chart fonts' glyph check (no matplotlib needed)."""

from __future__ import annotations

from reportbuild import fonts
from reportbuild.errors import BuildError
from reportbuild.model import Figure

# Fields the PDF prints around the chart, never inside it.
NOT_DRAWN = {
    "title",
    "caption",
    "question",
    "finding",
    "source",
    "note",
    "loc",
    "number",
    "chapter",
}


def drawn_strings(value: object) -> list[str]:
    """Every string of a figure's data that may end up drawn (ids and captions excluded)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k != "id" for s in drawn_strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in drawn_strings(v)]
    return []


def check_glyphs(fig: Figure, family: str) -> None:
    """Fail with what to do, rather than print empty boxes for characters the font lacks."""
    faces = [fonts.find(family), fonts.find(family, bold=True)]
    text = "".join(drawn_strings(fig.model_dump(exclude=NOT_DRAWN)))
    missing = fonts.missing_chars(text, faces)
    if missing:
        chars = " ".join(sorted(missing))
        raise BuildError(
            f"{fig.loc}: figure '{fig.id}' uses characters the chart font '{family}' "
            f"cannot draw: {chars}; replace them or choose another base font in "
            "styles/_brand.yml"
        )
