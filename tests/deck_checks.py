"""What a designer checks on a finished deck, read back from the .pptx with python-pptx:
shapes on the slide, text within its box (measured again with the font's widths), no CJK word
split with one or two characters at a line's end, and text colour against what is under it.

The slides are read from their XML with lxml, once per slide and check: python-pptx's proxies
(a property, an xpath and a Length for every position) made these checks 9 of test_deck's and
test_deck_masters' CPU-s. Each value is the one python-pptx gives (a shape whose position is not
in its own XML, a placeholder's inherited one, is read through python-pptx)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pptx.oxml.ns import qn
from pptx.text.text import TextFrame
from pptx.util import Centipoints

from reportbuild import linebreak
from reportbuild.deck import measure

EMU_PER_PT = 12700
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

_SHAPE_TAGS = {qn(t) for t in ("p:sp", "p:grpSp", "p:graphicFrame", "p:cxnSp", "p:pic")}
_SHAPE_TAGS.add(qn("p:contentPart"))
_XFRM = {  # where each kind of shape keeps its a:xfrm (python-pptx's `xfrm`)
    qn("p:sp"): qn("p:spPr") + "/" + qn("a:xfrm"),
    qn("p:cxnSp"): qn("p:spPr") + "/" + qn("a:xfrm"),
    qn("p:pic"): qn("p:spPr") + "/" + qn("a:xfrm"),
    qn("p:grpSp"): qn("p:grpSpPr") + "/" + qn("a:xfrm"),
    qn("p:graphicFrame"): qn("p:xfrm"),
}
_GRAPHIC_DATA = qn("a:graphic") + "/" + qn("a:graphicData")
_TABLE_URI = "http://schemas.openxmlformats.org/drawingml/2006/table"
_CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_P, A_R, A_BR, A_T, A_RPR, A_PPR = (qn(f"a:{t}") for t in ("p", "r", "br", "t", "rPr", "pPr"))
A_FLD, A_LATIN, A_BODYPR = qn("a:fld"), qn("a:latin"), qn("a:bodyPr")
A_TR, A_TC, A_GRIDCOL, A_TCPR = qn("a:tr"), qn("a:tc"), qn("a:gridCol"), qn("a:tcPr")
A_SPCPTS, A_SRGB, A_SOLID = qn("a:spcPts"), qn("a:srgbClr"), qn("a:solidFill")
P_SP, P_SPPR, P_TXBODY = qn("p:sp"), qn("p:spPr"), qn("p:txBody")
P_FRAME, A_OFF, A_EXT, A_TBL = qn("p:graphicFrame"), qn("a:off"), qn("a:ext"), qn("a:tbl")
_NAME = "*/" + qn("p:cNvPr")
_SPACING = {t: qn(f"a:{t}") + "/" + A_SPCPTS for t in ("lnSpc", "spcBef", "spcAft")}


@dataclass
class Shape:
    """A shape of a slide as the checks see it: python-pptx's name, position and size (EMU),
    its own solid fill, its text body (a p:sp's), its table (a:tbl) and whether it is a chart."""

    el: Any
    name: str
    left: int
    top: int
    width: int
    height: int
    fill: str | None
    body: Any
    table: Any
    chart: bool


def slide_shapes(slide) -> list[Shape]:
    """The slide's shapes, back to front (python-pptx's `slide.shapes`)."""
    tree = slide.shapes
    out = []
    for el in tree._spTree.iterchildren():
        if el.tag not in _SHAPE_TAGS:
            continue
        xfrm = el.find(_XFRM[el.tag]) if el.tag in _XFRM else None
        off = xfrm.find(A_OFF) if xfrm is not None else None
        ext = xfrm.find(A_EXT) if xfrm is not None else None
        if off is not None and ext is not None:
            box = (int(off.get("x")), int(off.get("y")), int(ext.get("cx")), int(ext.get("cy")))
        else:  # inherited (a placeholder's), or none: python-pptx's answer
            sh = tree._shape_factory(el)
            box = (sh.left, sh.top, sh.width, sh.height)
        data = el.find(_GRAPHIC_DATA) if el.tag == P_FRAME else None
        uri = data.get("uri") if data is not None else None
        out.append(
            Shape(
                el,
                el.find(_NAME).get("name"),
                *box,
                fill=_solid(el),
                body=el.find(P_TXBODY) if el.tag == P_SP else None,
                table=data.find(A_TBL) if uri == _TABLE_URI else None,
                chart=uri == _CHART_URI,
            )
        )
    return out


def _has_text(body) -> bool:
    """Whether python-pptx's `text_frame.text` of the body has more than white space."""
    return any(
        (el.findtext(A_T) or "").strip()
        for p in body.iterchildren(A_P)
        for el in p
        if el.tag == A_R or el.tag == A_FLD
    )


def _cell_body(tc):
    body = tc.find(qn("a:txBody"))
    return body if body is not None else tc.get_or_add_txBody()


def shapes_outside(prs) -> list[str]:
    W, H = prs.slide_width, prs.slide_height
    bad = []
    for n, slide in enumerate(prs.slides, 1):
        for sh in slide_shapes(slide):
            if sh.left < 0 or sh.top < 0 or sh.left + sh.width > W or sh.top + sh.height > H:
                bad.append(f"slide {n} {sh.name}")
    return bad


def text_frames(prs):
    """(slide number, name, text frame, width pt, height pt) of every text in the slides,
    table cells included; the available size is the box minus its insets."""
    for n, slide in enumerate(prs.slides, 1):
        for sh in slide_shapes(slide):
            if sh.body is not None and _has_text(sh.body):
                body = sh.body.find(A_BODYPR)
                l_, r_ = (int(body.get(k, 91440)) for k in ("lIns", "rIns"))
                t_, b_ = (int(body.get(k, 45720)) for k in ("tIns", "bIns"))
                w = (sh.width - l_ - r_) / EMU_PER_PT
                h = (sh.height - t_ - b_) / EMU_PER_PT
                yield n, sh.name, TextFrame(sh.body, None), w, h
            if sh.table is not None:
                grid = sh.table.find(qn("a:tblGrid"))
                cols = [int(c.get("w")) for c in grid.iterchildren(A_GRIDCOL)]
                for ri, tr in enumerate(sh.table.iterchildren(A_TR)):
                    tcs = list(tr.iterchildren(A_TC))
                    for ci, col_w in enumerate(cols):
                        tc = tcs[ci]
                        pr = tc.find(A_TCPR)
                        m = {} if pr is None else pr.attrib
                        w = col_w - int(m.get("marL", 91440)) - int(m.get("marR", 91440))
                        h = int(tr.get("h")) - int(m.get("marT", 45720))
                        h -= int(m.get("marB", 45720))
                        yield (
                            n,
                            f"{sh.name} r{ri}c{ci}",
                            TextFrame(_cell_body(tc), None),
                            w / EMU_PER_PT,
                            h / EMU_PER_PT,
                        )


def _spacing(ppr, tag: str) -> float | None:
    """A paragraph's line pitch or space before or after in points, where set in points."""
    if ppr is None:
        return None
    pts = ppr.find(_SPACING[tag])
    return Centipoints(int(pts.get("val"))).pt if pts is not None else None


def paras_of(tf) -> list[measure.Para]:
    """The paragraphs as written — sizes, faces, pitch, spacing, line breaks — to measure them
    again."""
    out = []
    for p in tf._txBody.iterchildren(A_P):
        runs = []
        for el in p:
            if el.tag == A_R:
                runs.append((el.find(A_T).text or "", el.find(A_RPR)))
            elif el.tag == A_BR:
                runs.append(("\v", None))
        first = next((r for r in runs if r[1] is not None), None)
        if first is None:
            continue
        rpr = first[1]
        size = int(rpr.get("sz")) / 100
        latin = rpr.find(A_LATIN).get("typeface")
        ppr = p.find(A_PPR)
        pitch = _spacing(ppr, "lnSpc")
        before, after = _spacing(ppr, "spcBef"), _spacing(ppr, "spcAft")
        out.append(
            measure.Para(
                tuple(measure.Run(t, rpr is not None and rpr.get("b") == "1") for t, rpr in runs),
                size,
                latin,
                line=(pitch if pitch is not None else size * 1.2) / size,
                before=before if before is not None else 0.0,
                after=after if after is not None else 0.0,
            )
        )
    return out


def overfull(prs) -> list[str]:
    bad = []
    for n, name, tf, w, h in text_frames(prs):
        need = measure.block_height(paras_of(tf), w)
        if need > h + 0.5:
            bad.append(f"slide {n} {name}: {need:.1f} pt of text in {h:.1f} pt")
    return bad


def split_words(prs) -> list[str]:
    """Lines that end inside a Chinese word (the segmenter's), or a paragraph whose last line
    is one Han character alone."""
    bad = []
    for n, name, tf, w, _h in text_frames(prs):
        for p in paras_of(tf):
            lines = measure.para_lines(p, w)
            text = "".join(lines)
            ends, at = set(), 0
            for piece in linebreak.pieces(text):
                at += len(piece)
                ends.add(at)
            at = 0
            for i, ln in enumerate(lines[:-1]):
                at += len(ln)
                nxt = lines[i + 1][:1]
                if HAN.match(ln[-1:]) and HAN.match(nxt) and at not in ends:
                    bad.append(f"slide {n} {name}: '{ln[-3:]}|{lines[i + 1][:3]}'")
            if len(lines) > 1 and len(lines[-1]) == 1 and HAN.match(lines[-1]):
                bad.append(f"slide {n} {name}: last line '{lines[-1]}' alone")
    return bad


def luminance(hex_colour: str) -> float:
    def ch(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _solid(el) -> str | None:
    """The sRGB colour of a shape's or cell's own solid fill, if it has one."""
    sppr = el.find(P_SPPR)
    if sppr is None:
        sppr = el.find(A_TCPR)
    if sppr is None:
        return None
    fill = sppr.find(A_SOLID)
    clr = fill.find(A_SRGB) if fill is not None else None
    return clr.get("val") if clr is not None else None


def _background(slide) -> str:
    bg = slide._element.find(".//" + qn("p:bg"))
    if bg is not None:
        clr = bg.find(".//" + A_SRGB)
        if clr is not None:
            return clr.get("val")
    return "FFFFFF"  # the masters the tests use have white backgrounds


def ink_points(sh: Shape) -> list[tuple[float, float]]:
    """Points (EMU) where a text shape's text lies: the corners (2 pt in: a line's glyphs
    stand within its pitch) and the centre of the box its measured lines fill, placed by the
    paragraphs' alignment and the anchor."""
    body = sh.body.find(A_BODYPR)
    l_, r_ = (int(body.get(k, 91440)) for k in ("lIns", "rIns"))
    t_, b_ = (int(body.get(k, 45720)) for k in ("tIns", "bIns"))
    x0, y0 = sh.left + l_, sh.top + t_
    w, h = sh.width - l_ - r_, sh.height - t_ - b_
    paras = paras_of(TextFrame(sh.body, None))
    if paras:
        ink_w = min(w, measure.widest_line(paras, w / EMU_PER_PT) * EMU_PER_PT)
        ink_h = min(h, measure.block_height(paras, w / EMU_PER_PT) * EMU_PER_PT)
        algns = set()
        for p in sh.body.iterchildren(A_P):
            ppr = p.find(A_PPR)
            algns.add((ppr.get("algn") if ppr is not None else None) or "l")
        if algns == {"ctr"}:
            x0 += (w - ink_w) / 2
        elif algns == {"r"}:
            x0 += w - ink_w
        anchor = body.get("anchor", "t")
        y0 += {"t": 0, "ctr": (h - ink_h) / 2, "b": h - ink_h}.get(anchor, 0)
        w, h = ink_w, ink_h
    d = 2 * EMU_PER_PT
    return [
        (x0 + d, y0 + d),
        (x0 + w - d, y0 + d),
        (x0 + d, y0 + h - d),
        (x0 + w - d, y0 + h - d),
        (x0 + w / 2, y0 + h / 2),
    ]


def low_contrast(prs, back=None) -> list[str]:
    """Every run's colour against the fills under its text (its shape's, a table cell's, the
    topmost filled shape beneath each corner and the centre of its measured text, or else the
    background: `back(slide, x, y)` gives the colours its master paints at a point, the
    slide's own fill by default): 4.5:1, or 3:1 for bold text of 18 pt and more. Chart data
    labels are checked against their series' fill (inside the bars) or what is under the
    chart."""
    bad = []
    scale = _scale(prs)
    for n, slide in enumerate(prs.slides, 1):
        shapes = slide_shapes(slide)
        plain = _background(slide)
        at = (
            (lambda x, y, slide=slide: back(slide, x, y))
            if back
            else (lambda _x, _y, plain=plain: [plain])
        )

        def beneath(i, x, y, shapes=shapes, at=at) -> list[str]:
            for below in reversed(shapes[:i]):
                if (
                    below.fill
                    and below.left <= x <= below.left + below.width
                    and below.top <= y <= below.top + below.height
                ):
                    return [below.fill]
            return at(x, y)

        for i, sh in enumerate(shapes):
            if sh.chart:
                under = beneath(i, sh.left + sh.width / 2, sh.top + sh.height / 2)
                for colour in under:
                    bad += _chart_contrast(n, slide.shapes._shape_factory(sh.el), colour)
                continue
            frames = []
            if sh.body is not None:  # a p:sp without one has no runs (python-pptx adds one)
                under = (
                    [sh.fill]
                    if sh.fill
                    else list(dict.fromkeys(c for x, y in ink_points(sh) for c in beneath(i, x, y)))
                )
                frames.append((sh.name, sh.body, under))
            if sh.table is not None:
                for ri, tr in enumerate(sh.table.iterchildren(A_TR)):
                    for ci, tc in enumerate(tr.iterchildren(A_TC)):
                        fill = _solid(tc)
                        frames.append(
                            (
                                f"{sh.name} r{ri}c{ci}",
                                _cell_body(tc),
                                [fill] if fill else at(sh.left, sh.top),
                            )
                        )
            for name, body, fills in frames:
                for r in body.iter(A_R):
                    rpr = r.find(A_RPR)
                    clr = rpr.find(".//" + A_SRGB) if rpr is not None else None
                    text = r.find(A_T).text or ""
                    if clr is None or not text.strip():
                        continue
                    size = int(rpr.get("sz", "1800")) / 100 / scale
                    need = 3.0 if size >= 18 and rpr.get("b") == "1" else 4.5
                    for fill in fills:
                        got = contrast(clr.get("val"), fill)
                        if got < need:
                            bad.append(
                                f"slide {n} {name}: #{clr.get('val')} on #{fill} "
                                f"{got:.2f}:1 '{text[:12]}'"
                            )
    return bad


def _scale(prs) -> float:
    from reportbuild.deck.masters import design_scale

    return design_scale(prs.slide_width, prs.slide_height)


def _chart_contrast(n: int, sh, back: str) -> list[str]:
    bad = []
    cs = sh.chart._chartSpace
    for ser in cs.iter(qn("c:ser")):
        sp = ser.find(qn("c:spPr"))
        fill = _solid_fill(sp)
        points = {
            int(dpt.find(qn("c:idx")).get("val")): _solid_fill(dpt.find(qn("c:spPr")))
            for dpt in ser.findall(qn("c:dPt"))
        }
        own = ser.find(qn("c:dLbls"))
        plot_level = [d for d in cs.iter(qn("c:dLbls")) if d.getparent().tag != qn("c:ser")]
        for where in [own] if own is not None else plot_level:
            pos = where.find(qn("c:dLblPos"))
            inside = pos is None or pos.get("val") in ("ctr", "inEnd", "inBase")
            for clr in where.iter(qn("a:srgbClr")):
                if clr.getparent().getparent().tag != qn("a:defRPr"):
                    continue
                fills = [fill, *points.values()] if inside else [back]
                for f in fills:
                    if f and contrast(clr.get("val"), f) < 4.5:
                        bad.append(f"slide {n} {sh.name}: label #{clr.get('val')} on #{f}")
    return sorted(set(bad))


def _solid_fill(sp) -> str | None:
    if sp is None:
        return None
    fill = sp.find(qn("a:solidFill"))
    clr = fill.find(qn("a:srgbClr")) if fill is not None else None
    return clr.get("val") if clr is not None else None
