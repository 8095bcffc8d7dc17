"""The drawing worker: lay out a figure on a canvas, check nothing is clipped, write SVG and PNG."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import matplotlib
import matplotlib.backends.backend_svg  # noqa: F401 - loaded while the chart worker warms up

from reportbuild import kinds
from reportbuild.atomic import atomic_path
from reportbuild.brand import Brand
from reportbuild.charts import bars, diagrams, print_svg_path  # noqa: F401 - loaded while warming up
from reportbuild.charts.canvas import Canvas, check_inside
from reportbuild.charts.glyphs import check_glyphs
from reportbuild.charts.lean import lean_svg, svg_number
from reportbuild.charts.style import PNG_DPI, Style
from reportbuild.charts.text import letter_advance
from reportbuild.errors import BuildError
from reportbuild.figdata import alt_text
from reportbuild.model import Figure

# No dates, no tool versions: the same figure gives the same bytes.
SVG_META = {"Date": None, "Creator": None, "Format": None, "Type": None}
PNG_META = {"Software": None}


def layout(fig: Figure, style: Style) -> Canvas:
    cv = Canvas(style)
    kinds.of(fig).drawing()(cv, fig)
    return cv


def checked_layout(fig: Figure, style: Style) -> Canvas:
    """Check the glyphs and lay the figure out: what it will draw, and so its size."""
    check_glyphs(fig, style.family)
    return layout(fig, style)


def _render(cv: Canvas, fig: Figure, check: bool):
    mfig = cv.render()
    if check:
        outside = check_inside(mfig)
        if outside:
            raise BuildError(
                f"{fig.loc}: chart '{fig.id}' would clip text ({', '.join(outside[:3])}); "
                "shorten the labels or report this as a layout bug"
            )
    return mfig


def _pt(inches: float) -> str:
    """A length as matplotlib's SVG writer prints it (%f, trailing zeros dropped), in pt."""
    return svg_number(inches * 72)


def svg_size(cv: Canvas) -> tuple[str, str]:
    """The width and height attributes the figure's SVG will have (numbers in pt), known
    from the layout alone: a page can be laid out around the figure before it is drawn."""
    w, h = cv.size_inches()
    return _pt(w), _pt(h)


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


def matplotlib_svg(mfig, fig: Figure, outlined: bool) -> str:
    """The SVG matplotlib writes for a rendered figure: text as text, or (outlined) glyphs as
    paths, inlined."""
    buf = io.StringIO()
    # the alt text travels with the file, for viewers that open the SVG on its own
    meta = {**SVG_META, "Title": fig.title, "Description": alt_text(fig)}
    with matplotlib.rc_context({"svg.fonttype": "path" if outlined else "none"}):
        mfig.savefig(buf, format="svg", metadata=meta)
    return inline_glyphs(buf.getvalue()) if outlined else buf.getvalue()


def _svg_text(mfig, fig: Figure, outlined: bool) -> str:
    svg = matplotlib_svg(mfig, fig, outlined)
    return svg if outlined else lean_svg(svg, letter_advance)


def _save_svg(mfig, fig: Figure, path: Path, outlined: bool) -> tuple[float, float]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        Path(tmp).write_text(_svg_text(mfig, fig, outlined), encoding="utf-8")
    w, h = mfig.get_size_inches()
    return round(float(w) * 25.4, 2), round(float(h) * 25.4, 2)


def _save_png(mfig, fig: Figure, out_dir: Path) -> None:
    with atomic_path(Path(out_dir) / f"{fig.id}.png") as tmp:
        # zlib level 1: a fifth of the encoding time of the default 6, for files ~10% larger
        mfig.savefig(
            tmp, format="png", dpi=PNG_DPI, metadata=PNG_META, pil_kwargs={"compress_level": 1}
        )


# A figure is written three times, from one layout:
# - the print SVG (out_dir/.print/<id>.svg) keeps its text as text, in the brand font by family
#   name: WeasyPrint sets it with the report's own fonts, so the PDF's charts are searchable and
#   cheap to draw (outlines made drawing the charts three quarters of writing the PDF); it is
#   leaned (lean.py: the same drawing in a third of the nodes) for WeasyPrint to walk;
# - the SVG (out_dir/<id>.svg) has its glyphs as outlines: it looks the same anywhere, with or
#   without the fonts;
# - the PNG (2×), for slides and documents that take no SVG.


@lru_cache(maxsize=16)
def _known_to_matplotlib(families: tuple[str, ...]) -> None:
    """matplotlib looks fonts up in its own cache, made once: a brand font installed since
    would be drawn silently in DejaVu Sans. Add the faces fontconfig finds for the brand."""
    from matplotlib import font_manager

    from reportbuild import fonts

    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in families:
        if family not in known:
            for bold in (False, True):
                font_manager.fontManager.addfont(fonts.find(family, bold).path)


def _style(brand: Brand) -> Style:
    _known_to_matplotlib(tuple(brand.families))
    return Style.from_brand(brand)


def lay_out(fig: Figure, brand: Brand) -> tuple[Canvas, tuple[str, str]]:
    """The checked layout of a figure, and its SVG size attributes (see svg_size)."""
    style = _style(brand)
    with matplotlib.rc_context(style.rc()):
        cv = checked_layout(fig, style)
    return cv, svg_size(cv)


_METRICS: dict[tuple, tuple[float, float, float]] = {}


@contextmanager
def _svg_metrics_once() -> Iterator[None]:
    """While the block runs, matplotlib's SVG writer measures each string once per font and
    size for the whole process: it measures every label (`TextToPath`, at a fixed scale, so
    neither the figure nor its resolution enters) for each SVG it writes, the print SVG and
    the outlined one alike, each time shaping the string with FreeType again. Measuring does
    not draw: the files are the same."""
    from matplotlib.textpath import TextToPath

    measure = TextToPath.get_text_width_height_descent

    def once(self, s, prop, ismath):
        if ismath or type(self) is not TextToPath:
            return measure(self, s, prop, ismath)
        key = (s, tuple(prop.get_family()), prop.get_style(), prop.get_variant(),
               prop.get_weight(), prop.get_stretch(), prop.get_size_in_points(),
               prop.get_file(), prop.get_math_fontfamily())  # fmt: skip
        got = _METRICS.get(key)
        if got is None:
            got = _METRICS[key] = measure(self, s, prop, ismath)
        return got

    TextToPath.get_text_width_height_descent = once
    try:
        yield
    finally:
        TextToPath.get_text_width_height_descent = measure


def draw_print(
    fig: Figure, brand: Brand, out_dir: Path, cv: Canvas, keep: dict | None = None
) -> tuple[float, float]:
    """Check that no text is clipped and write the print SVG; return (width, height) in mm.
    `keep`: the rendered figure goes there (by figure id), for draw_portable."""
    style = _style(brand)
    with matplotlib.rc_context(style.rc()), _svg_metrics_once():
        mfig = _render(cv, fig, check=True)
        if keep is not None:
            keep[fig.id] = mfig
        return _save_svg(mfig, fig, print_svg_path(out_dir, fig.id), outlined=False)


def draw_portable(fig: Figure, brand: Brand, out_dir: Path, cv: Canvas, mfig=None) -> None:
    """Write the outlined SVG and the PNG of a figure draw_print has checked (from the figure
    it rendered, `mfig`, if it was kept: as draw_files does; else rendered again)."""
    style = _style(brand)
    with matplotlib.rc_context(style.rc()), _svg_metrics_once():
        mfig = mfig if mfig is not None else _render(cv, fig, check=False)
        _save_svg(mfig, fig, Path(out_dir) / f"{fig.id}.svg", outlined=True)
        _save_png(mfig, fig, out_dir)


def draw_files(fig: Figure, brand: Brand, out_dir: Path) -> tuple[float, float]:
    """Write all three files of a figure from one layout; return (width, height) in mm."""
    style = _style(brand)
    with matplotlib.rc_context(style.rc()):
        mfig = _render(checked_layout(fig, style), fig, check=True)
        size = _save_svg(mfig, fig, print_svg_path(out_dir, fig.id), outlined=False)
        _save_svg(mfig, fig, Path(out_dir) / f"{fig.id}.svg", outlined=True)
        _save_png(mfig, fig, out_dir)
    return size
