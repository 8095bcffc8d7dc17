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


@dataclass(frozen=True)
class ChartFiles:
    """The drawn files of one figure, with what a page needs to place them."""

    svg: Path
    png: Path
    alt: str
    width_mm: float
    height_mm: float


def _files(fig: Figure, out_dir: Path, size: tuple[float, float]) -> ChartFiles:
    return ChartFiles(
        svg=out_dir / f"{fig.id}.svg",
        png=out_dir / f"{fig.id}.png",
        alt=alt_text(fig),
        width_mm=size[0],
        height_mm=size[1],
    )


def _draw(fig: Figure, brand: Brand, out_dir: Path) -> tuple[float, float]:
    """Worker: draw one figure to out_dir/<id>.svg and .png; return its size in mm."""
    from reportbuild.charts.draw import draw_files

    return draw_files(fig, brand, out_dir)


def _draw_svg(fig: Figure, brand: Brand, out_dir: Path, cache_dir: Path) -> tuple[float, float]:
    from reportbuild.charts.draw import draw_svg

    return draw_svg(fig, brand, out_dir, cache_dir)


def _draw_png(fig: Figure, brand: Brand, out_dir: Path) -> None:
    from reportbuild.charts.draw import draw_png

    draw_png(fig, brand, out_dir)


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


def render_all(
    report: Report,
    brand: Brand,
    out_dir: Path,
    jobs: int = 2,
    on_svgs: Callable[[], None] | None = None,
) -> dict[str, ChartFiles]:
    """Files for every figure of the report, redrawing (in `jobs` processes) only what changed.

    With workers, every SVG is drawn before any PNG, and `on_svgs()` is called in between: the
    PDF, which needs only the SVGs, goes on typesetting while the bitmaps are drawn.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / MANIFEST
    old = _read_manifest(manifest_path)
    entries: dict[str, dict] = {}
    todo: list[Figure] = []
    for fid, fig in report.figures.items():
        h = figure_hash(fig, brand)
        prev = old.get(fid)
        if (
            isinstance(prev, dict)
            and prev.get("hash") == h
            and (out_dir / f"{fid}.svg").is_file()
            and (out_dir / f"{fid}.png").is_file()
        ):
            entries[fid] = prev
        else:
            entries[fid] = {"hash": h}
            todo.append(fig)

    sizes: dict[str, tuple[float, float]] = {}
    # Even one figure is drawn in a worker when jobs > 1: matplotlib then never weighs on this
    # process, which lives on beside WeasyPrint at the build's memory peak.
    if jobs <= 1:
        for fig in todo:
            sizes[fig.id] = _draw(fig, brand, out_dir)
    elif todo:
        ctx = start_workers()
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=ctx) as pool:
            # the glyph check reads the fonts' coverage from the project cache, not the fonts
            cache_dir = Path(report.root) / ".reportbuild-cache"
            futures = {
                fig.id: pool.submit(_draw_svg, fig, brand, out_dir, cache_dir) for fig in todo
            }
            errors = []
            for fid, fut in futures.items():
                try:
                    sizes[fid] = fut.result()
                except BuildError as exc:
                    errors.append(exc.message)
            if errors:
                raise BuildError("\n".join(errors))
            if on_svgs is not None:
                on_svgs()
                on_svgs = None
            for fut in [pool.submit(_draw_png, fig, brand, out_dir) for fig in todo]:
                fut.result()
    if on_svgs is not None:  # drawn in this process, or nothing to draw
        on_svgs()
    for fid, size in sizes.items():
        entries[fid]["width_mm"], entries[fid]["height_mm"] = size

    # drop the files of figures that no longer exist (only those this stage wrote)
    for fid in set(old) - set(entries):
        for ext in ("svg", "png"):
            (out_dir / f"{fid}.{ext}").unlink(missing_ok=True)
    if entries != old:
        write_text(manifest_path, json.dumps(entries, indent=1, sort_keys=True) + "\n")
    return {
        fid: _files(fig, out_dir, (entries[fid]["width_mm"], entries[fid]["height_mm"]))
        for fid, fig in report.figures.items()
    }
