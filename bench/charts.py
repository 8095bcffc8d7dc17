"""What the charts cost WeasyPrint: parsing and drawing a directory of print SVGs.

Every SVG in DIR (a build's `output/figures/.print/`) is placed on a page of its own, at its own
size, and the document written to PDF; the time WeasyPrint spends parsing the SVGs (its
`SVG` object: the tree, the stylesheet, the first cascade) and drawing them (`SVGImage.draw`)
is summed per round. Medians of the rounds, then (with --profile) one more round under cProfile,
the heaviest functions inside the drawing by own time.

    .venv/bin/python bench/charts.py DIR [DIR …] [-n 5] [--profile] [--pdf OUT.pdf]

Several directories are measured in alternation (A/B under the same load).
"""

from __future__ import annotations

import argparse
import cProfile
import html
import os
import pstats
import statistics
import time
from pathlib import Path


def page_html(svgs: list[Path]) -> str:
    pages = "".join(
        f'<section><img src="{p.resolve().as_uri()}" alt="{html.escape(p.stem)}"></section>'
        for p in svgs
    )
    css = "@page { size: A4; margin: 10mm } section { break-after: page } img { display: block }"
    return f"<!doctype html><html><head><style>{css}</style></head><body>{pages}</body></html>"


def one_round(svgs: list[Path], out: Path | None, profile: cProfile.Profile | None) -> dict:
    import weasyprint
    from weasyprint import images, svg

    spent = {"parse": 0.0, "draw": 0.0}
    real_init, real_draw = svg.SVG.__init__, images.SVGImage.draw

    def init(self, *a, **k):
        t0 = time.perf_counter()
        try:
            return real_init(self, *a, **k)
        finally:
            spent["parse"] += time.perf_counter() - t0

    def draw(self, *a, **k):
        t0 = time.perf_counter()
        if profile:
            profile.enable()
        try:
            return real_draw(self, *a, **k)
        finally:
            if profile:
                profile.disable()
            spent["draw"] += time.perf_counter() - t0

    svg.SVG.__init__, images.SVGImage.draw = init, draw
    try:
        t0 = time.perf_counter()
        data = weasyprint.HTML(string=page_html(svgs), base_url="/").write_pdf()
        spent["total"] = time.perf_counter() - t0
    finally:
        svg.SVG.__init__, images.SVGImage.draw = real_init, real_draw
    if out:
        out.write_bytes(data)
    return spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("-n", "--rounds", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--pdf", type=Path, help="write the last round's PDF (DIR's name appended)")
    args = ap.parse_args()

    sets = {d: sorted(d.glob("*.svg")) for d in args.dirs}
    one_round(sets[args.dirs[0]], None, None)  # warm: imports, fonts
    runs: dict[Path, list[dict]] = {d: [] for d in args.dirs}
    for _ in range(args.rounds):
        for d, svgs in sets.items():
            runs[d].append(one_round(svgs, None, None))
    print(f"load {os.getloadavg()[0]:.1f}; medians of {args.rounds} rounds")
    for d, rs in runs.items():
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        print(
            f"{str(d):50} {len(sets[d]):3} SVGs  parse {med['parse']:.3f} s  "
            f"draw {med['draw']:.3f} s  whole PDF {med['total']:.3f} s"
        )
    for d, svgs in sets.items():
        if args.pdf:
            one_round(svgs, args.pdf.with_name(f"{args.pdf.stem}-{d.parent.parent.name}.pdf"), None)
        if args.profile:
            prof = cProfile.Profile()
            one_round(svgs, None, prof)
            print(f"\n== {d}: drawing, own time")
            pstats.Stats(prof).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
