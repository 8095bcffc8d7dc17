"""The drawing worker: lay out a figure on a canvas, check nothing is clipped, write SVG and PNG."""

from __future__ import annotations

from pathlib import Path

import matplotlib

from reportbuild import fonts
from reportbuild.atomic import atomic_path
from reportbuild.brand import Brand
from reportbuild.charts import bars, diagrams
from reportbuild.charts.canvas import Canvas, check_inside
from reportbuild.charts.style import PNG_DPI, Style
from reportbuild.errors import BuildError
from reportbuild.figdata import alt_text
from reportbuild.model import Figure

LAYOUTS = {
    "bar": bars.bar,
    "stacked": bars.stacked,
    "donut": bars.donut,
    "stat": bars.stat,
    "process": diagrams.process,
    "ladder": diagrams.ladder,
    "layers": diagrams.layers,
    "comparison": diagrams.comparison,
}

# No dates, no tool versions: the same figure gives the same bytes.
SVG_META = {"Date": None, "Creator": None, "Format": None, "Type": None}
PNG_META = {"Software": None}


def layout(fig: Figure, style: Style) -> Canvas:
    cv = Canvas(style)
    LAYOUTS[fig.kind](cv, fig)
    return cv


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
    data = fig.model_dump(exclude=NOT_DRAWN)
    missing = fonts.missing_chars("".join(drawn_strings(data)), faces)
    if missing:
        chars = " ".join(sorted(missing))
        raise BuildError(
            f"{fig.loc}: figure '{fig.id}' uses characters the chart font '{family}' "
            f"cannot draw: {chars}; replace them or choose another base font in "
            "styles/_brand.yml"
        )


def draw_files(fig: Figure, brand: Brand, out_dir: Path) -> tuple[float, float]:
    """Write out_dir/<id>.svg and <id>.png; return (width, height) in mm."""
    style = Style.from_brand(brand)
    with matplotlib.rc_context(style.rc()):
        check_glyphs(fig, style.family)
        cv = layout(fig, style)
        mfig = cv.render()
        outside = check_inside(mfig)
        if outside:
            raise BuildError(
                f"{fig.loc}: chart '{fig.id}' would clip text ({', '.join(outside[:3])}); "
                "shorten the labels or report this as a layout bug"
            )
        out_dir = Path(out_dir)
        with atomic_path(out_dir / f"{fig.id}.svg") as tmp:
            # the alt text travels with the file, for viewers that open the SVG on its own
            meta = {**SVG_META, "Title": fig.title, "Description": alt_text(fig)}
            mfig.savefig(tmp, format="svg", metadata=meta)
        with atomic_path(out_dir / f"{fig.id}.png") as tmp:
            mfig.savefig(tmp, format="png", dpi=PNG_DPI, metadata=PNG_META)
    w, h = mfig.get_size_inches()
    return round(float(w) * 25.4, 2), round(float(h) * 25.4, 2)
