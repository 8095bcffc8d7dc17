"""Markdown as the report writes it: front matter, directives, inline bindings, safe HTML."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml as escape_html
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*\n", re.S)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
NUM = re.compile(r"\{\{<\s*num\s+([^\s>]*)\s*>\}\}")
SHORTCODE = re.compile(r"\{\{<\s*(\S+)[^>]*>\}\}")
XREF = re.compile(r"@fig-([a-z0-9][a-z0-9-]*)")
# '@kind-id' cross-references: not inside an e-mail address or a longer word (Han text may touch)
REF = re.compile(r"(?<![A-Za-z0-9._%+@\\-])@([a-z]+)-([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)")
NOTE_CALL = re.compile(r"\[\^([^\]\s]+)\](?!:)")
FOOTNOTE_DEF = "footnote-def"  # a RawBlock kind that is not a block: the loader takes them out
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{#([A-Za-z0-9_-]+)\})?\s*$")


_HELD = "\ufffc"  # stands in for an unresolved binding while the line is checked


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
    # footnotes: definitions stay where they stand (the loader takes them out of the file),
    # every '[^label]' becomes a call, rendered by the loader's callback in `render`
    md.use(footnote_plugin, inline=False, move_to_end=False, always_match_refs=True)
    md.add_render_rule("footnote_ref", _render_note_call)
    md.add_render_rule("footnote_reference_open", lambda *_: "")
    md.add_render_rule("footnote_reference_close", lambda *_: "")
    md.add_render_rule("image", _render_image)
    md.core.ruler.push("xref_class", _xref_class)
    md.core.ruler.push("numeric_columns", _numeric_columns)
    return md


NUMBER_CELL = re.compile(r"^[-+−–(]?[$€£¥]?\d[\d,.\s]*%?\)?$|^[-–—]$|^$")


def _numeric_columns(state: Any) -> None:
    """Columns whose body cells are all numbers (or empty, or a dash) are right-aligned, head
    included, unless the table's delimiter row set an alignment."""
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        if tokens[i].type != "table_open":
            i += 1
            continue
        j = i
        depth = 0
        cells: dict[int, list[Token]] = {}
        numeric: dict[int, bool] = {}
        col = 0
        while j < len(tokens):
            t = tokens[j]
            depth += t.nesting if t.type.startswith("table") else 0
            if t.type == "tr_open":
                col = 0
            elif t.type in ("th_open", "td_open"):
                cells.setdefault(col, []).append(t)
                if t.type == "td_open":
                    text = tokens[j + 1].content.strip() if j + 1 < len(tokens) else ""
                    numeric[col] = numeric.get(col, True) and bool(NUMBER_CELL.match(text))
                col += 1
            if t.type == "table_close":
                break
            j += 1
        for c, ok in numeric.items():
            if ok and not any(t.attrGet("style") for t in cells[c]):
                for t in cells[c]:
                    t.attrSet("style", "text-align:right")
        i = j + 1


def _render_note_call(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """A footnote call as the loader renders it; undefined labels print as typed (and the
    binder has reported them)."""
    label = tokens[idx].meta["label"]
    call = env.get("note_call") if isinstance(env, dict) else None
    got = call(label) if call else None
    return got if got is not None else escape_html(f"[^{label}]")


def _render_image(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """An image whose path the loader resolved (relative to the file it is written in)."""
    from markdown_it.renderer import RendererHTML

    resolve = env.get("image_src") if isinstance(env, dict) else None
    src = tokens[idx].attrGet("src")
    if resolve is not None and isinstance(src, str):
        got = resolve(src)
        if got is not None:
            tokens[idx].attrSet("src", got)
    return RendererHTML.image(self, tokens, idx, options, env)


def _xref_class(state: Any) -> None:
    """Links to a chapter or section carry class 'xref-sec' (print adds the page number)."""
    for tok in state.tokens:
        for child in tok.children or ():
            href = child.attrGet("href") if child.type == "link_open" else None
            if isinstance(href, str) and href.startswith(("#sec-", "#ch-")):
                child.attrJoin("class", "xref-sec")


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter YAML or None, body, number of lines before the body)."""
    m = FRONT_MATTER.match(text)
    if not m:
        return None, text, 0
    return (m.group(1) or ""), text[m.end() :], m.group(0).count("\n")


def strip_comments(text: str) -> str:
    """Remove editor comments, keeping line numbers: each comment becomes its own newlines."""
    return HTML_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


@dataclass
class Binder:
    """Resolves inline bindings; records what it could not resolve with the line it stood on."""

    value_of: Callable[[str], str | None]  # 'fig.item' -> '89%'
    label_of: Callable[[str], str | None]  # 'fig-id' -> '图 1-2'
    known_values: Callable[[], list[str]]
    known_figures: Callable[[], list[str]]
    # '@kind-id' for kinds other than fig: kind -> (id -> (label, anchor) or None, known ids)
    refs: dict[str, tuple[Callable[[str], tuple[str, str] | None], Callable[[], list[str]]]] = (
        field(default_factory=dict)
    )
    # footnote labels the file being read defines (None: footnotes are not allowed here)
    notes: Callable[[], list[str]] | None = None
    errors: list[tuple[int, str]] = field(default_factory=list)
    xrefs: list[tuple[str, int]] = field(default_factory=list)
    calls: list[tuple[str, int]] = field(default_factory=list)  # footnote labels called
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

            def xref(fid: str, lineno: int = lineno) -> str:
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
                    return f"@fig-{fid}"
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

            def ref(m: re.Match[str], lineno: int = lineno) -> str:
                kind, rid = m.group(1), m.group(2)
                if kind == "fig":
                    return xref(rid, lineno)
                if kind not in self.refs:
                    known = ["fig", *self.refs]
                    self.errors.append(
                        (
                            lineno,
                            f"'@{kind}-{rid}' is no kind of reference"
                            f"{did_you_mean(kind, known)}; write "
                            + " or ".join(f"'@{k}-ID'" for k in known)
                            + (" (a literal '@' before a word: write '\\@')"),
                        )
                    )
                    return m.group(0)
                resolve, known_ids = self.refs[kind]
                got = resolve(rid)
                if got is None:
                    self.errors.append(
                        (
                            lineno,
                            f"reference '@{kind}-{rid}' names nothing"
                            f"{did_you_mean(rid, known_ids())}; "
                            f"known: {', '.join(known_ids()[:12]) or '(none)'}",
                        )
                    )
                    return m.group(0)
                label, anchor = got
                return f"[{label}](#{anchor})"

            line = REF.sub(ref, line)
            if self.notes is None and re.match(r"\s*\[\^[^\]\s]+\]:", line):
                self.errors.append(
                    (
                        lineno,
                        "a footnote definition in a YAML text; footnotes belong to chapters "
                        "and pages (Markdown files)",
                    )
                )
            for m in NOTE_CALL.finditer(line):
                label = m.group(1)
                if self.notes is None:
                    self.errors.append(
                        (
                            lineno,
                            f"footnote '[^{label}]' in a YAML text; footnotes belong to "
                            "chapters and pages (Markdown files)",
                        )
                    )
                elif label not in self.notes():
                    self.errors.append(
                        (
                            lineno,
                            f"footnote '[^{label}]' has no definition"
                            f"{did_you_mean(label, self.notes())}; add a line "
                            f"'[^{label}]: text' to this file",
                        )
                    )
                else:
                    self.calls.append((label, lineno))
            for typed in unresolved:
                line = line.replace(_HELD, typed, 1)
            out.append(line)
        return "\n".join(out)


def plain_text(tokens: list[Token], soft: str = "") -> str:
    """The readable text of parsed Markdown: paragraphs joined by newlines; a line break inside a
    paragraph reads as `soft` (nothing between Han characters, a space in Latin text)."""
    parts: list[str] = []
    for tok in tokens:
        if tok.type == "inline" and tok.children is not None:
            buf = []
            for child in tok.children:
                if child.type in ("text", "code_inline", "html_inline"):
                    buf.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    buf.append(soft)
            parts.append("".join(buf))
        elif tok.type in ("fence", "code_block"):
            parts.append(tok.content.rstrip("\n"))
    return "\n".join(p for p in parts if p)


def render(
    md: MarkdownIt,
    text: str,
    note_call: Callable[[str], str | None] | None = None,
    soft: str = "",
    image_src: Callable[[str], str | None] | None = None,
) -> tuple[str, str]:
    """(html, plain text) of a Markdown fragment whose bindings are resolved already;
    `note_call(label)` gives the HTML of a footnote call."""
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    env["note_call"] = note_call
    env["image_src"] = image_src
    return md.renderer.render(tokens, md.options, env), plain_text(tokens, soft)


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
    body_line: int = 0  # a directive's first non-blank body line, in the file
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
            body_lines = lines[start + 1 : end]
            inner = "\n".join(body_lines).strip("\n")
            blank = next((k for k, ln in enumerate(body_lines) if ln.strip()), 0)
            block = RawBlock(
                name, first_line + start, text=inner, args=args,
                body_line=first_line + start + 1 + blank,
            )  # fmt: skip
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
        if tok.type == "footnote_reference_open":
            flush()
            label = tok.meta["label"]
            first = lines[start].lstrip()[len(label) + 4 :].strip()
            rest = [
                ln[4:] if ln.startswith("    ") else ln.lstrip() for ln in lines[start + 1 : end]
            ]
            text = "\n".join([first, *rest]).strip("\n")
            out.append(RawBlock(FOOTNOTE_DEF, first_line + start, text=text, args=(label,)))
            depth, i = 1, i + 1
            while i < len(tokens) and depth:
                depth += {"footnote_reference_open": 1, "footnote_reference_close": -1}.get(
                    tokens[i].type, 0
                )
                i += 1
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
