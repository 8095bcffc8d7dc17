"""Figure files (figures/*.yml): one model per kind, an unknown field named with its kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reportbuild import kinds, model
from reportbuild.errors import did_you_mean
from reportbuild.load.core import ID, LoaderCore, _fields_at
from reportbuild.yamlio import (
    LineDict,
    line_of,
)


class FigureReader(LoaderCore):
    """figures/*.yml, each validated against its kind's model."""

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
