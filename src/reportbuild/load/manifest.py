"""The report manifest (sources/report.yml) and the two passes over the files it lists."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from reportbuild import directives, markup, model, paths
from reportbuild import locale as locale_mod
from reportbuild.load.core import LoaderCore, _list
from reportbuild.locale import Locale, get_locale
from reportbuild.yamlio import (
    LineDict,
    line_of,
)

# Keys a user may write in each file (pydantic knows them too; these give did-you-mean lists).
REPORT_KEYS = {
    "title", "subtitle", "series", "year", "lang", "keywords", "allow_html", "publishers",
    "contact", "credits", "front", "chapters", "back", "style",
}  # fmt: skip


def _number_key(number: str) -> tuple[int, int]:
    """'1-2' or '1.2' (the locale's form) → (1, 2); unnumbered last."""
    parts = [int(d) for d in re.findall(r"\d+", number)]
    return (parts[0], parts[1]) if len(parts) >= 2 else (999, 999)


class ManifestReader(LoaderCore):
    """sources/report.yml, and the two passes over the project it lists."""

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
