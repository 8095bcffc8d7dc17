"""Charts and diagrams: figure + brand → SVG (glyphs as paths) and PNG 2×, cached, in parallel.

Nothing here imports matplotlib at import time: only the drawing worker does, and only when a
figure's content hash says its files are out of date.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from reportbuild.atomic import write_text
from reportbuild.brand import Brand
from reportbuild.errors import BuildError
from reportbuild.figdata import alt_text, figure_hash
from reportbuild.model import Figure, Report

MANIFEST = ".charts.json"
PRINT_DIR = ".print"  # the print SVGs (see draw.py), beside the files they are drawn with


@dataclass(frozen=True)
class ChartFiles:
    """The drawn files of one figure, with what a page needs to place them. `print_svg` is the
    SVG for the PDF: its text is text, set by WeasyPrint in the brand font (see draw.py)."""

    svg: Path
    png: Path
    print_svg: Path
    alt: str
    width_mm: float
    height_mm: float

    @property
    def paths(self) -> tuple[Path, Path, Path]:
        return self.svg, self.png, self.print_svg


def _files(fig: Figure, out_dir: Path, size: tuple[float, float]) -> ChartFiles:
    return ChartFiles(
        svg=out_dir / f"{fig.id}.svg",
        png=out_dir / f"{fig.id}.png",
        print_svg=out_dir / PRINT_DIR / f"{fig.id}.svg",
        alt=alt_text(fig),
        width_mm=size[0],
        height_mm=size[1],
    )


def _draw(fig: Figure, brand: Brand, out_dir: Path) -> tuple[float, float]:
    """Worker: draw one figure to out_dir/<id>.svg and .png; return its size in mm."""
    from reportbuild.charts.draw import draw_files

    return draw_files(fig, brand, out_dir)


# Priorities (nice levels): WeasyPrint, typesetting beside the charts, is the long pole of a
# build and keeps a core to itself at the default level. It waits for the layouts (default
# level), then for the print SVGs (a little lower); nothing waits for the outlined SVGs, the
# PNGs or the deck (lowest), which take what is left of the cores.
SVG_NICE = 5
BACKGROUND_NICE = 15


def lower_priority(level: int) -> None:
    """Run this process at nice `level` (a level is only ever raised: lowering needs root)."""
    import os

    if hasattr(os, "nice"):
        now = os.nice(0)
        if now < level:
            os.nice(level - now)


def _lay_out(fig: Figure, brand: Brand):
    from reportbuild.charts.draw import lay_out

    return lay_out(fig, brand)


def _draw_print(fig: Figure, brand: Brand, out_dir: Path, cv) -> tuple[float, float]:
    from reportbuild.charts.draw import draw_print

    lower_priority(SVG_NICE)
    return draw_print(fig, brand, out_dir, cv)


def _draw_portable(fig: Figure, brand: Brand, out_dir: Path, cv) -> None:
    from reportbuild.charts.draw import draw_portable

    lower_priority(BACKGROUND_NICE)
    draw_portable(fig, brand, out_dir, cv)


def render_figure(fig: Figure, brand: Brand, out_dir: Path) -> ChartFiles:
    """Draw one figure now, whatever the cache says."""
    out_dir = Path(out_dir)
    return _files(fig, out_dir, _draw(fig, brand, out_dir))


def _read_manifest(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def start_workers():
    """The context drawing workers are forked from, started now (its server imports matplotlib
    while the caller goes on loading the sources).

    forkserver: workers never inherit the caller's threads (preview server, watchers). The
    server imports matplotlib once and forks warm workers: two cold imports at once cost more
    than the drawing they would share.
    """
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():  # Windows
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["reportbuild.charts.draw"])
    from multiprocessing import forkserver

    forkserver.ensure_running()
    return ctx


def planned(report: Report, out_dir: Path) -> dict[str, ChartFiles]:
    """The files every figure will have, before they are drawn: what the print HTML needs to
    start typesetting while the charts are drawn. The size is left out (0): the SVG's own size
    is the size it is printed at."""
    out_dir = Path(out_dir).resolve()
    return {fid: _files(fig, out_dir, (0.0, 0.0)) for fid, fig in report.figures.items()}


@dataclass(frozen=True)
class ChartPlan:
    """What the charts stage will do: the manifest it found, the entries of figures whose files
    are current, and the figures to draw."""

    old: dict
    entries: dict[str, dict]
    todo: list[Figure]

    def pending_prints(self, out_dir: Path) -> list[Path]:
        """The print SVGs that will be (re)written: a reader must not open them before."""
        out_dir = Path(out_dir).resolve()
        return [_files(fig, out_dir, (0, 0)).print_svg for fig in self.todo]


def plan(report: Report, brand: Brand, out_dir: Path, force: bool = False) -> ChartPlan:
    """Compare each figure's content hash with the manifest of out_dir: draw only what changed
    (everything, with `force`)."""
    out_dir = Path(out_dir)
    old = _read_manifest(out_dir / MANIFEST)
    entries: dict[str, dict] = {}
    todo: list[Figure] = []
    for fid, fig in report.figures.items():
        h = figure_hash(fig, brand)
        prev = old.get(fid)
        if (
            not force
            and isinstance(prev, dict)
            and prev.get("hash") == h
            and all(f.is_file() for f in _files(fig, out_dir, (0, 0)).paths)
        ):
            entries[fid] = prev
        else:
            entries[fid] = {"hash": h}
            todo.append(fig)
    return ChartPlan(old, entries, todo)


def _results(futures: dict) -> dict:
    """Each future's result by key; every BuildError of them reported together."""
    out, errors = {}, []
    for key, fut in futures.items():
        try:
            out[key] = fut.result()
        except BuildError as exc:
            errors.append(exc.message)
    if errors:
        raise BuildError("\n".join(errors))
    return out


def render_all(
    report: Report,
    brand: Brand,
    out_dir: Path,
    jobs: int = 2,
    on_sizes: Callable[[dict[str, tuple[str, str]]], None] | None = None,
    on_svgs: Callable[[], None] | None = None,
    chart_plan: ChartPlan | None = None,
) -> dict[str, ChartFiles]:
    """Files for every figure of the report, redrawing (in `jobs` processes) only what changed.

    With workers, the figures are drawn in three rounds, so a PDF typesetting at the same time
    waits as little as possible: every figure is laid out (its size is then known and
    `on_sizes({print SVG path: (width, height)})` is called, in the SVG's own attribute
    values), then every print SVG is written (`on_svgs()`), then the outlined SVGs and PNGs.
    Without workers, both callbacks come after drawing.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    p = chart_plan or plan(report, brand, out_dir)
    entries, todo = p.entries, p.todo

    sizes: dict[str, tuple[float, float]] = {}
    # Even one figure is drawn in a worker when jobs > 1: matplotlib then never weighs on this
    # process, which lives on beside WeasyPrint at the build's memory peak.
    if jobs <= 1 or not todo:
        for fig in todo:
            sizes[fig.id] = _draw(fig, brand, out_dir)
        if on_sizes is not None:
            on_sizes({})  # the files are all there: nothing needs announcing
        if on_svgs is not None:
            on_svgs()
    else:
        ctx = start_workers()
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=ctx) as pool:
            # the layouts go back and forth (a Canvas pickles): each figure is measured once
            laid = _results({fig.id: pool.submit(_lay_out, fig, brand) for fig in todo})
            if on_sizes is not None:
                prints = zip([f.id for f in todo], p.pending_prints(out_dir), strict=True)
                on_sizes({str(path): laid[fid][1] for fid, path in prints})

            def each(fn) -> dict:
                return _results(
                    {f.id: pool.submit(fn, f, brand, out_dir, laid[f.id][0]) for f in todo}
                )

            sizes = each(_draw_print)
            if on_svgs is not None:
                on_svgs()
            each(_draw_portable)
    for fid, size in sizes.items():
        entries[fid]["width_mm"], entries[fid]["height_mm"] = size

    # drop the files of figures that no longer exist (only those this stage wrote)
    for fid in set(p.old) - set(entries):
        for ext in ("svg", "png"):
            (out_dir / f"{fid}.{ext}").unlink(missing_ok=True)
        (out_dir / PRINT_DIR / f"{fid}.svg").unlink(missing_ok=True)
    if entries != p.old:
        write_text(out_dir / MANIFEST, json.dumps(entries, indent=1, sort_keys=True) + "\n")
    return {
        fid: _files(fig, out_dir, (entries[fid]["width_mm"], entries[fid]["height_mm"]))
        for fid, fig in report.figures.items()
    }
