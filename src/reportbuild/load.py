"""Read a report project (sources/, figures/) into the model, collecting every problem on the "
"way."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reportbuild import directives, kinds, markup, model, paths
from reportbuild import locale as locale_mod
from reportbuild.errors import Problems, did_you_mean
from reportbuild.locale import Locale, get_locale
from reportbuild.yamlio import (
    LineDict,
    LineList,
    SourceTextError,
    YamlSyntaxError,
    line_of,
    loads,
    read_text,
)

T = TypeVar("T", bound=BaseModel)

ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Keys a user may write in each file (pydantic knows them too; these give did-you-mean lists).
REPORT_KEYS = {
    "title", "subtitle", "series", "year", "lang", "keywords", "allow_html", "publishers",
    "contact", "credits", "front", "chapters", "back", "style",
}  # fmt: skip
PAGE_KEYS = {"id", "title"}
CHAPTER_KEYS = {"id", "title", "summary"}
# fields renamed since earlier versions: the error names the new one
RENAMED = {"bank": "org"}
CASE_KEYS = {"org", "title", "kind", "background", "measures", "effect", "body"}
DECK_KINDS = {
    "title", "agenda", "core-points", "figure", "value-framework", "strategies", "strategy",
    "cases", "case", "quotes", "divider", "closing",
}  # fmt: skip


class Loader:
    """One load of one project. Problems accumulate in `self.problems`; `load()` raises at the "
    "end."""

    def __init__(self, root: Path):
        self.paths = paths.ProjectPaths(root)
        self.root = self.paths.root
        self.sources = self.paths.sources
        self.figures_dir = self.paths.figures
        self.problems = Problems(self.root)
        self.md = markup.parser(False)
        self.figures: dict[str, model.Figure] = {}
        # placement numbers per counter ('figure': {'regions': '1-1'}), chapter of each item
        self.numbers: dict[str, dict[str, str]] = {"figure": {}}
        self.placed_in: dict[str, dict[str, str]] = {"figure": {}}
        self.figure_numbers = self.numbers["figure"]
        self.figure_chapter = self.placed_in["figure"]
        self.final: dict[str, Any] = {}
        self.case_chapter: dict[str, str] = {}
        self.broken: set[str] = set()  # ids whose own file failed: no follow-up "missing" errors
        # '@sec-ID' targets: id -> (label as printed, HTML anchor)
        self.section_refs: dict[str, tuple[str, str]] = {}
        # footnotes of the Markdown file being read in pass 2 (None: not in a Markdown file)
        self._note_defs: dict[str, markup.RawBlock] | None = None
        self._notes: dict[str, model.Footnote] = {}
        self._note_where: tuple[Path, str] = (self.root, "")
        # heading ids are link targets in one document: unique across all chapters
        self.heading_ids: dict[str, model.Loc] = {}

    # ── small helpers ──────────────────────────────────────────────────────

    def rel(self, path: Path) -> str:
        return self.problems.rel(path)

    def loc(self, path: Path, line: int) -> model.Loc:
        return model.Loc(path=self.rel(path), line=line)

    def error(self, path: Path, line: int, message: str, code: str = "E001") -> None:
        self.problems.add(path, line, message, code)

    def read(self, path: Path) -> str | None:
        if not self.paths.inside(path):
            self.error(path, 1, paths.OutsideProject(path, path.resolve()).advice(), "E005")
            return None
        if not path.is_file():
            return None
        try:
            return read_text(path)
        except SourceTextError as exc:
            self.error(path, exc.line, exc.message, exc.code)
            return None

    def yaml(self, path: Path, text: str | None = None, first_line: int = 1) -> Any:
        if text is None:
            text = self.read(path)
            if text is None:
                return None
        try:
            return loads(text, first_line)
        except YamlSyntaxError as exc:
            self.error(path, exc.line, f"{exc.message}; fix the YAML near this line", "E003")
            return None

    def validate(self, cls: type[T], data: Any, path: Path, **extra: Any) -> T | None:
        """Validate YAML data against a model, turning pydantic errors into path:line problems."""
        if not isinstance(data, dict):
            self.error(
                path, getattr(data, "line", 1), f"expected a mapping of {cls.__name__} fields"
            )
            return None
        try:
            return cls.model_validate({**data, **extra})
        except ValidationError as exc:
            for err in exc.errors():
                self._pydantic_problem(cls, data, path, err)
            return None

    def _pydantic_problem(self, cls: type[BaseModel], data: Any, path: Path, err: dict) -> None:
        loc = tuple(err["loc"])
        line = line_of(data, loc)
        where = ".".join(str(p) for p in loc) or "(top)"
        kind = err["type"]
        if kind == "extra_forbidden":
            fields = _fields_at(cls, loc[:-1])
            hint = did_you_mean(str(loc[-1]), fields)
            msg = f"unknown field '{loc[-1]}'{hint}; allowed: {', '.join(sorted(fields))}"
            code = "E010"
        elif kind == "missing":
            msg = f"missing required field '{where}'; add it"
            code = "E011"
        elif kind == "string_too_short":
            msg = f"'{where}' is empty; write its text"
            code = "E012"
        elif kind == "string_pattern_mismatch":
            msg = (
                f"'{where}' must be a lower-case ASCII id like 'east-region' (letters, digits, '-')"
            )
            code = "E013"
        elif kind == "literal_error":
            allowed = err.get("ctx", {}).get("expected", "")
            got = err.get("input")
            choices = re.findall(r"'([^']+)'", allowed)
            msg = f"'{where}' is '{got}'{did_you_mean(str(got), choices)}; expected {allowed}"
            code = "E014"
        else:
            msg = f"'{where}': {err['msg']}"
            code = "E015"
        self.error(path, line, msg, code)

    # ── the whole project ──────────────────────────────────────────────────

    def _flag(self, data: LineDict, key: str, path: Path, default: bool = False) -> bool:
        """A yes/no setting: YAML `true` or `false` only. 'no', 'off' or "false" are strings,
        which bool() would read as true: refuse them rather than guess (the default stays)."""
        value = data.get(key, default)
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        meant = "false" if word in ("no", "off", "n", "0", "false", "") else "true"
        self.error(
            path,
            data.key_lines.get(key, data.line),
            f"'{key}' must be true or false, not {value!r}; did you mean `{key}: {meant}`?",
            "E017",
        )
        return default

    def _locale(self, manifest: LineDict, path: Path) -> Locale:
        """The locale `lang:` names (default zh-CN); an unknown one is an error naming the line."""
        tag = manifest.get("lang") or locale_mod.DEFAULT
        try:
            return get_locale(str(tag))
        except KeyError:
            self.error(
                path,
                manifest.key_lines.get("lang", manifest.line),
                f"unknown lang '{tag}'; use one of: {', '.join(locale_mod.available())}",
                "E016",
            )
            return get_locale(locale_mod.DEFAULT)

    def load(self) -> model.Report | None:
        for outside in self.paths.outside_files():
            advice = paths.OutsideProject(outside, outside.resolve()).advice()
            self.error(outside, 1, advice, "E005")
        manifest_path = self.sources / "report.yml"
        if not manifest_path.is_file():
            self.error(
                manifest_path,
                0,
                "no report manifest; create sources/report.yml (see `reportbuild new`)",
            )
            return None
        manifest = self.yaml(manifest_path)
        if not isinstance(manifest, LineDict):
            if manifest is not None:
                self.error(
                    manifest_path, 1, "report.yml must be a mapping of fields (title, chapters, …)"
                )
            return None
        self._check_keys(manifest, REPORT_KEYS, manifest_path)
        self.locale = self._locale(manifest, manifest_path)

        allow_html = self._flag(manifest, "allow_html", manifest_path)
        self.md = markup.parser(allow_html)

        self._load_figures()

        # Pass 1: structure of every Markdown file (placements decide figure numbers).
        front = [
            self._page_raw(manifest_path, manifest, "front", p) for p in _list(manifest, "front")
        ]
        chapters_raw = []
        for i, rel in enumerate(_list(manifest, "chapters")):
            chapters_raw.append(self._chapter_raw(manifest_path, manifest, i, rel))
        back = [self._page_raw(manifest_path, manifest, "back", p) for p in _list(manifest, "back")]
        if not _list(manifest, "chapters"):
            self.error(
                manifest_path,
                manifest.line,
                "the report has no chapters; list them under 'chapters:'",
                "E011",
            )

        for number, raw in enumerate(chapters_raw, start=1):
            if raw is None:
                continue
            raw["number"] = number
            self._section_targets(raw, number)
            for blk in raw["blocks"]:
                entry = directives.REGISTRY.get(blk.kind)
                if entry is not None:
                    entry.place(self, raw, blk)

        self.binder = markup.Binder(
            value_of=self._value_of,
            label_of=lambda fid: (
                self.locale.t("figure.label", number=self.figure_numbers[fid])
                if fid in self.figure_numbers
                else None
            ),
            known_values=lambda: [
                f"{f.id}.{p}" for f in self.figures.values() for p in f.binding_paths()
            ],
            known_figures=lambda: list(self.figures),
            refs={
                "sec": (self.section_refs.get, lambda: list(self.section_refs)),
                "tbl": (self._table_ref, lambda: list(self.numbers.get("table", {}))),
            },
            broken=lambda fid: fid in self.broken,
        )

        cases = self._load_cases()
        quotes = self._load_quotes()
        core_points = self._load_core_points()
        strategies = self._load_strategies()

        # Pass 2: render prose (bindings now resolvable).
        pages_front = [p for p in (self._page(r) for r in front if r) if p]
        chapters = [
            c for c in (self._chapter(r, i) for i, r in enumerate(chapters_raw, 1) if r) if c
        ]
        pages_back = [p for p in (self._page(r) for r in back if r) if p]

        publishers = self._publishers(manifest_path, manifest)
        deck = self._load_deck()

        # numbered, placed figures, in the report's language (alt texts, labels)
        lang = str(manifest.get("lang") or "zh-CN")
        try:
            lang = get_locale(lang).tag
        except KeyError:
            lang = "zh-CN"  # reported where report.yml is checked
        figures = {}
        for fid, fig in sorted(
            self.figures.items(),
            key=lambda kv: _number_key(self.figure_numbers.get(kv[0], "999-999")),
        ):
            figures[fid] = fig.model_copy(
                update={
                    "number": self.figure_numbers.get(fid, ""),
                    "chapter": self.figure_chapter.get(fid),
                    "lang": lang,
                }
            )
        cases = {
            cid: c.model_copy(update={"chapter": self.case_chapter.get(cid)})
            for cid, c in cases.items()
        }

        report_fields = {
            k: manifest[k]
            for k in ("title", "subtitle", "series", "year", "keywords", "style")
            if k in manifest
        }
        report_fields["allow_html"] = allow_html
        report_fields["lang"] = self.locale.tag
        contact = None
        if "contact" in manifest:
            contact = self.validate(model.Contact, manifest["contact"], manifest_path)
        credits = []
        for c in _list(manifest, "credits"):
            v = self.validate(model.Credit, c, manifest_path)
            if v:
                credits.append(v)

        self._cross_check(chapters, cases, quotes, strategies, figures, deck)
        self.problems.raise_if_errors()
        try:
            return model.Report(
                root=str(self.root),
                **report_fields,
                publishers=tuple(publishers),
                contact=contact,
                credits=tuple(credits),
                front=tuple(pages_front),
                core_points=core_points,
                chapters=tuple(chapters),
                back=tuple(pages_back),
                cases=cases,
                quotes=quotes or model.Quotes(),
                strategies=strategies or model.Strategies(),
                figures=figures,
                deck=tuple(deck),
            )
        except ValidationError as exc:
            for err in exc.errors():
                self._pydantic_problem(model.Report, manifest, manifest_path, err)
            self.problems.raise_if_errors()
            raise

    def _check_keys(self, data: LineDict, allowed: set[str], path: Path, what: str = "") -> None:
        """Every key of `data` is allowed; `what` names the item in the message ('table')."""
        for key in data:
            if key in RENAMED and RENAMED[key] in allowed:
                self.error(
                    path,
                    data.key_lines.get(key, data.line),
                    f"'{key}:' is now '{RENAMED[key]}:' (the organisation a case or quote is "
                    f"about); rename the field",
                    "E010",
                )
            elif key not in allowed:
                self.error(
                    path,
                    data.key_lines.get(key, data.line),
                    f"unknown {what + ' ' if what else ''}field '{key}'"
                    f"{did_you_mean(key, allowed)}; allowed: "
                    f"{', '.join(sorted(allowed))}",
                    "E010",
                )

    def place_numbered(self, counter: str, item: str, chapter: dict, line: int) -> str | None:
        """Number an item where a chapter places it ('1-2': chapter 1, second of its counter)."""
        numbers = self.numbers.setdefault(counter, {})
        placed = self.placed_in.setdefault(counter, {})
        if item in numbers:
            self.error(
                chapter["path"],
                line,
                f"{counter} '{item}' is placed twice; place each {counter} once",
                "E020",
            )
            return None
        n = sum(1 for c in placed.values() if c == chapter["id"]) + 1
        numbers[item] = self.locale.rule("figure_number").format(chapter=chapter["number"], n=n)
        placed[item] = chapter["id"]
        return numbers[item]

    # ── bindings ───────────────────────────────────────────────────────────

    def _value_of(self, path: str) -> str | None:
        fid, _, rest = path.partition(".")
        fig = self.figures.get(fid)
        if fig is None or not rest:
            return None
        got = fig.value(rest)
        return got.format() if got else None

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

    # ── footnotes and section references ───────────────────────────────────

    def _section_targets(self, raw: dict, number: int) -> None:
        """What '@sec-ID' prints for a chapter, its sections and subsections (ids as in
        `_chapter`)."""
        t = self.locale.t
        self.section_refs.setdefault(raw["id"], (t("xref.chapter", n=number), f"ch-{raw['id']}"))
        sections = sub = 0
        parent = raw["id"]
        for blk in raw["blocks"]:
            if blk.kind != "heading":
                continue
            if blk.level <= 2:
                sections, sub = sections + 1, 0
                parent = blk.anchor or f"{raw['id']}-{sections}"
                label = t("xref.section", number=f"{number}.{sections}")
                self.section_refs.setdefault(parent, (label, f"sec-{parent}"))
            else:
                sub += 1
                hid = blk.anchor or f"{parent}-{sub}"
                label = t("xref.subsection", title=blk.title)
                self.section_refs.setdefault(hid, (label, f"sec-{hid}"))

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

    def _table_ref(self, tid: str) -> tuple[str, str] | None:
        number = self.numbers.get("table", {}).get(tid)
        return (
            None if number is None else (self.locale.t("table.label", number=number), f"tbl-{tid}")
        )

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

    def rich_field(self, data: LineDict, key: str, path: Path) -> model.Rich | None:
        if key not in data or data[key] is None:
            return None
        value = data[key]
        line = data.key_lines.get(key, data.line)
        # a block scalar (|) starts on the line after its key
        return self.rich(value, path, line + (1 if "\n" in str(value).strip("\n") else 0))

    # ── figures ────────────────────────────────────────────────────────────

    def _load_figures(self) -> None:
        if not self.figures_dir.is_dir():
            return
        for path in sorted(self.figures_dir.glob("*.yml")) + sorted(
            self.figures_dir.glob("*.yaml")
        ):
            fid = path.stem
            if not ID.match(fid):
                self.error(
                    path,
                    1,
                    f"figure file name '{path.name}' must be a lower-case ASCII id, e.g. "
                    "'net-margin.yml'",
                    "E013",
                )
                continue
            data = self.yaml(path)
            if data is None:
                self.broken.add(fid)
                continue
            if isinstance(data, LineDict) and "id" in data and data["id"] != fid:
                self.error(
                    path,
                    data.key_lines["id"],
                    f"id '{data['id']}' differs from the file name '{fid}'; drop the id field",
                    "E013",
                )
                continue
            if isinstance(data, LineDict):
                data.pop("id", None)
            fig = self._validate_figure(
                data, path, id=fid, loc=self.loc(path, 1), lang=self.locale.tag
            )
            if fig is None:
                self.broken.add(fid)
                continue
            self._check_figure(fig, data, path)
            self.figures[fid] = fig

    def _validate_figure(self, data: Any, path: Path, **extra: Any) -> model.Figure | None:
        """A figure file validated against the union of the registered kinds' models."""
        if not isinstance(data, dict):
            self.error(path, getattr(data, "line", 1), "expected a mapping of figure fields")
            return None
        try:
            return kinds.figure_adapter().validate_python({**data, **extra})
        except ValidationError as exc:
            kind = data.get("kind")
            for err in exc.errors():
                etype = err["type"]
                if etype in ("union_tag_invalid", "union_tag_not_found"):
                    line = line_of(data, ("kind",))
                    names = kinds.names()
                    if etype == "union_tag_not_found":
                        msg = f"missing required field 'kind'; one of {', '.join(names)}"
                        self.error(path, line, msg, "E011")
                    else:
                        self.error(
                            path,
                            line,
                            f"'kind' is '{kind}'{did_you_mean(str(kind), names)}; expected one "
                            f"of {', '.join(names)}",
                            "E014",
                        )
                    continue
                # the union puts the kind first in the error's location: the model's own after it
                err = {**err, "loc": tuple(err["loc"])[1:]}
                cls = kinds.get(str(kind)).model
                if etype == "extra_forbidden" and len(err["loc"]) == 1:
                    field = str(err["loc"][0])
                    others = [k for k in kinds.owners(field) if k != kind]
                    if others:
                        line = line_of(data, err["loc"])
                        allowed = _fields_at(cls, ())
                        self.error(
                            path,
                            line,
                            f"'{field}' is not a field of '{kind}' figures (it belongs to "
                            f"{', '.join(others)}){did_you_mean(field, allowed)}; "
                            f"allowed: {', '.join(sorted(allowed))}",
                            "E010",
                        )
                        continue
                self._pydantic_problem(cls, data, path, err)
            return None

    def _check_figure(self, fig: model.Figure, data: LineDict, path: Path) -> None:
        kind = kinds.of(fig)
        if kind.requires and not getattr(fig, kind.requires):
            self.error(
                path,
                data.line,
                f"a '{fig.kind}' figure needs '{kind.requires}'; see docs/FORMAT.md",
                "E011",
            )
        if kind.data and not (fig.source or "").strip():
            self.error(
                path,
                data.line,
                "a data figure needs 'source:' (数据来源 as the report gives it)",
                "E011",
            )
        if kind.check is not None:

            def report(where: tuple[Any, ...], message: str, code: str) -> None:
                self.error(path, line_of(data, where) if where else data.line, message, code)

            kind.check(fig, report)

    # ── Markdown files ─────────────────────────────────────────────────────

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

    # ── YAML collections ───────────────────────────────────────────────────

    def _load_cases(self) -> dict[str, model.Case]:
        out: dict[str, model.Case] = {}
        folder = self.sources / "cases"
        for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
            cid = path.stem
            data = self.yaml(path)
            if data is None:
                self.broken.add(cid)
                continue
            if not isinstance(data, LineDict):
                self.error(path, 1, "a case file must be a mapping (org:, title:, background:, …)")
                continue
            self._check_keys(data, CASE_KEYS, path)
            measures = []
            for i, m in enumerate(data.get("measures") or []):
                if isinstance(m, str):
                    # the report's own form: "标题：正文" — the title is what stands
                    # before the first '：'
                    mline = line_of(data, ("measures", i)) + (1 if "\n" in m.strip("\n") else 0)
                    title, sep, text = m.strip().partition("：")
                    if not sep or not text.strip() or len(title) > 40:
                        self.error(
                            path,
                            mline,
                            "a measure reads '标题：正文' (a short title, a full-width colon, the "
                            "text)",
                            "E012",
                        )
                        continue
                    measures.append(
                        model.Measure(title=title.strip(), text=self.rich(text, path, mline))
                    )
                    continue
                if not isinstance(m, LineDict):
                    self.error(
                        path,
                        line_of(data, ("measures", i)),
                        "each measure is '标题：正文' or has 'title:' and 'text:'",
                    )
                    continue
                self._check_keys(m, {"title", "text"}, path)
                if not str(m.get("text") or "").strip():
                    self.error(path, m.line, "measure 'text:' is empty; write its text", "E012")
                    continue
                measures.append(
                    model.Measure(
                        title=str(m.get("title") or ""),
                        text=self.rich(m["text"], path, m.key_lines["text"]),
                    )
                )
            kind = data.get("kind", "full")
            fields = {
                "org": data.get("org"), "title": data.get("title"), "kind": kind,
                "background": self.rich_field(data, "background", path),
                "effect": self.rich_field(data, "effect", path),
                "body": self.rich_field(data, "body", path),
                "measures": tuple(measures),
            }  # fmt: skip
            fields = {k: v for k, v in fields.items() if v is not None}
            if kind == "full" and not (data.get("background") and measures):
                self.error(
                    path, data.line, "a full case needs 'background:' and 'measures:'", "E011"
                )
            if kind == "example" and not data.get("body"):
                self.error(path, data.line, "an example case needs 'body:'", "E011")
            case = self.validate_plain(
                model.Case, fields, data, path, id=cid, loc=self.loc(path, 1)
            )
            if case is None:
                self.broken.add(cid)
            else:
                out[cid] = case
        return out

    def validate_plain(
        self, cls: type[T], fields: dict, data: LineDict, path: Path, **extra: Any
    ) -> T | None:
        try:
            return cls.model_validate({**fields, **extra})
        except ValidationError as exc:
            for err in exc.errors():
                self._pydantic_problem(cls, data, path, err)
            return None

    def _load_quotes(self) -> model.Quotes | None:
        path = self.sources / "quotes.yml"
        data = self.yaml(path) if path.is_file() else None
        if not isinstance(data, LineDict):
            return None
        self._check_keys(data, {"intro", "lead", "quotes"}, path)
        quotes = []
        ids: set[str] = set()
        for i, q in enumerate(data.get("quotes") or []):
            if not isinstance(q, LineDict):
                self.error(
                    path, line_of(data, ("quotes", i)), "each quote needs id:, org: and text:"
                )
                continue
            self._check_keys(q, {"id", "org", "text"}, path)
            if q.get("id") in ids:
                self.error(path, q.line, f"duplicate quote id '{q.get('id')}'", "E021")
            ids.add(q.get("id"))
            text = self.rich_field(q, "text", path)
            fields = {"id": q.get("id"), "org": q.get("org"), **({"text": text} if text else {})}
            v = self.validate_plain(model.Quote, fields, q, path, loc=self.loc(path, q.line))
            if v:
                quotes.append(v)
        return model.Quotes(
            intro=str(data.get("intro") or ""),
            lead=str(data.get("lead") or ""),
            quotes=tuple(quotes),
        )

    def _load_core_points(self) -> model.CorePoints | None:
        path = self.sources / "core-points.yml"
        data = self.yaml(path) if path.is_file() else None
        if not isinstance(data, LineDict):
            return None
        points = []
        for p in data.get("points") or []:
            if isinstance(p, LineDict):
                v = self.validate(model.CorePoint, p, path, loc=self.loc(path, p.line))
                if v:
                    self._unique_item(v.id, "core point", path, p.line, points)
                    points.append(v)
        rest = LineDict({k: v for k, v in data.items() if k != "points"})
        rest.line, rest.key_lines = data.line, data.key_lines
        return self.validate(model.CorePoints, rest, path, points=tuple(points))

    def _unique_item(self, iid: str, what: str, path: Path, line: int, earlier: list) -> None:
        first = next((e for e in earlier if e.id == iid), None)
        if first is not None:
            self.error(
                path, line,
                f"duplicate {what} id '{iid}' (first at line {first.loc.line}); give each its own",
                "E021",
            )  # fmt: skip

    def _load_strategies(self) -> model.Strategies | None:
        path = self.sources / "strategies.yml"
        data = self.yaml(path) if path.is_file() else None
        if not isinstance(data, LineDict):
            return None
        items = []
        for i, s in enumerate(data.get("strategies") or []):
            if isinstance(s, LineDict):
                v = self.validate(model.Strategy, s, path, number=i + 1, loc=self.loc(path, s.line))
                if v:
                    self._unique_item(v.id, "strategy", path, s.line, items)
                    items.append(v)
        rest = LineDict({k: v for k, v in data.items() if k != "strategies"})
        rest.line, rest.key_lines = data.line, data.key_lines
        return self.validate(model.Strategies, rest, path, strategies=tuple(items))

    def _publishers(self, path: Path, manifest: LineDict) -> list[model.Publisher]:
        out = []
        for i, p in enumerate(_list(manifest, "publishers")):
            if not isinstance(p, LineDict):
                self.error(
                    path, line_of(manifest, ("publishers", i)), "each publisher needs id: and name:"
                )
                continue
            profile = self.rich_field(p, "profile", path)
            data = {k: v for k, v in p.items() if k != "profile"}
            v = self.validate_plain(
                model.Publisher, {**data, **({"profile": profile} if profile else {})}, p, path
            )
            if v:
                out.append(v)
        return out

    def _load_deck(self) -> list[model.DeckSlide]:
        path = self.sources / "deck.yml"
        data = self.yaml(path) if path.is_file() else None
        if not isinstance(data, LineDict):
            return []
        out = []
        for i, s in enumerate(data.get("slides") or []):
            if not isinstance(s, LineDict):
                self.error(path, line_of(data, ("slides", i)), "each slide needs 'kind:'")
                continue
            kind = str(s.get("kind", ""))
            if kind not in DECK_KINDS:
                self.error(
                    path,
                    s.line,
                    f"unknown slide kind '{kind}'{did_you_mean(kind, DECK_KINDS)}; known: "
                    f"{', '.join(sorted(DECK_KINDS))}",
                    "E014",
                )
                continue
            v = self.validate(model.DeckSlide, s, path, loc=self.loc(path, s.line))
            if v:
                if v.title:  # titles may bind figure values: check them now, not at deck time
                    self.binder.bind(v.title, s.key_lines.get("title", s.line))
                    for lineno, msg in self.binder.errors:
                        self.error(path, lineno, msg, "E030")
                    self.binder.errors.clear()
                out.append(v)
        return out

    # ── references between files ───────────────────────────────────────────

    def _cross_check(self, chapters, cases, quotes, strategies, figures, deck) -> None:
        quote_ids = [q.id for q in (quotes.quotes if quotes else ())]
        section_ids = [s.id for c in chapters for s in c.sections]
        chapter_ids = [c.id for c in chapters]
        seen_chapters: set[str] = set()
        for c in chapters:
            if c.id in seen_chapters:
                self.error(
                    Path(self.root / c.loc.path), 2, f"duplicate chapter id '{c.id}'", "E021"
                )
            seen_chapters.add(c.id)
        self.final = {"figures": figures, "cases": cases, "quotes": quote_ids}
        for c in chapters:
            for b in c.blocks():
                directives.REGISTRY[b.kind].check(self, b)
        strategy_ids = []
        for s in strategies.strategies if strategies else ():
            strategy_ids.append(s.id)
            spath = self.sources / "strategies.yml"
            if s.section not in section_ids:
                self.error(
                    spath,
                    s.loc.line,
                    f"strategy '{s.id}' names section '{s.section}', which no chapter has"
                    f"{did_you_mean(s.section, section_ids)}; "
                    f"add '{{#{s.section}}}' to its heading",
                    "E040",
                )
            for f in s.figures:
                if f not in figures:
                    self.error(
                        spath,
                        s.loc.line,
                        f"strategy '{s.id}' names no figure '{f}'{did_you_mean(f, figures)}",
                        "E040",
                    )
        deck_path = self.sources / "deck.yml"
        targets = {
            "figure": list(figures), "strategy": strategy_ids, "case": list(cases),
            "divider": chapter_ids,
        }  # fmt: skip
        for s in deck:
            if s.kind in targets:
                if not s.ref:
                    self.error(
                        deck_path,
                        s.loc.line,
                        f"a '{s.kind}' slide needs 'ref:' naming one of: "
                        f"{', '.join(targets[s.kind])}",
                        "E011",
                    )
                elif s.ref not in targets[s.kind] and s.ref not in self.broken:
                    self.error(
                        deck_path,
                        s.loc.line,
                        f"slide names no {s.kind} '{s.ref}'{did_you_mean(s.ref, targets[s.kind])}",
                        "E040",
                    )


def _list(data: LineDict, key: str) -> list:
    value = data.get(key)
    return list(value) if isinstance(value, list) else []


def _number_key(number: str) -> tuple[int, int]:
    """'1-2' or '1.2' (the locale's form) → (1, 2); unnumbered last."""
    parts = [int(d) for d in re.findall(r"\d+", number)]
    return (parts[0], parts[1]) if len(parts) >= 2 else (999, 999)


def _fields_at(cls: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the (nested) model at a pydantic error location."""
    import typing

    current: Any = cls
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            break
        ann = fields[part].annotation
        args = [a for a in typing.get_args(ann) if isinstance(a, type) and issubclass(a, BaseModel)]
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            current = ann
        elif args:
            current = args[0]
        else:
            for a in typing.get_args(ann):
                inner = [
                    x
                    for x in typing.get_args(a)
                    if isinstance(x, type) and issubclass(x, BaseModel)
                ]
                if inner:
                    current = inner[0]
    figure = isinstance(current, type) and issubclass(current, model.Figure)
    hidden = {"loc", "number", "chapter", "id", "lang"} if figure else {"loc"}
    return [f for f in getattr(current, "model_fields", {}) if f not in hidden]


def load_project(root: Path | str) -> model.Report:
    """Load and validate a project; raise SourceError listing every problem."""
    loader = Loader(Path(root))
    report = loader.load()
    loader.problems.raise_if_errors()
    assert report is not None
    return report


LoadHook = Callable[[model.Report], None]
