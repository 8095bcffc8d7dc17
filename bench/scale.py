"""Scale benchmark: the report with its chapters (prose, figures, cases) repeated to ~300 pages.

The scaled project is generated on the fly in a temporary folder, never committed: chapter k of
copy r gets ids suffixed `-r<r>` (chapter, sections, figures, cases, bindings, references), and
the figure and case files it places are copied under those ids. Collections that a report places
once (quotes, strategies) stay in the original chapters only. `--repeat prose` repeats the
chapters' headings and paragraphs only (every `:::` block dropped; references and numbers then
point at the first copy's figures), as issue 16's own per-page table did: what a page of text
costs, apart from what its figures cost.

For each scale it prints, medians of N rounds: the cold build, WeasyPrint alone on that build's
print HTML (the floor), a chapter edit (one sentence added to a paragraph of the last chapter)
and a figure edit (one figure's source note changed); wall time, the largest process's peak RSS
and the process tree's peak PSS; and the cost per added page between the smallest and largest
scale, for the build and for the floor.

    .venv/bin/python bench/scale.py [-C PROJECT] [--scales 1,4,10] [-n RUNS] [--only pdf] [--keep]
        [--pdf-split auto|on|off] [--repeat all|prose]
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import EPOCH, FLOOR, ROOT, reportbuild_pdf, run  # noqa: E402  (the sibling script: one sampler)

PLACED_ONCE = ("quotes", "strategies")  # directives whose items a report places only once


def _suffix_ids(text: str, tag: str, prose: bool = False) -> tuple[str, set[str]]:
    """A chapter's text with every id it defines or references suffixed; the ids it places.
    With `prose`, its `:::` blocks are dropped and what they defined keeps its first copy's id."""
    placed: set[str] = set()
    if prose:
        text = re.sub(r"(?ms)^:::[ \t]*[\w-]+.*?^:::[ \t]*$\n?", "", text)
        text = re.sub(r"(?m)^(id:[ \t]*)([\w-]+)", rf"\1\2{tag}", text, count=1)
        text = re.sub(r"\{#([\w-]+)\}", rf"{{#\1{tag}}}", text)
        text = re.sub(r"@sec-([\w-]*\w)", rf"@sec-\1{tag}", text)
        return re.sub(r"\[\^([\w-]+)\]", rf"[^\1{tag}]", text), placed

    def directive(m: re.Match) -> str:
        name, ident = m.group(1), m.group(2)
        if ident:
            placed.add(ident)
            return f"::: {name} {ident}{tag}"
        return m.group(0)

    once = "|".join(PLACED_ONCE)
    text = re.sub(rf"(?ms)^:::[ \t]*(?:{once})\b.*?^:::[ \t]*$\n?", "", text)
    text = re.sub(r"(?m)^:::[ \t]*([\w-]+)[ \t]+([\w.-]+)", directive, text)
    text = re.sub(r"(?m)^(id:[ \t]*)([\w-]+)", rf"\1\2{tag}", text, count=1)
    text = re.sub(r"\{#([\w-]+)\}", rf"{{#\1{tag}}}", text)
    text = re.sub(r"@(fig|sec|tbl|img)-([\w-]*\w)", rf"@\1-\2{tag}", text)
    text = re.sub(r"(\{\{<\s*num\s+)([\w-]+)\.", rf"\1\2{tag}.", text)
    text = re.sub(r"\[\^([\w-]+)\]", rf"[^\1{tag}]", text)
    return text, placed


def scale_project(src: Path, dest: Path, times: int, prose: bool = False) -> None:
    """Copy the project to `dest` with its chapters (or their prose) repeated `times` times."""
    for part in ("sources", "figures", "styles"):
        if (src / part).is_dir():
            shutil.copytree(src / part, dest / part)
    manifest_path = dest / "sources" / "report.yml"
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    chapters = list(manifest["chapters"])
    homes = [dest / "figures", dest / "sources" / "cases"]
    for r in range(2, times + 1):
        tag = f"-r{r}"
        for rel in chapters:
            text, placed = _suffix_ids(
                (dest / "sources" / rel).read_text(encoding="utf-8"), tag, prose
            )
            new_rel = str(Path(rel).with_name(f"{Path(rel).stem}{tag}.md"))
            (dest / "sources" / new_rel).write_text(text, encoding="utf-8")
            manifest["chapters"].append(new_rel)
            for ident in placed:
                for home in homes:
                    for f in home.glob(f"{ident}.*"):
                        shutil.copy(f, f.with_name(f"{ident}{tag}{f.suffix}"))
    manifest_path.write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")


def _edit_chapter(project: Path, i: int) -> None:
    """A real edit: one sentence appended to the last paragraph of the last chapter."""
    manifest = yaml.safe_load((project / "sources" / "report.yml").read_text(encoding="utf-8"))
    path = project / "sources" / manifest["chapters"][-1]
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text}\n\nEdit {i}.\n", encoding="utf-8")


def _edit_figure(project: Path, i: int) -> None:
    fig = sorted((project / "figures").glob("*.yml"))[0]
    text = fig.read_text(encoding="utf-8")
    new, n = re.subn(r"(?m)^(source:\s*)(.+?)\s*$", rf"\1\2 ({i})", text, count=1)
    fig.write_text(new if n else f"{text.rstrip()}\nsource: edit {i}\n", encoding="utf-8")


def _pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"(?m)^Pages:\s+(\d+)", out.stdout).group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-C", "--project", type=Path, default=ROOT, help="report project to scale")
    ap.add_argument("--scales", default="1,4,10", help="chapter repetitions, comma-separated")
    ap.add_argument("-n", "--runs", type=int, default=3, help="rounds per scale (median)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--only", help="build one output (pdf, pptx, html, charts) instead of all")
    ap.add_argument("--pdf-split", choices=["auto", "on", "off"], help="build's --pdf-split")
    ap.add_argument(
        "--repeat", choices=["all", "prose"], default="all",
        help="repeat whole chapters (default) or only their headings and paragraphs",
    )  # fmt: skip
    args = ap.parse_args()
    scales = [int(s) for s in args.scales.split(",")]

    work = Path(tempfile.mkdtemp(prefix="reportbuild-scale-"))
    shutil.copytree(
        ROOT / "src" / "reportbuild", work / "src" / "reportbuild",
        ignore=shutil.ignore_patterns("__pycache__"),
    )  # fmt: skip
    compileall.compile_dir(work / "src", quiet=1)
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, PYTHONPATH=str(work / "src"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    rows: list[tuple[int, int, str, float, float, float, float]] = []
    try:
        for times in scales:
            pristine = work / f"x{times}"
            pristine.mkdir()
            scale_project(args.project, pristine, times, args.repeat == "prose")
            project = work / "proj"
            build = [sys.executable, "-m", "reportbuild", "build", "-C", str(project), "-q"]
            build += ["--only", args.only] if args.only else []
            build += ["--pdf-split", args.pdf_split] if args.pdf_split else []
            floor_html, floor_pdf = work / "floor.html", work / "floor.pdf"
            floor_css = work / "floor.css"  # pagefit's figures (a split build writes none)
            floor = [sys.executable, "-c", FLOOR, str(floor_html), str(project), str(floor_pdf),
                     str(floor_css), "{}"]  # fmt: skip
            got: dict[str, list[tuple[float, float, float]]] = {}
            pages = 0
            for i in range(args.runs):
                shutil.rmtree(project, ignore_errors=True)
                shutil.copytree(pristine, project)
                for name, cmd, edit in (
                    ("cold build", build, None),
                    ("WeasyPrint alone", floor, None),
                    ("edit one chapter", build, _edit_chapter),
                    ("edit one figure", build, _edit_figure),
                ):
                    if edit:
                        edit(project, i)
                    if cmd is floor:
                        shutil.copy(
                            project / ".reportbuild-cache" / "report.print.html", floor_html
                        )
                        fitted = project / reportbuild_pdf().PAGEFIT_CSS
                        floor_css.write_text(fitted.read_text("utf-8") if fitted.is_file() else "")
                    got.setdefault(name, []).append(run(cmd, env, sample=True))
                pages = _pages(project / "output" / "report.pdf")
            for name, runs in got.items():
                wall = statistics.median(r[0] for r in runs)
                cpu = statistics.median(r[3] for r in runs)
                rows.append((times, pages, name, wall, max(r[1] for r in runs),
                             max(r[2] for r in runs), cpu))  # fmt: skip
            print(f"scale: x{times} done ({pages} pages)", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    # CPU (user + system of the process tree): other sessions' load changes it far less than wall
    print(f"\n{'scale':>5} {'pages':>5}  {'scenario':<18} {'median wall':>11} "
          f"{'max RSS/proc':>12} {'peak PSS/tree':>13} {'median CPU':>10}")  # fmt: skip
    for times, pages, name, wall, rss, tree, cpu in rows:
        print(f"{'x' + str(times):>5} {pages:>5}  {name:<18} {wall:>9.2f} s "
              f"{rss:>9.0f} MB {tree:>10.0f} MB {cpu:>8.2f} s")  # fmt: skip
    lo, hi = min(scales), max(scales)
    if lo != hi:
        pick = {(t, n): (p, w, c) for t, p, n, w, _, _, c in rows}
        print()
        for name in ("cold build", "WeasyPrint alone"):
            (p0, w0, c0), (p1, w1, c1) = pick[(lo, name)], pick[(hi, name)]
            print(f"{name}: {1000 * (w1 - w0) / (p1 - p0):.1f} ms wall, "
                  f"{1000 * (c1 - c0) / (p1 - p0):.1f} ms CPU per added page "
                  f"(x{lo} {p0} pages {w0:.2f} s → x{hi} {p1} pages {w1:.2f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
