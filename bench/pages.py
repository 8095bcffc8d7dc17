"""Where WeasyPrint's time per page goes: our print HTML against the same text in plain CSS.

Takes a print HTML that a build wrote (`.reportbuild-cache/report.print.html`; bench/scale.py
--keep leaves the scaled projects' behind) and makes its plain twin: the same body, with the
theme's stylesheets and style attributes dropped and one small stylesheet (A4 page, the brand's
body font, 10 pt). Both are typeset in this process, timed by phase — CSS (parsing the
stylesheets and computing every element's style), boxes (the formatting structure), layout
(pages, lines, margin boxes, target-counter/string-set), draw+write (the PDF) — then the print
HTML once more under cProfile, whose heaviest functions by own time are listed, grouped by
WeasyPrint module.

    .venv/bin/python bench/pages.py PROJECT [-n RUNS] [--top 25] [--keep-plain PATH] [--no-profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PLAIN_CSS = """
@page { size: A4; margin: 24mm 63pt 22mm 72pt; }
html { font-family: %s; font-size: 10pt; line-height: 1.75; }
img, svg { max-width: 100%%; }
"""


def plain_twin(html: str) -> str:
    """The same document without the theme: no stylesheet links, <style> or style attributes."""
    family = re.search(r"--brand-font-base:\s*([^;]+);", html)
    html = re.sub(r"(?is)<link[^>]+rel=[\"']?stylesheet[^>]*>", "", html)
    html = re.sub(r"(?is)<style[^>]*>.*?</style>", "", html)
    html = re.sub(r"(?i)\sstyle=\"[^\"]*\"", "", html)
    css = PLAIN_CSS % (family.group(1) if family else "sans-serif")
    return re.sub(r"(?i)</head>", f"<style>{css}</style></head>", html, count=1)


def phases(html: str, base: str, out: Path) -> dict[str, float]:
    """Typeset `html` to `out`; seconds per phase, and the page count."""
    import weasyprint
    from weasyprint import document as wdoc

    times: dict[str, float] = defaultdict(float)
    real = {n: getattr(wdoc, n) for n in ("get_all_computed_styles", "build_formatting_structure",
                                          "layout_document")}  # fmt: skip
    label = {"get_all_computed_styles": "css", "build_formatting_structure": "boxes",
             "layout_document": "layout"}  # fmt: skip

    def timed(name):
        def wrapper(*a, **k):
            t0 = time.perf_counter()
            try:
                got = real[name](*a, **k)
                # layout_document yields the pages: laid out as they are taken
                return list(got) if name == "layout_document" else got
            finally:
                times[label[name]] += time.perf_counter() - t0

        return wrapper

    for n in real:
        setattr(wdoc, n, timed(n))
    try:
        gc.collect()
        t0 = time.perf_counter()
        doc = weasyprint.HTML(string=html, base_url=base).render()
        t1 = time.perf_counter()
        doc.write_pdf(out)
        t2 = time.perf_counter()
    finally:
        for n, f in real.items():
            setattr(wdoc, n, f)
    times["draw+write"] = t2 - t1
    times["other"] = (t1 - t0) - sum(times[k] for k in ("css", "boxes", "layout"))
    times["total"] = t2 - t0
    times["pages"] = len(doc.pages)
    return dict(times)


def profile(html: str, base: str, out: Path, top: int) -> None:
    import weasyprint

    prof = cProfile.Profile()
    prof.enable()
    weasyprint.HTML(string=html, base_url=base).write_pdf(out)
    prof.disable()
    stats = pstats.Stats(prof)
    by_module: dict[str, float] = defaultdict(float)
    rows = []
    for (file, line, fn), (_, _, tt, _, _) in stats.stats.items():
        mod = file.split("site-packages/")[-1] if "site-packages" in file else Path(file).name
        by_module[mod.split("/")[0] if "/" not in mod[:12] else "/".join(mod.split("/")[:2])] += tt
        rows.append((tt, f"{mod}:{line} {fn}"))
    total = sum(by_module.values())
    print(f"\nown time by package (cProfile, {total:.2f} s in all; profiling slows it down):")
    for mod, tt in sorted(by_module.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {tt:6.2f} s {100 * tt / total:5.1f} %  {mod}")
    print(f"\nheaviest {top} functions by own time:")
    for tt, name in sorted(rows, reverse=True)[:top]:
        print(f"  {tt:6.2f} s  {name}")
    print("\ncumulative (the phases' callees):")
    stats.sort_stats("cumulative").print_stats(r"weasyprint/(layout|css|draw|text)", top)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("project", type=Path, help="a built project (its print HTML is typeset)")
    ap.add_argument("-n", "--runs", type=int, default=3, help="runs of each (median)")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--keep-plain", type=Path, help="write the plain twin here")
    ap.add_argument("--no-profile", action="store_true", help="the phase table only")
    args = ap.parse_args()
    project = args.project.resolve()
    html = (project / ".reportbuild-cache" / "report.print.html").read_text(encoding="utf-8")
    plain = plain_twin(html)
    if args.keep_plain:
        args.keep_plain.write_text(plain, encoding="utf-8")
    base = project.as_uri() + "/"
    out = Path(tempfile.mkdtemp(prefix="reportbuild-pages-")) / "out.pdf"
    runs: dict[str, list[dict[str, float]]] = {"print": [], "plain": []}
    for _ in range(args.runs):  # alternating, so both see the same machine load
        for name, doc in (("print", html), ("plain", plain)):
            runs[name].append(phases(doc, base, out))
    keys = ("css", "boxes", "layout", "other", "draw+write", "total")
    print(f"{'':8} {'pages':>5} " + " ".join(f"{k:>10}" for k in keys) + "   ms/page")
    for name, rs in runs.items():
        med = {k: statistics.median(r[k] for r in rs) for k in (*keys, "pages")}
        per = 1000 * med["total"] / med["pages"]
        print(f"{name:8} {med['pages']:5.0f} " + " ".join(f"{med[k]:9.2f}s" for k in keys)
              + f"   {per:7.1f}")  # fmt: skip
    if not args.no_profile:
        profile(html, base, out, args.top)
    sys.exit(0)


if __name__ == "__main__":
    main()
