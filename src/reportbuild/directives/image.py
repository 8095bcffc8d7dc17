"""`::: image ID`: a picture (PNG, JPEG, SVG) with caption and source, numbered with the figures.

```markdown
::: image harbour
src: ../../figures/harbour.jpg     # relative to this Markdown file, inside the project
alt: Container cranes at the port at dusk
caption: The port in 2013
source: U.S. Department of Transportation
:::
```

The image shares the figures' counter (图 1-2 / Figure 1.2), so `@fig-ID` refers to it. A
plain Markdown image in prose (`![alt](path)`) resolves the same way, unnumbered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from reportbuild import model
from reportbuild.directives import Directive, register
from reportbuild.yamlio import LineDict

KEYS = ("src", "alt", "caption", "source", "note")
FORMATS = (".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp")


class Image(model.Block):
    kind: Literal["image"] = "image"
    id: str
    number: str = ""
    src: str  # project-relative, '/'-separated
    alt: str = ""
    caption: str = ""
    source: str = ""
    note: str = ""
    loc: model.Loc


def image_path(loader: Any, md_path: Path, rel: str, line: int) -> str | None:
    """A picture's path as the outputs use it (project-relative), or None after an error."""
    target = loader.resolve_relative(md_path, rel, line)  # inside the project, and there
    if target is None:
        return None
    if target.suffix.lower() not in FORMATS:
        loader.error(
            md_path,
            line,
            f"'{rel}' is not a picture the outputs can show; use PNG, JPEG or SVG",
            "E031",
        )
        return None
    return target.relative_to(loader.root).as_posix()


def _build(loader: Any, path: Path, raw: Any) -> model.Block | None:
    if len(raw.args) != 1:
        return None
    first = raw.body_line or raw.line + 1
    meta: Any = loader.yaml(path, raw.text, first_line=first) if raw.text.strip() else LineDict()
    if meta is None:
        return None
    if not isinstance(meta, dict) or not meta.get("src"):
        loader.error(
            path, raw.line, "an image needs 'src: path/to/picture.png' in its body", "E011"
        )
        return None
    loader._check_keys(meta, set(KEYS), path, "image")
    src = image_path(loader, path, str(meta["src"]), meta.key_lines.get("src", first))
    if src is None:
        return None
    return Image(
        id=raw.args[0],
        number=loader.numbers.get("figure", {}).get(raw.args[0], ""),
        src=src,
        alt=str(meta.get("alt") or "").strip(),
        caption=str(meta.get("caption") or "").strip(),
        source=str(meta.get("source") or "").strip(),
        note=str(meta.get("note") or "").strip(),
        loc=loader.loc(path, raw.line),
    )


def _place(loader: Any, chapter: dict, raw: Any) -> None:
    if len(raw.args) == 1:
        loader.place_numbered("figure", raw.args[0], chapter, raw.line)


def _walk(walker: Any, where: str, b: Image) -> None:
    for text in (b.caption, b.alt, b.source, b.note):
        if text:
            walker.plain(f"{where} image", b.loc.path, text, b.loc.line)


register(
    Directive(
        "image",
        Image,
        _build,
        "blocks/image.html.j2",
        walk=_walk,
        place=_place,
        args="one",
        body=True,
        example="::: image ID",
    )
)
