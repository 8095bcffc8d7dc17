"""Safe YAML that remembers where every value stood, so errors can name a line."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A mapping from YAML with the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list):
    """A sequence from YAML with the line of itself and of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


class DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader that builds LineDict/LineList, keeps decimals exact, refuses duplicate keys."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            )
        key = str(key) if not isinstance(key, str) else key
        if key in out:
            raise DuplicateKey(
                None, None, f"duplicate key '{key}': each key may appear once", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> Decimal | float:
    text = loader.construct_scalar(node).replace("_", "")
    try:
        value = Decimal(text)
    except ArithmeticError:
        return float(loader.construct_yaml_float(node))
    if value.is_finite() and abs(value.adjusted()) > MAX_NUMBER_DIGITS:
        raise yaml.constructor.ConstructorError(
            None, None,
            f"'{text}' is out of range: a number in a report has at most "
            f"{MAX_NUMBER_DIGITS} digits before or after the point",
            node.start_mark,
        )  # fmt: skip
    # 1.0e+3 is the number 1000: kept exact, never printed in exponent form
    return Decimal(format(value, "f")) if value.is_finite() and "e" in text.lower() else value


# YAML 1.2 booleans: only true/false. `id: no` or `label: on` stay strings (the "Norway problem").
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
# Numbers are what the author wrote. YAML 1.1 reads 010 as 8, 0x10 as 16, 0b101 as 5 and 1:30 as
# 90; such forms are refused (write the number plainly, or quote it as text). Plain integers only.
_AMBIGUOUS = "tag:reportbuild,2026:ambiguous-number"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:int"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    _AMBIGUOUS,
    re.compile(
        r"^[-+]?(?:0[0-9_]+|0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+"
        r"|[1-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$"
    ),
    list("-+0123456789"),
)


def _construct_ambiguous(loader: _Loader, node: yaml.ScalarNode) -> Any:
    text = loader.construct_scalar(node)
    old = yaml.load(text, Loader=_Base)  # noqa: S506 - a SafeLoader, on one scalar
    was = f" (YAML 1.1 would read it as {old})" if not isinstance(old, str) else ""
    raise yaml.constructor.ConstructorError(
        None,
        None,
        f"'{text}' is not a plain number{was}: write the number as digits without a leading "
        f'zero, or quote it ("{text}") if it is text',
        node.start_mark,
    )


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    return int(loader.construct_scalar(node).replace("_", ""))


_Loader.add_constructor(_AMBIGUOUS, _construct_ambiguous)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


# Limits: a report's YAML is small. Past these it is a mistake or an attack (an alias "bomb"
# expands a few lines into billions of values; deep nesting overflows the parser's stack).
MAX_DEPTH = 32
MAX_VALUES = 200_000  # values after aliases are expanded
MAX_ALIASES = 1_000
MAX_NUMBER_DIGITS = 40  # an exponent like 1e999999 would print a million digits


def _check_limits(text: str) -> None:
    """Walk the YAML events (no values built) and refuse nesting, alias expansion or alias
    counts past the limits, at the line where the limit is crossed."""
    sizes: dict[str, int] = {}  # anchor → values below it, aliases expanded
    stack: list[list] = []  # per open collection: [anchor, values so far]
    aliases = 0

    def close(anchor: str | None, size: int, mark: yaml.Mark) -> None:
        if anchor:
            sizes[anchor] = size
        if stack:
            stack[-1][1] += size
            if stack[0][1] > MAX_VALUES:
                raise YamlSyntaxError(
                    mark.line + 1,
                    f"more than {MAX_VALUES:,} values once aliases are expanded; "
                    "write the data out, or split it into files",
                )

    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append([event.anchor, 1])
            if len(stack) > MAX_DEPTH:
                raise YamlSyntaxError(
                    event.start_mark.line + 1,
                    f"nested more than {MAX_DEPTH} levels deep; flatten the structure",
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, size = stack.pop()
            close(anchor, size, event.start_mark)
        elif isinstance(event, yaml.ScalarEvent):
            close(event.anchor, 1, event.start_mark)
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise YamlSyntaxError(
                    event.start_mark.line + 1, f"more than {MAX_ALIASES} aliases (*name)"
                )
            close(None, sizes.get(event.anchor, 1), event.start_mark)


def loads(text: str, first_line: int = 1) -> Any:
    """Parse YAML text; raise YamlSyntaxError(line, message) with a 1-based line."""
    try:
        try:
            _check_limits(text)
        except YamlSyntaxError as exc:
            raise YamlSyntaxError(exc.line + first_line - 1, f"YAML: {exc.message}") from None
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        what = exc.problem or exc.context or str(exc)
        raise YamlSyntaxError(line, f"YAML syntax: {what}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(first_line, f"YAML syntax: {exc}") from None
    if first_line != 1:
        _shift(data, first_line - 1)
    return data


def _shift(data: Any, by: int) -> None:
    if isinstance(data, LineDict):
        data.line += by
        data.key_lines = {k: v + by for k, v in data.key_lines.items()}
        for v in data.values():
            _shift(v, by)
    elif isinstance(data, LineList):
        data.line += by
        data.item_lines = [v + by for v in data.item_lines]
        for v in data:
            _shift(v, by)


MAX_SOURCE_BYTES = 4 * 1024 * 1024
# C0/C1 control characters other than tab and line ends: invisible in an editor, and a terminal
# escape (ESC[…) in a source would reach the outputs
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class SourceTextError(ValueError):
    """A source file that cannot be read as text: not UTF-8, too large, a control character."""

    def __init__(self, line: int, message: str, code: str = "E002"):
        super().__init__(message)
        self.line, self.message, self.code = line, message, code


def read_text(path: Path) -> str:
    """Read a source file as UTF-8 text with \\n line ends (a BOM and CRLF/CR line ends are
    accepted as ordinary input); raise SourceTextError naming the line of a problem."""
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise SourceTextError(
            1,
            f"file is {size / 1048576:.1f} MB; a source file may hold at most "
            f"{MAX_SOURCE_BYTES // 1048576} MB: split it into several files",
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceTextError(line, "file is not UTF-8 text; re-save it as UTF-8") from None
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _CONTROL.search(text)
    if bad:
        import unicodedata

        ch = bad.group()
        name = unicodedata.name(ch, "") or {"\x07": "BELL", "\x1b": "ESCAPE"}.get(ch, "control")
        raise SourceTextError(
            text.count("\n", 0, bad.start()) + 1,
            f"invisible control character U+{ord(ch):04X} ({name}); delete it",
        )
    return text


def line_of(data: Any, loc: tuple[Any, ...]) -> int:
    """The line of the value at `loc` (a pydantic error location), as deep as it can be found."""
    line = getattr(data, "line", 1) or 1
    node = data
    for part in loc:
        if isinstance(node, LineDict) and isinstance(part, str):
            if part in node.key_lines:
                line = node.key_lines[part]
                node = node[part]
                continue
            break
        if isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
            continue
        break
    return line
