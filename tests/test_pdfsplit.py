"""Chapters typeset in parallel (pdfsplit.py, pdfjoin.py): the joined PDF must read like the
single pass, page for page — text, links and their targets, outline, page labels, structure
tree, metadata — for both example reports; a chapter edit re-typesets only its group; what the
split cannot reproduce is typeset in a single pass."""

from __future__ import annotations

import functools
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from conftest import EPOCH, copy_build, pages_text, print_html

from reportbuild import pdfsplit
from reportbuild.brand import load_brand
from reportbuild.load import load_project
from reportbuild.pdf import PAGEFIT_CSS, write_pdf

ROOT = Path(__file__).resolve().parent.parent


class Pair:
    """A copy of a project's shared build (a single pass: these reports are below the split's
    threshold, see test_auto_keeps_short_reports_in_one_pass), and its print HTML typeset in
    groups (`parts`: what pdfsplit.typeset said about it)."""

    def __init__(self, root: Path, built_at: Path) -> None:
        self.root = root
        self.single = root / "output" / "report.pdf"
        self.html = print_html(root, built_at)
        self.report, self.brand = load_project(root), load_brand(root)
        self.split = root / "split.pdf"
        self.result = self.typeset(self.split)

    @functools.cached_property
    def readers(self) -> tuple[pikepdf.Pdf, pikepdf.Pdf]:
        """The single pass and the split, each opened once (qpdf, through pikepdf: pypdf
        took 0.75 CPU-s to parse what these checks read of the Chinese report's PDF)."""
        return pikepdf.open(self.single), pikepdf.open(self.split)

    def close(self) -> None:
        for pdf in self.__dict__.get("readers", ()):
            pdf.close()

    def typeset(self, out: Path, html: str | None = None):
        real, kept = pdfsplit.typeset, []

        def keep(*args, **kw):
            kept.append(real(*args, **kw))
            return kept[-1]

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(pdfsplit, "typeset", keep)
            done = write_pdf(
                html or self.html, out, root=self.root, report=self.report, brand=self.brand,
                split="on", jobs=2,
            )  # fmt: skip
        self.parts = kept[0]
        return done


@pytest.fixture(scope="module", params=["zh", "en"])
def pair(request, tmp_path_factory) -> Pair:
    build = request.getfixturevalue(f"built_{request.param}")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)  # the shared build's: the same metadata
        root = copy_build(build, tmp_path_factory.mktemp(request.param) / "proj")
        pair = Pair(root, build.root)
        yield pair
        pair.close()


def _page_numbers(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: n for n, page in enumerate(pdf.pages)}


def _dests(pdf: pikepdf.Pdf) -> dict[str, tuple[int, float]]:
    """Each named destination: its page and its top."""
    pages, out = _page_numbers(pdf), {}
    for name, dest in pikepdf.NameTree(pdf.Root.Names.Dests).items():
        array = dest.D if isinstance(dest, pikepdf.Dictionary) else dest
        out[name] = (pages[array[0].objgen], float(array[3]))
    return out


def _links(pdf: pikepdf.Pdf) -> list[tuple]:
    """Every link: its page, rectangle, and target (named destination → page and position)."""
    named, out = _dests(pdf), []
    for n, page in enumerate(pdf.pages):
        for a in page.obj.get("/Annots") or ():
            if a.get("/Subtype") != "/Link":
                continue
            rect = tuple(round(float(x), 2) for x in a.Rect)
            if "/Dest" in a:
                name = str(a.Dest)
                page_of, top = named[name]  # a KeyError is a link to nowhere
                target = (name, page_of, round(top, 2))
            else:
                target = ("uri", str(a.A.URI))
            out.append((n, rect, target, str(a.get("/Contents"))))
    return out


def _outline(pdf: pikepdf.Pdf) -> list[tuple]:
    """Each outline entry: its depth, title, and the page and top it goes to."""
    named, pages, out = _dests(pdf), _page_numbers(pdf), []

    def target(item) -> tuple[int, int]:
        dest = item.get("/Dest")
        if dest is None:
            dest = item.A.D
        if isinstance(dest, pikepdf.Array):
            return pages[dest[0].objgen], round(float(dest[3]))
        page_of, top = named[str(dest)]
        return page_of, round(top)

    def walk(item, depth: int) -> None:
        while item is not None:
            out.append((depth, str(item.Title), *target(item)))
            if "/First" in item:
                walk(item.First, depth + 1)
            item = item.get("/Next")

    outlines = pdf.Root.get("/Outlines")
    if outlines is not None and "/First" in outlines:
        walk(outlines.First, 0)
    return out


def _plain(obj) -> object:
    """A PDF object as Python values (indirect or direct, the same)."""
    if isinstance(obj, pikepdf.Dictionary):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, pikepdf.Array):
        return [_plain(v) for v in obj]
    return str(obj) if isinstance(obj, (pikepdf.Name, pikepdf.String)) else obj


def _structure(pdf: pikepdf.Pdf) -> list[tuple]:
    """The structure tree's shape: element types in reading order, with their depth and the
    page each one's content is on; marked content and annotations as leaves."""
    pages, out = _page_numbers(pdf), []
    stack = [(pdf.Root.StructTreeRoot.K, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend((k, depth) for k in reversed(list(node)))
            continue
        if not isinstance(node, pikepdf.Dictionary):
            out.append((depth, "MCID"))
            continue
        if "/S" not in node:
            out.append((depth, str(node.get("/Type"))))
            continue
        pg = node.get("/Pg")
        out.append((depth, str(node.S), pages.get(pg.objgen) if pg is not None else None))
        kids = node.get("/K")
        if kids is not None:
            stack.append((kids, depth + 1))
    return out


def _parent_tree_faults(pdf: pikepdf.Pdf) -> int:
    """Pages and link annotations whose parent-tree entry is missing or names another page."""
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    faults = 0
    for page in pdf.pages:
        elems = entries.get(int(page.obj.get("/StructParents", -1)))
        if elems is None:
            faults += 1
            continue
        for e in elems:
            pg = e.get("/Pg") if isinstance(e, pikepdf.Dictionary) else None
            faults += pg is not None and pg.objgen != page.obj.objgen
        for annot in page.obj.get("/Annots") or ():
            faults += "/StructParent" in annot and int(annot.StructParent) not in entries
    return faults


def test_split_pdf(pair: Pair, tmp_path: Path) -> None:
    """One test per report (its split is the cost): equivalence, pixels, cache, an edit. The
    edit is typeset on the English report only: half of the Chinese one typeset again would
    prove nothing the English edit does not (which group is stale does not depend on the
    language)."""
    _takes_its_page_numbers_from_the_single_pass(pair)
    _reads_like_the_single_pass(pair)
    _keeps_the_structure_tree(pair)
    _draws_the_same_pages(pair)
    _unchanged_groups_come_from_the_cache(pair, tmp_path)
    if 'lang="en' in pair.html[:300]:
        _a_chapter_edit_retypesets_only_its_group(pair, tmp_path)
        _a_stale_single_pass_is_not_used(pair, tmp_path)


def _takes_its_page_numbers_from_the_single_pass(pair: Pair) -> None:
    """The shared build was a single pass of the same HTML (in another folder, with the
    charts still in the staging folder): the split lays nothing out only to count pages, and
    the numbers it took from the single pass hold in the first round."""
    got = pair.parts
    assert got.seeded == got.groups >= 2 and got.laid_out == 0
    assert got.rounds == 1 and got.typeset == got.groups
    # the single pass's stylesheet of smaller figures does not describe the split's pages
    assert not (pair.root / PAGEFIT_CSS).exists()


def _programs(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    """The OpenType CFF font programs embedded (the CJK faces' subsets), by object. (TrueType
    subsets, a few kB each in the English report, are not shared.)"""
    out = set()
    for page in pdf.pages:
        for font in (page.obj.Resources.get("/Font") or {}).values():
            for cid in font.get("/DescendantFonts") or ():
                d = cid.FontDescriptor
                if "/FontFile3" in d:
                    out.add(d.FontFile3.objgen)
    return out


def _reads_like_the_single_pass(pair: Pair) -> None:
    one, two = pair.readers
    # the parts' subsets of a CJK face share one program where they line up (pdfjoin): at
    # 289 pages (four parts) every face does and the PDF is 1.05x the single pass; in these
    # short reports a part that drew few glyphs of a face keeps fewer font DICTs, and its own
    assert len(_programs(one)) <= len(_programs(two)) < 2 * len(_programs(one)) or (
        'lang="en' in pair.html[:300]
    )
    assert pair.split.stat().st_size <= 1.3 * pair.single.stat().st_size
    assert pair.result.pages == len(one.pages) == len(two.pages) > 1
    assert pages_text(pair.split) == pages_text(pair.single)
    links = _links(two)
    assert links == _links(one)
    assert any(t[0] != "uri" for _, _, t, _ in links)  # internal links were compared
    assert _outline(two) == _outline(one) and len(_outline(one)) > 3
    assert [p.label for p in two.pages] == [p.label for p in one.pages]
    assert _plain(two.docinfo) == _plain(one.docinfo) != {}
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences"):
        assert _plain(two.Root[key]) == _plain(one.Root[key])


def _keeps_the_structure_tree(pair: Pair) -> None:
    one, two = pair.readers
    assert _structure(two) == _structure(one)
    assert _parent_tree_faults(two) == 0 == _parent_tree_faults(one)


def _draws_the_same_pages(pair: Pair) -> None:
    """Folios, running heads and page references: the pages render to the same pixels."""

    def pixels(pdf: Path) -> list[bytes]:
        doc = pypdfium2.PdfDocument(pdf)
        try:
            return [page.render(scale=30 / 72).to_pil().tobytes() for page in doc]
        finally:
            doc.close()

    a, b = pixels(pair.single), pixels(pair.split)
    assert len(a) == len(b) == pair.result.pages
    assert [n for n, (x, y) in enumerate(zip(a, b, strict=True), 1) if x != y] == []


def _kw(pair: Pair) -> dict:
    from reportbuild.pdf import PACKAGE

    return dict(
        root=pair.root, report=pair.report, brand=pair.brand,
        allowed=[pair.root, PACKAGE / "html", PACKAGE / "theme"],
        css_dirs=[pair.root / "styles"], options={"pdf_tags": True}, jobs=2,
    )  # fmt: skip


def _unchanged_groups_come_from_the_cache(pair: Pair, tmp_path: Path) -> None:
    # what write_pdf's split runs (`_kw`: its arguments), again: every group from the cache,
    # joined to the same bytes
    again = tmp_path / "again.pdf"
    got = pdfsplit.typeset(pair.html, again, **_kw(pair))
    assert got.typeset == 0 and got.groups >= 2
    assert again.read_bytes() == pair.split.read_bytes()  # reproducible, and from the cache


def _edited(pair: Pair) -> tuple[str, str]:
    """Words added to the last chapter's first paragraph, and the HTML with them."""
    words = "Zzyzx" if 'lang="en' in pair.html[:300] else "增补一句"
    last = pair.html.rindex('<section class="chapter"')
    at = pair.html.index("</p>", last)
    return words, pair.html[:at] + words + pair.html[at:]


def _a_chapter_edit_retypesets_only_its_group(pair: Pair, tmp_path: Path) -> None:
    """A sentence added to the last chapter (same page count): only the last group is typeset
    again; the joined PDF has the sentence and is otherwise the same."""
    words, html = _edited(pair)
    edited = pdfsplit.typeset(html, tmp_path / "edit.pdf", **_kw(pair))
    assert edited.typeset == 1 < edited.groups
    before, after = pages_text(pair.split), pages_text(tmp_path / "edit.pdf")
    changed = [i for i, (x, y) in enumerate(zip(before, after, strict=True)) if x != y]
    assert len(changed) == 1 and words in after[changed[0]].replace(" ", "")


def _a_stale_single_pass_is_not_used(pair: Pair, tmp_path: Path) -> None:
    """The single pass's page numbers belong to its HTML: the edited document's last group,
    its numbers forgotten by the last split, is laid out to count them (its part, typeset by
    the edit, comes from the cache)."""
    import json

    parts = pair.root / ".reportbuild-cache" / pdfsplit.PARTS_DIR
    single = json.loads((parts / pdfsplit.SINGLE).read_text(encoding="utf-8"))
    assert single["key"] == pdfsplit.layout_key(pair.html, pair.root, {"pdf_tags": True})
    last = json.loads((parts / pdfsplit.LAST).read_text(encoding="utf-8"))
    del last[max(last, key=lambda names: pair.html.index(f'id="{names.split("|")[0]}"'))]
    (parts / pdfsplit.LAST).write_text(json.dumps(last), encoding="utf-8")
    got = pdfsplit.typeset(_edited(pair)[1], tmp_path / "stale.pdf", **_kw(pair))
    assert got.seeded == 0 and got.laid_out == 1 and got.rounds == 1 and got.typeset == 0
    assert (tmp_path / "stale.pdf").read_bytes() == (tmp_path / "edit.pdf").read_bytes()


@pytest.fixture(scope="module")
def zh_html() -> str:
    """This report's print HTML (charts not drawn: enough to plan groups)."""
    from reportbuild.html import render_html

    return render_html(load_project(ROOT), load_brand(ROOT), {}, mode="print")


def test_refusals(zh_html: str) -> None:
    """What the split cannot reproduce is typeset in a single pass (plan says why)."""
    assert pdfsplit.refusal(zh_html, bleed=True, variant=None)
    assert pdfsplit.refusal(zh_html, bleed=False, variant="pdf/a-3b")
    assert pdfsplit.refusal(zh_html, bleed=False, variant=None) is None
    for css in (
        ".x { counter-reset: page 3 }",
        "@page :first { margin: 0 }",
        ".x::after { content: target-text(attr(href url)) }",
        ".x::after { content: target-counter(attr(href url), chapter) }",
        "a::after { content: attr(href) }",
    ):
        html = zh_html.replace("</style>", css + "</style>", 1)
        with pytest.raises(pdfsplit.SplitRefused):
            pdfsplit.plan(html, groups=2)
    broken = zh_html.replace('href="#', 'href="#nowhere-', 1)
    with pytest.raises(pdfsplit.SplitRefused, match="missing anchors"):
        pdfsplit.plan(broken, groups=2)


def test_auto_keeps_short_reports_in_one_pass(zh_html: str) -> None:
    """This report is far below the threshold: `auto` gives the single-pass bytes."""
    assert pdfsplit.estimate_pages(zh_html) < pdfsplit.AUTO_PAGES
    assert pdfsplit.estimate_pages(zh_html * 10) >= pdfsplit.AUTO_PAGES


def test_groups_follow_chapters(zh_html: str) -> None:
    p = pdfsplit.plan(zh_html, groups=3)
    assert 2 <= len(p.groups) <= 3
    chapters = [n for g in p.groups for n in g.names]
    assert len(chapters) == len(set(chapters)) == zh_html.count('<section class="chapter"')
    doc = p.group_html(p.groups[1], 10, {})
    assert "counter-reset: page 11" in doc and "break-before: left" not in doc
    assert "break-before: left" in p.group_html(p.groups[1], 11, {})
    # the other groups' elements stay, empty and hidden (sibling selectors match as before)
    assert doc.count('<section style="display:none!important" class="chapter"') == len(
        [n for g in p.groups if g is not p.groups[1] for n in g.names]
    )


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_cff_index_offsets_read_in_bulk_are_the_big_endian_values(size):
    from reportbuild.pdfjoin import _offsets

    values = [
        0,
        1,
        (1 << (8 * size)) - 1,
        *(((k * 2654435761) >> 3) % (1 << (8 * size)) for k in range(500)),
    ]
    raw = b"".join(v.to_bytes(size, "big") for v in values)
    assert _offsets(raw, size) == values
