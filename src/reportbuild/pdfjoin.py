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
            for name, dest in _name_tree(names):
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


def _name_tree(node) -> list:
    """A name tree's (name, value) pairs, in order."""
    out = []
    if "/Names" in node:
        arr = node.Names
        out += [(str(arr[i]), arr[i + 1]) for i in range(0, len(arr), 2)]
    for kid in node.get("/Kids", ()):
        out += _name_tree(kid)
    return out


def _number_tree(node) -> list:
    out = []
    if "/Nums" in node:
        arr = node.Nums
        out += [(int(arr[i]), arr[i + 1]) for i in range(0, len(arr), 2)]
    for kid in node.get("/Kids", ()):
        out += _number_tree(kid)
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
        for key, value in _number_tree(src.Root.StructTreeRoot.ParentTree):
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
