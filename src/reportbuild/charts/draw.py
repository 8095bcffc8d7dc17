"""The drawing worker: lay out a figure on a canvas, check nothing is clipped, write SVG and PNG."""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib

from reportbuild.atomic import atomic_path
from reportbuild.brand import Brand
from reportbuild.charts import bars, diagrams
from reportbuild.charts.canvas import Canvas, check_inside
from reportbuild.charts.glyphs import check_glyphs
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


def _figure(fig: Figure, style: Style, check: bool, cache_dir: Path | None = None):
    if check:
        check_glyphs(fig, style.family, cache_dir)
    cv = layout(fig, style)
    mfig = cv.render()
    if check:
        outside = check_inside(mfig)
        if outside:
            raise BuildError(
                f"{fig.loc}: chart '{fig.id}' would clip text ({', '.join(outside[:3])}); "
                "shorten the labels or report this as a layout bug"
            )
    return mfig


# matplotlib writes each glyph once as <path id=… d=…> and places it with <use xlink:href=#…>.
# WeasyPrint resolves every <use> by searching the whole tree for its id: with a few hundred
# glyphs per chart that search was a quarter of the PDF's drawing time. Inlining the outlines
# (the same path, transforms composed as the SVG spec composes them) prints the same pixels.
_GLYPH_DEF = re.compile(r'<path id="([^"]+)"(?: d="([^"]*)")?(?: transform="([^"]*)")?\s*/>')
_GLYPH_USE = re.compile(
    r'<use xlink:href="#([^"]+)"(?: x="([^"]*)")?(?: y="([^"]*)")?(?: transform="([^"]*)")?\s*/>'
)


def inline_glyphs(svg: str) -> str:
    """Replace each <use> of a glyph outline with the outline itself; drop the definitions."""
    defs = {m.group(1): (m.group(2) or "", m.group(3) or "") for m in _GLYPH_DEF.finditer(svg)}

    def place(m: re.Match) -> str:
        if m.group(1) not in defs:
            return m.group(0)
        d, own = defs[m.group(1)]
        if not d:  # a space: nothing to draw
            return ""
        x, y = m.group(2), m.group(3)
        shift = f"translate({x or 0} {y or 0})" if x or y else ""
        transform = " ".join(t for t in (m.group(4) or "", shift, own) if t)
        return f'<path d="{d}" transform="{transform}"/>' if transform else f'<path d="{d}"/>'

    return _GLYPH_DEF.sub("", _GLYPH_USE.sub(place, svg))


def _save_svg(mfig, fig: Figure, out_dir: Path) -> tuple[float, float]:
    buf = io.StringIO()
    # the alt text travels with the file, for viewers that open the SVG on its own
    meta = {**SVG_META, "Title": fig.title, "Description": alt_text(fig)}
    mfig.savefig(buf, format="svg", metadata=meta)
    with atomic_path(Path(out_dir) / f"{fig.id}.svg") as tmp:
        Path(tmp).write_text(inline_glyphs(buf.getvalue()), encoding="utf-8")
    w, h = mfig.get_size_inches()
    return round(float(w) * 25.4, 2), round(float(h) * 25.4, 2)


def _save_png(mfig, fig: Figure, out_dir: Path) -> None:
    with atomic_path(Path(out_dir) / f"{fig.id}.png") as tmp:
        mfig.savefig(tmp, format="png", dpi=PNG_DPI, metadata=PNG_META)


def draw_svg(
    fig: Figure, brand: Brand, out_dir: Path, cache_dir: Path | None = None
) -> tuple[float, float]:
    """Check and write out_dir/<id>.svg; return (width, height) in mm. With `cache_dir`, the
    glyph check reads the fonts' coverage from the project cache."""
    style = Style.from_brand(brand)
    with matplotlib.rc_context(style.rc()):
        return _save_svg(_figure(fig, style, check=True, cache_dir=cache_dir), fig, out_dir)


def draw_png(fig: Figure, brand: Brand, out_dir: Path) -> None:
    """Write out_dir/<id>.png (2×) of a figure draw_svg has checked: the same layout again."""
    style = Style.from_brand(brand)
    with matplotlib.rc_context(style.rc()):
        _save_png(_figure(fig, style, check=False), fig, out_dir)


def draw_files(fig: Figure, brand: Brand, out_dir: Path) -> tuple[float, float]:
    """Write out_dir/<id>.svg and <id>.png from one layout; return (width, height) in mm."""
    style = Style.from_brand(brand)
    with matplotlib.rc_context(style.rc()):
        mfig = _figure(fig, style, check=True)
        size = _save_svg(mfig, fig, out_dir)
        _save_png(mfig, fig, out_dir)
    return size
