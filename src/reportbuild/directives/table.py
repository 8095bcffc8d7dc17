"""`::: table ID`: a numbered table with caption, source and note, its rows inline or from a CSV.

```markdown
::: table hourly-workers
caption: Workers paid hourly rates, by age, 2013
source: U.S. Bureau of Labor Statistics, Current Population Survey
note: Numbers in thousands.
wide: small                 # optional: small (smaller type) | landscape (a page of its own)
csv: ../figures/hourly.csv  # optional, instead of the rows below (path from this file)

| Age            | Workers | Percent |
|----------------|--------:|--------:|
| 16 to 24 years |  15,110 |    11.0 |
:::
```

The header lines (`key: value`, up to the first blank line or table row) are YAML. Columns
whose body cells are all numbers are right-aligned. Numbered per chapter like figures
(表 1-1 / Table 1.1); `@tbl-ID` prints the number as a link.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any, Literal

from reportbuild import model
from reportbuild.directives import Directive, register
from reportbuild.yamlio import LineDict

KEYS = ("caption", "source", "note", "wide", "csv")
WIDE = ("small", "landscape")
HEADER_LINE = re.compile(r"^[A-Za-z_][\w-]*\s*:(\s|$)")


class Table(model.Block):
    kind: Literal["table"] = "table"
    id: str
    number: str = ""  # '1-1' in the locale's form; '' outside chapters
    caption: str
    source: str = ""
    note: str = ""
    wide: Literal["normal", "small", "landscape"] = "normal"
    body: model.Rich  # the table itself (HTML <table>)
    loc: model.Loc

    def prose(self) -> list[model.Rich]:
        return [self.body]


def split_header(text: str) -> tuple[str, str, int]:
    """(header YAML, table Markdown, lines before the table) of a table directive's body."""
    lines = text.split("\n")
    n = 0
    while n < len(lines) and lines[n].strip() and not lines[n].lstrip().startswith("|"):
        if not HEADER_LINE.match(lines[n]) and not lines[n].startswith((" ", "\t")):
            break
        n += 1
    return "\n".join(lines[:n]), "\n".join(lines[n:]), n


def csv_as_markdown(text: str) -> str:
    """A CSV file (first row: the column heads) as a Markdown table."""
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        return ""
    width = max(len(r) for r in rows)

    def cells(r: list[str]) -> str:
        r = [c.strip().replace("|", "\\|") for c in r] + [""] * (width - len(r))
        return "| " + " | ".join(r) + " |"

    return "\n".join([cells(rows[0]), "|" + "---|" * width, *(cells(r) for r in rows[1:])])


def _build(loader: Any, path: Path, raw: Any) -> model.Block | None:
    if len(raw.args) != 1:
        return None  # reported by the syntax check
    head, table, skipped = split_header(raw.text)
    first = raw.body_line or raw.line + 1
    meta: Any = loader.yaml(path, head, first_line=first) if head.strip() else LineDict()
    if meta is None:
        return None
    if not isinstance(meta, dict):
        loader.error(path, first, "a table's header lines read 'caption: …', 'source: …'", "E031")
        return None
    loader._check_keys(meta, set(KEYS), path, "table")
    caption = str(meta.get("caption") or "").strip()
    if not caption:
        loader.error(
            path, raw.line, "a table needs 'caption: …' as the first line of its body", "E011"
        )
        return None
    wide = str(meta.get("wide") or "normal")
    if wide not in ("normal", *WIDE):
        loader.error(
            path,
            meta.key_lines.get("wide", first),
            f"'wide: {wide}' is not a choice; use {' or '.join(WIDE)}",
            "E014",
        )
        wide = "normal"
    table_line = first + skipped
    if meta.get("csv"):
        if table.strip():
            loader.error(
                path, table_line, "a table takes its rows from 'csv:' or from the body, not both"
            )
        text = loader.read_relative(path, str(meta["csv"]), meta.key_lines.get("csv", first))
        if text is None:
            return None
        table = csv_as_markdown(text)
    body = loader.rich(table, path, table_line)
    if "<table>" not in body.html:
        loader.error(
            path,
            table_line,
            "a table directive holds a Markdown table ('| head | head |' then '|---|---:|') "
            "or names a CSV file with 'csv:'",
            "E031",
        )
        return None
    return Table(
        id=raw.args[0],
        number=loader.numbers.get("table", {}).get(raw.args[0], ""),
        caption=caption,
        source=str(meta.get("source") or "").strip(),
        note=str(meta.get("note") or "").strip(),
        wide=wide,  # type: ignore[arg-type]
        body=body,
        loc=loader.loc(path, raw.line),
    )


def _place(loader: Any, chapter: dict, raw: Any) -> None:
    if len(raw.args) == 1:
        loader.place_numbered("table", raw.args[0], chapter, raw.line)


def _walk(walker: Any, where: str, b: Table) -> None:
    walker.plain(f"{where} table caption", b.loc.path, b.caption, b.loc.line)
    walker.rich(f"{where} table", b.body)


register(
    Directive(
        "table",
        Table,
        _build,
        "blocks/table.html.j2",
        walk=_walk,
        place=_place,
        args="one",
        body=True,
        example="::: table ID",
    )
)
