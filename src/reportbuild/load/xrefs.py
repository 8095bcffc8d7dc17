"""Numbers, bindings and references between files: what pass 1 places and pass 2 checks."""

from __future__ import annotations

from pathlib import Path

from reportbuild import directives
from reportbuild.errors import did_you_mean
from reportbuild.load.core import LoaderCore


class CrossReferences(LoaderCore):
    """Numbers of placed items, bindings and references between files, checked once all are read."""

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

    def _value_of(self, path: str) -> str | None:
        fid, _, rest = path.partition(".")
        fig = self.figures.get(fid)
        if fig is None or not rest:
            return None
        got = fig.value(rest)
        return got.format() if got else None

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

    def _table_ref(self, tid: str) -> tuple[str, str] | None:
        number = self.numbers.get("table", {}).get(tid)
        return (
            None if number is None else (self.locale.t("table.label", number=number), f"tbl-{tid}")
        )

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
