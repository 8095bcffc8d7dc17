"""What a master and its layout paint behind the slide's text, as a small picture.

A corporate or LibreOffice master may have a dark or photographic background, a gradient, or
decorative shapes and pictures over part of the slide. Text colours chosen against white are
then unreadable. This module paints the layout's background (`p:bg`: solid, gradient, picture,
pattern or the theme's background style) and the master's and layout's own shapes and pictures
(not their placeholders) into a Pillow image in design points, so the deck can read the colours
under any box: the text colour is chosen to reach the contrast it needs over all of them, and
where none does, the text gets a panel.

Pillow is matplotlib's dependency. Geometry is approximated: preset shapes as their rectangle or
ellipse, custom paths as polygons (curves flattened), groups through their child transform;
line art and text boxes of the master are left out (too thin to carry text on).
"""

from __future__ import annotations

import colorsys
import contextlib
import io
import math
from collections import Counter

from lxml import etree

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EMU_PER_PT = 12700
# pixels per design point of the map: a 960 pt slide is 480 px wide, detail enough for zones
PX = 0.5
FILLS = ("noFill", "solidFill", "gradFill", "blipFill", "pattFill", "grpFill")
ELLIPSES = {"ellipse", "donut", "pie", "chord", "arc", "blockArc", "flowChartConnector"}


def _a(tag: str) -> str:
    return f"{{{A}}}{tag}"


def _p(tag: str) -> str:
    return f"{{{P}}}{tag}"


class Theme:
    """A master's colour scheme and colour map, to resolve a:schemeClr."""

    def __init__(self, master):
        from pptx.opc.constants import RELATIONSHIP_TYPE as RT

        self.slots: dict[str, str] = {}
        self.root = None
        with contextlib.suppress(KeyError, etree.XMLSyntaxError):
            self.root = etree.fromstring(master.part.part_related_by(RT.THEME).blob)
        scheme = self.root.find(f".//{_a('clrScheme')}") if self.root is not None else None
        for slot in scheme if scheme is not None else ():
            name = etree.QName(slot).localname
            for c in slot:
                val = c.get("lastClr") if c.tag == _a("sysClr") else c.get("val")
                if val:
                    self.slots[name] = "#" + val.upper()
        cmap = master._element.find(_p("clrMap"))
        self.map = dict(cmap.attrib) if cmap is not None else {}
        self.map.setdefault("bg1", "lt1")
        self.map.setdefault("tx1", "dk1")
        self.map.setdefault("bg2", "lt2")
        self.map.setdefault("tx2", "dk2")

    def scheme(self, val: str) -> str:
        return self.slots.get(self.map.get(val, val), "#808080")

    def style(self, lst: str, idx: int):
        """The theme's fill style `idx` (1-based) from fillStyleLst or bgFillStyleLst."""
        if self.root is None or idx < 1:
            return None
        node = self.root.find(f".//{_a(lst)}")
        kids = [c for c in node] if node is not None else []
        return kids[idx - 1] if idx <= len(kids) else None


def colour(el, theme: Theme, ph: str = "#808080") -> tuple[str, float]:
    """(#RRGGBB, alpha 0..1) of a colour element (srgbClr, schemeClr, sysClr, prstClr…)."""
    if el is None:
        return ph, 1.0
    tag = etree.QName(el).localname
    if tag == "srgbClr":
        base = "#" + (el.get("val") or "808080").upper()
    elif tag == "sysClr":
        base = "#" + (el.get("lastClr") or "000000").upper()
    elif tag == "schemeClr":
        base = ph if el.get("val") == "phClr" else theme.scheme(el.get("val") or "")
    elif tag == "prstClr":
        base = {"white": "#FFFFFF", "black": "#000000"}.get(el.get("val") or "", "#808080")
    else:
        base = "#808080"
    r, g, b = (int(base[i : i + 2], 16) / 255 for i in (1, 3, 5))
    alpha = 1.0
    for mod in el:
        name, v = etree.QName(mod).localname, int(mod.get("val", "100000")) / 100000
        if name == "alpha":
            alpha = v
        elif name == "tint":  # towards white
            r, g, b = (c + (1 - c) * (1 - v) for c in (r, g, b))
        elif name == "shade":  # towards black
            r, g, b = (c * v for c in (r, g, b))
        elif name in ("lumMod", "lumOff"):
            h, lum, s = colorsys.rgb_to_hls(r, g, b)
            lum = lum * v if name == "lumMod" else lum + v
            r, g, b = colorsys.hls_to_rgb(h, min(1.0, max(0.0, lum)), s)
    out = "#" + "".join(f"{round(min(1, max(0, c)) * 255):02X}" for c in (r, g, b))
    return out, alpha


def _colour_child(el):
    return next((c for c in el if etree.QName(c).localname.endswith("Clr")), None)


class Painter:
    """Paints fills onto an RGBA map of the slide, in design points × PX."""

    def __init__(self, width: float, height: float, scale: float):
        from PIL import Image

        self.k = PX / scale / EMU_PER_PT  # EMU → map pixels
        self.size = (max(1, round(width * PX)), max(1, round(height * PX)))
        self.img = Image.new("RGBA", self.size, (255, 255, 255, 255))

    def fill(self, fill, theme: Theme, part, mask, box, ph: str = "#808080") -> None:
        """Paint `fill` (an a:*Fill element) through `mask` (an L image) over `box` (px)."""
        from PIL import Image

        tag = etree.QName(fill).localname
        layer = None
        if tag == "solidFill":
            c, alpha = colour(_colour_child(fill), theme, ph)
            layer = Image.new("RGBA", self.size, _rgba(c, alpha))
        elif tag == "pattFill":  # fore- and background colours mixed, as the eye sees them
            fg = colour(_colour_child(fill.find(_a("fgClr"))), theme, ph)[0]
            bg = colour(_colour_child(fill.find(_a("bgClr"))), theme, ph)[0]
            layer = Image.new("RGBA", self.size, _rgba(_mix(fg, bg, 0.5), 1.0))
        elif tag == "gradFill":
            layer = self._gradient(fill, theme, box, ph)
        elif tag == "blipFill":
            layer = self._picture(fill, part, box)
        if layer is None:
            return
        alpha = layer.getchannel("A")
        from PIL import ImageChops

        layer.putalpha(ImageChops.multiply(alpha, mask))
        self.img.alpha_composite(layer)

    def _gradient(self, fill, theme: Theme, box, ph: str):
        import numpy as np  # here: a deck on the built-in master paints nothing (0.17 s)
        from PIL import Image

        stops = []
        for gs in fill.iter(_a("gs")):
            c, alpha = colour(_colour_child(gs), theme, ph)
            stops.append((int(gs.get("pos", "0")) / 100000, c, alpha))
        if not stops:
            return None
        stops.sort()
        lin = fill.find(_a("lin"))
        angle = math.radians(int(lin.get("ang", "0")) / 60000) if lin is not None else math.pi / 2
        x0, y0, x1, y1 = box
        w, h = max(1, x1 - x0), max(1, y1 - y0)
        dx, dy = math.cos(angle), math.sin(angle)
        span = abs(dx) * w + abs(dy) * h or 1
        ys, xs = np.mgrid[0 : self.size[1], 0 : self.size[0]].astype(float)
        path = fill.find(_a("path"))
        if path is not None:  # radial: the first stop at the focus, the last at the corners
            to = path.find(_a("fillToRect"))
            l_ = int(to.get("l", "50000")) / 100000 if to is not None else 0.5
            t_ = int(to.get("t", "50000")) / 100000 if to is not None else 0.5
            fx, fy = x0 + w * l_, y0 + h * t_
            rx, ry = max(fx - x0, x1 - fx) or 1, max(fy - y0, y1 - fy) or 1
            if path.get("path") == "circle":
                t = np.hypot((xs - fx) / rx, (ys - fy) / ry) / math.sqrt(2)
            else:
                t = np.maximum(abs(xs - fx) / rx, abs(ys - fy) / ry)
            t = np.clip(t, 0.0, 1.0)
        else:  # where each pixel lies along the gradient's direction, 0..1 across its box
            start = (x0 if dx >= 0 else x1) * dx + (y0 if dy >= 0 else y1) * dy
            t = np.clip((xs * dx + ys * dy - start) / span, 0.0, 1.0)
        pos = [p for p, _c, _a in stops]
        chans = [
            np.interp(t, pos, [int(c[k : k + 2], 16) for _p, c, _a in stops]) for k in (1, 3, 5)
        ]
        chans.append(np.interp(t, pos, [a * 255 for _p, _c, a in stops]))
        rgba = np.dstack(chans).round().astype(np.uint8)
        return Image.fromarray(rgba, "RGBA")

    def _picture(self, fill, part, box):
        from PIL import Image, UnidentifiedImageError

        blip = fill.find(_a("blip"))
        rid = blip.get(f"{{{R}}}embed") if blip is not None else None
        x0, y0, x1, y1 = (round(v) for v in box)
        layer = Image.new("RGBA", self.size, (0, 0, 0, 0))
        if not rid or x1 <= x0 or y1 <= y0:
            return None
        try:
            pic = Image.open(io.BytesIO(part.related_part(rid).blob)).convert("RGBA")
        except (KeyError, OSError, UnidentifiedImageError, ValueError):
            # a vector picture (EMF, SVG) Pillow cannot read: mid grey, so that text over it
            # is taken to need a panel rather than assumed to read
            pic = Image.new("RGBA", (1, 1), (128, 128, 128, 255))
        size = (x1 - x0, y1 - y0)
        # averaged when shrunk, never overshooting (bicubic rings: colours the picture lacks)
        up = size[0] >= pic.width and size[1] >= pic.height
        layer.paste(
            pic.resize(size, Image.Resampling.NEAREST if up else Image.Resampling.BOX), (x0, y0)
        )
        return layer

    def mask(self, geom: str, pts: list[list[tuple[float, float]]], box):
        from PIL import Image, ImageDraw

        m = Image.new("L", self.size, 0)
        d = ImageDraw.Draw(m)
        if pts:
            for poly in pts:
                if len(poly) >= 3:
                    d.polygon(poly, fill=255)
        elif geom in ELLIPSES:
            d.ellipse(box, fill=255)
        else:
            d.rectangle(box, fill=255)
        return m


def _rgba(c: str, alpha: float) -> tuple[int, int, int, int]:
    return (int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16), round(alpha * 255))


def _mix(a: str, b: str, t: float) -> str:
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(ca, cb, strict=True))


def _xfrm(el):
    for path in (_a("xfrm"), _p("xfrm")):
        x = el.find(f"./{{*}}spPr/{path}")
        if x is None:
            x = el.find(f"./{{*}}grpSpPr/{path}")
        if x is None:
            x = el.find(f"./{path}")
        if x is not None:
            return x
    return None


def _rect(x) -> tuple[float, float, float, float] | None:
    off, ext = x.find(_a("off")), x.find(_a("ext"))
    if off is None or ext is None:
        return None
    return (
        float(off.get("x", 0)),
        float(off.get("y", 0)),
        float(ext.get("cx", 0)),
        float(ext.get("cy", 0)),
    )


def _paths(spPr, rect, to_px) -> list[list[tuple[float, float]]]:
    """A custom geometry's paths as polygons in map pixels (curves by their points)."""
    cust = spPr.find(_a("custGeom"))
    if cust is None:
        return []
    x, y, w, h = rect
    out = []
    for path in cust.iter(_a("path")):
        pw = float(path.get("w", 0) or w) or 1
        ph = float(path.get("h", 0) or h) or 1
        poly: list[tuple[float, float]] = []
        for step in path:
            for pt in step.iter(_a("pt")):
                px = x + float(pt.get("x", 0)) / pw * w
                py = y + float(pt.get("y", 0)) / ph * h
                poly.append(to_px(px, py))
            if etree.QName(step).localname == "moveTo" and len(poly) > 1:
                out.append(poly[:-1])
                poly = poly[-1:]
        if poly:
            out.append(poly)
    return out


class Backdrop:
    """The colours behind every point of a slide made on a layout: read with `under(box)`."""

    def __init__(self, image):
        self.image = image.convert("RGB")

    def under(self, box, fills=()) -> list[str]:
        """The colours under `box` (design points) worth reading against: of the groups of
        near-equal colours that together cover 99.5% of it (largest first) and of any other
        group as large as 4 × 4 points, the lightest and darkest of each — a photograph's
        specks are left out, the tip of a shape under a letter is not. `fills`
        are (box, colour) of shapes the slide has put there since, painted over the map."""
        from PIL import ImageDraw

        img = self.image
        if fills:
            img = img.copy()
            d = ImageDraw.Draw(img)
            for b, c in fills:
                x0, y0 = b.x * PX, b.y * PX
                d.rectangle(
                    (x0, y0, max(x0, b.right * PX - 1), max(y0, b.bottom * PX - 1)),
                    fill=_rgba(c if c.startswith("#") else "#" + c, 1.0)[:3],
                )
        counts = _counts(img.crop(self._px(box)))
        total = sum(counts.values()) or 1
        groups: dict[tuple, list[tuple[int, tuple]]] = {}
        for rgb, n in counts.items():
            groups.setdefault(tuple(_bin(v) for v in rgb), []).append((n, rgb))
        out: list[str] = []
        seen = 0
        for members in sorted(groups.values(), key=lambda m: -sum(n for n, _ in m)):
            count = sum(n for n, _ in members)
            if seen / total >= 0.995 and count < 4:
                break  # specks: less than 4 × 4 points together, and under 0.5% of the box
            seen += count
            lum = sorted(members, key=lambda m: sum(m[1]))
            for _n, rgb in (lum[0], lum[-1]):
                c = "#{:02X}{:02X}{:02X}".format(*rgb)
                if c not in out:
                    out.append(c)
        return out or ["#FFFFFF"]

    def _px(self, box) -> tuple[int, int, int, int]:
        x0, y0 = max(0, int(box.x * PX)), max(0, int(box.y * PX))
        x1 = min(self.image.width, max(x0 + 1, int(math.ceil(box.right * PX))))
        y1 = min(self.image.height, max(y0 + 1, int(math.ceil(box.bottom * PX))))
        return x0, y0, x1, y1

    def busy(self, box) -> float:
        """The share of `box` not in its most common colour: 0 for a plain zone."""
        shares = self.shares(box)
        return 1.0 - (shares[0][1] if shares else 1.0)

    def clear_part(self, box, sides: str = "lr", most: float = 0.25):
        """The largest part of `box` where the master paints nothing but its background,
        found by moving the edges named in `sides` (l, r, t, b) in, each by at most `most` of
        the box's width or height; `box` itself when it is clear, None when no such part is.
        A title that would run over a master's corner triangle, content over a band at the
        slide's edge, keep to the plain middle instead."""
        import numpy as np

        from reportbuild.deck.layout import Box

        x0, y0, x1, y1 = self._px(box)
        rgb = np.asarray(self.image.crop((x0, y0, x1, y1)).point(_bin), dtype=np.int32)
        if rgb.size == 0:
            return box
        code = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
        colours, counts = np.unique(code, return_counts=True)
        busy = code != colours[counts.argmax()]  # not the zone's own background
        if not busy.any():
            return box
        h, w = busy.shape
        sat = np.zeros((h + 1, w + 1), dtype=np.int32)  # summed-area table of busy pixels
        sat[1:, 1:] = busy.cumsum(0).cumsum(1)
        steps = 24

        def insets(side: str, size: int) -> list[int]:
            if side not in sides:
                return [0]
            return sorted({round(size * most * i / steps) for i in range(steps + 1)})

        lefts = np.array(insets("l", w))[:, None]  # every left inset against every right one
        rights = w - np.array(insets("r", w))[None, :]
        best, area = None, 0
        for t in insets("t", h):
            for b in insets("b", h):
                ya, yb = t, h - b
                if yb <= ya:
                    continue
                n = sat[yb, rights] - sat[ya, rights] - sat[yb, lefts] + sat[ya, lefts]
                sizes = np.where((n == 0) & (rights > lefts), (rights - lefts) * (yb - ya), 0)
                i, j = np.unravel_index(sizes.argmax(), sizes.shape)
                if sizes[i, j] > area:
                    best, area = (t, b, int(lefts[i, 0]), w - int(rights[0, j])), sizes[i, j]
        if best is None:
            return None
        t, b, left, r = (v / PX for v in best)
        return Box(box.x + left, box.y + t, box.w - left - r, box.h - t - b)

    def shares(self, box) -> list[tuple[str, float]]:
        counts = _counts(self.image.crop(self._px(box)).point(_bin))
        total = sum(counts.values()) or 1
        return [("#{:02X}{:02X}{:02X}".format(*rgb), n / total) for rgb, n in counts.most_common()]


def _counts(img) -> Counter:
    """How many pixels of each colour an RGB image has."""
    return Counter({rgb: n for n, rgb in img.getcolors(img.width * img.height) or []})


def _bin(v: int) -> int:
    """A channel in steps of 16 (the bin's middle): a photograph's near-equal pixels count as
    one colour, within 8 levels of each pixel."""
    return min(255, v // 16 * 16 + 8)


def paint(layout, width: float, height: float, scale: float) -> Backdrop:
    """The layout's background and the decoration of its master and itself, painted."""
    master = layout.slide_master
    theme = Theme(master)
    pn = Painter(width, height, scale)
    full = (0, 0, pn.size[0], pn.size[1])
    bg = None
    for holder in (layout, master):
        bg = holder._element.find(f"{_p('cSld')}/{_p('bg')}")
        if bg is not None:
            _background(pn, bg, theme, holder.part, full)
            break
    if bg is None:  # no background anywhere: the theme's plain lt1/bg1 (white by default)
        pn.fill(_solid(theme.scheme("bg1")), theme, None, pn.mask("rect", [], full), full)
    show_master = layout._element.get("showMasterSp", "1") not in ("0", "false")
    for holder in ([master] if show_master else []) + [layout]:
        tree = holder._element.find(f"{_p('cSld')}/{_p('spTree')}")
        if tree is not None:
            _shapes(pn, tree, theme, holder.part, lambda x, y: (x, y))
    return Backdrop(pn.img)


def _solid(c: str):
    el = etree.Element(_a("solidFill"))
    etree.SubElement(el, _a("srgbClr"), val=c.lstrip("#"))
    return el


def _background(pn: Painter, bg, theme: Theme, part, full) -> None:
    mask = pn.mask("rect", [], full)
    pr = bg.find(_p("bgPr"))
    if pr is not None:
        fill = next((c for c in pr if etree.QName(c).localname in FILLS), None)
        if fill is not None:
            pn.fill(fill, theme, part, mask, full)
        return
    ref = bg.find(_p("bgRef"))
    if ref is not None:
        ph = colour(_colour_child(ref), theme)[0]
        idx = int(ref.get("idx", "0"))
        style = (
            theme.style("bgFillStyleLst", idx - 1000)
            if idx > 1000
            else theme.style("fillStyleLst", idx)
        )
        if style is not None:
            pn.fill(style, theme, part, mask, full, ph)
        else:
            pn.fill(_solid(ph), theme, part, mask, full)


def _shapes(pn: Painter, tree, theme: Theme, part, to_emu) -> None:
    """Paint a shape tree's non-placeholder shapes, pictures and groups, in order."""
    k = pn.k
    for el in tree:
        tag = etree.QName(el).localname
        if tag not in ("sp", "pic", "grpSp"):
            continue
        if el.find(f".//{_p('nvPr')}/{_p('ph')}") is not None and tag != "grpSp":
            continue
        x = _xfrm(el)
        rect = _rect(x) if x is not None else None
        if rect is None:
            continue
        if tag == "grpSp":
            ch_off, ch_ext = x.find(_a("chOff")), x.find(_a("chExt"))
            if ch_off is None or ch_ext is None:
                continue
            cx, cy = float(ch_off.get("x", 0)), float(ch_off.get("y", 0))
            cw, chh = float(ch_ext.get("cx", 0)) or 1, float(ch_ext.get("cy", 0)) or 1
            gx, gy, gw, gh = rect

            def inner(px, py, gx=gx, gy=gy, gw=gw, gh=gh, cx=cx, cy=cy, cw=cw, chh=chh):
                return to_emu(gx + (px - cx) / cw * gw, gy + (py - cy) / chh * gh)

            _shapes(pn, el, theme, part, inner)
            continue
        x0, y0 = to_emu(rect[0], rect[1])
        x1, y1 = to_emu(rect[0] + rect[2], rect[1] + rect[3])
        box = (min(x0, x1) * k, min(y0, y1) * k, max(x0, x1) * k, max(y0, y1) * k)
        if box[2] - box[0] < 1 or box[3] - box[1] < 1:
            continue  # a line or a hairline: nothing to set text on
        sp_pr = el.find(_p("spPr"))
        if tag == "pic":
            fill = el.find(_p("blipFill"))
            if fill is not None:
                pn.fill(_as_a(fill), theme, part, pn.mask("rect", [], box), box)
            continue
        if sp_pr is None:
            continue
        fill = next((c for c in sp_pr if etree.QName(c).localname in FILLS), None)
        ph = "#808080"
        if fill is None:  # the shape's style names a theme fill
            ref = el.find(f"{_p('style')}/{_a('fillRef')}")
            if ref is None or int(ref.get("idx", "0")) == 0:
                continue
            ph = colour(_colour_child(ref), theme)[0]
            fill = theme.style("fillStyleLst", int(ref.get("idx", "0")))
            if fill is None:
                continue
        if etree.QName(fill).localname in ("noFill", "grpFill"):
            continue
        geom = sp_pr.find(_a("prstGeom"))
        name = geom.get("prst", "rect") if geom is not None else "rect"
        flip_h, flip_v = x.get("flipH") == "1", x.get("flipV") == "1"
        rot = int(x.get("rot", "0")) / 60000

        def to_px(px, py, rect=rect, flip_h=flip_h, flip_v=flip_v, rot=rot):
            rx, ry, rw, rh = rect
            if flip_h:
                px = 2 * rx + rw - px
            if flip_v:
                py = 2 * ry + rh - py
            if rot:
                cx, cy = rx + rw / 2, ry + rh / 2
                a = math.radians(rot)
                px, py = (
                    cx + (px - cx) * math.cos(a) - (py - cy) * math.sin(a),
                    cy + (px - cx) * math.sin(a) + (py - cy) * math.cos(a),
                )
            ex, ey = to_emu(px, py)
            return ex * k, ey * k

        polys = _paths(sp_pr, rect, to_px)
        if not polys and rot:
            rx, ry, rw, rh = rect
            polys = [
                [to_px(rx, ry), to_px(rx + rw, ry), to_px(rx + rw, ry + rh), to_px(rx, ry + rh)]
            ]
        pn.fill(fill, theme, part, pn.mask(name, polys, box), box, ph)


def _as_a(fill):
    """p:blipFill (a picture's) read as an a:blipFill: the same children."""
    el = etree.Element(_a("blipFill"))
    for c in fill:
        el.append(etree.fromstring(etree.tostring(c)))
    return el
