"""A PowerPoint master read for the deck: which layout each slide kind uses, and the grid
(title zone, content zone, footer) its placeholders give, in design points (theme.SCALE).

Layouts are recognised by what their placeholders are first — a title slide has a centred
title and a subtitle, "Title Only" a title and nothing else — and by name second, with the
default names of PowerPoint (English and Chinese), LibreOffice Impress and Google Slides.
"""

from __future__ import annotations

from dataclasses import dataclass

from pptx.enum.shapes import PP_PLACEHOLDER as PH

EMU_PER_PT = 12700
# A slide is laid out 540 design points high (13.33 × 7.5 in is 960 × 540) and at least
# DESIGN_WIDTH wide: a 4:3 slide is laid out 860 × 645 and written at 0.84 of that.
DESIGN_HEIGHT = 540.0
DESIGN_WIDTH = 860.0

# The roles a slide kind asks for, and the layout names that serve each, by application.
# Google Slides writes its predefined layouts' names into an export (TITLE, TITLE_AND_BODY…,
# Apps Script's PredefinedLayout); its UI shows them as "Title slide", "Title and body"….
ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("Title Slide", "标题幻灯片", "Title slide", "TITLE"),  # PowerPoint, LO; Google
    "section": (
        "Section Header",  # PowerPoint
        "节标题",
        "Section header",  # Google Slides
        "SECTION_HEADER",
        "Section title and description",
        "SECTION_TITLE_AND_DESCRIPTION",
        "Centered Text",  # LibreOffice has no section layout: its centred one serves
        "Title Only",
    ),
    "content": ("Title Only", "仅标题", "Title only", "TITLE_ONLY"),
    "body": (  # not a role of a slide: where the template puts its body, for the grid
        "Title and Content",
        "标题和内容",
        "Title, Content",  # LibreOffice
        "Title and body",  # Google Slides
        "TITLE_AND_BODY",
        "ONE_COLUMN_TEXT",
    ),
    "blank": ("Blank", "空白", "Blank Slide", "BLANK"),
}
# Which role each slide kind of the deck file is built on.
KIND_ROLE = {
    "title": "title",
    "divider": "section",
    "agenda": "content",
    "core-points": "content",
    "figure": "content",
    "value-framework": "content",
    "strategies": "content",
    "strategy": "content",
    "cases": "content",
    "case": "content",
    "quotes": "content",
    "closing": "content",
}
FOOTERS = {PH.FOOTER, PH.DATE, PH.SLIDE_NUMBER}
TITLES = {PH.TITLE, PH.CENTER_TITLE}
BODIES = {PH.BODY, PH.OBJECT}


def design_scale(width_emu: int, height_emu: int) -> float:
    """Real points per design point for a slide of this size."""
    w, h = width_emu / EMU_PER_PT, height_emu / EMU_PER_PT
    return min(h / DESIGN_HEIGHT, w / DESIGN_WIDTH)


def _kinds(layout) -> list:
    """The layout's placeholder types other than footers, vertical text marked as such."""
    out = []
    for ph in layout.placeholders:
        t = ph.placeholder_format.type
        if t in FOOTERS:
            continue
        ph_el = ph._element.find(".//{*}nvPr/{*}ph")
        vertical = ph_el is not None and ph_el.get("orient") == "vert"
        out.append(("vertical" if vertical else "") + str(t))
    return sorted(out)


def _kinds_of(layouts: list) -> dict[int, list]:
    """Each layout's placeholder kinds, by id: reading them is most of choosing a layout."""
    return {id(lay): _kinds(lay) for lay in layouts}


def _by_type(role: str, k: list) -> bool:
    """Whether a layout's placeholder kinds (_kinds) fit a role."""
    title, center = str(PH.TITLE), str(PH.CENTER_TITLE)
    sub, body, obj = str(PH.SUBTITLE), str(PH.BODY), str(PH.OBJECT)
    if role == "title":  # LibreOffice's title slide has a plain title over its subtitle
        return k in (sorted([center, sub]), [center], sorted([title, sub]))
    if role == "content":
        return k == [title]
    if role == "section":  # a title with one text placeholder (PowerPoint, Google)
        return k in (sorted([title, body]), sorted([title, sub]))
    if role == "body":
        return k in (sorted([title, body]), sorted([title, obj]))
    if role == "blank":
        return k == []
    return False


def find_layout(layouts: list, role: str, kinds: dict[int, list] | None = None):
    """The template's layout for a role: among those whose placeholders fit the role, the
    first with a known name; else a known name; else one that fits; else the layout with the
    fewest placeholders that has a title (or, for 'blank', the fewest of all). `kinds`: the
    layouts' placeholder kinds by id (_kinds_of), when several roles are looked up."""
    kinds = kinds or _kinds_of(layouts)
    names = [n.lower() for n in ROLE_NAMES[role]]

    def rank(lay) -> int:
        name = lay.name.strip().lower()
        return names.index(name) if name in names else len(names)

    typed = [lay for lay in layouts if _by_type(role, kinds[id(lay)])]
    named = [lay for lay in layouts if rank(lay) < len(names)]
    if role == "section":
        # the section header and a body layout have the same placeholders: a name decides;
        # a layout without a title (LibreOffice's "Centered Text" has a subtitle only) serves
        # only when nothing else does
        typed_named = [lay for lay in typed if rank(lay) < len(names)]
        if typed_named:
            return min(typed_named, key=rank)
        titled = [lay for lay in named if any(t in TITLES for t in _types(lay))]
        if titled or named:
            return min(titled or named, key=rank)
    if typed:
        return min(typed, key=rank)
    if named:
        return min(named, key=rank)
    with_title = [lay for lay in layouts if any(t in TITLES for t in _types(lay))]
    pool = layouts if role == "blank" or not with_title else with_title
    return min(pool, key=lambda lay: len(lay.placeholders))


def choose_layouts(prs, first_slide_layout=None, paint=None) -> dict[str, object]:
    """The layout for each role (title, section, content, blank, body) over all the template's
    masters. One master: its layouts by find_layout. Several (LibreOffice writes one per
    Impress master page, a busy title page first): the title slide on the layout the
    template's own first slide used, if it is a title layout, else on the first master; the
    other roles on the master whose content zone is plainest behind the text, as `paint`
    (backdrop.paint of a layout) shows it (ties: the earlier master)."""
    roles = ("title", "section", "content", "blank", "body")
    ms = list(prs.slide_masters)
    first = list(ms[0].slide_layouts)
    if len(ms) == 1:
        kinds = _kinds_of(first)
        return {r: find_layout(first, r, kinds) for r in roles}
    from reportbuild.deck import backdrop

    k = design_scale(prs.slide_width, prs.slide_height)
    W, H = prs.slide_width / EMU_PER_PT / k, prs.slide_height / EMU_PER_PT / k
    paint = paint or (lambda lay: backdrop.paint(lay, W, H, k))

    generic = generic_layouts(prs)

    def rank(master) -> tuple:
        """Room first (a master whose content zone is under 45% of the slide is a title or
        section page), then how plain its content and title zones are, then the order."""
        lays = list(master.slide_layouts)
        kinds = _kinds_of(lays)
        content, body = find_layout(lays, "content", kinds), find_layout(lays, "body", kinds)
        drawn = paint(content)
        grid = content_grid(W, H, zones(prs, content, body, generic), drawn)
        busy = round(drawn.busy(grid.body) + 0.5 * drawn.busy(grid.title), 2)
        return (grid.body.h < 0.45 * H, busy, ms.index(master))

    best = min(ms, key=rank)
    lays = list(best.slide_layouts)
    kinds = _kinds_of(lays)
    out = {r: find_layout(lays, r, kinds) for r in roles}
    title_ok = first_slide_layout is not None and _by_type("title", _kinds(first_slide_layout))
    out["title"] = first_slide_layout if title_ok else find_layout(first, "title")
    return out


def content_grid(width: float, height: float, z: Zones, paint=None):
    """The grid of a content layout's zones (layout.Geometry.for_template); with the layout's
    backdrop `paint`, the content runs below the master's body zone where nothing is drawn."""
    from reportbuild.deck.layout import Box, Geometry

    return Geometry.for_template(
        width,
        height,
        Box(*z.title) if z.title else None,
        Box(*z.body) if z.body else None,
        z.footer_top,
        clear=(lambda box: paint.busy(box) < 0.01) if paint is not None else None,
    )


def _types(layout) -> set:
    return {ph.placeholder_format.type for ph in layout.placeholders}


def layout_named(layouts: list, name: str):
    """The layout of that name (the first, in the order given)."""
    want = name.strip().lower()
    return next((lay for lay in layouts if lay.name.strip().lower() == want), None)


@dataclass(frozen=True)
class Zones:
    """Rectangles (x, y, w, h) in design points read from the template's placeholders."""

    title: tuple[float, float, float, float] | None
    body: tuple[float, float, float, float] | None
    footer_top: float | None


def generic_layouts(prs) -> bool:
    """Whether the layouts place their placeholders the same way on every master while the
    masters themselves differ — LibreOffice writes each Impress master page's layouts with
    its own default placement, and the master's title and body areas are the design. Then
    the master's placeholders give the zones (LibreOffice lays slides out from them too)."""
    ms = list(prs.slide_masters)
    if len(ms) < 2:
        return False

    def geo(holder):
        ph = next((p for p in holder.placeholders if p.placeholder_format.type in TITLES), None)
        return None if ph is None else (ph.left, ph.top, ph.width, ph.height)

    on_layouts = {geo(find_layout(list(m.slide_layouts), "content")) for m in ms}
    return len(on_layouts) == 1 and len({geo(m) for m in ms}) > 1


def placement(layout, types, generic: bool):
    """The placeholder of one of `types` that gives its zone: the layout's, or with generic
    layouts the master's (a subtitle or body from the master's body area)."""
    if generic:
        want = TITLES if set(types) & TITLES else BODIES
        ph = next(
            (p for p in layout.slide_master.placeholders if p.placeholder_format.type in want),
            None,
        )
        if ph is not None:
            return ph
    cands = [ph for ph in layout.placeholders if ph.placeholder_format.type in types]
    return max(cands, key=lambda ph: ph.width * ph.height) if cands else None


def zones(prs, content_layout, body_layout, generic: bool = False) -> Zones:
    k = design_scale(prs.slide_width, prs.slide_height)

    def box(ph):
        return tuple(float(v) / EMU_PER_PT / k for v in (ph.left, ph.top, ph.width, ph.height))

    title = placement(content_layout, TITLES, generic)
    body = placement(body_layout, BODIES, generic) if body_layout is not None else None
    feet = [
        ph
        for holder in (content_layout, content_layout.slide_master)
        for ph in holder.placeholders
        if ph.placeholder_format.type in FOOTERS
    ]
    top = min((box(ph)[1] for ph in feet), default=None)
    return Zones(box(title) if title else None, box(body) if body else None, top)


def describe(path) -> list[str]:
    """What `reportbuild doctor --template` prints: the size, the layouts with their
    placeholders (by master, where there are several), and the layout each slide kind will
    use, chosen as a build chooses it (choose_layouts)."""
    from pptx import Presentation

    prs = Presentation(str(path))
    w, h = prs.slide_width, prs.slide_height
    ms = list(prs.slide_masters)
    first = prs.slides[0].slide_layout if len(prs.slides) else None
    lines = [
        f"template {path}: {w / 914400:.2f} × {h / 914400:.2f} in "
        f"({w / 360000:.2f} × {h / 360000:.2f} cm), "
        f"{sum(len(m.slide_layouts) for m in ms)} layouts"
        + (f" on {len(ms)} masters" if len(ms) > 1 else "")
        + f", laid out at {design_scale(w, h):.3f} of the design size"
    ]
    for i, master in enumerate(ms):
        for lay in master.slide_layouts:
            kinds = ", ".join(
                str(ph.placeholder_format.type).split(" ")[0].lower() for ph in lay.placeholders
            )
            where = f"master {i + 1} " if len(ms) > 1 else ""
            lines.append(f"  {where}layout '{lay.name}': {kinds or 'no placeholders'}")
    chosen = choose_layouts(prs, first)
    for role in ("title", "section", "content", "body"):
        lay = chosen[role]
        users = sorted(kind for kind, r in KIND_ROLE.items() if r == role) or [
            "(the grid's body zone)"
        ]
        where = f" of master {ms.index(lay.slide_master) + 1}" if len(ms) > 1 else ""
        lines.append(f"  {role:8} → '{lay.name}'{where}  for {', '.join(users)}")
    return lines
