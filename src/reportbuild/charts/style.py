"""The brand as chart style: colours, type sizes and rcParams (no matplotlib import)."""

from __future__ import annotations

from dataclasses import dataclass

from reportbuild.brand import Brand

MM_PER_PT = 25.4 / 72
TEXT_WIDTH_MM = 160.0  # A4 with 25 mm margins: the full text column
PNG_DPI = 2 * 96  # 2× a CSS pixel
SVG_SALT = "reportbuild-charts"


def mix(color: str, other: str, t: float) -> str:
    """`color` moved a fraction t towards `other` (hex in, hex out): tints without new colours."""
    a = [int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    b = [int(other.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(a, b, strict=True))


def _points(size: str) -> float:
    """'10pt' → 10.0; other units or nonsense fall back to the default 10 pt."""
    text = str(size).strip().lower()
    try:
        if text.endswith("pt"):
            return float(text[:-2])
        if text.endswith("px"):
            return float(text[:-2]) * 0.75
    except ValueError:
        pass
    return 10.0


def luminance(color: str) -> float:
    r, g, b = (int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@dataclass(frozen=True)
class Style:
    """Everything a chart needs from the brand, resolved once."""

    primary: str
    secondary: str
    accent: str
    fg: str
    muted: str
    light: str
    bg: str
    dark: str
    family: str
    # sizes in points
    size: float = 8.5  # labels
    small: float = 7.5  # notes, chips, legends
    value: float = 9.0  # value labels
    heading: float = 10.0  # titles inside diagrams
    big: float = 26.0  # callout numbers
    line_height: float = 1.45
    width_mm: float = TEXT_WIDTH_MM

    @classmethod
    def from_brand(cls, brand: Brand) -> Style:
        # chart type follows the body size (8.5 pt labels beside 10 pt text)
        k = _points(brand.base_size) / 10.0
        return cls(
            size=8.5 * k,
            small=7.5 * k,
            value=9.0 * k,
            heading=10.0 * k,
            big=26.0 * k,
            primary=brand.primary,
            secondary=brand.secondary,
            accent=brand.accent,
            fg=brand.foreground,
            muted=brand.muted,
            light=brand.light,
            bg=brand.background,
            dark=brand.dark,
            family=brand.font_base,
        )

    # derived tones: the muted bars and panels are tints of the brand, not new hues
    @property
    def bar_muted(self) -> str:
        return mix(self.muted, self.bg, 0.45)

    @property
    def panel(self) -> str:
        return mix(self.light, self.bg, 0.35)

    @property
    def rule(self) -> str:
        return mix(self.muted, self.bg, 0.35)

    @property
    def ink(self) -> str:
        """The primary colour for text on the page, or the dark one if the primary is too pale."""
        return self.primary if luminance(self.primary) < 0.45 else self.dark

    def readable(self, color: str) -> str:
        """`color` for text on the background, darkened if it is too pale to read."""
        return color if luminance(color) < 0.6 else self.fg

    def on(self, fill: str) -> str:
        """Text colour readable on `fill`."""
        return self.bg if luminance(fill) < 0.55 else self.dark

    def series_colors(self, n: int) -> list[str]:
        base = [
            self.primary,
            self.secondary,
            mix(self.primary, self.bg, 0.45),
            mix(self.secondary, self.bg, 0.5),
            self.muted,
            mix(self.muted, self.bg, 0.5),
        ]
        return [base[i % len(base)] for i in range(n)]

    def rc(self) -> dict[str, object]:
        """rcParams for a deterministic, font-free SVG in the brand's typeface."""
        return {
            "font.family": [self.family],
            "font.size": self.size,
            "text.color": self.fg,
            "svg.fonttype": "path",  # glyphs as paths: the PDF needs no font for charts
            "svg.hashsalt": SVG_SALT,  # fixed ids: same input, same bytes
            "svg.id": None,
            "hatch.linewidth": 0.7,
            "axes.unicode_minus": True,
            "path.simplify": False,
        }
