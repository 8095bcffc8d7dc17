"""Chapters and pages: Markdown files with front matter, their blocks, prose and footnotes."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reportbuild import directives, markup, model
from reportbuild.errors import did_you_mean
from reportbuild.load.core import ID, LoaderCore
from reportbuild.yamlio import (
    LineDict,
    LineList,
)

PAGE_KEYS = {"id", "title"}

CHAPTER_KEYS = {"id", "title", "summary"}


class MarkdownReader(LoaderCore):
    """Chapters and pages (Markdown with front matter): their blocks, prose and footnotes."""

    def rich(self, text: Any, path: Path, line: int) -> model.Rich:
        source = str(text or "").strip("\n")
        bound = self.binder.bind(source, line)
        for lineno, msg in self.binder.errors:
            self.error(path, lineno, msg, "E030")
        self.binder.errors.clear()
        html, plain = markup.render(
            self.md,
            bound,
            note_call=self._note_call if self._note_defs is not None else None,
            soft="" if self.locale.cjk else " ",
            image_src=lambda src: self._prose_image(path, line, source, src),
        )
        return model.Rich(source=source, html=html, text=plain, loc=self.loc(path, line))

    def rich_field(self, data: LineDict, key: str, path: Path) -> model.Rich | None:
        if key not in data or data[key] is None:
            return None
        value = data[key]
        line = data.key_lines.get(key, data.line)
        # a block scalar (|) starts on the line after its key
        return self.rich(value, path, line + (1 if "\n" in str(value).strip("\n") else 0))

    def _prose_image(self, path: Path, line: int, source: str, src: str) -> str | None:
        """A Markdown image's path, from the file it is written in to the project's root."""
        from reportbuild.directives.image import image_path

        at = line + next((i for i, t in enumerate(source.split("\n")) if src in t), 0)
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) or src.startswith("/"):
            self.error(
                path,
                at,
                f"image '{src}' is not a file of the project; the outputs show only pictures "
                "kept in the project (copy it into figures/ and give the path from this file)",
                "E005",
            )
            return None
        return image_path(self, path, src, at)

    def read_relative(self, md_path: Path, rel: str, line: int) -> str | None:
        """A file a Markdown file names by a path relative to itself (inside the project)."""
        target = self.resolve_relative(md_path, rel, line)
        if target is None:
            return None
        return self.read(target)

    def resolve_relative(self, md_path: Path, rel: str, line: int) -> Path | None:
        """`rel` from the folder of `md_path`; an error at `line` if it leaves the project or
        does not exist."""
        target = Path(os.path.normpath((md_path.parent / rel).absolute()))
        if not self.paths.inside(target):
            self.error(
                md_path,
                line,
                f"'{rel}' is outside the project; paths are relative to this file and stay "
                "inside the project (copy the file into figures/)",
                "E005",
            )
            return None
        if not target.is_file():
            near = [
                Path(os.path.relpath(p, md_path.parent)).as_posix()
                for p in self.root.rglob(f"*{Path(rel).suffix}")
                if ".reportbuild-cache" not in p.parts and "output" not in p.parts
            ]
            self.error(
                md_path,
                line,
                f"file '{rel}' does not exist (paths are relative to this file)"
                f"{did_you_mean(rel, near)}",
                "E004",
            )
            return None
        return target

    def _begin_notes(self, raw: dict) -> None:
        """Footnotes of one Markdown file: numbered from 1 in the order they are first called."""
        defs: dict[str, markup.RawBlock] = raw.get("notes", {})
        self._note_defs = defs
        self._notes = {}
        self._note_where = (raw["path"], raw["id"])
        self.binder.notes = lambda: list(defs)

    def _end_notes(self) -> tuple[model.Footnote, ...]:
        path = self._note_where[0]
        for label, d in (self._note_defs or {}).items():
            if label not in self._notes:
                self.error(
                    path,
                    d.line,
                    f"footnote '[^{label}]' is defined but never called; put '[^{label}]' "
                    "where it belongs, or delete the definition",
                    "E032",
                )
        notes = tuple(self._notes.values())
        self._note_defs, self._notes = None, {}
        self.binder.notes = None
        return notes

    def _note_call(self, label: str) -> str | None:
        """The HTML of a call: a superscript link (the HTML edition's endnote) and, at the
        first call, the note itself, which print floats to the foot of the page."""
        defs = self._note_defs
        if defs is None or label not in defs:
            return None
        note = self._notes.get(label)
        first = note is None
        if note is None:
            path, scope = self._note_where
            d = defs[label]
            n = len(self._notes) + 1
            self._note_defs = None  # no footnote inside a footnote: its calls print as typed
            self.binder.notes = lambda: []
            try:
                body = self.rich(d.text, path, d.line)
            finally:
                self._note_defs = defs
                self.binder.notes = lambda: list(defs)
            note = model.Footnote(id=f"fn-{scope}-{n}", label=label, number=n, body=body)
            self._notes[label] = note
        n, nid = note.number, note.id
        if not first:
            return f'<sup class="fn-ref fn-again">{n}</sup>'
        inline = re.sub(r"</p>\s*<p>", "<br>", note.body.html.strip())
        inline = inline.removeprefix("<p>").removesuffix("</p>").replace("\n", " ")
        return (
            f'<sup class="fn-ref"><a href="#{nid}" id="ref-{nid}">{n}</a></sup>'
            f'<span class="footnote" data-n="{n}" data-loc="{note.body.loc}">{inline}</span>'
        )

    def _markdown(self, manifest_path: Path, line: int, rel: Any, keys: set[str]) -> dict | None:
        if not isinstance(rel, str):
            self.error(manifest_path, line, "expected a file path relative to sources/")
            return None
        path = (self.sources / rel).resolve()
        if not path.is_relative_to(self.sources.resolve()):
            self.error(
                manifest_path, line, f"'{rel}' is outside sources/; keep report files inside it"
            )
            return None
        if not path.is_file():
            near = [p.relative_to(self.sources).as_posix() for p in self.sources.rglob("*.md")]
            self.error(
                manifest_path, line, f"file '{rel}' does not exist{did_you_mean(rel, near)}", "E004"
            )
            return None
        text = self.read(path)
        if text is None:
            return None
        fm_text, body, offset = markup.split_front_matter(text)
        meta: Any = LineDict()
        if fm_text is None:
            self.error(
                path,
                1,
                "missing front matter: start the file with '---', 'id:' and 'title:', then '---'",
                "E011",
            )
            return None
        meta = self.yaml(path, fm_text, first_line=2)
        if meta is None:
            return None
        if not isinstance(meta, LineDict):
            self.error(path, 2, "front matter must be a mapping (id:, title:, …)")
            return None
        self._check_keys(meta, keys, path)
        for req in ("id", "title"):
            if not str(meta.get(req) or "").strip():
                self.error(
                    path,
                    meta.key_lines.get(req, 1),
                    f"front matter needs a non-empty '{req}:'",
                    "E011" if req not in meta else "E012",
                )
        if meta.get("id") and not ID.match(str(meta["id"])):
            self.error(
                path,
                meta.key_lines["id"],
                f"id '{meta['id']}' must be a lower-case ASCII id",
                "E013",
            )
        body = markup.strip_comments(body)
        blocks = []
        notes: dict[str, markup.RawBlock] = {}
        for b in markup.blocks_of(self.md, body, offset + 1):
            if b.kind != markup.FOOTNOTE_DEF:
                self._check_syntax(path, b)
                blocks.append(b)
            elif b.args[0] in notes:
                self.error(
                    path,
                    b.line,
                    f"footnote '[^{b.args[0]}]' is defined twice (first at line "
                    f"{notes[b.args[0]].line}); give each its own label",
                    "E021",
                )
            else:
                notes[b.args[0]] = b
        return {
            "path": path,
            "meta": meta,
            "blocks": blocks,
            "notes": notes,
            "id": str(meta.get("id") or path.stem),
        }

    def _check_syntax(self, path: Path, b: markup.RawBlock) -> None:
        entry = directives.REGISTRY.get(b.kind)
        if b.problem:
            self.error(path, b.line, b.problem, "E031")
        elif entry is None and not b.args:
            self.error(
                path, b.line,
                "a ':::' that closes nothing; delete it, or open a directive above it", "E031",
            )  # fmt: skip
        elif entry is None:
            name = b.args[0]
            known = directives.container_names()
            self.error(
                path,
                b.line,
                f"unknown directive '::: {name}'{did_you_mean(name, known)}; "
                f"known: {', '.join(known)}",
                "E031",
            )
        elif not entry.container:
            return
        elif entry.args == "one" and len(b.args) != 1:
            self.error(
                path,
                b.line,
                f"'::: {b.kind}' takes exactly one id, e.g. '::: {b.kind} my-id'",
                "E031",
            )
        elif entry.args == "none" and b.args:
            self.error(path, b.line, f"'::: {b.kind}' takes no id; write '::: {b.kind}'", "E031")
        elif not entry.body and b.text.strip():
            self.error(
                path,
                b.line,
                f"'::: {b.kind}' has a body; close it with ':::' on the next line",
                "E031",
            )

    def _page_raw(self, manifest_path: Path, manifest: LineDict, key: str, rel: Any) -> dict | None:
        items = manifest[key]
        line = items.item_lines[items.index(rel)] if isinstance(items, LineList) else manifest.line
        return self._markdown(manifest_path, line, rel, PAGE_KEYS)

    def _chapter_raw(
        self, manifest_path: Path, manifest: LineDict, i: int, rel: Any
    ) -> dict | None:
        items = manifest["chapters"]
        line = items.item_lines[i] if isinstance(items, LineList) else manifest.line
        return self._markdown(manifest_path, line, rel, CHAPTER_KEYS)

    def _blocks(self, raw: dict) -> list[model.Block]:
        path = raw["path"]
        out: list[model.Block] = []
        for b in raw["blocks"]:
            entry = directives.REGISTRY.get(b.kind)
            block = entry.build(self, path, b) if entry is not None else None
            if block is not None:
                out.append(block)
        return out

    def _page(self, raw: dict) -> model.Page | None:
        meta = raw["meta"]
        self._begin_notes(raw)
        blocks = tuple(self._blocks(raw))
        notes = self._end_notes()
        try:
            return model.Page(
                id=raw["id"],
                title=str(meta.get("title") or "?"),
                blocks=blocks,
                loc=self.loc(raw["path"], 1),
                notes=notes,
            )
        except ValidationError:
            return None  # reported from the front matter checks

    def _heading_id(self, hid: str, path: Path, loc: model.Loc) -> None:
        first = self.heading_ids.setdefault(hid, loc)
        if first is not loc:
            self.error(
                path, loc.line,
                f"duplicate heading id '{hid}' (first at {first.path}:{first.line}); "
                "give each heading its own {#id}, links and the contents would go to the first",
                "E021",
            )  # fmt: skip

    def _chapter(self, raw: dict, number: int) -> model.Chapter | None:
        path, meta = raw["path"], raw["meta"]
        self._begin_notes(raw)
        summary = self.rich_field(meta, "summary", path)
        blocks = self._blocks(raw)
        notes = self._end_notes()
        intro: list[model.Block] = []
        sections: list[model.Section] = []
        current: dict | None = None

        def close() -> None:
            if current is not None:
                sections.append(model.Section(**current, blocks=tuple(current_blocks)))

        current_blocks: list[model.Block] = []
        sub_n = 0
        for b in blocks:
            if isinstance(b, model.Heading) and b.level <= 2:
                close()
                current_blocks = []
                sub_n = 0
                sid = b.id or f"{raw['id']}-{len(sections) + 1}"
                self._heading_id(sid, path, b.loc)
                current = {
                    "id": sid,
                    "title": b.title,
                    "number": f"{number}.{len(sections) + 1}",
                    "loc": b.loc,
                }
                continue
            if isinstance(b, model.Heading):
                sub_n += 1
                parent = current["id"] if current else raw["id"]
                b = b.model_copy(update={"id": b.id or f"{parent}-{sub_n}"})
                self._heading_id(b.id, path, b.loc)
            (current_blocks if current is not None else intro).append(b)
        close()
        try:
            return model.Chapter(
                id=raw["id"],
                number=number,
                title=str(meta.get("title") or "?"),
                summary=summary,
                intro=tuple(intro),
                sections=tuple(sections),
                loc=self.loc(path, 1),
                notes=notes,
            )
        except ValidationError:
            return None
