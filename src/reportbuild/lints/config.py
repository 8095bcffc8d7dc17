"""sources/lints.yml: the editors' record of intended repeats and of findings they accept."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportbuild.errors import Problem
from reportbuild.lints.codes import LINTS, problem
from reportbuild.yamlio import (
    LineDict,
    LineList,
    SourceTextError,
    YamlSyntaxError,
    line_of,
    loads,
    read_text,
)

CONFIG = "sources/lints.yml"
# An allowance must name enough of the passage that it cannot match an unrelated one.
MIN_ALLOW_CHARS = 10


@dataclass(frozen=True)
class AllowRepeat:
    text: str  # the start (or any part) of the repeated passage, as printed
    reason: str
    line: int


@dataclass(frozen=True)
class Ignore:
    code: str
    path: str  # "" = everywhere; else a path or folder prefix such as "figures/"
    reason: str
    line: int

    def covers(self, p: Problem) -> bool:
        return p.code == self.code and (
            not self.path or p.path == self.path or p.path.startswith(self.path)
        )


@dataclass
class LintConfig:
    allow_repeats: list[AllowRepeat] = field(default_factory=list)
    ignore: list[Ignore] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_config(root: Path | str) -> LintConfig:
    """Read sources/lints.yml if there is one; malformed entries become L001 problems."""
    path = Path(root) / CONFIG
    cfg = LintConfig()
    if not path.is_file():
        return cfg

    def bad(line: int, message: str) -> None:
        cfg.problems.append(problem("L001", CONFIG, line, message))

    try:
        data = loads(read_text(path))
    except SourceTextError as exc:
        bad(exc.line, exc.message)
        return cfg
    except YamlSyntaxError as exc:
        bad(exc.line, f"{exc.message}; fix the YAML near this line")
        return cfg
    if data is None:
        return cfg
    if not isinstance(data, LineDict):
        bad(1, "lints.yml must be a mapping with 'allow_repeats:' and/or 'ignore:'")
        return cfg
    for key in data:
        if key not in ("allow_repeats", "ignore"):
            bad(
                data.key_lines.get(key, 1), f"unknown field '{key}'; allowed: allow_repeats, ignore"
            )

    for i, entry in enumerate(_items(data, "allow_repeats", bad)):
        line = line_of(data, ("allow_repeats", i))
        if not _fields(entry, ("text", "reason"), line, bad):
            continue
        text = str(entry["text"]).strip()
        if sum(ch.isalnum() for ch in text) < MIN_ALLOW_CHARS:
            bad(
                line,
                f"allow_repeats text '{text}' is too short; "
                f"quote at least {MIN_ALLOW_CHARS} characters",
            )
            continue
        cfg.allow_repeats.append(AllowRepeat(text, str(entry["reason"]).strip(), line))

    for i, entry in enumerate(_items(data, "ignore", bad)):
        line = line_of(data, ("ignore", i))
        if not _fields(entry, ("code", "reason"), line, bad, optional=("path",)):
            continue
        code = str(entry["code"]).strip()
        if code not in LINTS:
            bad(line, f"ignore names no lint '{code}'; see docs/LINTS.md for the codes")
            continue
        if LINTS[code].severity == "error":
            bad(line, f"{code} is an error and cannot be ignored; fix the sources instead")
            continue
        cfg.ignore.append(
            Ignore(code, str(entry.get("path") or "").strip(), str(entry["reason"]).strip(), line)
        )
    return cfg


def _items(data: LineDict, key: str, bad) -> list:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, LineList):
        bad(data.key_lines.get(key, 1), f"'{key}' must be a list of entries")
        return []
    return list(value)


def _fields(
    entry, required: tuple[str, ...], line: int, bad, optional: tuple[str, ...] = ()
) -> bool:
    if not isinstance(entry, LineDict):
        bad(line, f"each entry needs {', '.join(required)}")
        return False
    ok = True
    for key in entry:
        if key not in required + optional:
            bad(
                entry.key_lines.get(key, line),
                f"unknown field '{key}'; allowed: {', '.join(required + optional)}",
            )
            ok = False
    for key in required:
        if not str(entry.get(key) or "").strip():
            bad(line, f"entry needs a non-empty '{key}:'")
            ok = False
    return ok
