"""The YAML collections of sources/: cases, quotes, core points, strategies and the deck."""

from __future__ import annotations

from pathlib import Path

from reportbuild import model
from reportbuild.errors import did_you_mean
from reportbuild.load.core import LoaderCore
from reportbuild.yamlio import (
    LineDict,
    line_of,
)

CASE_KEYS = {"org", "title", "kind", "background", "measures", "effect", "body"}

DECK_KINDS = {
    "title", "agenda", "core-points", "figure", "value-framework", "strategies", "strategy",
    "cases", "case", "quotes", "divider", "closing",
}  # fmt: skip


class ItemReader(LoaderCore):
    """The YAML collections: cases, quotes, core points, strategies and the deck."""

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
