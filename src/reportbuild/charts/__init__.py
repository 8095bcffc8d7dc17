"""Charts and diagrams: figure + brand → SVG (glyphs as paths) and PNG 2×, cached, in parallel.

Nothing here imports matplotlib at import time: only the drawing worker does, and only when a
figure's content hash says its files are out of date.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportbuild.atomic import write_text
from reportbuild.brand import Brand
from reportbuild.errors import BuildError
from reportbuild.figdata import alt_text, figure_hash
from reportbuild.model import Figure, Report
from reportbuild.procs import child_signals, die_with_parent, release_freed_memory, signals_held

MANIFEST = ".charts.json"
PRINT_DIR = ".print"  # the print SVGs (see draw.py), beside the files they are drawn with
KEEP = 24  # rendered figures kept from the print SVGs for the outlined SVGs and PNGs


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


def print_svg_path(out_dir: Path, fig_id: str) -> Path:
    """Where the print SVG of a figure goes (see draw.draw_print)."""
    return Path(out_dir) / PRINT_DIR / f"{fig_id}.svg"


def _files(fig: Figure, out_dir: Path, size: tuple[float, float]) -> ChartFiles:
    return ChartFiles(
        svg=out_dir / f"{fig.id}.svg",
        png=out_dir / f"{fig.id}.png",
        print_svg=print_svg_path(out_dir, fig.id),
        alt=alt_text(fig),
        width_mm=size[0],
        height_mm=size[1],
    )


def _draw(fig: Figure, brand: Brand, out_dir: Path) -> tuple[float, float]:
    """Worker: draw one figure to out_dir/<id>.svg and .png; return its size in mm."""
    from reportbuild.charts.draw import draw_files

    return draw_files(fig, brand, out_dir)


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


def plan(
    report: Report, brand: Brand, out_dir: Path, force: bool = False, portable: bool = True
) -> ChartPlan:
    """Compare each figure's content hash with the manifest of out_dir: draw only what changed
    (everything, with `force`). `portable=False` (a build of the PDF alone): a figure whose
    print SVG is current is not drawn again for want of its outlined SVG and PNG."""
    out_dir = Path(out_dir)
    old = _read_manifest(out_dir / MANIFEST)
    entries: dict[str, dict] = {}
    todo: list[Figure] = []

    def needed(files: ChartFiles) -> tuple[Path, ...]:
        return files.paths if portable else (files.print_svg,)

    for fid, fig in report.figures.items():
        h = figure_hash(fig, brand)
        prev = old.get(fid)
        if (
            not force
            and isinstance(prev, dict)
            and prev.get("hash") == h
            and all(f.is_file() for f in needed(_files(fig, out_dir, (0, 0))))
        ):
            entries[fid] = prev
        else:
            entries[fid] = {"hash": h}
            todo.append(fig)
    return ChartPlan(old, entries, todo)


def _each(todo: list[Figure], fn: Callable[[Figure], object]) -> dict[str, object]:
    """fn(figure) for each figure; every BuildError of them reported together."""
    out, errors = {}, []
    for fig in todo:
        try:
            out[fig.id] = fn(fig)
        except BuildError as exc:
            errors.append(exc.message)
    if errors:
        raise BuildError("\n".join(errors))
    return out


def _halves(todo: list[Figure], fn: Callable[[Figure], object], split: bool) -> None:
    """fn(figure) for each figure; with `split`, half of them in a forked child at once."""
    import os
    import threading

    if not split or len(todo) < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        _each(todo, fn)
        return
    release_freed_memory()  # the fork then shares less, and both halves hold less
    read, write = os.pipe()
    parent = os.getpid()
    with signals_held():
        pid = os.fork()
    if pid == 0:  # the child: the odd figures; the error, if any, goes back through the pipe
        child_signals()
        die_with_parent(parent)
        os.close(read)
        code = 1
        try:
            _each(todo[1::2], fn)
            code = 0
        except BaseException as exc:  # noqa: BLE001 - reported by the parent
            os.write(write, (exc.message if isinstance(exc, BuildError) else repr(exc)).encode())
        finally:
            os._exit(code)
    os.close(write)
    try:
        _each(todo[0::2], fn)
    finally:
        with os.fdopen(read, "rb") as pipe:
            said = pipe.read().decode(errors="replace")
        status = os.waitpid(pid, 0)[1]
    if status != 0:
        raise BuildError(said or f"charts: a drawing process failed (status {status})")


def render_all(
    report: Report,
    brand: Brand,
    out_dir: Path,
    on_sizes: Callable[[dict[str, tuple[str, str]]], None] | None = None,
    on_svgs: Callable[[], None] | None = None,
    chart_plan: ChartPlan | None = None,
    split: bool = False,
    portable: bool = True,
) -> dict[str, ChartFiles]:
    """Files for every figure of the report, redrawing only what changed.

    The figures are drawn in three rounds, so that a PDF typesetting meanwhile (in another
    process) waits as little as possible: every figure is laid out, and its size is then known
    (`on_sizes({print SVG path: (width, height)})`, in the SVG's own attribute values); every
    print SVG is written (`on_svgs()`); then the outlined SVGs and the PNGs, from the same
    layouts. With nothing to draw, both callbacks come at once. matplotlib is imported only if
    something is to be drawn.

    `split`: the last round runs in two processes (this one and a fork of it).
    `portable=False` (a build of the PDF alone): the last round is left out, and the outlined
    SVG and PNG of each redrawn figure are removed, so that they are drawn (from the current
    figure) by the next build that needs them.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    p = chart_plan or plan(report, brand, out_dir)
    entries, todo = p.entries, p.todo
    sizes: dict[str, tuple[float, float]] = {}
    if todo:
        from reportbuild.charts import draw

        laid = _each(todo, lambda f: draw.lay_out(f, brand))
        if on_sizes is not None:
            prints = zip([f.id for f in todo], p.pending_prints(out_dir), strict=True)
            on_sizes({str(path): laid[fid][1] for fid, path in prints})
        # the first KEEP rendered figures are kept for the outlined SVGs and PNGs (a tenth of
        # their drawing time); the others are rendered again from their layouts: a figure
        # holds ~1.3 MB beside WeasyPrint
        kept: dict = {}
        sizes = _each(
            todo,
            lambda f: draw.draw_print(
                f, brand, out_dir, laid[f.id][0], kept if portable and len(kept) < KEEP else None
            ),
        )
        if on_svgs is not None:
            on_svgs()
        if portable:
            _halves(
                todo,
                lambda f: draw.draw_portable(
                    f, brand, out_dir, laid[f.id][0], kept.pop(f.id, None)
                ),
                split,
            )
        else:  # what is left of an older drawing no longer matches: plan() then redraws it
            for fig in todo:
                files = _files(fig, out_dir, (0, 0))
                files.svg.unlink(missing_ok=True)
                files.png.unlink(missing_ok=True)
    else:  # the files are all there: nothing to wait for
        if on_sizes is not None:
            on_sizes({})
        if on_svgs is not None:
            on_svgs()
    for fid, size in sizes.items():
        entries[fid]["width_mm"], entries[fid]["height_mm"] = size

    # drop the files of figures that no longer exist (only those this stage wrote)
    for fid in set(p.old) - set(entries):
        for path in (out_dir / f"{fid}.svg", out_dir / f"{fid}.png", print_svg_path(out_dir, fid)):
            path.unlink(missing_ok=True)
    if entries != p.old:
        write_text(out_dir / MANIFEST, json.dumps(entries, indent=1, sort_keys=True) + "\n")
    return {
        fid: _files(fig, out_dir, (entries[fid]["width_mm"], entries[fid]["height_mm"]))
        for fid, fig in report.figures.items()
    }
