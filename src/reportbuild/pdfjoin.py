"""Part PDFs (WeasyPrint's, one per group of chapters: pdfsplit.py) joined into one with pikepdf.

Kept from the parts: the pages (with their fonts, images and link annotations), the named
destinations (one name tree, sorted, as WeasyPrint writes it), the outline (each part's
bookmarks in order, pointing at the joined pages), the structure tree (one Document element
whose kids are each part's, the parent tree renumbered as WeasyPrint numbers it: the pages
first, then the annotations), the catalog's language, viewer preferences and mark info, and
the first part's document information. Links a part could only write as `rbpart:<hex>` (their
target is in another part) become named destinations again. Written with object streams, as
WeasyPrint writes (pypdf cannot, and a part's structure tree is tens of thousands of objects).
"""

from __future__ import annotations

import array
import sys
import warnings
from pathlib import Path

FOREIGN = "rbpart:"


def join(parts: list[Path], out: Path) -> int:
    """Write the parts' pages into `out` as one PDF; return its page count."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    sources = [pikepdf.open(p) for p in parts]
    try:
        pdf = pikepdf.new()
        starts: list[int] = []
        for src in sources:
            starts.append(len(pdf.pages))
            with warnings.catch_warnings():  # named destinations: rebuilt below
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                pdf.pages.extend(src.pages)
        total = len(pdf.pages)
        index = [
            {page.obj.objgen: i for i, page in enumerate(src.pages)} for src in sources
        ]  # each part's page objects → their index in the part

        # named destinations: each name from the first part that has it
        dests: dict[str, Array] = {}
        for k, src in enumerate(sources):
            names = src.Root.get("/Names", Dictionary()).get("/Dests")
            if names is None:
                continue
            for name, dest in _tree(names):
                if name in dests:
                    continue
                page = pdf.pages[starts[k] + index[k][dest[0].objgen]].obj
                dests[name] = Array([page, *list(dest)[1:]])
        if dests:
            flat = Array()
            for name in sorted(dests):
                flat.append(String(name))
                flat.append(dests[name])
            pdf.Root.Names = Dictionary(Dests=Dictionary(Names=flat))

        # links into another part: named destinations again
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", Array()):
                action = annot.get("/A")
                uri = str(action.get("/URI", "")) if action is not None else ""
                if uri.startswith(FOREIGN):
                    name = bytes.fromhex(uri[len(FOREIGN) :]).decode()
                    del annot["/A"]
                    annot.Dest = String(name)
                    if "/Contents" in annot:
                        annot.Contents = String(name)

        # the outline: each part's, in order
        with pdf.open_outline() as outline:
            for k, src in enumerate(sources):
                with src.open_outline() as theirs:
                    for item in theirs.root:
                        outline.root.append(_item(item, pdf, starts[k], index[k]))

        if all("/StructTreeRoot" in src.Root for src in sources):
            _join_tags(pdf, sources, starts, total)

        _share_fonts(pdf)

        first = sources[0]
        for key in ("/Lang", "/ViewerPreferences", "/MarkInfo"):
            if key in first.Root:
                pdf.Root[key] = _copy(pdf, first.Root[key])
        for key, value in first.docinfo.items():
            pdf.docinfo[key] = value
        pdf.save(
            out,
            min_version=max(src.pdf_version for src in sources),
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
            deterministic_id=True,  # reproducible: the identifier comes from the content
            fix_metadata_version=False,
        )
    finally:
        for src in sources:
            src.close()
    _ = Name
    return total


def _item(item, pdf, start: int, index: dict):
    """An outline item of a part, pointing at the joined document's page."""
    from pikepdf import OutlineItem

    dest = item.destination
    page = index[dest[0].objgen]
    new = OutlineItem(
        item.title, start + page, "XYZ",
        left=float(dest[2]), top=float(dest[3]), zoom=float(dest[4]) if len(dest) > 4 else 0,
    )  # fmt: skip
    new.is_closed = item.is_closed
    for child in item.children:
        new.children.append(_item(child, pdf, start, index))
    return new


def _tree(node, key: str = "/Names", convert=str) -> list:
    """A PDF name tree's (name, value) pairs in order; with key "/Nums" and int, a number
    tree's."""
    out = []
    if key in node:
        arr = node[key]
        out += [(convert(arr[i]), arr[i + 1]) for i in range(0, len(arr), 2)]
    for kid in node.get("/Kids", ()):
        out += _tree(kid, key, convert)
    return out


def _join_tags(pdf, sources, starts: list[int], total: int) -> None:
    """One structure tree: a Document element with every part's kids, one parent tree."""
    from pikepdf import Array, Dictionary, Name

    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    parent_tree = pdf.make_indirect(Dictionary())
    document = pdf.make_indirect(
        Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array())
    )
    root.K = Array([document])
    root.ParentTree = parent_tree
    nums = Array()
    annots = Array()
    next_key = total
    for k, src in enumerate(sources):
        part_doc = src.Root.StructTreeRoot.K
        part_doc = part_doc[0] if isinstance(part_doc, Array) else part_doc
        if "/NS" in part_doc:
            document.NS = pdf.copy_foreign(part_doc.NS)
        for kid in part_doc.K:
            new = pdf.copy_foreign(kid)
            new.P = document
            document.K.append(new)
        n = len(src.pages)
        remap: dict[int, int] = {}
        for key, value in _tree(src.Root.StructTreeRoot.ParentTree, "/Nums", int):
            new_value = _copy(pdf, value)
            if key < n:
                nums.append(starts[k] + key)
                nums.append(new_value)
            else:
                remap[key] = next_key
                annots.append(next_key)
                annots.append(new_value)
                next_key += 1
        for i in range(n):
            page = pdf.pages[starts[k] + i].obj
            page.StructParents = starts[k] + i
            for annot in page.get("/Annots", Array()):
                if "/StructParent" in annot:
                    annot.StructParent = remap[int(annot.StructParent)]
    for x in annots:
        nums.append(x)
    parent_tree.Nums = nums
    pdf.Root.StructTreeRoot = root


def _copy(pdf, value):
    """An object of a part, its indirect objects copied into `pdf` (once: qpdf keeps a map)."""
    from pikepdf import Array, Dictionary

    if getattr(value, "is_indirect", False):
        return pdf.copy_foreign(value)
    if isinstance(value, Array):
        return Array([_copy(pdf, v) for v in value])
    if isinstance(value, Dictionary):
        return Dictionary({k: _copy(pdf, v) for k, v in value.items()})
    return value


# ── fonts: one program per face ────────────────────────────────────────────────────────


def _share_fonts(pdf) -> int:
    """Give the parts' subsets of one face a single font program, the union of their glyphs;
    return how many programs were merged away.

    WeasyPrint subsets each font with its glyph ids kept (HarfBuzz's retain-gids), so every
    part's subset of a face has the same glyph order, the same CID font dictionaries and
    charset; only which glyphs have outlines differs. The union keeps every outline any part
    drew, so each part's text draws as it did (each part keeps its own font dictionary, widths
    and ToUnicode map). A face whose subsets do not line up keeps one program per part."""
    import pikepdf

    faces: dict[str, list] = {}
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/FontDescriptor":
            continue
        program = obj.get("/FontFile3")
        if program is None or program.get("/Subtype") != "/OpenType":
            continue
        faces.setdefault(str(obj.FontName), []).append(obj)
    merged = 0
    for descriptors in faces.values():
        programs = {d.FontFile3.objgen: d.FontFile3 for d in descriptors}
        if len(programs) < 2:
            continue
        data = _union_cff([p.read_bytes() for p in programs.values()])
        if data is None:
            continue
        stream = pdf.make_stream(data, Subtype=pikepdf.Name.OpenType)
        for d in descriptors:
            d.FontFile3 = stream
        merged += len(programs) - 1
    return merged


def _union_cff(programs: list[bytes]) -> bytes | None:
    """One OpenType CFF font with the outlines of all `programs` (subsets of one face with
    their glyph ids kept), or None if they are not such subsets.

    Spliced, not recompiled (fontTools takes seconds for a CJK face): the CharStrings INDEX is
    rebuilt from the parts' entries, and the offsets of what follows it (HarfBuzz puts the
    private DICTs there) are patched in place, where their encoded length allows."""
    import io
    from collections import Counter

    from fontTools.ttLib import TTFont
    from fontTools.ttLib.sfnt import SFNTWriter

    try:
        fonts = [TTFont(io.BytesIO(p), lazy=True) for p in programs]
        layouts = [_cff_layout(f.reader["CFF "]) for f in fonts]
        # the subset that keeps the most glyph ids (up to the highest one its part drew) is
        # the base; the others must be its prefixes: same glyph order, same font DICTs
        first = max(range(len(fonts)), key=lambda k: len(layouts[k][1]))
        fonts.insert(0, fonts.pop(first))
        layouts.insert(0, layouts.pop(first))
        cffs = [f.reader["CFF "] for f in fonts]
        where, base, end, offsets = layouts[0]
        around = _around(cffs[0], layouts[0])
        for font, cff, lay in zip(fonts[1:], cffs[1:], layouts[1:], strict=True):
            if len(lay[1]) == len(base):
                if _around(cff, lay) != around:
                    return None  # the tables around the outlines differ
            elif not _prefix(font, fonts[0], cff[lay[2] :], cffs[0][end:]):
                return None
        empty, count = Counter(base[:2000]).most_common(1)[0]
        if count < 2:
            return None  # no glyph left out: nothing to share
        union = list(base)
        for _, items, _, _ in layouts[1:]:
            for gid, theirs in enumerate(items):
                if theirs == empty or union[gid] == theirs:
                    continue
                if union[gid] != empty:
                    return None  # two outlines for one glyph: not subsets of one face
                union[gid] = theirs
        index = _write_index(union)
        delta = len(index) - (end - where)
        head = bytearray(cffs[0][:where])
        for pos, length, value in offsets:
            if value >= end:
                encoded = _encode_int(value + delta, length)
                if encoded is None:
                    return None
                head[pos : pos + length] = encoded
        data = bytes(head) + index + cffs[0][end:]
        out = io.BytesIO()
        reader = fonts[0].reader
        tags = list(reader.keys())
        writer = SFNTWriter(out, len(tags), reader.sfntVersion)
        for tag in tags:
            writer[tag] = data if tag == "CFF " else reader[tag]
        writer.close()
        return out.getvalue()
    except Exception:  # noqa: BLE001 - a font this cannot read: each part keeps its program
        return None


def _prefix(short, long, short_tail: bytes, long_tail: bytes) -> bool:
    """True if subset `short` keeps fewer glyph ids of the face `long` keeps more of: its
    glyph order and font DICT choice a prefix of the other's, its private DICTs the same."""
    a, b = short["CFF "].cff.topDictIndex[0], long["CFF "].cff.topDictIndex[0]
    n = len(a.charset)
    if a.charset != b.charset[:n] or short_tail != long_tail:
        return False
    if hasattr(a, "FDSelect") != hasattr(b, "FDSelect"):
        return False
    return not hasattr(a, "FDSelect") or list(a.FDSelect.gidArray) == list(b.FDSelect.gidArray[:n])


def _around(cff: bytes, layout) -> bytes:
    """The CFF without its CharStrings, offsets past them counted from their end: the same
    for every subset of a face made with its glyph ids kept."""
    where, _, end, offsets = layout
    head = bytearray(cff[:where])
    for pos, length, value in offsets:
        if value >= end:
            head[pos : pos + length] = _encode_int(value - end, length) or b"?" * length
    return bytes(head) + b"|" + cff[end:]


OFFSET_OPS = {
    15,
    16,
    17,
    18,
    1236,
    1237,
}  # charset, Encoding, CharStrings, Private, FDArray, FDSelect


def _cff_layout(cff: bytes) -> tuple[int, list[bytes], int, list[tuple[int, int, int]]]:
    """Where the CharStrings INDEX starts, its items, where it ends, and every offset operand
    in the top and font DICTs: (position, encoded length, value)."""
    at = cff[2]  # header size
    _, at = _index(cff, at)  # names
    tops, at = _index(cff, at)
    t0, t1 = tops[0], tops[1]
    ops = _dict_ops(cff, t0, t1)
    offsets: list[tuple[int, int, int]] = []
    charstrings = fdarray = None
    for op, operands in ops:
        if op in OFFSET_OPS and operands:
            offsets.append(operands[-1])
        if op == 17:
            charstrings = operands[-1][2]
        if op == 1236:
            fdarray = operands[-1][2]
    if fdarray is not None:
        fds, _ = _index(cff, fdarray)
        for f0, f1 in zip(fds, fds[1:], strict=False):
            for op, operands in _dict_ops(cff, f0, f1):
                if op == 18 and operands:
                    offsets.append(operands[-1])
    starts, end = _index(cff, charstrings)
    items = list(map(cff.__getitem__, map(slice, starts, starts[1:])))
    return charstrings, items, end, offsets


def _index(data: bytes, at: int) -> tuple[list[int], int]:
    """A CFF INDEX at `at`: where each item starts, then where the last ends (item k is
    [starts[k], starts[k + 1])), and where the INDEX ends. Offsets, not pairs: a CJK face's
    CharStrings INDEX has 65 535 items."""
    count = int.from_bytes(data[at : at + 2], "big")
    if count == 0:
        return [], at + 2
    size = data[at + 2]
    start = at + 3
    offs = _offsets(data[start : start + (count + 1) * size], size)
    base = start + (count + 1) * size - 1
    starts = [base + a for a in offs]
    return starts, starts[-1]


def _offsets(raw: bytes, size: int) -> list[int]:
    """Big-endian unsigned integers of `size` bytes (1–4), read in C: a CJK face's CharStrings
    INDEX has 65 536 of them, one int.from_bytes each took half the join."""
    if size == 3:  # padded to four bytes by slice assignment
        wide = bytearray(len(raw) // 3 * 4)
        for k in range(3):
            wide[k + 1 :: 4] = raw[k::3]
        raw, size = bytes(wide), 4
    values = array.array(next(t for t in "BHIL" if array.array(t).itemsize == size), raw)
    if sys.byteorder == "little" and size > 1:
        values.byteswap()
    return values.tolist()


def _write_index(items: list[bytes]) -> bytes:
    total = sum(len(i) for i in items) + 1
    size = next(n for n in (1, 2, 3, 4) if total < 1 << (8 * n))
    out = bytearray(len(items).to_bytes(2, "big") + bytes([size]))
    at = 1
    out += at.to_bytes(size, "big")
    for item in items:
        at += len(item)
        out += at.to_bytes(size, "big")
    return bytes(out) + b"".join(items)


def _dict_ops(data: bytes, start: int, end: int) -> list[tuple[int, list[tuple[int, int, int]]]]:
    """A CFF DICT's operators with their operands: (position, encoded length, value)."""
    out: list[tuple[int, list[tuple[int, int, int]]]] = []
    operands: list[tuple[int, int, int]] = []
    pos = start
    while pos < end:
        b0 = data[pos]
        if b0 <= 21:
            op = 1200 + data[pos + 1] if b0 == 12 else b0
            pos += 2 if b0 == 12 else 1
            out.append((op, operands))
            operands = []
        elif b0 == 28:
            operands.append((pos, 3, int.from_bytes(data[pos + 1 : pos + 3], "big", signed=True)))
            pos += 3
        elif b0 == 29:
            operands.append((pos, 5, int.from_bytes(data[pos + 1 : pos + 5], "big", signed=True)))
            pos += 5
        elif b0 == 30:  # a real number: nibbles up to an 0xF
            begin = pos
            pos += 1
            while (data[pos] >> 4) != 0xF and (data[pos] & 0xF) != 0xF:
                pos += 1
            pos += 1
            operands.append((begin, pos - begin, 0))
        elif 32 <= b0 <= 246:
            operands.append((pos, 1, b0 - 139))
            pos += 1
        elif 247 <= b0 <= 250:
            operands.append((pos, 2, (b0 - 247) * 256 + data[pos + 1] + 108))
            pos += 2
        elif 251 <= b0 <= 254:
            operands.append((pos, 2, -(b0 - 251) * 256 - data[pos + 1] - 108))
            pos += 2
        else:
            raise ValueError(f"CFF DICT byte {b0}")
    return out


def _encode_int(value: int, length: int) -> bytes | None:
    """`value` in a CFF DICT integer encoding of exactly `length` bytes, if it has one."""
    if length == 5:
        return b"\x1d" + value.to_bytes(4, "big", signed=True)
    if length == 3 and -32768 <= value <= 32767:
        return b"\x1c" + value.to_bytes(2, "big", signed=True)
    if length == 2 and 108 <= value <= 1131:
        v = value - 108
        return bytes([247 + v // 256, v % 256])
    if length == 1 and -107 <= value <= 107:
        return bytes([value + 139])
    return None
