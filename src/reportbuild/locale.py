"""Every word and format the tool generates, by language: one table per locale in locales/<tag>.yml.

A report picks its locale with `lang:` in report.yml (default zh-CN). Code and templates never
spell a generated word themselves: they ask the locale (`loc.t("figure.label", number="1-1")`).
A key missing from a locale is a bug caught by the tests (every table has the same keys).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

DEFAULT = "zh-CN"


@dataclass(frozen=True)
class Locale:
    tag: str
    words: dict[str, str] = field(repr=False)
    rules: dict[str, Any] = field(repr=False)

    def t(self, key: str, /, **fields: object) -> str:
        """The locale's text for `key`, with `{name}` fields filled in."""
        text = self.words[key]
        return text.format(**fields) if fields else text

    def rule(self, key: str) -> Any:
        """A typesetting or formatting rule (cjk, indent, hyphenate, quote marks…)."""
        return self.rules[key]

    @property
    def cjk(self) -> bool:
        return bool(self.rules.get("cjk"))


def available() -> list[str]:
    return sorted(
        p.name.removesuffix(".yml")
        for p in resources.files("reportbuild.locales").iterdir()
        if p.name.endswith(".yml")
    )


@cache
def get_locale(tag: str | None = None) -> Locale:
    """The locale for a BCP 47 tag; 'en' finds 'en-US', unknown tags raise KeyError."""
    tag = tag or DEFAULT
    tags = available()
    match = next((t for t in tags if t.lower() == tag.lower()), None)
    if match is None:
        match = next(
            (t for t in tags if t.split("-")[0].lower() == tag.split("-")[0].lower()), None
        )
    if match is None:
        raise KeyError(tag)
    data = yaml.safe_load(
        resources.files("reportbuild.locales").joinpath(f"{match}.yml").read_text("utf-8")
    )
    return Locale(match, {k: str(v) for k, v in data["words"].items()}, dict(data["rules"]))
