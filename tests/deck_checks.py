"""What a designer checks on a finished deck, read back from the .pptx with python-pptx:
shapes on the slide, text within its box (measured again with the font's widths), no CJK word
split with one or two characters at a line's end, and text colour against what is under it."""

from __future__ import annotations

import re

from pptx.oxml.ns import qn

from reportbuild import linebreak
from reportbuild.deck import measure

EMU_PER_PT = 12700
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def shapes_outside(prs) -> list[str]:
    W, H = prs.slide_width, prs.slide_height
    bad = []
    for n, slide in enumerate(prs.slides, 1):
        for sh in slide.shapes:
            if sh.left < 0 or sh.top < 0 or sh.left + sh.width > W or sh.top + sh.height > H:
                bad.append(f"slide {n} {sh.name}")
    return bad


def text_frames(prs):
    """(slide number, name, text frame, width pt, height pt) of every text in the slides,
    table cells included; the available size is the box minus its insets."""
    for n, slide in enumerate(prs.slides, 1):
        for sh in slide.shapes:
            if sh.has_text_frame and sh.text_frame.text.strip():
                body = sh.text_frame._txBody.find(qn("a:bodyPr"))
                l_, r_ = (int(body.get(k, 91440)) for k in ("lIns", "rIns"))
                t_, b_ = (int(body.get(k, 45720)) for k in ("tIns", "bIns"))
                w = (sh.width - l_ - r_) / EMU_PER_PT
                h = (sh.height - t_ - b_) / EMU_PER_PT
                yield n, sh.name, sh.text_frame, w, h
            if sh.has_table:
                tbl = sh.table
                for ri, row in enumerate(tbl.rows):
                    for ci, col in enumerate(tbl.columns):
                        cell = tbl.cell(ri, ci)
                        w = (col.width - cell.margin_left - cell.margin_right) / EMU_PER_PT
                        h = (row.height - cell.margin_top - cell.margin_bottom) / EMU_PER_PT
                        yield n, f"{sh.name} r{ri}c{ci}", cell.text_frame, w, h


def paras_of(tf) -> list[measure.Para]:
    """The paragraphs as written — sizes, faces, pitch, spacing, line breaks — to measure them
    again."""
    out = []
    for p in tf.paragraphs:
        runs = []
        for el in p._p:
            if el.tag == qn("a:r"):
                rpr = el.find(qn("a:rPr"))
                runs.append((el.find(qn("a:t")).text or "", rpr))
            elif el.tag == qn("a:br"):
                runs.append(("\v", None))
        first = next((r for r in runs if r[1] is not None), None)
        if first is None:
            continue
        rpr = first[1]
        size = int(rpr.get("sz")) / 100
        latin = rpr.find(qn("a:latin")).get("typeface")
        pitch = p.line_spacing.pt if hasattr(p.line_spacing, "pt") else size * 1.2
        out.append(
            measure.Para(
                tuple(measure.Run(t, rpr is not None and rpr.get("b") == "1") for t, rpr in runs),
                size,
                latin,
                line=pitch / size,
                before=p.space_before.pt if p.space_before is not None else 0.0,
                after=p.space_after.pt if p.space_after is not None else 0.0,
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
    sppr = el.find(qn("p:spPr"))
    if sppr is None:
        sppr = el.find(qn("a:tcPr"))
    if sppr is None:
        return None
    fill = sppr.find(qn("a:solidFill"))
    clr = fill.find(qn("a:srgbClr")) if fill is not None else None
    return clr.get("val") if clr is not None else None


def _background(slide) -> str:
    bg = slide._element.find(".//" + qn("p:bg"))
    if bg is not None:
        clr = bg.find(".//" + qn("a:srgbClr"))
        if clr is not None:
            return clr.get("val")
    return "FFFFFF"  # the masters the tests use have white backgrounds


def ink_points(sh, tf) -> list[tuple[float, float]]:
    """Points (EMU) where a text frame's text lies: the corners (2 pt in: a line's glyphs
    stand within its pitch) and the centre of the box its measured lines fill, placed by the
    paragraphs' alignment and the anchor."""
    body = tf._txBody.find(qn("a:bodyPr"))
    l_, r_ = (int(body.get(k, 91440)) for k in ("lIns", "rIns"))
    t_, b_ = (int(body.get(k, 45720)) for k in ("tIns", "bIns"))
    x0, y0 = sh.left + l_, sh.top + t_
    w, h = sh.width - l_ - r_, sh.height - t_ - b_
    paras = paras_of(tf)
    if paras:
        ink_w = min(w, measure.widest_line(paras, w / EMU_PER_PT) * EMU_PER_PT)
        ink_h = min(h, measure.block_height(paras, w / EMU_PER_PT) * EMU_PER_PT)
        algns = {
            (p._p.pPr.get("algn") if p._p.pPr is not None else None) or "l" for p in tf.paragraphs
        }
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
    for n, slide in enumerate(prs.slides, 1):
        shapes = list(slide.shapes)
        plain = _background(slide)
        at = (
            (lambda x, y, slide=slide: back(slide, x, y))
            if back
            else (lambda _x, _y, plain=plain: [plain])
        )

        def beneath(i, x, y, shapes=shapes, at=at) -> list[str]:
            for below in reversed(shapes[:i]):
                if below.left <= x <= below.left + below.width and (
                    below.top <= y <= below.top + below.height
                ):
                    fill = _solid(below._element)
                    if fill:
                        return [fill]
            return at(x, y)

        for i, sh in enumerate(shapes):
            if sh.has_chart:
                under = beneath(i, sh.left + sh.width / 2, sh.top + sh.height / 2)
                for colour in under:
                    bad += _chart_contrast(n, sh, colour)
                continue
            frames = []
            if sh.has_text_frame:
                own = _solid(sh._element)
                if own:
                    under = [own]
                else:
                    under = list(
                        dict.fromkeys(
                            c for x, y in ink_points(sh, sh.text_frame) for c in beneath(i, x, y)
                        )
                    )
                frames.append((sh.name, sh.text_frame, under))
            if sh.has_table:
                for ri, row in enumerate(sh.table.rows):
                    for ci, cell in enumerate(row.cells):
                        fill = _solid(cell._tc)
                        frames.append(
                            (
                                f"{sh.name} r{ri}c{ci}",
                                cell.text_frame,
                                [fill] if fill else at(sh.left, sh.top),
                            )
                        )
            for name, tf, fills in frames:
                for r in tf._txBody.iter(qn("a:r")):
                    rpr = r.find(qn("a:rPr"))
                    clr = rpr.find(".//" + qn("a:srgbClr")) if rpr is not None else None
                    text = r.find(qn("a:t")).text or ""
                    if clr is None or not text.strip():
                        continue
                    size = int(rpr.get("sz", "1800")) / 100 / _scale(prs)
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
