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


def load_brand(root: Path, check_fonts: bool = True) -> Brand:
    """Read the project's brand (or the default theme's); raise SourceError with file:line."""
    from brand_yml import Brand as BrandYml
    from pydantic import ValidationError

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
    try:
        b = BrandYml.from_yaml(path)
    except ValidationError as exc:
        for err in exc.errors():
            problems.add(path, line_of(data, tuple(err["loc"])), f"brand: {err['msg']}", "E015")
        raise SourceError(problems.items) from None
    except Exception as exc:  # brand_yml raises plain errors for unknown palette names etc.
        problems.add(path, 1, f"brand: {exc}", "E015")
        raise SourceError(problems.items) from None

    c = b.color
    palette = dict(c.palette or {}) if c else {}

    def col(value: object, fallback: str) -> str:
        v = str(value) if value else fallback
        return palette.get(v, v)

    typo = b.typography
    base = typo.base if typo else None
    head = typo.headings if typo else None
    mono = typo.monospace if typo else None
    logo = None
    if b.logo is not None:
        small = getattr(b.logo, "small", None) or getattr(b.logo, "medium", None) or b.logo
        src = getattr(small, "path", None) or getattr(small, "light", None)
        src = getattr(src, "path", src)
        if src:
            where = paths.ProjectPaths(root) if path != DEFAULT_BRAND else None
            asset = path.parent / str(src)
            if where is not None and not where.inside(asset):
                problems.add(
                    path,
                    _line_of_key(data, "logo"),
                    f"brand: logo '{src}' {paths.OutsideProject(asset, asset.resolve()).advice()}",
                    "E005",
                )
                raise SourceError(problems.items)
            logo = str(asset.resolve())
    _check_colours(data, path, problems)
    primary = col(c.primary if c else None, "#1F3A5F")
    brand = Brand(
        name=(b.meta.name.full if b.meta and b.meta.name else "") or "",
        primary=primary,
        secondary=col(c.secondary if c else None, "#2A7F8A"),
        accent=col(c.tertiary if c else None, "#D9482B"),
        foreground=col(c.foreground if c else None, "#333333"),
        background=col(c.background if c else None, "#FFFFFF"),
        light=col(c.light if c else None, "#EEEEEE"),
        dark=col(c.dark if c else None, primary),
        muted=palette.get("steel", palette.get("gray", "#8A94A6")),
        palette=palette,
        font_base=(base.family if base and base.family else "Noto Sans CJK SC"),
        font_headings=(
            head.family if head and head.family else (base.family if base else "Noto Sans CJK SC")
        ),
        font_mono=(mono.family if mono and mono.family else "DejaVu Sans Mono"),
        base_size=str(base.size) if base and base.size else "10pt",
        base_weight=int(base.weight) if base and base.weight else 400,
        line_height=float(base.line_height) if base and base.line_height else 1.75,
        headings_weight=int(head.weight) if head and head.weight else 700,
        headings_line_height=float(head.line_height) if head and head.line_height else 1.35,
        headings_color=col(head.color, primary) if head and head.color else primary,
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
