"""The loader's state and what every file kind uses: reading, YAML, validation, key checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reportbuild import markup, model, paths
from reportbuild.errors import Problems, did_you_mean
from reportbuild.yamlio import (
    LineDict,
    SourceTextError,
    YamlSyntaxError,
    line_of,
    loads,
    read_text,
)

T = TypeVar("T", bound=BaseModel)

ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# fields renamed since earlier versions: the error names the new one
RENAMED = {"bank": "org"}


def _list(data: LineDict, key: str) -> list:
    value = data.get(key)
    return list(value) if isinstance(value, list) else []


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


class LoaderCore:
    """The state of one load and what every file kind uses: reading files inside the project,
    YAML, validation into the model with each pydantic error at its path:line, key checks.
    Problems accumulate in `self.problems`; `load()` raises at the end."""

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

    def validate_plain(
        self, cls: type[T], fields: dict, data: LineDict, path: Path, **extra: Any
    ) -> T | None:
        try:
            return cls.model_validate({**fields, **extra})
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
