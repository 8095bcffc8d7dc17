"""`reportbuild doctor`: is this machine ready to build? Fonts, HarfBuzz-Subset, versions, tools."""

from __future__ import annotations

import ctypes.util
import platform
import shutil
from importlib import metadata
from pathlib import Path

from reportbuild.errors import ReportError

LIBRARIES = ("weasyprint", "python-pptx", "matplotlib", "pydantic", "jinja2", "click", "watchfiles")


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def diagnose(root: Path | str = ".") -> tuple[bool, list[str]]:
    """Lines of ✓/✗ findings and whether everything a build needs is present."""
    from reportbuild import fonts
    from reportbuild.brand import load_brand

    root = Path(root)
    lines: list[str] = []
    apt: list[str] = []
    ok = True

    def row(good: bool, what: str, note: str = "") -> None:
        lines.append(f"{'✓' if good else '✗'} {what}{'  — ' + note if note else ''}")

    lines.append(f"  python {platform.python_version()} ({platform.platform(terse=True)})")
    for dist in LIBRARIES:
        v = _version(dist)
        row(v is not None, f"{dist} {v or 'missing'}", "" if v else "run: pip install -e .")
        ok &= v is not None

    try:
        brand = load_brand(root, check_fonts=False)  # each font gets its own row below
        families = list(dict.fromkeys([brand.font_base, brand.font_headings, brand.font_mono]))
        where = (
            f"brand {Path(brand.path).name} of {root}"
            if (root / "styles").is_dir()
            else "default brand"
        )
    except ReportError as exc:
        lines.append(f"✗ brand: {exc.format_message()}")
        families, where, ok = [], "", False
    for family in families:
        try:
            face = fonts.find(family)
            row(True, f"font {family}", f"{face.path} (face {face.index}) [{where}]")
        except ReportError:
            pkg = fonts.package_for(family)
            how = f"apt-get install {pkg}" if pkg else "install it (fc-list : family lists fonts)"
            row(False, f"font {family}", f"not installed; {how}")
            apt += [pkg] if pkg else []
            ok = False

    hb = ctypes.util.find_library("harfbuzz-subset")
    slow = "PDF font subsetting is 6× slower without it; apt-get install libharfbuzz-subset0"
    row(hb is not None, f"libharfbuzz-subset {hb or 'missing'}", "" if hb else slow)
    if hb is None:
        apt.append("libharfbuzz-subset0")
    for tool, pkg, why in (
        ("fc-match", "fontconfig", "finding the brand fonts (required)"),
        ("pdftoppm", "poppler-utils", "rendering pages to PNG for review and tests"),
        ("pdftotext", "poppler-utils", "tests that read the PDF text"),
        ("soffice", "libreoffice-impress", "checking the deck converts (optional)"),
    ):
        path = shutil.which(tool)
        row(
            path is not None,
            f"{tool} {path or 'missing'}",
            "" if path else f"{why}; apt-get install {pkg}",
        )
        if path is None:
            apt.append(pkg)
            ok &= tool != "fc-match"
    if apt:
        lines.append("to install: sudo apt-get install " + " ".join(dict.fromkeys(apt)))
    lines.append("ready to build" if ok else "not ready: install what is marked ✗ above")
    return ok, lines


def inspect_template(path: Path) -> tuple[bool, list[str]]:
    """A PowerPoint master as the deck will read it: its size, its layouts and the layout each
    slide kind will be built on; not ok if python-pptx cannot open it."""
    try:
        from reportbuild.deck.masters import describe

        return True, describe(path)
    except Exception as exc:  # a damaged or non-PowerPoint file: say so, no traceback
        return False, [f"✗ {path}: not a PowerPoint file python-pptx can open ({exc})"]
