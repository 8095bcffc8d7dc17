"""The typesetting report of our PDF beside Typst's setting of the same running text.

Builds nothing: measures output/report.pdf (build first) and a PDF that Typst (PyPI `typst`, not a
dependency of reportbuild: `pip install typst`) sets from the same paragraphs — the chapters'
prose, the cases and the quotes, on the same A4 text block (460 pt, 10 pt Noto Sans CJK SC,
17.5 pt lines, 2 em indent, justified). Both are read by `lints.typeset.measure`, so the counts
compare like with like; the numbers are printed as a table and written to
.reportbuild-cache/typeset-compare.json.

    .venv/bin/python bench/typeset.py [-C PROJECT]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

KEYS = ("justified_nonfinal", "flush", "flush_share", "short_max_em", "widest_space_em",
        "lone_last_lines", "prohibited_breaks", "split_units")  # fmt: skip


def _escape(text: str) -> str:
    return "".join("\\" + ch if ch in '\\#*_`$<>@[]~"=/-+' else ch for ch in text)


def typst_source(report) -> str:
    from reportbuild.lints.sites import sites

    paras = []
    for site in sites(report, report.root):
        w = site.where
        if (
            w.endswith(" prose")
            or w.startswith("case ")
            and not w.endswith((" title", "organisation"))
        ):
            paras.extend(p for p in site.text.split("\n") if p.strip())
    body = "\n\n".join(_escape(p) for p in paras)
    return (
        '#set page(paper: "a4", margin: (left: 72pt, right: 63.28pt, top: 24mm, bottom: 22mm))\n'
        '#set text(font: "Noto Sans CJK SC", size: 10pt, lang: "zh", region: "cn")\n'
        "#set par(justify: true, leading: 7.5pt, first-line-indent: (amount: 2em, all: true),"
        " spacing: 7.5pt)\n\n" + body + "\n"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-C", "--project", type=Path, default=ROOT)
    args = ap.parse_args()
    import typst

    from reportbuild.lints.typeset import measure
    from reportbuild.load import load_project

    root = args.project.resolve()
    report = load_project(root)
    ours = root / "output" / "report.pdf"
    work = root / ".reportbuild-cache" / "typst"
    work.mkdir(parents=True, exist_ok=True)
    (work / "report.typ").write_text(typst_source(report), encoding="utf-8")
    started = time.perf_counter()
    typst.compile(str(work / "report.typ"), output=str(work / "report.pdf"))
    typst_seconds = time.perf_counter() - started
    rows = {"reportbuild": measure(ours, report, root).counts,
            "typst": measure(work / "report.pdf", report, root).counts}  # fmt: skip
    rows["typst"]["compile_seconds"] = round(typst_seconds, 2)
    print(f"{'':24}" + "".join(f"{k:>14}" for k in rows))
    for key in KEYS:
        print(f"{key:24}" + "".join(f"{rows[k][key]!s:>14}" for k in rows))
    out = root / ".reportbuild-cache" / "typeset-compare.json"
    out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
