"""Markdown as the report writes it: front matter, directives, inline bindings, safe HTML."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*\n", re.S)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
NUM = re.compile(r"\{\{<\s*num\s+([^\s>]*)\s*>\}\}")
SHORTCODE = re.compile(r"\{\{<\s*(\S+)[^>]*>\}\}")
XREF = re.compile(r"@fig-([a-z0-9][a-z0-9-]*)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{#([A-Za-z0-9_-]+)\})?\s*$")


def parser(allow_html: bool) -> MarkdownIt:
    """CommonMark with tables and the registered directives; raw HTML only if the project asks."""
    from reportbuild.directives import container_names

    return _parser(allow_html, container_names())


@lru_cache(maxsize=4)
def _parser(allow_html: bool, directives: tuple[str, ...]) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "linkify": False, "typographer": False})
    md.enable("table")
    for name in directives:
        md.use(container_plugin, name=name)
    return md


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter YAML or None, body, number of lines before the body)."""
    m = FRONT_MATTER.match(text)
    if not m:
        return None, text, 0
    return (m.group(1) or ""), text[m.end() :], m.group(0).count("\n")


def strip_comments(text: str) -> str:
    """Remove editor comments, keeping line numbers: each comment becomes its own newlines."""
    return HTML_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


_HELD = "\ufffc"  # stands in for an unresolved binding while the line is checked


@dataclass
class Binder:
    """Resolves inline bindings; records what it could not resolve with the line it stood on."""

    value_of: Callable[[str], str | None]  # 'fig.item' -> '89%'
    label_of: Callable[[str], str | None]  # 'fig-id' -> '图 1-2'
    known_values: Callable[[], list[str]]
    known_figures: Callable[[], list[str]]
    errors: list[tuple[int, str]] = field(default_factory=list)
    xrefs: list[tuple[str, int]] = field(default_factory=list)
    # a figure whose own file failed to load: its error is said there, not at every binding
    broken: Callable[[str], bool] = lambda fid: False

    def bind(self, text: str, first_line: int) -> str:
        from reportbuild.errors import did_you_mean

        out = []
        for i, line in enumerate(text.split("\n")):
            lineno = first_line + i
            unresolved: list[str] = []  # kept as typed, but not reported twice

            def num(m: re.Match[str], lineno: int = lineno, unresolved=unresolved) -> str:
                path = m.group(1)
                got = self.value_of(path)
                if got is None:
                    unresolved.append(m.group(0))
                    if self.broken(path.split(".")[0]):
                        return _HELD
                    self.errors.append(
                        (
                            lineno,
                            f"binding '{{{{< num {path} >}}}}' names no figure value"
                            f"{did_you_mean(path, self.known_values())}; "
                            "write FIGURE.ITEM (or FIGURE.SERIES.CATEGORY) as in figures/",
                        )
                    )
                    return _HELD
                return got

            def xref(m: re.Match[str], lineno: int = lineno) -> str:
                fid = m.group(1)
                self.xrefs.append((fid, lineno))
                label = self.label_of(fid)
                if label is None:
                    self.errors.append(
                        (
                            lineno,
                            f"reference '@fig-{fid}' names no placed figure"
                            f"{did_you_mean(fid, self.known_figures())}; "
                            f"add figures/{fid}.yml and place it with '::: figure {fid}'",
                        )
                    )
                    return m.group(0)
                return f"[{label}](#fig-{fid})"

            line = NUM.sub(num, line)
            # what is left of '{{<' after the bindings were replaced is written wrong: say so,
            # never print it as typed
            for m in SHORTCODE.finditer(line):
                words = m.group(0)[3:-3].split()
                if m.group(1) == "num":
                    what = (
                        f"binding '{m.group(0)}' takes one FIGURE.ITEM, not "
                        f"{len(words) - 1} words; write '{{{{< num {words[1]} >}}}}'"
                        if len(words) > 2
                        else f"binding '{m.group(0)}' names no value; write "
                        "'{{< num FIGURE.ITEM >}}'"
                    )
                else:
                    what = (
                        f"unknown shortcode '{m.group(1)}'; the only one is "
                        f"'{{{{< num FIGURE.ITEM >}}}}'"
                    )
                self.errors.append((lineno, what))
            if "{{<" in SHORTCODE.sub("", line):
                self.errors.append(
                    (
                        lineno,
                        "'{{<' opens a binding that is never closed; "
                        "write '{{< num FIGURE.ITEM >}}'",
                    )
                )
            line = XREF.sub(xref, line)
            for typed in unresolved:
                line = line.replace(_HELD, typed, 1)
            out.append(line)
        return "\n".join(out)


def plain_text(tokens: list[Token]) -> str:
    """The readable text of parsed Markdown: paragraphs joined by newlines."""
    parts: list[str] = []
    for tok in tokens:
        if tok.type == "inline" and tok.children is not None:
            buf = []
            for child in tok.children:
                if child.type in ("text", "code_inline", "html_inline"):
                    buf.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    buf.append("")
            parts.append("".join(buf))
        elif tok.type in ("fence", "code_block"):
            parts.append(tok.content.rstrip("\n"))
    return "\n".join(p for p in parts if p)


def render(md: MarkdownIt, text: str) -> tuple[str, str]:
    """(html, plain text) of a Markdown fragment whose bindings are resolved already."""
    tokens = md.parse(text)
    return md.renderer.render(tokens, md.options, {}), plain_text(tokens)


OPENER = re.compile(r"^\s*:{3,}\s*\S")
CLOSER = re.compile(r"^\s*:{3,}\s*$")


@dataclass
class RawBlock:
    """A top-level piece of a Markdown body before bindings are resolved."""

    kind: str  # prose | heading | figure | case | quotes | strategies | note | unknown
    line: int  # 1-based, in the file
    text: str = ""  # Markdown source (prose, note body)
    level: int = 0
    title: str = ""
    anchor: str | None = None
    args: tuple[str, ...] = ()
    problem: str = ""  # a directive written wrong (left open, another one inside it)


def blocks_of(md: MarkdownIt, body: str, first_line: int) -> list[RawBlock]:
    """Split a Markdown body into headings, directives and runs of prose, with their lines."""
    lines = body.split("\n")
    tokens = md.parse(body)
    out: list[RawBlock] = []
    prose_start: int | None = None
    prose_end = 0

    def flush() -> None:
        nonlocal prose_start
        if prose_start is not None:
            text = "\n".join(lines[prose_start:prose_end]).strip("\n")
            if text.strip():
                out.append(RawBlock("prose", first_line + prose_start, text=text))
        prose_start = None

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.level != 0 or tok.map is None:
            i += 1
            continue
        start, end = tok.map
        if tok.type == "heading_open":
            flush()
            m = HEADING.match(lines[start])
            title = m.group(2) if m else tokens[i + 1].content
            anchor = m.group(3) if m else None
            out.append(
                RawBlock(
                    "heading", first_line + start, level=int(tok.tag[1]), title=title, anchor=anchor
                )
            )
            i += 3
            continue
        if tok.type.startswith("container_") and tok.type.endswith("_open"):
            flush()
            name = tok.type[len("container_") : -len("_open")]
            args = tuple(tok.info.split()[1:])
            # find the matching close to know the body's extent
            depth, j = 1, i + 1
            while j < len(tokens) and depth:
                if tokens[j].type == tok.type:
                    depth += 1
                elif tokens[j].type == f"container_{name}_close":
                    depth -= 1
                j += 1
            # the container's map ends at its closing ':::' line (exclusive), so
            # the body is every line between the opening and the closing marker
            inner = "\n".join(lines[start + 1 : end]).strip("\n")
            block = RawBlock(name, first_line + start, text=inner, args=args)
            nested = next((n for n in range(start + 1, end) if OPENER.match(lines[n])), None)
            if nested is not None:
                block.problem = (
                    f"'{lines[nested].strip()}' (line {first_line + nested}) stands inside "
                    f"'::: {name}': directives do not nest; close this one with ':::' first"
                )
            elif end >= len(lines) or not CLOSER.match(lines[end]):
                block.problem = (
                    f"'::: {name}' is never closed, so it takes in the rest of the file; "
                    "end it with a line ':::'"
                )
            out.append(block)
            i = j
            continue
        if tok.type == "paragraph_open" and tokens[i + 1].content.startswith(":::"):
            flush()
            word = tokens[i + 1].content[3:].split()
            out.append(RawBlock("unknown", first_line + start, args=tuple(word[:1])))
            i += 3
            continue
        if prose_start is None:
            prose_start = start
        prose_end = end
        # skip to the end of this top-level block
        depth = tok.nesting
        i += 1
        while depth > 0 and i < len(tokens):
            depth += tokens[i].nesting
            i += 1
    flush()
    return out
