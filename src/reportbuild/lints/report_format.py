"""Lint findings as text for people, JSON for tools, and GitHub Actions annotation lines."""

from __future__ import annotations

import json
import os

from reportbuild.errors import Problem
from reportbuild.lints.codes import LINTS

FORMATS = ("text", "json", "github")


def default_format() -> str:
    """github inside GitHub Actions (annotations on the diff), else text."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def as_text(problems: list[Problem]) -> str:
    return "\n".join(p.format() for p in problems)


def as_json(problems: list[Problem]) -> str:
    rows = [
        {
            "path": p.path,
            "line": p.line,
            "severity": p.severity,
            "code": p.code,
            "name": LINTS[p.code].name if p.code in LINTS else None,
            "message": p.message,
        }
        for p in problems
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def as_github(problems: list[Problem]) -> str:
    """Workflow commands: ::error file=…,line=…,title=CODE::message (escaped as GitHub requires)."""
    lines = []
    for p in problems:
        level = "error" if p.severity == "error" else "warning"
        name = LINTS[p.code].name if p.code in LINTS else ""
        title = f"{p.code} {name}".strip()
        props = [f"file={_escape_property(p.path)}"]
        if p.line:
            props.append(f"line={p.line}")
        props.append(f"title={_escape_property(title)}")
        lines.append(f"::{level} {','.join(props)}::{_escape_data(p.message)}")
    return "\n".join(lines)


def render(problems: list[Problem], fmt: str) -> str:
    return {"text": as_text, "json": as_json, "github": as_github}[fmt](problems)


def verdict(problems: list[Problem], strict: bool) -> str:
    """The last line of `check`: what was found and whether it fails the run."""
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if not problems:
        return "ok: no problems found"
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if errors or (strict and warnings):
        why = " (--strict: warnings fail)" if strict and warnings and not errors else ""
        return f"failed: {counts}{why}"
    return f"ok: {counts} (run with --strict to fail on warnings)"
