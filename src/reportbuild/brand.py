"""The brand (styles/_brand.yml, brand.yml schema) as plain values every renderer reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reportbuild import paths
from reportbuild.errors import Problems, ReportError, SourceError, did_you_mean
from reportbuild.yamlio import SourceTextError, YamlSyntaxError, line_of, loads, read_text

DEFAULT_BRAND = paths.DEFAULT_BRAND


@dataclass(frozen=True)
class Brand:
    """Resolved colours (hex) and font families. Renderers use these names, never raw YAML."""

    name: str
    primary: str
    secondary: str
    accent: str
    foreground: str
    background: str
    light: str
    dark: str
    muted: str
    palette: dict[str, str] = field(default_factory=dict)
    font_base: str = "Noto Sans CJK SC"
    font_headings: str = "Noto Sans CJK SC"
    font_mono: str = "DejaVu Sans Mono"
    base_size: str = "10pt"
    base_weight: int = 400
    line_height: float = 1.75
    headings_weight: int = 700
    headings_line_height: float = 1.35
    headings_color: str = ""
    logo: str | None = None  # absolute path of the logo image, if any
    path: str = ""

    @property
    def families(self) -> list[str]:
        return list(dict.fromkeys([self.font_base, self.font_headings]))

    def css_variables(self) -> str:
        """The brand as CSS custom properties, for the paged-media stylesheet and the HTML."""
        rows = {
            "primary": self.primary, "secondary": self.secondary, "accent": self.accent,
            "fg": self.foreground, "bg": self.background, "light": self.light, "dark": self.dark,
            "muted": self.muted, "heading-color": self.headings_color or self.primary,
            "font-base": f'"{self.font_base}", sans-serif',
            "font-headings": f'"{self.font_headings}", "{self.font_base}", serif',
            "font-mono": f'"{self.font_mono}", monospace',
            "base-size": self.base_size, "base-weight": str(self.base_weight),
            "line-height": str(self.line_height), "headings-weight": str(self.headings_weight),
            "headings-line-height": str(self.headings_line_height),
        }  # fmt: skip
        body = "\n".join(f"  --brand-{k}: {v};" for k, v in rows.items())
        return f":root {{\n{body}\n}}\n"


def brand_path(root: Path) -> Path:
    return paths.ProjectPaths(root).brand_file


# What brand_yml made of a brand file, as plain values, in the machine's cache (beside the fonts'
# widths): importing brand_yml (and htmltools, its pydantic models) took a rebuild 0.25 CPU-s
# before anything else could start, and parsing a brand file with ruamel 10 ms more. Keyed by
# the file's text and brand_yml's version (nothing read depends on where the file is: the logo
# is kept as written, and found and checked on every load), so every report of one brand reads
# it once; RAW_VERSION changes with the fields below.
BRANDS = "brands"
RAW_VERSION = 1


def _raw(path: Path, text: str, data: object, problems: Problems) -> dict:
    """brand_yml's reading of the brand file (colours, palette, typography, logo source) as
    plain values; SourceError with file:line where brand_yml refuses it."""
    from brand_yml import Brand as BrandYml
    from pydantic import ValidationError

    try:
        b = BrandYml.from_yaml(path)
    except ValidationError as exc:
        for err in exc.errors():
            problems.add(path, line_of(data, tuple(err["loc"])), f"brand: {err['msg']}", "E015")
        raise SourceError(problems.items) from None
    except Exception as exc:  # brand_yml raises plain errors for unknown palette names etc.
        problems.add(path, 1, f"brand: {exc}", "E015")
        raise SourceError(problems.items) from None
    c, typo = b.color, b.typography
    base = typo.base if typo else None
    head = typo.headings if typo else None
    mono = typo.monospace if typo else None
    src = None
    if b.logo is not None:
        small = getattr(b.logo, "small", None) or getattr(b.logo, "medium", None) or b.logo
        src = getattr(small, "path", None) or getattr(small, "light", None)
        src = getattr(src, "path", src)

    def text_of(value: object) -> str | None:
        return str(value) if value else None

    return {
        "name": (b.meta.name.full if b.meta and b.meta.name else "") or "",
        "palette": {str(k): str(v) for k, v in (c.palette or {}).items()} if c else {},
        **{role: text_of(getattr(c, role)) if c else None for role in _ROLES},
        "base_family": text_of(base.family) if base else None,
        "base_size": text_of(base.size) if base else None,
        "base_weight": int(base.weight) if base and base.weight else None,
        "base_line_height": float(base.line_height) if base and base.line_height else None,
        "head_family": text_of(head.family) if head else None,
        "head_weight": int(head.weight) if head and head.weight else None,
        "head_line_height": float(head.line_height) if head and head.line_height else None,
        "head_color": text_of(head.color) if head else None,
        "mono_family": text_of(mono.family) if mono else None,
        "logo": text_of(src),
    }


def _cached_raw(root: Path, path: Path, text: str, data: object, problems: Problems) -> dict:
    """_raw, from the machine's cache when a brand file of this text was read before."""
    import contextlib
    import hashlib
    import json
    from importlib.metadata import PackageNotFoundError, version

    from reportbuild.atomic import write_text
    from reportbuild.machine import machine_cache

    try:
        made_by = version("brand_yml")
    except PackageNotFoundError:
        made_by = "?"
    key = hashlib.sha256(
        json.dumps([RAW_VERSION, made_by, text], ensure_ascii=False).encode()
    ).hexdigest()
    kept = machine_cache(paths.ProjectPaths(root).cache) / BRANDS / f"{key[:32]}.json"
    try:
        raw = json.loads(kept.read_text(encoding="utf-8"))
        if isinstance(raw, dict) and raw.get("key") == key:
            return raw["raw"]
    except (OSError, ValueError, KeyError):
        pass
    raw = _raw(path, text, data, problems)
    with contextlib.suppress(OSError):  # a cache that cannot be written: parsed each time
        write_text(kept, json.dumps({"key": key, "raw": raw}, ensure_ascii=False, indent=1))
    return raw


def load_brand(root: Path, check_fonts: bool = True) -> Brand:
    """Read the project's brand (or the default theme's); raise SourceError with file:line."""
    path = brand_path(Path(root))
    problems = Problems(Path(root))
    try:
        text = read_text(path)
        data = loads(text)
    except SourceTextError as exc:
        problems.add(path, exc.line, exc.message, exc.code)
        raise SourceError(problems.items) from None
    except YamlSyntaxError as exc:
        problems.add(path, exc.line, f"{exc.message}; fix the YAML near this line", "E003")
        raise SourceError(problems.items) from None
    raw = _cached_raw(Path(root), path, text, data, problems)
    palette = raw["palette"]

    def col(value: str | None, fallback: str) -> str:
        v = value or fallback
        return palette.get(v, v)

    logo = None
    if raw["logo"]:
        where = paths.ProjectPaths(root) if path != DEFAULT_BRAND else None
        asset = path.parent / raw["logo"]
        if where is not None and not where.inside(asset):
            advice = paths.OutsideProject(asset, asset.resolve()).advice()
            problems.add(
                path, _line_of_key(data, "logo"), f"brand: logo '{raw['logo']}' {advice}", "E005"
            )
            raise SourceError(problems.items)
        logo = str(asset.resolve())
    _check_colours(data, path, problems)
    primary = col(raw["primary"], "#1F3A5F")
    base_family = raw["base_family"]
    brand = Brand(
        name=raw["name"],
        primary=primary,
        secondary=col(raw["secondary"], "#2A7F8A"),
        accent=col(raw["tertiary"], "#D9482B"),
        foreground=col(raw["foreground"], "#333333"),
        background=col(raw["background"], "#FFFFFF"),
        light=col(raw["light"], "#EEEEEE"),
        dark=col(raw["dark"], primary),
        muted=palette.get("steel", palette.get("gray", "#8A94A6")),
        palette=palette,
        font_base=base_family or "Noto Sans CJK SC",
        font_headings=raw["head_family"] or base_family or "Noto Sans CJK SC",
        font_mono=raw["mono_family"] or "DejaVu Sans Mono",
        base_size=raw["base_size"] or "10pt",
        base_weight=raw["base_weight"] or 400,
        line_height=raw["base_line_height"] or 1.75,
        headings_weight=raw["head_weight"] or 700,
        headings_line_height=raw["head_line_height"] or 1.35,
        headings_color=col(raw["head_color"], primary) if raw["head_color"] else primary,
        logo=logo,
        path=str(path),
    )
    if check_fonts:
        _check_fonts(brand, data, path, problems)
    problems.raise_if_errors()
    return brand


_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_ROLES = ("primary", "secondary", "tertiary", "foreground", "background", "light", "dark")


def _check_colours(data: object, path: Path, problems: Problems) -> None:
    """Every colour is #RGB/#RRGGBB or a palette name: a typo is an error here, at its line,
    not a crash in the charts and the deck."""
    color = data.get("color") if isinstance(data, dict) else None
    if not isinstance(color, dict):
        return
    palette = color.get("palette") if isinstance(color.get("palette"), dict) else {}
    for name, value in palette.items():
        if not _HEX.match(str(value)):
            problems.add(
                path, palette.key_lines.get(name, 1),
                f"brand: colour '{name}: {value}' is not a colour; write it as #RRGGBB", "E015",
            )  # fmt: skip
    for role in _ROLES:
        value = color.get(role)
        if value is None or str(value) in palette or _HEX.match(str(value)):
            continue
        hint = did_you_mean(str(value), palette)
        problems.add(
            path, color.key_lines.get(role, 1),
            f"brand: {role} '{value}' is neither #RRGGBB nor a palette name{hint}", "E015",
        )  # fmt: skip


def _check_fonts(brand: Brand, data: object, path: Path, problems: Problems) -> None:
    """The brand's families are installed (fontconfig), said by check at the family's line."""
    from reportbuild import fonts

    for family in dict.fromkeys([brand.font_base, brand.font_headings, brand.font_mono]):
        try:
            fonts.find(family)
        except ReportError as exc:
            problems.add(path, _line_of_value(data, family), exc.format_message(), "E015")


def _line_of_value(data: object, value: str) -> int:
    """The line where `value` is written in the brand YAML (the first), else 1."""
    if isinstance(data, dict):
        for k, v in data.items():
            if v == value:
                return getattr(data, "key_lines", {}).get(k, 1)
            found = _line_of_value(v, value)
            if found != 1:
                return found
    elif isinstance(data, list):
        for i, v in enumerate(data):
            if v == value:
                return data.item_lines[i] if hasattr(data, "item_lines") else 1
            found = _line_of_value(v, value)
            if found != 1:
                return found
    return 1


def _line_of_key(data: object, key: str) -> int:
    """The line of `key` anywhere in the brand YAML (the first found), else 1."""
    if isinstance(data, dict):
        lines = getattr(data, "key_lines", {})
        if key in lines:
            return lines[key]
        for v in data.values():
            found = _line_of_key(v, key)
            if found != 1:
                return found
    elif isinstance(data, list):
        for v in data:
            found = _line_of_key(v, key)
            if found != 1:
                return found
    return 1
