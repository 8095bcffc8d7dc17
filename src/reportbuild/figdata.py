"""What a figure says, without drawing it: formatted values, alt text, data tables, content hash."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from reportbuild.brand import Brand
from reportbuild.locale import Locale, get_locale
from reportbuild.model import Figure, Item, Series


def _locale(fig_or_lang: Figure | str | None) -> Locale:
    lang = fig_or_lang.lang if isinstance(fig_or_lang, Figure) else fig_or_lang
    return get_locale(lang)


def number(v: Decimal) -> str:
    """The digits as written ('1.90' stays '1.90'), never in exponent form, minus as U+2212."""
    s = format(v, "f")
    return "\u2212" + s[1:] if s.startswith("-") else s


def format_number(
    value: Decimal | None,
    unit: str = "",
    high: Decimal | None = None,
    approx: bool = False,
    lang: str | None = None,
) -> str:
    """'89%', '96%–97%', '约1.20个百分点' / 'about 1.20 percentage points'; '' for no value.

    A word unit stands apart from its number where the locale says so ('1.2 percentage
    points'); signs (%, ‰, °) and CJK units stay tight."""
    if value is None:
        return ""
    loc = get_locale(lang)
    apart = loc.rule("number_unit_space") and unit[:1].isalpha() and unit[:1].isascii()
    sep = " " if apart else ""
    text = f"{number(value)}{sep}{unit}"
    if high is not None:
        text = loc.t("range", low=text, high=f"{number(high)}{sep}{unit}")
    return loc.t("approx", text=text) if approx else text


def item_unit(fig: Figure, item: Item) -> str:
    return item.unit if item.unit is not None else (getattr(fig, "unit", None) or "")


def format_value(fig: Figure, item: Item | Series, category: str | None = None) -> str:
    """An item's value with its unit (the item's own unit overrides the figure's).

    For a figure of series pass a series and a category id.
    """
    if isinstance(item, Series):
        if category is None or category not in item.values:
            return ""
        return format_number(item.values[category], getattr(fig, "unit", None) or "", lang=fig.lang)
    return format_number(item.value, item_unit(fig, item), item.high, item.approx, lang=fig.lang)


def sign_unit(unit: str) -> bool:
    """A unit written as a sign (%, ‰, °) goes on every tick of a value axis; a worded one
    (亿元, percentage points) is named once, above the axis (print) or as its title (deck)."""
    u = unit.strip()
    return bool(u) and len(u) <= 2 and not any(c.isalpha() for c in u)


def value_ticks(lo: Decimal, hi: Decimal, floor: Decimal | None = None) -> list[Decimal]:
    """Round values for a value axis covering lo..hi: steps of 1, 2, 2.5 or 5 × 10ⁿ, about five
    of them; zero is a tick whenever the range spans it. The one rule the print charts and the
    deck's native charts both use, so their axes agree.

    With a declared `floor` (a line's y_min) the axis starts exactly there."""
    lo, hi = Decimal(lo), Decimal(hi)
    if floor is not None:
        lo = Decimal(floor)
    if hi <= lo:
        hi = lo + 1
    exp = ((hi - lo) / 5).adjusted()  # the power of ten of a fifth of the range
    best: tuple[Decimal, bool, Decimal, Decimal] | None = None  # (span, odd, −step, first)
    for e in (exp - 1, exp, exp + 1):
        for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)):
            step = m * Decimal(10) ** e
            first = (lo / step).to_integral_value(rounding="ROUND_FLOOR") * step
            last = (hi / step).to_integral_value(rounding="ROUND_CEILING") * step
            # three to six intervals; of those, the tightest fit, then steps of 1, 2 or 5
            # before 2.5 (0, 20 … 100 reads easier than 0, 25 … 100), then the larger step
            key = (last - first, m == Decimal("2.5"), -step, first)
            if 3 <= (last - first) / step <= 6 and (best is None or key < best):
                best = key
    assert best is not None  # some step of the three decades always gives 3–6 intervals
    span, _odd, neg_step, first = best
    step = -neg_step
    ticks = [first + i * step for i in range(int(span / step) + 1)]
    if floor is not None:
        ticks = [lo] + [t for t in ticks if t > lo]
    # written plainly: 20, not 2E+1; 2.5, not 2.50; never −0
    return [Decimal(format(t.normalize(), "f")) + 0 for t in ticks]


def ranked(fig: Figure) -> list[Item]:
    """Bar items as the chart draws them: largest first, ties kept in source order (or all in
    source order, with `order: source`)."""
    if getattr(fig, "order", "value") == "source":
        return list(fig.items)
    return sorted(fig.items, key=lambda it: -(it.value or Decimal(0)))


def series_label(fig: Figure, s: Series) -> str:
    """A series' label, marked when its values are derived (推算) rather than published."""
    if not s.derived:
        return s.label
    return _locale(fig).t("figure.derived_label", label=s.label)


class Words:
    """The figure words of one locale, with the joins alt texts and tables are made of."""

    def __init__(self, fig: Figure):
        self.loc = _locale(fig)

    def t(self, key: str, **fields: object) -> str:
        return self.loc.t(key, **fields)

    def join(self, parts: list[str], sep: str = "list") -> str:
        """Parts joined with the locale's separator: 'list' (；), 'part' (，) or 'enum' (、)."""
        return self.loc.t(f"figure.sep.{sep}").join(p for p in parts if p)

    def end(self, sentence: str) -> str:
        """The sentence closed with the locale's full stop (unless it already ends one)."""
        stops = self.loc.t("figure.stops")
        return sentence if sentence.endswith(tuple(stops)) else sentence + stops[0]

    def sentences(self, parts: list[str]) -> str:
        return self.loc.t("figure.sep.sentence").join(self.end(p) for p in parts if p)


def alt_text(fig: Figure) -> str:
    """The figure described in words for screen readers, in the report's language: what it shows
    and every value in it (the kind's entry in reportbuild.kinds writes the body)."""
    from reportbuild import kinds

    kind = kinds.of(fig)
    w = Words(fig)
    title = fig.title.rstrip(w.t("figure.stops")[0])
    key = f"figure.kind.{kind_word(fig)}"
    name = w.t(key) if key in w.loc.words else dict(kind.names).get(w.loc.tag, kind.name)
    head = w.t("figure.alt.head", kind=name, title=title)
    parts = [head, kind.alt(fig, w)]
    if kind.data and fig.source:
        parts.append(w.t("figure.alt.source", source=fig.source))
    return w.sentences(parts)


def kind_word(fig: Figure) -> str:
    """The locale key under figure.kind.* naming this figure's kind."""
    from reportbuild import kinds

    word = kinds.of(fig).word
    return word(fig) if word is not None else fig.kind


def data_table(fig: Figure) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) for the data appendix; diagrams give their structure as rows.

    Columns empty in every row are left out (a comparison without descriptions, say).
    """
    from reportbuild import kinds

    headers, rows = kinds.of(fig).table(fig, Words(fig))
    keep = [i for i in range(len(headers)) if i == 0 or any(r[i] for r in rows)]
    return [headers[i] for i in keep], [[r[i] for i in keep] for r in rows]


@dataclasses.dataclass(frozen=True)
class OutlineRow:
    """One part of a diagram: its name and the lines of text under it."""

    label: str
    lines: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class OutlineGroup:
    """A run of parts under an optional heading, with an optional line naming them in order."""

    title: str
    order: str
    rows: tuple[OutlineRow, ...]


def outline_row(label: str, *lines: str) -> OutlineRow:
    return OutlineRow(label, tuple(x for x in lines if x))


def data_outline(fig: Figure) -> list[OutlineGroup]:
    """A diagram's text for the data appendix, in reading order.

    A table spreads a diagram's long texts over narrow columns that read (and extract) out of
    order; an outline keeps each part's name beside its text, and opens with the parts' order.
    """
    from reportbuild import kinds

    kind = kinds.of(fig)
    if kind.outline is None:
        raise ValueError(f"{fig.kind} figures are data, not diagrams: use data_table()")
    return kind.outline(fig, Words(fig))


@lru_cache(maxsize=1)
def renderer_version() -> str:
    """Changes whenever the drawing code or matplotlib changes, so old images are redrawn."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    here = Path(__file__).parent
    for p in sorted([*(here / "charts").glob("*.py"), *(here / "kinds").glob("*.py")]):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    h.update(Path(__file__).read_bytes())
    with contextlib.suppress(PackageNotFoundError):
        h.update(version("matplotlib").encode())
    return h.hexdigest()[:16]


def figure_hash(fig: Figure, brand: Brand) -> str:
    """Content hash of what the image depends on: figure data, brand, renderer version.

    Location, number and chapter are left out: moving a figure does not change its picture.
    """
    data = fig.model_dump(mode="json", exclude={"loc", "number", "chapter"})
    b = dataclasses.asdict(brand)
    b.pop("path", None)
    payload = json.dumps(
        {"figure": data, "brand": b, "renderer": renderer_version()},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
