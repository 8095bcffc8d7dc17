"""The typesetting report of our PDFs beside Typst's setting of the same chapters.

Builds nothing of ours: measures each project's output/report.pdf (build first) and a PDF that
Typst (PyPI `typst`, not a dependency of reportbuild: `pip install typst`) sets from the same
chapters — headings, running text (prose, summaries, cases, quotes) and the figures, drawn from
the same print SVGs (output/figures/.print/) with caption and source, as Typst floats
(`placement: auto`) — on the same A4 text block (460 pt), in the report's language and brand
font at 10 pt on a 17.5 pt line, the locale's paragraph indent, justified (and hyphenated where
the locale hyphenates). Both PDFs are read by `lints.typeset.measure` (what `check --layout`
runs), so the counts compare like with like.

Prints one table per project (by default both example reports: the repository's and
examples/minimum-wage-2013) and writes the counts to each project's
.reportbuild-cache/typeset-compare.json. `--pages 8,21` also renders those pages of our PDF and
the Typst pages that begin with the same text at 150 dpi into .reportbuild-cache/typst/.

    .venv/bin/python bench/typeset.py [-C PROJECT ...] [--pages N,M]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

KEYS = ("pages", "justified_nonfinal", "flush", "flush_share", "short_max_em", "widest_space_em",
        "spaces_over_033em", "lone_last_lines", "prohibited_breaks", "split_units",
        "headings_at_foot", "headings_split", "holes", "figures_without_source")  # fmt: skip
SPECIAL = set("\\#*_`$<>@[]~\"=/-+'.:")  # markup characters of Typst, written as themselves


def _escape(text: str) -> str:
    return "".join("\\" + ch if ch in SPECIAL else ch for ch in " ".join(text.split()))


def _preamble(report, brand) -> str:
    from reportbuild.locale import get_locale

    loc = get_locale(report.lang)
    lang, _, region = report.lang.lower().partition("-")
    indent = str(loc.rule("paragraph_indent") or "0")
    indent = "0pt" if indent.strip() in ("", "0", "0em", "0pt") else indent
    # a blank line between paragraphs where the locale does not indent (the theme's rule)
    spacing = "7.5pt" if indent != "0pt" else "25pt"
    fonts = ", ".join(f'"{f}"' for f in brand.families)
    hyphenate = "true" if loc.rule("hyphenate") else "false"
    return f"""#set page(paper: "a4", margin: (inside: 25.4mm, outside: 22.3mm, top: 24mm,
  bottom: 22mm), numbering: "1")
#set text(font: ({fonts},), size: 10pt, lang: "{lang}", region: "{region or lang}",
  top-edge: 0.8em, bottom-edge: -0.2em, hyphenate: {hyphenate})
#set par(justify: true, leading: 7.5pt, spacing: {spacing},
  first-line-indent: (amount: {indent}, all: true))
#show heading: set text(fill: rgb("#0E2A47"))
#show heading.where(level: 1): set text(size: 24pt)
#show heading.where(level: 2): set text(size: 16pt)
#show heading.where(level: 2): set block(above: 28pt, below: 14pt)
#show heading.where(level: 3): set text(size: 11.5pt)
#show heading.where(level: 3): set block(above: 19pt, below: 7pt)
#set figure.caption(position: top)
#show figure.caption: set text(size: 10.5pt)
"""


def typst_source(report, brand, root: Path) -> str:
    """The report's chapters as Typst markup: headings, running text and floating figures."""
    from reportbuild.charts import print_svg_path
    from reportbuild.lints.sites import sites
    from reportbuild.lints.typeset import justified
    from reportbuild.locale import get_locale

    loc = get_locale(report.lang)
    out = [_preamble(report, brand)]
    figures = report.figures
    in_chapters = False
    for site in sites(report, root):
        w = site.where
        if w.startswith("chapter ") and w.endswith(" title"):
            in_chapters = True
            out.append(f"#pagebreak(weak: true)\n= {_escape(site.text)}\n")
            continue
        if not in_chapters:
            continue
        if w.startswith(("page ", "report ")):  # back pages and the report's own: the end
            break
        if w.startswith("section ") and w.endswith(" title"):
            out.append(f"== {_escape(site.text)}\n")
        elif w.endswith(" heading") or (w.startswith("case ") and w.endswith(" title")):
            out.append(f"=== {_escape(site.text)}\n")
        elif w.startswith("figure ") and w.endswith(" title"):
            fid = w.split()[1]
            fig = figures.get(fid)
            svg = print_svg_path(root / "output" / "figures", fid)
            if fig is None or not svg.is_file():
                continue
            label = loc.t("figure.label", number=fig.number) if fig.number else ""
            source = _escape(fig.source or "")
            foot = (
                f"\n  #align(left, text(size: 7.5pt, fill: luma(90))[{source}])" if source else ""
            )
            out.append(
                f'#figure([#image("/{svg.relative_to(root).as_posix()}"){foot}],\n'
                f'  caption: [#text(fill: rgb("#D9482B"), weight: "bold")[{_escape(label)}]'
                f"#h(0.8em){_escape(fig.display_caption)}], placement: auto, numbering: none)\n"
            )
        elif justified(site):
            out.extend(f"{_escape(p)}\n" for p in site.text.split("\n") if p.strip())
    return "\n".join(out)


def _page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return ["".join(p.split()) for p in text.split("\f")]


def render_pages(ours: Path, theirs: Path, pages: list[int], folder: Path, report, root) -> None:
    """Our page N and the Typst page holding the start of its first running line, at 150 dpi."""
    from reportbuild.lints.sites import sites
    from reportbuild.lints.typeset import Corpus, justified, map_lines, read_lines

    lines, _ = read_lines(ours)
    map_lines(lines, Corpus(sites(report, root)))
    typst_pages = _page_texts(theirs)
    for n in pages:
        first = next((ln for ln in lines[n - 1] if ln.site and justified(ln.site)), None)
        if first is None:
            print(f"page {n}: no running text to match")
            continue
        needle = first.norm[2:14]
        match = next((i + 1 for i, t in enumerate(typst_pages) if needle in t), None)
        for pdf, page, name in ((ours, n, "ours"), (theirs, match, "typst")):
            if page:
                stem = folder / f"{name}-p{n}"
                subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "-f", str(page),
                                "-l", str(page), str(pdf), str(stem)], check=True)  # fmt: skip
        print(f"page {n}: ours p{n}, typst p{match} → {folder}/ours-p{n}.png, typst-p{n}.png")


def compare(root: Path, pages: list[int]) -> dict:
    import typst

    from reportbuild.brand import load_brand
    from reportbuild.lints.typeset import measure
    from reportbuild.load import load_project

    report, brand = load_project(root), load_brand(root)
    ours = root / "output" / "report.pdf"
    if not ours.is_file():
        sys.exit(f"{ours}: no PDF; run reportbuild -C {root} build first")
    work = root / ".reportbuild-cache" / "typst"
    work.mkdir(parents=True, exist_ok=True)
    (work / "report.typ").write_text(typst_source(report, brand, root), encoding="utf-8")
    started = time.perf_counter()
    typst.compile(str(work / "report.typ"), output=str(work / "report.pdf"), root=str(root))
    typst_seconds = time.perf_counter() - started
    rows = {"reportbuild": measure(ours, report, root).counts,
            "typst": measure(work / "report.pdf", report, root).counts}  # fmt: skip
    rows["typst"]["compile_seconds"] = round(typst_seconds, 2)
    print(f"\n{report.title} ({root.name})")
    print(f"{'':24}" + "".join(f"{k:>14}" for k in rows))
    for key in KEYS:
        print(f"{key:24}" + "".join(f"{rows[k][key]!s:>14}" for k in rows))
    out = root / ".reportbuild-cache" / "typeset-compare.json"
    out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    if pages:
        render_pages(ours, work / "report.pdf", pages, work, report, root)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-C", "--project", type=Path, action="append",
                    help="a project (repeatable); default: both example reports")  # fmt: skip
    ap.add_argument("--pages", default="", help="our page numbers to render beside Typst's")
    args = ap.parse_args()
    projects = args.project or [ROOT, ROOT / "examples" / "minimum-wage-2013"]
    pages = [int(p) for p in re.findall(r"\d+", args.pages)]
    for project in projects:
        compare(project.resolve(), pages)


if __name__ == "__main__":
    main()
