"""A millimetre canvas: charts lay out first (measuring text), then the figure is sized to fit.

Every string measured, wrapped or drawn here gets the CJK–Latin spacing of the PDF's prose
(linebreak.cjk_latin_spaced): one rule for every chart and diagram, not one per kind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Imported here, not where they are used: the chart worker imports this module while it warms
# up, before its job arrives.
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, Polygon, Rectangle, Wedge

from reportbuild.charts.style import MM_PER_PT, Style
from reportbuild.charts.text import block_width, text_width, wrap
from reportbuild.linebreak import cjk_latin_spaced

# Where the centre of a CJK em box sits above the baseline, as a fraction of the size
# (Noto CJK: the ideographic em box spans −0.12…0.88 em).
EM_CENTRE = 0.38
# Air around the drawing inside the image, so antialiasing never touches the edge.
MARGIN = 1.0


@dataclass
class Canvas:
    """Records shapes and text in mm (y grows downwards); `render` makes the matplotlib Figure."""

    style: Style
    width: float = 0.0
    ops: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    bottom: float = 0.0  # lowest point drawn so far

    def __post_init__(self) -> None:
        if not self.width:
            self.width = self.style.width_mm - 2 * MARGIN

    # ── measuring ──────────────────────────────────────────────────────────
    def measure(self, s: str, size: float | None = None, bold: bool = False) -> float:
        return text_width(
            cjk_latin_spaced(s),
            self.style.family,
            size or self.style.size,
            "bold" if bold else "normal",
        )

    def wrap(
        self,
        s: str,
        width: float,
        size: float | None = None,
        bold: bool = False,
        balance: bool = True,
    ) -> list[str]:
        return wrap(
            cjk_latin_spaced(s),
            width,
            self.style.family,
            size or self.style.size,
            "bold" if bold else "normal",
            balance,
        )

    def lead(self, size: float | None = None, lh: float | None = None) -> float:
        """Line pitch in mm."""
        return (size or self.style.size) * (lh or self.style.line_height) * MM_PER_PT

    def block_height(
        self, lines: list[str], size: float | None = None, lh: float | None = None
    ) -> float:
        return len(lines) * self.lead(size, lh)

    def block_width(self, lines: list[str], size: float | None = None, bold: bool = False) -> float:
        return block_width(
            [cjk_latin_spaced(x) for x in lines],
            self.style.family,
            size or self.style.size,
            "bold" if bold else "normal",
        )

    # ── drawing ops ────────────────────────────────────────────────────────
    def _grow(self, y: float) -> None:
        self.bottom = max(self.bottom, y)

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: str | None,
        edge: str | None = None,
        lw: float = 0.0,
        radius: float = 0.0,
        hatch: str | None = None,
        hatch_color: str | None = None,
        z: float = 1,
    ) -> None:
        self.ops.append(
            (
                "rect",
                dict(
                    x=x,
                    y=y,
                    w=w,
                    h=h,
                    fill=fill,
                    edge=edge,
                    lw=lw,
                    radius=radius,
                    hatch=hatch,
                    hatch_color=hatch_color,
                    z=z,
                ),
            )
        )
        self._grow(y + h)

    def poly(
        self,
        points: list[tuple[float, float]],
        fill: str | None,
        edge: str | None = None,
        lw: float = 0.0,
        z: float = 1,
    ) -> None:
        self.ops.append(("poly", dict(points=points, fill=fill, edge=edge, lw=lw, z=z)))
        self._grow(max(p[1] for p in points))

    def line(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        color: str,
        lw: float = 0.6,
        dash: tuple[float, float] | None = None,
        z: float = 2,
    ) -> None:
        self.ops.append(
            ("line", dict(x0=x0, y0=y0, x1=x1, y1=y1, color=color, lw=lw, dash=dash, z=z))
        )
        self._grow(max(y0, y1))

    def polyline(
        self,
        points: list[tuple[float, float]],
        color: str,
        lw: float = 1.6,
        marker: float = 0.0,
        marker_edge: str | None = None,
        dash: tuple[float, float] | None = None,
        z: float = 3,
    ) -> None:
        """A line through `points`; with `marker` (a diameter in mm) a dot on each point."""
        self.ops.append(
            (
                "polyline",
                dict(
                    points=points,
                    color=color,
                    lw=lw,
                    marker=marker,
                    edge=marker_edge,
                    dash=dash,
                    z=z,
                ),
            )
        )
        self._grow(max(p[1] for p in points) + marker / 2)

    def wedge(
        self,
        cx: float,
        cy: float,
        r: float,
        theta1: float,
        theta2: float,
        width: float,
        fill: str,
        edge: str | None = None,
        lw: float = 0.0,
        z: float = 1,
    ) -> None:
        self.ops.append(
            (
                "wedge",
                dict(
                    cx=cx,
                    cy=cy,
                    r=r,
                    t1=theta1,
                    t2=theta2,
                    width=width,
                    fill=fill,
                    edge=edge,
                    lw=lw,
                    z=z,
                ),
            )
        )
        self._grow(cy + r)

    def text(
        self,
        x: float,
        y: float,
        lines: list[str] | str,
        size: float | None = None,
        color: str | None = None,
        bold: bool = False,
        ha: str = "left",
        lh: float | None = None,
        z: float = 5,
    ) -> float:
        """Draw lines whose first line box starts at `y` (top); return the block's height."""
        if isinstance(lines, str):
            lines = [lines]
        lines = [cjk_latin_spaced(x) for x in lines]
        size = size or self.style.size
        pitch = self.lead(size, lh)
        for i, s in enumerate(lines):
            if not s:
                continue
            base = y + i * pitch + pitch / 2 + EM_CENTRE * size * MM_PER_PT
            self.ops.append(
                (
                    "text",
                    dict(
                        x=x,
                        y=base,
                        s=s,
                        size=size,
                        color=color or self.style.fg,
                        bold=bold,
                        ha=ha,
                        z=z,
                    ),
                )
            )
        h = len(lines) * pitch
        self._grow(y + h)
        return h

    def baseline_text(
        self,
        x: float,
        baseline: float,
        s: str,
        size: float | None = None,
        color: str | None = None,
        bold: bool = False,
        ha: str = "left",
        z: float = 5,
    ) -> None:
        """One line of text sitting on `baseline` (for mixed sizes on one line)."""
        s = cjk_latin_spaced(s)
        size = size or self.style.size
        self.ops.append(
            (
                "text",
                dict(
                    x=x,
                    y=baseline,
                    s=s,
                    size=size,
                    color=color or self.style.fg,
                    bold=bold,
                    ha=ha,
                    z=z,
                ),
            )
        )
        self._grow(baseline + 0.12 * size * MM_PER_PT)

    def text_mid(self, x: float, ymid: float, lines: list[str] | str, **kw: Any) -> float:
        """Lines centred vertically on `ymid`."""
        if isinstance(lines, str):
            lines = [lines]
        h = self.block_height(lines, kw.get("size"), kw.get("lh"))
        return self.text(x, ymid - h / 2, lines, **kw)

    # ── output ─────────────────────────────────────────────────────────────
    def _height(self, height: float | None, pad: float) -> float:
        return height if height is not None else self.bottom + pad

    def size_inches(self, height: float | None = None, pad: float = 0.5) -> tuple[float, float]:
        """The rendered figure's size: the canvas, `height` mm tall (default: everything drawn
        plus `pad`), and the margin around it."""
        h = self._height(height, pad)
        return (self.width + 2 * MARGIN) / 25.4, (h + 2 * MARGIN) / 25.4

    def render(self, height: float | None = None, pad: float = 0.5):
        """The matplotlib Figure, `height` mm tall (default: everything drawn plus `pad`).

        Shapes are added with add_artist, not add_patch/add_line: those also grow the data
        limits, a third of the time spent here, and the limits are fixed to the canvas."""
        h = self._height(height, pad)
        w = self.width
        m = MARGIN
        fig = Figure(figsize=self.size_inches(height, pad), facecolor=self.style.bg)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(-m, w + m)
        ax.set_ylim(h + m, -m)
        ax.set_axis_off()
        ax.set_facecolor(self.style.bg)
        for kind, o in self.ops:
            if kind == "rect":
                common = dict(
                    facecolor=o["fill"] or "none",
                    edgecolor=o["edge"] or "none",
                    linewidth=o["lw"],
                    zorder=o["z"],
                    hatch=o["hatch"],
                )
                if o["hatch"]:
                    common["hatchcolor"] = o["hatch_color"] or self.style.bg
                if o["radius"]:
                    p = FancyBboxPatch(
                        (o["x"], o["y"]),
                        o["w"],
                        o["h"],
                        boxstyle=f"round,pad=0,rounding_size={o['radius']}",
                        **common,
                    )
                else:
                    p = Rectangle((o["x"], o["y"]), o["w"], o["h"], **common)
                ax.add_artist(p)
            elif kind == "poly":
                ax.add_artist(
                    Polygon(
                        o["points"],
                        closed=True,
                        facecolor=o["fill"] or "none",
                        edgecolor=o["edge"] or "none",
                        linewidth=o["lw"],
                        zorder=o["z"],
                    )
                )
            elif kind == "line":
                ln = Line2D(
                    [o["x0"], o["x1"]],
                    [o["y0"], o["y1"]],
                    color=o["color"],
                    linewidth=o["lw"],
                    zorder=o["z"],
                    solid_capstyle="butt",
                )
                if o["dash"]:
                    ln.set_dashes(o["dash"])
                ax.add_artist(ln)
            elif kind == "polyline":
                xs, ys = zip(*o["points"], strict=True)
                ln = Line2D(
                    xs,
                    ys,
                    color=o["color"],
                    linewidth=o["lw"],
                    zorder=o["z"],
                    solid_joinstyle="round",
                    solid_capstyle="round",
                )
                if o["dash"]:
                    ln.set_dashes(o["dash"])
                ax.add_artist(ln)
                # dots as circles, not line markers: matplotlib writes a marker once and
                # places it with <use>, which the SVGs avoid (see draw.inline_glyphs)
                for x, y in o["points"] if o["marker"] else ():
                    ax.add_artist(
                        Circle(
                            (x, y),
                            o["marker"] / 2,
                            facecolor=o["color"],
                            edgecolor=o["edge"] or self.style.bg,
                            linewidth=0.8,
                            zorder=o["z"] + 0.1,
                        )
                    )
            elif kind == "wedge":
                # y grows downwards, so increasing angles run clockwise on the page
                ax.add_artist(
                    Wedge(
                        (o["cx"], o["cy"]),
                        o["r"],
                        o["t1"],
                        o["t2"],
                        width=o["width"],
                        facecolor=o["fill"],
                        edgecolor=o["edge"] or "none",
                        linewidth=o["lw"],
                        zorder=o["z"],
                    )
                )
            elif kind == "text":
                ax.text(
                    o["x"],
                    o["y"],
                    o["s"],
                    fontsize=o["size"],
                    color=o["color"],
                    fontweight="bold" if o["bold"] else "normal",
                    ha=o["ha"],
                    va="baseline",
                    zorder=o["z"],
                    family=self.style.family,
                )
        return fig


def _texts(artist) -> Iterator:
    """The Text artists under `artist`, as `findobj` finds them, but not inside the axis of an
    axes drawn without axes (`set_axis_off`): asking such an axis for its children makes its
    ticks (a fifth of a chart's print SVG time), none of which is drawn."""
    from matplotlib.axis import Axis
    from matplotlib.text import Text

    for child in artist.get_children():
        if isinstance(child, Axis) and child.axes is not None and not child.axes.axison:
            continue
        yield from _texts(child)
        if isinstance(child, Text):  # after what is inside it, as findobj lists them
            yield child


def check_inside(fig) -> list[str]:
    """Texts whose drawn extent leaves the canvas (empty when all is well). Measured with a
    renderer of their own, as the canvas would make it, not kept on the canvas: a figure kept
    for its other files does not hold its pixels."""
    from matplotlib.backends.backend_agg import RendererAgg

    width, height = fig.canvas.get_width_height(physical=True)
    renderer = RendererAgg(width, height, fig.dpi)
    box = fig.bbox
    bad = []
    for t in _texts(fig):
        if not t.get_text() or not t.get_visible():
            continue
        e = t.get_window_extent(renderer)
        if e.x0 < box.x0 - 0.5 or e.y0 < box.y0 - 0.5 or e.x1 > box.x1 + 0.5 or e.y1 > box.y1 + 0.5:
            bad.append(t.get_text())
    return bad
