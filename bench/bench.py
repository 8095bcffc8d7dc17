"""Benchmark whole-process builds: median wall time and peak memory over N runs per scenario.

Scenarios: cold build (no cache, no output), no-op rebuild, rebuild after editing one chapter,
after editing one figure — and, as the floor, WeasyPrint alone typesetting the same final HTML.
Works on a temporary copy of the project: the real sources are never touched. Each round runs
every scenario twice: timed, then with a memory sampler (which takes CPU from a build that uses
both cores). The deck's font widths are cached per machine (~/.cache/reportbuild), as
fontconfig caches fonts: "cold" means a new project on a machine that has built before.

    .venv/bin/python bench/bench.py [-C PROJECT] [-n RUNS] [--keep] [--baseline SRC]

`--baseline SRC` (a `src/` folder of another version, e.g. from `git archive main src`) adds an
A/B pair: each round runs that version's cold build and chapter edit right beside this one's,
so both see the same machine load.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EPOCH = "1700000000"
TARGETS = {"noop": 0.5, "cold_ratio": 1.2, "chapter_extra": 0.5, "peak_mb": 400}

# WeasyPrint alone: the HTML, with the stylesheet of the figures pagefit drew smaller (the
# build's pdf.PAGEFIT_CSS, so that the floor lays out the same pages), and options as JSON
FLOOR = """
import json, sys, weasyprint
html, base, out, css, options = sys.argv[1:6]
sheets = [weasyprint.CSS(filename=css)] if open(css).read().strip() else []
doc = weasyprint.HTML(filename=html, base_url=base)
doc.write_pdf(out, stylesheets=sheets, **json.loads(options))
"""


def reportbuild_pdf():
    """reportbuild.pdf, from this checkout's src/: the options every PDF of the build is
    written with (OPTIONS), where the build leaves pagefit's stylesheet (PAGEFIT_CSS)."""
    sys.path.insert(0, str(ROOT / "src"))
    from reportbuild import pdf

    return pdf


def _children(pid: int) -> set[int]:
    """pid and all its descendants, from /proc (no psutil needed)."""
    parents: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as f:
                    stat = f.read().decode(errors="replace")
                parents[int(d)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    tree, grew = {pid}, True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in tree and child not in tree:
                tree.add(child)
                grew = True
    return tree


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared pages (forked workers share the parent's) counted once."""
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            with open(f"/proc/{pid}/{name}") as f:
                for line in f:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


def run(cmd: list[str], env: dict[str, str], expect: str = "", sample: bool = False) -> tuple:
    """Run cmd; return (wall s, max RSS of its largest process MB, peak PSS of its tree MB,
    CPU s of its tree: user + system, which other sessions' load changes far less than wall).

    With `sample`, a thread reads the tree's PSS from /proc every 50 ms. That costs CPU a build
    using both cores would otherwise have (WeasyPrint alone uses one): wall times come from
    runs without it, memory from runs with it."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_tree = 0
    done = threading.Event()

    def sampler() -> None:
        nonlocal peak_tree
        while not done.is_set():
            peak_tree = max(peak_tree, sum(_pss_kb(p) for p in _children(proc.pid)))
            done.wait(0.05)

    thread = threading.Thread(target=sampler, daemon=True)
    if sample:
        thread.start()
    # wait4 gives this child's own rusage, which on Linux includes its reaped descendants' peak
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    if sample:
        thread.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    if expect not in err:
        print(f"bench: expected {expect!r} from {' '.join(cmd[-3:])}, got:\n{err}", file=sys.stderr)
    return wall, usage.ru_maxrss / 1024, peak_tree / 1024, usage.ru_utime + usage.ru_stime


def frozen_tool(src: Path, dest: Path) -> dict[str, str]:
    """A frozen, compiled copy of the tool in src/ (edits to it during a run must not turn a
    no-op into a build); the environment that runs it."""
    shutil.copytree(
        Path(src) / "reportbuild", dest / "reportbuild",
        ignore=shutil.ignore_patterns("__pycache__"),
    )  # fmt: skip
    # compiled now, as pip compiles an installed package: not inside the first timed build
    compileall.compile_dir(dest, quiet=1)
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, PYTHONPATH=str(dest))
    # measure what users get: Python caching bytecode (some sandboxes turn that off)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _edit_chapter(project: Path, i: int) -> None:
    chapter = sorted((project / "sources" / "chapters").glob("*.md"))[0]
    with open(chapter, "a", encoding="utf-8") as f:
        f.write(f"\n<!-- bench edit {i} -->\n")  # an editor comment: a new input, same content


def _edit_figure(project: Path, i: int) -> None:
    """Change one figure's source note (drawn into its caption and hash): it must be redrawn."""
    fig = sorted((project / "figures").glob("*.yml"))[0]
    text = fig.read_text(encoding="utf-8")
    mark = f"（样本{i}）"

    def repl(m: re.Match) -> str:
        value = re.sub(r"（样本\d+）", "", m.group(2))
        if value[:1] in "\"'":
            return f"{m.group(1)}{value[:-1]}{mark}{value[-1]}"
        return f"{m.group(1)}{value}{mark}"

    new, n = re.subn(r"(?m)^(source:\s*)(.+?)\s*$", repl, text, count=1)
    if not n:
        new = text.rstrip("\n") + f"\nsource: 示例{mark}\n"
    fig.write_text(new, encoding="utf-8")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-C", "--project", type=Path, default=ROOT, help="report project to copy")
    ap.add_argument("-n", "--runs", type=int, default=5, help="runs per scenario (median)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary copy")
    ap.add_argument("--baseline", type=Path, help="src/ of another version: A/B cold builds")
    ap.add_argument("--only", help="build one output (pdf, pptx, html, charts) instead of all")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="reportbuild-bench-"))
    project = work / "proj"
    project.mkdir()
    for part in ("sources", "figures", "styles"):
        if (args.project / part).is_dir():
            shutil.copytree(args.project / part, project / part)
    env = frozen_tool(ROOT / "src", work / "src")
    base_env = frozen_tool(args.baseline, work / "base") if args.baseline else None
    build = [sys.executable, "-m", "reportbuild", "build", "-C", str(project), "-q"]
    build += ["--only", args.only] if args.only else []
    results: dict[str, list[tuple[float, float, float]]] = {}
    names = {"pdf": ["report.pdf"], "pptx": ["summary.pptx"]}.get(args.only or "", [])
    digests: dict[str, set[str]] = {
        n: set() for n in (names if args.only else ["report.pdf", "summary.pptx"])
    }

    def clean() -> None:
        shutil.rmtree(project / "output", ignore_errors=True)
        shutil.rmtree(project / ".reportbuild-cache", ignore_errors=True)

    pristine = work / "pristine"
    shutil.copytree(project, pristine)
    noop = [*build[:-1], "-v"]  # says what it decided, so a rebuild here is caught
    html = project / ".reportbuild-cache" / "report.print.html"
    floor_html = work / "floor.html"
    floor_css = work / "floor.css"
    floor = [sys.executable, "-c", FLOOR, str(floor_html), str(project), str(work / "f.pdf"),
             str(floor_css)]  # fmt: skip
    # the same kind of PDF as the build's: tagged, with a file identifier (pdf.OPTIONS)
    same = [*floor, json.dumps({**reportbuild_pdf().OPTIONS, "pdf_identifier": True})]
    floor.append("{}")

    timed: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}

    def record(name: str, cmd: list[str], expect: str = "", sample: bool = False, env=env) -> None:
        wall, rss, tree, seconds = run(cmd, env, expect, sample)
        if sample:
            results.setdefault(name, []).append((wall, rss, tree))
        else:
            timed.setdefault(name, []).append(wall)
            cpu.setdefault(name, []).append(seconds)

    def restore() -> None:  # each round's cold build starts from the same files
        for part in ("sources", "figures"):
            shutil.rmtree(project / part, ignore_errors=True)
            if (pristine / part).is_dir():
                shutil.copytree(pristine / part, project / part)

    try:
        print(f"bench: {args.runs} rounds on a copy of {args.project}", file=sys.stderr)
        # Rounds, not one scenario after another: every scenario sees the same machine load.
        # Each round runs its scenarios twice: timed, then with the memory sampler.
        for i in range(args.runs):
            for sample in (False, True):
                if base_env is not None:  # A/B: the other version first, on the same files
                    restore()
                    clean()
                    record("cold build (baseline)", build, sample=sample, env=base_env)
                    _edit_chapter(project, 2 * i + sample)
                    record("edit one chapter (baseline)", build, sample=sample, env=base_env)
                restore()
                clean()
                record("cold build", build, sample=sample)
                for name in digests:
                    digests[name].add(_digest(project / "output" / name))
                # the floor: this build's final print HTML, typeset by WeasyPrint alone
                shutil.copy(html, floor_html)
                shutil.copy(project / reportbuild_pdf().PAGEFIT_CSS, floor_css)
                record("WeasyPrint alone", floor, sample=sample)
                record("WeasyPrint tagged", same, sample=sample)
                record("no-op rebuild", noop, "up to date", sample=sample)
                _edit_chapter(project, 2 * i + sample)
                record("edit one chapter", build, sample=sample)
                _edit_figure(project, 2 * i + sample)
                record("edit one figure", build, sample=sample)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    med = {k: (statistics.median(timed[k]), max(r[1] for r in v), max(r[2] for r in v))
           for k, v in results.items()}  # fmt: skip
    print(f"\n{'scenario':<18} {'median wall':>12} {'max RSS/proc':>13} {'peak PSS/tree':>14}"
          f" {'median CPU':>11}")  # fmt: skip
    # wall and CPU: medians of the timed runs; memory: the largest of the sampled runs
    for name, (wall, rss, tree) in med.items():
        print(f"{name:<18} {wall:>10.2f} s {rss:>10.0f} MB {tree:>11.0f} MB"
              f" {statistics.median(cpu[name]):>9.2f} s")  # fmt: skip

    pairs = zip(timed["cold build"], timed["WeasyPrint alone"], strict=True)
    print("\ncold build / WeasyPrint alone, round by round:",
          " ".join(f"{c:.2f}/{f:.2f} s" for c, f in pairs))  # fmt: skip
    for name in ("cold build (baseline)", "cold build"):  # each against its own round's floor
        if name in timed:
            ratios = zip(timed[name], timed["WeasyPrint alone"], strict=True)
            print(f"{name} / WeasyPrint alone:", " ".join(f"{c / f:.2f}" for c, f in ratios))
    ratios = zip(timed["cold build"], timed["WeasyPrint tagged"], strict=True)
    print("cold build / WeasyPrint writing the same tagged PDF:",
          " ".join(f"{c / f:.2f}" for c, f in ratios))  # fmt: skip
    floor_s = med["WeasyPrint alone"][0]
    same_s = med["WeasyPrint tagged"][0]
    peak = max(m[1] for m in med.values())
    tree = max(m[2] for m in med.values())
    checks = [
        ("no-op rebuild ≤ 0.5 s", med["no-op rebuild"][0] <= TARGETS["noop"],
         f"{med['no-op rebuild'][0]:.2f} s"),
        ("cold build ≤ 1.2 × WeasyPrint alone",
         med["cold build"][0] <= TARGETS["cold_ratio"] * floor_s,
         f"{med['cold build'][0] / floor_s:.2f} ×"),
        ("cold build ≤ 1.2 × WeasyPrint writing the same tagged PDF",
         med["cold build"][0] <= TARGETS["cold_ratio"] * same_s,
         f"{med['cold build'][0] / same_s:.2f} ×"),
        ("one-chapter edit ≤ WeasyPrint alone + 0.5 s",
         med["edit one chapter"][0] <= floor_s + TARGETS["chapter_extra"],
         f"{med['edit one chapter'][0] - floor_s:+.2f} s"),
        ("peak memory ≤ 400 MB (largest process)", peak <= TARGETS["peak_mb"], f"{peak:.0f} MB"),
        ("peak memory ≤ 400 MB (all processes, PSS)", tree <= TARGETS["peak_mb"], f"{tree:.0f} MB"),
        ("identical PDF and PPTX over cold builds",
         all(len(d) == 1 for d in digests.values()),
         ", ".join(f"{k} {len(v)} distinct" for k, v in digests.items())),
    ]  # fmt: skip
    print()
    for label, ok, value in checks:
        print(f"{'✓' if ok else '✗'} {label:<44} {value}")
    sys.exit(0 if all(ok for _, ok, _ in checks) else 1)


if __name__ == "__main__":
    main()
