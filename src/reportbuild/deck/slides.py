"""The deck file turned into slides: one builder per slide kind, on the template's layouts."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn
from pptx.util import Emu

from reportbuild import kinds, linebreak, model
from reportbuild.brand import Brand
from reportbuild.deck import backdrop, charts, content, masters, measure
from reportbuild.deck.layout import (
    EMU_PER_PT,
    Box,
    Geometry,
    Overflow,
    SlideCtx,
    Style,
    as_slide_number,
    emu,
    ink_box,
    write_text,
)
from reportbuild.deck.theme import FONTS, LANG, SCALE, apply_theme, build_time, hex_of, reproducible
from reportbuild.errors import BuildError
from reportbuild.figdata import alt_text, format_value
from reportbuild.locale import get_locale

WIDE = (Emu(12192000), Emu(6858000))  # 13.333 × 7.5 in, 16:9
WHITE = "#FFFFFF"
# The contents slide: a chapter's row is at least its number (40 pt) and a title line high;
# a slide holds the chapters whose titles and summaries fit it at full size, and a long
# report's contents go on over as many slides as that takes
AGENDA_ROW = 64  # pt
AGENDA_GAP = 14  # pt between two rows


@dataclass
class Built:
    data: bytes
    slides: int
    log: list[dict] = field(default_factory=list)


def pt(v: int) -> float:
    """EMU on the template's slide as design points (theme.SCALE)."""
    return v / EMU_PER_PT / SCALE.get()


class DeckBuilder:
    """One build of one deck: the presentation, its layouts, geometry and the layout log."""

    def __init__(self, report: model.Report, brand: Brand, template: Path | None):
        from reportbuild import fonts

        self.report = report
        self.loc = get_locale(report.lang)
        LANG.set(self.loc.tag)
        self.brand = brand
        self.templated = template is not None
        self.prs = Presentation(str(template)) if template else Presentation()
        for fam in dict.fromkeys([brand.font_base, brand.font_headings]):
            fonts.find(fam)  # a missing brand font fails here, by name, before any measuring
        # the template's own first slide shows which layout its title slide is
        samples = list(self.prs.slides) if self.templated else []
        first = samples[0].slide_layout if samples else None
        if self.templated:
            _drop_slides(self.prs)
        else:
            _widen(self.prs)
        apply_theme(self.prs, brand, colours=not self.templated)
        SCALE.set(masters.design_scale(self.prs.slide_width, self.prs.slide_height))
        W, H = pt(self.prs.slide_width), pt(self.prs.slide_height)
        self.style = Style(brand, brand.font_base, brand.font_headings)
        # what each layout paints behind the text (templates only: the built-in master is white)
        self.backdrops: dict[int, backdrop.Backdrop] = {}
        self.layouts = masters.choose_layouts(self.prs, first, self.backdrop_of)
        self.override = None  # the layout a slide names with 'layout:' in the deck file
        self.generic = self.templated and masters.generic_layouts(self.prs)
        if self.templated:
            z = masters.zones(self.prs, self.layouts["content"], self.layouts["body"], self.generic)
            drawn = self.backdrop_of(self.layouts["content"])
            self.geometry = masters.content_grid(W, H, z, drawn).keep_clear(drawn.clear_part)
        else:
            self.geometry = Geometry.for_size(W, H)
        self.log: list[dict] = []
        self.count = 0

    # ── layouts ──────────────────────────────────────────────────────────

    def new_slide(self, role: str, label: str) -> SlideCtx:
        slide = self.prs.slides.add_slide(self.override or self.layouts[role])
        self.count += 1
        ctx = SlideCtx(slide, self.count, label, self.geometry, self.style, self.log, loc=self.loc)
        if self.templated:
            ctx.backdrop = self.backdrop_of(slide.slide_layout)
        # placeholders a layout brings but this slide does not fill would show "Click to add text"
        keep = (
            (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
            if role != "title"
            else (PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.SUBTITLE)
        )
        for ph in list(slide.placeholders):
            if ph.placeholder_format.type not in keep:
                ph._element.getparent().remove(ph._element)
        return ctx

    def backdrop_of(self, layout) -> backdrop.Backdrop:
        """What `layout` paints behind the slide's text, painted once per build."""
        if id(layout) not in self.backdrops:
            W, H = pt(self.prs.slide_width), pt(self.prs.slide_height)
            self.backdrops[id(layout)] = backdrop.paint(layout, W, H, SCALE.get())
        return self.backdrops[id(layout)]

    # ── common parts of a slide ──────────────────────────────────────────

    def title(
        self,
        ctx: SlideCtx,
        text: str,
        *,
        box: Box | None = None,
        size: float | None = None,
        color: str | None = None,
        role=(PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE),
        align: str = "left",
        anchor: str = "top",
        tight: bool = False,
    ) -> Box:
        """The slide's title in its placeholder (so outlines and screen readers find it),
        fitted to its box; with `tight`, the box shrinks to the lines it holds."""
        st = self.style
        ph = _placeholder(ctx.slide, role)
        if box is None:  # a content slide: the grid's title zone (the master's, if usable)
            box = self.geometry.title
        elif ph is not None and self.templated:
            box = _zone(ctx.slide, ph, role, self.generic)
            if ctx.backdrop is not None:  # off the layout's decoration, as the grid is
                box = ctx.backdrop.clear_part(box, "lr", 0.3) or box
            tight = False
        para = st.p(
            text,
            size or st.title,
            bold=True,
            head=True,
            color=color or st.primary,
            line=1.25,
            align=align,
        )
        pad = (4.0, 2.0)
        got = ctx.fit("Title", box, [para], pad=pad, min_scale=0.7)
        if tight:
            box = Box(box.x, box.y, box.w, got.height + 2 * pad[1] + 1)
        if ph is None:
            ctx.text("Title", box, got.paras, anchor=anchor, pad=pad, min_scale=1.0)
            return box
        ph.left, ph.top, ph.width, ph.height = emu(box.x), emu(box.y), emu(box.w), emu(box.h)
        under = ctx.colours_under(ink_box(box, got.paras, pad, anchor))
        paras = ctx.readable("Title", box, got.paras, under, pad=pad, anchor=anchor)
        write_text(ph.text_frame, paras, pad=pad, anchor=anchor, width=box.w - 2 * pad[0])
        return box

    def subtitle(
        self, ctx: SlideCtx, text: str, kicker: str = "", under: Box | None = None
    ) -> None:
        st = self.style
        if not text and not kicker:
            return
        runs = []
        if kicker:
            runs.append(measure.Run(kicker + "  ", True, st.accent))
        runs.append(measure.Run(linebreak.space_cjk_latin(text), False, st.secondary))
        p = measure.Para(tuple(runs), st.subtitle, st.body_family, line=1.35)
        box = self.geometry.subtitle
        if under is not None and not self.templated:
            box = Box(box.x, under.bottom + 2, box.w, box.h)
        ctx.text("Subtitle", box, [p], pad=(4, 2))

    def footer(self, ctx: SlideCtx, text: str = "") -> None:
        st, g = self.style, self.geometry
        f = g.footer
        ctx.line("Footer rule", f.x, f.y - 4, f.right, f.y - 4, st.light, 0.75)
        label = self.report.title + (f"  ·  {text}" if text else "")
        ctx.text(
            "Footer",
            Box(f.x, f.y, f.w - 60, f.h),
            [st.p(label, st.footer, color=st.muted, line=1.3)],
            pad=(2, 1),
            min_scale=0.7,
        )
        number = ctx.text(
            "Page number",
            Box(f.right - 56, f.y, 56, f.h),
            [st.p(str(ctx.number), st.footer, color=st.muted, line=1.3, align="right")],
            pad=(2, 1),
        )
        as_slide_number(number)

    def notes(self, ctx: SlideCtx, text: str) -> None:
        if ctx.spilled:  # what the slide had no room for leads the notes
            moved = self.loc.t("deck.not_on_slide") + self.loc.t("sep.sentence").join(ctx.spilled)
            text = moved + ("\n\n" + text if text.strip() else "")
        if not text.strip():
            return
        tf = ctx.slide.notes_slide.notes_text_frame
        paras = [self.style.p(t, 12, line=1.4) for t in text.split("\n\n") if t.strip()]
        write_text(tf, paras, pad=(4, 2))
        tf.auto_size = None
        tf.word_wrap = None

    def content_slide(
        self, label: str, title: str, *, subtitle: str = "", kicker: str = "", footer: str = ""
    ) -> SlideCtx:
        ctx = self.new_slide("content", label)
        self._mark(ctx)
        # the grid is fixed: title zone (two lines at most), subtitle band, content zone
        headline = title.rstrip("。")  # a headline takes no full stop
        self.title(ctx, headline)
        self._one_line(ctx, headline)
        self.subtitle(ctx, subtitle, kicker)
        self.footer(ctx, footer)
        return ctx

    def _one_line(self, ctx: SlideCtx, headline: str) -> None:
        """A title over one line at the title size is worth a warning: the grid holds two,
        but a headline read at a glance is one."""
        st, g = self.style, self.geometry
        para = st.p(headline, st.title, bold=True, head=True, line=1.25)
        lines = measure.para_lines(para, g.title.w - 8)
        if len(lines) > 1:
            fits = len(lines[0])
            ctx.log.append(
                {
                    "slide": ctx.number,
                    "shape": "Title",
                    "code": "L503",
                    "message": f"the title takes {len(lines)} lines at {st.title:g} pt; one "
                    f"holds about {fits} characters: shorten it ({len(headline)})",
                }
            )

    def body_top(self, title: str) -> float:
        """Where the body of a content slide starts: the grid's content zone, whatever the
        title (kept for the builders that plan a slide before making it)."""
        return self.geometry.body.y

    def _mark(self, ctx: SlideCtx) -> None:
        """The brand's accent tick over the title, on the default master only."""
        if self.templated:
            return
        g = self.geometry
        ctx.shape("Accent", Box(g.title.x + 4, g.title.y - 10, 44, 4), self.style.accent)

    def body(self, ctx: SlideCtx) -> Box:
        g = self.geometry.body
        top = ctx.top if ctx.top is not None else g.y
        return Box(g.x, top, g.w, g.bottom - top)

    # ── the build ────────────────────────────────────────────────────────

    def build(self) -> Built:
        # a layout named in the deck file: the content master's first, then the others'
        home = self.layouts["content"].slide_master
        layouts = list(home.slide_layouts) + [
            lay for m in self.prs.slide_masters if m is not home for lay in m.slide_layouts
        ]
        unknown = [
            s for s in self.report.deck if s.layout and not masters.layout_named(layouts, s.layout)
        ]
        if unknown:
            names = ", ".join(dict.fromkeys(f"'{lay.name}'" for lay in layouts))
            raise BuildError(
                "\n".join(
                    f"{s.loc}: the template has no layout '{s.layout}'; its layouts: {names}"
                    for s in unknown
                )
            )
        for s in self.report.deck:
            label = f"{s.kind}{' ' + s.ref if s.ref else ''}"
            self.override = masters.layout_named(layouts, s.layout) if s.layout else None
            fn = getattr(self, "slide_" + s.kind.replace("-", "_"))
            first, logged = self.count + 1, len(self.log)
            try:
                fn(s, label)
            except Overflow as exc:
                raise BuildError(
                    f"{s.loc}: slide {max(first, self.count)} ({label}): {exc.message}"
                ) from None
            for entry in self.log[logged:]:  # the deck file's entry that made the slide
                entry["path"], entry["line"] = s.loc.path, s.loc.line
        when = build_time()
        cp = self.prs.core_properties
        r = self.report
        cp.title = r.title
        cp.subject = r.subtitle or r.series or ""
        cp.author = self.loc.t("sep.names").join(p.name for p in r.publishers)
        cp.keywords = self.loc.t("sep.clause").join(r.keywords)
        cp.language = r.lang
        cp.last_modified_by = "reportbuild"
        cp.revision = 1
        cp.comments = r.series or ""
        cp.created = cp.modified = cp.last_printed = when
        buf = io.BytesIO()
        self.prs.save(buf)
        return Built(reproducible(buf.getvalue(), when), self.count, self.log)

    def resolve(self, s: model.DeckSlide) -> str | None:
        return content.resolve(self.report, s.title, s.loc) if s.title else None

    # ── slide kinds ──────────────────────────────────────────────────────

    def slide_title(self, s: model.DeckSlide, label: str) -> None:
        r, st, g = self.report, self.style, self.geometry
        ctx = self.new_slide("title", label)
        W, H = g.width, g.height
        on_brand = not self.templated
        if on_brand:
            fill = ctx.slide.background.fill
            fill.solid()
            fill.fore_color.rgb = RGBColor.from_string(hex_of(st.primary))
            ctx.background = st.primary
            ctx.shape("Accent", Box(g.title.x + 4, H * 0.30, 64, 6), st.accent)
        ink = WHITE if on_brand else None
        box = Box(g.title.x, H * 0.30 + 16, W * 0.78, H * 0.30)
        used = self.title(
            ctx, self.resolve(s) or r.title, box=box, size=44, color=ink or st.primary, tight=True
        )
        sub = r.subtitle or r.series
        year = f"{r.year}" if r.year else ""
        tone = mix_light(st) if on_brand else st.secondary
        lines = [st.p(sub, 20, color=tone, line=1.4)] if sub else []
        sub_box = Box(g.title.x, used.bottom + 8, W * 0.78, 64)
        ph = _placeholder(ctx.slide, (PP_PLACEHOLDER.SUBTITLE,))
        if ph is not None and self.templated:
            sub_box = _zone(ctx.slide, ph, (PP_PLACEHOLDER.SUBTITLE,), self.generic)
        if lines and ph is not None:
            got = ctx.fit("Subtitle", sub_box, lines)
            # as tall as its lines: a master's subtitle zone may fill the slide
            sub_box = Box(sub_box.x, sub_box.y, sub_box.w, min(sub_box.h, got.height + 8))
            ph.left, ph.top = emu(sub_box.x), emu(sub_box.y)
            ph.width, ph.height = emu(sub_box.w), emu(sub_box.h)
            under = ctx.colours_under(ink_box(sub_box, got.paras, (4, 2), "top"))
            paras = ctx.readable("Subtitle", sub_box, got.paras, under)
            write_text(ph.text_frame, paras, width=sub_box.w - 8)
        elif lines:
            ctx.text("Subtitle", sub_box, lines)
        elif ph is not None:
            ph._element.getparent().remove(ph._element)
        pubs = "  |  ".join(p.name for p in r.publishers)
        foot = [st.p(pubs, 16, color=WHITE if on_brand else st.fg, line=1.4)]
        if year:
            foot.append(st.p(year, 16, color=mix_light(st) if on_brand else st.muted, line=1.4))
        # under the subtitle, and under the title where a master sets it low
        top = max(H * 0.80, sub_box.bottom + 8, used.bottom + 8 if used.y > sub_box.y else 0)
        if (
            H * 0.95 - top >= 40
        ):  # a template whose subtitle fills the slide keeps them in the notes
            ctx.text(
                "Publishers",
                Box(g.title.x, top, W - 2 * g.title.x, H * 0.95 - top),
                foot,
                min_scale=0.7,
            )
        self.notes(
            ctx,
            content.join_notes(
                [
                    r.title,
                    r.series,
                    self.loc.t("deck.publishers")
                    + self.loc.t("sep.names").join(p.name for p in r.publishers),
                ]
            ),
        )

    def slide_agenda(self, s: model.DeckSlide, label: str) -> None:
        st = self.style
        chapters = list(self.report.chapters)
        title = self.resolve(s) or self.loc.t("deck.contents")
        texts = []  # each chapter's title and the first sentence of its summary
        for ch in chapters:
            paras = [st.p(ch.title, 24, bold=True, color=st.primary, line=1.3, head=True, after=4)]
            if ch.summary:
                paras.append(
                    st.p(content.first_sentence(ch.summary.text), 15, color=st.muted, line=1.4)
                )
            texts.append(paras)
        start = 0
        while start == 0 or start < len(chapters):
            first = start == 0
            ctx = self.content_slide(
                label, title if first else self.loc.t("deck.continued", title=title)
            )
            body = self.body(ctx)
            if not first:
                ctx.log.append(
                    {
                        "slide": ctx.number,
                        "shape": "Chapter rows",
                        "message": "contents continued on this slide",
                        "fitted": True,
                    }
                )
            # as many chapters as the slide holds at full size (one at least), then the next
            needs = [_agenda_need(paras, body.w) for paras in texts]
            end, used = start, -AGENDA_GAP
            while end < len(chapters) and (
                end == start or used + AGENDA_GAP + needs[end] <= body.h
            ):
                used += AGENDA_GAP + needs[end]
                end += 1
            chunk, rows_text = chapters[start:end], texts[start:end]
            rows = _agenda_rows(body, max(3, len(chunk)), needs[start:end])
            # one size for every chapter of the slide: the smallest that any row needs
            scales = [
                measure.fit(paras, row.w - 108, row.h - 12, floor=st.floor, min_scale=0.0)
                for row, paras in zip(rows, rows_text, strict=False)
            ]
            k = min((f.scale for f in scales if f is not None), default=1.0)
            if k < 1.0 and all(f is not None for f in scales):
                rows_text = [[p.scaled(k, st.floor) for p in paras] for paras in rows_text]
                ctx.log.append(
                    {
                        "slide": ctx.number,
                        "shape": "Chapter rows",
                        "message": f"chapters set at {int(round(k * 100))}% to fit their rows",
                        "fitted": True,
                    }
                )
            for i, (ch, row, paras) in enumerate(
                zip(chunk, rows, rows_text, strict=False), start + 1
            ):
                ctx.shape(f"Chapter {i} rule", Box(row.x, row.y, row.w, 1.2), st.light)
                ctx.text(
                    f"Chapter {i} number",
                    Box(row.x, row.y + 8, 90, row.h - 8),
                    [st.p(f"{ch.number:02d}", 40, bold=True, color=st.accent, line=1.1, head=True)],
                    pad=(2, 2),
                )
                ctx.text(
                    f"Chapter {i} title", Box(row.x + 100, row.y + 8, row.w - 100, row.h - 8), paras
                )
            self.notes(
                ctx,
                content.join_notes(
                    [
                        self.loc.t("deck.chapter_line", n=c.number, title=c.title)
                        + self.loc.t("sep.label")
                        + (c.summary.text if c.summary else "")
                        for c in chunk
                    ]
                ),
            )
            start = end

    def slide_core_points(self, s: model.DeckSlide, label: str) -> None:
        st = self.style
        cp = self.report.core_points
        points = cp.points if cp else ()
        title = self.resolve(s) or (cp.title if cp else self.loc.t("deck.core_points"))
        ctx = self.content_slide(label, title, subtitle=cp.subtitle if cp else "")
        cols = self.body(ctx).cols(max(1, len(points)), 22)
        for i, (pnt, c) in enumerate(zip(points, cols, strict=True)):
            ctx.shape(f"Point {i + 1} card", c, mix_card(st))
            ctx.shape(f"Point {i + 1} bar", c.top(6), st.primary if i else st.accent)
            ctx.text(
                f"Point {i + 1} number",
                Box(c.x + 18, c.y + 24, c.w - 36, 60),
                [st.p(f"{i + 1:02d}", 40, bold=True, color=st.accent, line=1.1, head=True)],
                pad=(0, 0),
            )
            head, _, tail = pnt.title.partition("，")
            paras = [st.p(head, 30, bold=True, color=st.primary, head=True, line=1.3, after=12)]
            inner = c.w - 36 - 8
            if tail:
                size = st.measure_size(21, inner, tail)
                paras.append(st.p(tail, size, color=st.fg, line=1.5, after=12))
            if pnt.text:
                size = st.measure_size(17, inner, pnt.text)
                paras.append(st.p(pnt.text, size, color=st.secondary, line=1.5))
            ctx.text(f"Point {i + 1} text", Box(c.x + 18, c.y + 96, c.w - 36, c.h - 114), paras)
        stop = self.loc.t("sentence.end") + self.loc.t("sep.sentence")
        self.notes(
            ctx,
            content.join_notes([f"{i + 1}. {p.title}{stop}{p.text}" for i, p in enumerate(points)]),
        )

    def _figure_slide(self, fig: model.Figure, label: str, title: str | None) -> None:
        r = self.report
        kicker, finding = content.split_finding(fig.finding or "")
        if title:
            subtitle = fig.question or fig.display_caption
        elif finding:
            title, subtitle = finding, fig.question or fig.display_caption
        elif fig.is_data:
            kicker, title = content.split_finding(content.figure_heading(r, fig.id))
            title = title or fig.display_caption
            subtitle = fig.question or (fig.display_caption if fig.display_caption != title else "")
        else:
            title = fig.display_caption
            heading = content.figure_heading(r, fig.id)
            subtitle = heading if heading != title else ""
        foot = []
        if fig.source:
            foot.append(
                self.loc.t("figure.source" if fig.is_data else "figure.source_diagram") + fig.source
            )
        if fig.note:
            foot.append(self.loc.t("figure.note") + fig.note)
        ctx = self.content_slide(
            label, title, subtitle=subtitle, kicker=kicker, footer=self.loc.t("sep.list").join(foot)
        )
        self._draw_figure(ctx, fig, self.body(ctx))
        prose = content.figure_prose(r, fig.id)
        # the chart read out (its numbers, in order) for the presenter; diagrams only when
        # the report has no prose of its own to say about them
        readout = [alt_text(fig)] if fig.is_data or not prose else []
        self.notes(ctx, content.join_notes([fig.finding or "", *prose, *readout]))

    def _draw_figure(self, ctx: SlideCtx, fig: model.Figure, box: Box) -> None:
        st = self.style
        if fig.kind == "donut":
            left, right = box.cols(2, 30, [1.1, 1])
            charts.donut(ctx, left, fig)
            it = fig.items[0]
            v = fig.value(it.id)
            big = [
                st.p(v.format() if v else "", 80, bold=True, color=st.accent, line=1.1, head=True),
                st.p(it.label, 24, bold=True, color=st.primary, line=1.35, before=6),
            ]
            if fig.question:
                big.append(
                    st.p(
                        self.loc.t("deck.question", text=fig.question),
                        16,
                        color=st.muted,
                        line=1.45,
                        before=12,
                    )
                )
            ctx.text(
                "Callout",
                Box(right.x, right.y + right.h * 0.12, right.w, right.h * 0.76),
                big,
                anchor="middle",
            )
        elif fig.kind == "stat":
            self._stats(ctx, box, fig)
        elif (build := kinds.of(fig).deck_builder()) is not None:  # the kind's registry entry
            build(ctx, box, fig)
        else:
            raise Overflow(
                f"Figure {fig.id}",
                f"figures of kind '{fig.kind}' have no slide form yet; drop the slide",
            )

    def _stats(self, ctx: SlideCtx, box: Box, fig: model.Figure) -> None:
        st = self.style
        cols = box.inset(0, box.h * 0.15).cols(len(fig.items), 24)
        for i, (it, c) in enumerate(zip(fig.items, cols, strict=True)):
            v = fig.value(it.id)
            text = format_value(fig, it)
            unit = v.unit if v else ""
            paras = []
            if len(unit) > 1 and text.endswith(unit):
                # a worded unit (个百分点) under the number, so the number stays on one line
                text = text[: -len(unit)]
                paras.append(st.p(unit, 22, bold=True, color=st.primary, line=1.3))
            big = st.p(
                text, 54, bold=True, color=st.accent if i == 0 else st.primary, line=1.15, head=True
            )
            label = st.p(it.label, 20, color=st.fg, line=1.4, before=8)
            ctx.shape(f"Stat {i + 1} card", c, mix_card(st))
            ctx.text(f"Stat {i + 1}", c.inset(20, 20), [big, *paras, label], anchor="middle")

    def slide_figure(self, s: model.DeckSlide, label: str) -> None:
        self._figure_slide(self.report.figures[s.ref], label, self.resolve(s))

    def slide_value_framework(self, s: model.DeckSlide, label: str) -> None:
        figs = self.report.figures
        fig = figs.get(s.ref or "value-framework") or next(
            (f for f in figs.values() if f.kind == "layers"), None
        )
        if fig is None:
            raise Overflow(
                "Figure", "the report has no layers figure for a value-framework slide; add 'ref:'"
            )
        title = self.resolve(s) or fig.display_caption
        _ch, sec, _i = content.figure_place(self.report, fig.id)
        ctx = self.content_slide(label, title, subtitle=sec.title if sec else "")
        self._draw_figure(ctx, fig, self.body(ctx))
        self.notes(ctx, content.join_notes(content.section_prose(sec) if sec else [alt_text(fig)]))

    def slide_strategies(self, s: model.DeckSlide, label: str) -> None:
        st = self.style
        strategies = self.report.strategies
        items = strategies.strategies
        ch = content.chapter_of_strategies(self.report)
        title = self.resolve(s) or strategies.title or self.loc.t("deck.strategies")
        ctx = self.content_slide(label, title)
        body = self.body(ctx)
        n = max(1, len(items))
        # one row while a card's line holds the measure (12 CJK or 35 Latin characters) at the
        # small size; else two rows (a 2 × 2 grid for four, on a 4:3 master), where they fit
        texts = " ".join(sg.tagline or sg.headline for sg in items)
        narrow = body.cols(n, 18)[0].w - 32 - 8
        # (two rows only where each holds its band and two lines of tagline)
        roomy = (body.h - 18) / 2 >= 88 + 34 + 2 * 21 * 1.5
        rows = 2 if n > 2 and roomy and st.measure_size(21, narrow, texts) < st.small else 1
        per_row = -(-n // rows)
        cols = [c for r in body.rows(rows, 18) for c in r.cols(per_row, 18)][:n]
        band = 118.0 if rows == 1 else min(118.0, max(88.0, cols[0].h * 0.45))
        for i, (sg, c) in enumerate(zip(items, cols, strict=True)):
            ctx.shape(f"Strategy {i + 1} card", c, mix_card(st))
            head = Box(c.x, c.y, c.w, band)
            ctx.shape(f"Strategy {i + 1} band", head, st.primary if i % 2 == 0 else st.secondary)
            ctx.text(
                f"Strategy {i + 1} name",
                head.inset(16, 14 if rows == 1 else 8),
                [
                    st.p(content.strategy_label(sg, self.loc), 15, color=WHITE, line=1.3, after=4),
                    st.p(sg.name, 30, bold=True, color=WHITE, line=1.2, head=True),
                ],
                anchor="bottom",
            )
            ctx.text(
                f"Strategy {i + 1} tagline",
                Box(c.x + 16, c.y + band + 18, c.w - 32, c.h - band - 34),
                [
                    st.p(
                        sg.tagline or sg.headline,
                        st.measure_size(21, c.w - 32 - 8, sg.tagline or sg.headline),
                        color=st.fg,
                        line=1.5,
                    )
                ],
            )
        intro = [b.body.text for b in (ch.intro if ch else ()) if isinstance(b, model.Prose)]
        self.notes(
            ctx,
            content.join_notes(
                intro
                + [
                    f"{content.strategy_label(x, self.loc)} {x.name}"
                    f"{self.loc.t('sep.label')}{x.tagline}"
                    for x in items
                ]
            ),
        )

    def slide_strategy(self, s: model.DeckSlide, label: str) -> None:
        r = self.report
        sg = next(x for x in r.strategies.strategies if x.id == s.ref)
        title = self.resolve(s) or f"{sg.name}{self.loc.t('sep.label')}{sg.headline or sg.tagline}"
        fig = r.figures.get(sg.figures[0]) if sg.figures else None
        sub = fig.display_caption if fig else ""
        name, sep, rest = sub.partition("：")
        if sep and name == sg.name:
            sub = rest  # '拿来主义：实施步骤' under a title that already says 拿来主义
        ctx = self.content_slide(
            label, title, subtitle=sub, kicker=content.strategy_label(sg, self.loc)
        )
        sec = content.find_section(r, sg.section)
        box = self.body(ctx)
        if fig is not None:
            self._draw_figure(ctx, fig, box)
        elif sec is not None:
            texts = [b.body.text for b in sec.blocks if isinstance(b, model.Prose)][:2]
            ctx.text("Body", box, [self.style.p(t, 18, line=1.5, after=10) for t in texts])
        notes = [sg.headline or sg.tagline] + (content.section_prose(sec) if sec else [])
        for b in sec.blocks if sec else ():
            if isinstance(b, model.CaseRef) and b.case in r.cases:
                notes.append(content.case_notes(r.cases[b.case], self.loc))
        self.notes(ctx, content.join_notes(notes))

    def slide_cases(self, s: model.DeckSlide, label: str) -> None:
        cases = list(self.report.cases.values())
        order = []
        for ch in self.report.chapters:
            for b in ch.blocks():
                if isinstance(b, model.CaseRef) and b.case not in order:
                    order.append(b.case)
        by_id = self.report.cases
        cases = [by_id[c] for c in order if c in by_id] + [c for c in cases if c.id not in order]
        title = self.resolve(s) or self.loc.t("deck.cases")
        _cases_table(self, s, label, title, cases)

    def slide_case(self, s: model.DeckSlide, label: str) -> None:
        st = self.style
        case = self.report.cases[s.ref]
        ctx = self.content_slide(
            label, self.resolve(s) or case.title, subtitle=case.org, kicker=self.loc.t("case.tag")
        )
        box = self.body(ctx)
        if case.kind == "example" or not case.measures:
            text = case.body or case.background or case.effect
            paras = [
                st.p(t, 18, line=1.55, after=10)
                for t in content.sentences(text.text if text else "")
            ]
            ctx.text("Case body", box, paras or [st.p("", 18)])
        else:
            left, right = box.cols(2, 24, [1, 1.35])
            bg = content.sentences(case.background.text)[:2] if case.background else []
            lp = [
                st.p(
                    self.loc.t("case.background"),
                    16,
                    bold=True,
                    color=st.secondary,
                    line=1.3,
                    after=6,
                )
            ]
            lp += [st.p(t, 16, line=1.5, after=6) for t in bg]
            eff = content.case_result(case)
            ctx.text("Background", left.top(left.h * 0.55), lp, fill=mix_card(st), pad=(14, 12))
            if eff:
                ctx.text(
                    "Effect",
                    left.below(left.h * 0.55, 14),
                    [
                        st.p(
                            self.loc.t("case.effect"), 16, bold=True, color=WHITE, line=1.3, after=6
                        ),
                        st.p(eff, 16, color=WHITE, line=1.5),
                    ],
                    fill=st.primary,
                    pad=(14, 12),
                )
            rp = [
                st.p(
                    self.loc.t("case.measures"),
                    16,
                    bold=True,
                    color=st.secondary,
                    line=1.3,
                    after=6,
                )
            ]
            for k, m in enumerate(case.measures):
                rp.append(
                    measure.Para(
                        (measure.Run(f"{k + 1}  {m.title}", True, st.primary),),
                        17,
                        st.body_family,
                        line=1.4,
                        before=6,
                    )
                )
                rp.append(st.p(content.first_sentence(m.text.text), 15, line=1.45))
            ctx.text("Measures", right, rp, pad=(6, 4))
        self.notes(ctx, content.case_notes(case, self.loc))

    def slide_quotes(self, s: model.DeckSlide, label: str) -> None:
        st = self.style
        q = self.report.quotes
        title = self.resolve(s) or q.intro or self.loc.t("deck.quotes")
        quotes = list(q.quotes)
        first = True
        while quotes:
            # as many quotes as fit a slide at a readable size: 16 pt, or down to 13 pt
            for per in (6, 4, 3, 2, 1):
                for size in (16.0, 15.0, 14.0, 13.0):
                    grid = self._quote_grid(self.geometry.body, quotes[:per], size)
                    if grid is not None:
                        break
                if grid is not None:
                    break
            else:
                raise Overflow(
                    "Quote 1", f"the quote of {quotes[0].org} does not fit a slide; shorten it"
                )
            chunk, quotes = quotes[: len(grid)], quotes[len(grid) :]
            ctx = self.content_slide(
                label,
                title if first else self.loc.t("deck.continued", title=title),
                subtitle=q.lead,
            )
            if not first:
                ctx.log.append(
                    {
                        "slide": ctx.number,
                        "shape": "Quotes",
                        "message": "quotes continued on this slide",
                        "fitted": True,
                    }
                )
            for i, (c, paras) in enumerate(grid):
                c = Box(c.x, self.body(ctx).y + (c.y - self.geometry.body.y), c.w, c.h)
                ctx.shape(f"Quote {i + 1} bar", Box(c.x, c.y, 4, c.h), st.accent)
                ctx.text(
                    f"Quote {i + 1}",
                    Box(c.x + 4, c.y, c.w - 4, c.h),
                    paras,
                    fill=mix_card(st),
                    pad=(14, 10),
                )
            self.notes(
                ctx,
                content.join_notes(
                    [q.intro, q.lead]
                    + [f"{x.org}{self.loc.t('sep.label')}{x.text.text}" for x in chunk]
                ),
            )
            first = False

    def _quote_grid(self, body: Box, chunk: list[model.Quote], size: float):
        """Boxes for the quotes, rows as tall as their longest quote; None if they do not fit."""
        st = self.style
        n = len(chunk)
        ncol = {1: 1, 2: 2, 4: 2}.get(n, 3)
        nrow = (n + ncol - 1) // ncol
        col_boxes = body.cols(ncol, 16)
        paras = [
            [
                st.p(qt.text.text, size, line=1.5, after=8),
                st.p(f"—— {qt.org}", size, bold=True, color=st.primary, line=1.3, align="right"),
            ]
            for qt in chunk
        ]
        heights = []
        for r in range(nrow):
            row = range(r * ncol, min(n, (r + 1) * ncol))
            heights.append(
                max(measure.block_height(paras[i], col_boxes[0].w - 4 - 28) for i in row) + 20
            )
        free = body.h - 16 * (nrow - 1) - sum(heights)
        if free < 0:
            return None
        heights = [h + min(free / nrow, 40) for h in heights]
        out, y = [], body.y
        for r in range(nrow):
            for k in range(ncol):
                i = r * ncol + k
                if i < n:
                    cb = col_boxes[k]
                    out.append((Box(cb.x, y, cb.w, heights[r]), paras[i]))
            y += heights[r] + 16
        return out

    def slide_divider(self, s: model.DeckSlide, label: str) -> None:
        st, g = self.style, self.geometry
        ch = next(c for c in self.report.chapters if c.id == s.ref)
        ctx = self.new_slide("section", label)
        W, H = g.width, g.height
        if not self.templated:
            fill = ctx.slide.background.fill
            fill.solid()
            fill.fore_color.rgb = RGBColor.from_string(hex_of(st.primary))
            ctx.background = st.primary
        ink = WHITE if not self.templated else st.primary
        number = [st.p(f"{ch.number:02d}", 80, bold=True, color=st.accent, line=1.1, head=True)]
        if not self.templated:
            ctx.text("Chapter number", Box(g.title.x, H * 0.18, 300, 110), number, pad=(2, 2))
        used = self.title(
            ctx,
            self.resolve(s) or ch.title,
            box=Box(g.title.x, H * 0.18 + 116, W * 0.8, 110),
            size=36,
            color=ink,
            tight=True,
        )
        below = Box(used.x, used.bottom + 16, min(W * 0.72, W - used.x - g.title.x), 0)
        if self.templated and ctx.slide.slide_layout is self.layouts["content"]:
            # the divider on the content layout: its summary where the content starts
            below = Box(below.x, max(below.y, g.body.y), below.w, 0)
        below = Box(below.x, below.y, below.w, H * 0.92 - below.y)
        # a template may put its section title low on the slide: then the summary goes above it
        above = Box(used.x, H * 0.08, below.w, used.y - 16 - H * 0.08)
        low = below.h >= above.h
        where = below if low else above
        if ctx.backdrop is not None:  # off the layout's decoration
            where = ctx.backdrop.clear_part(where, "lrb" if low else "lrt") or where
        if self.templated and low and used.y > 120:
            ctx.text("Chapter number", Box(used.x, used.y - 100, 300, 96), number, pad=(2, 2))
        if ch.summary:
            ctx.text(
                "Summary",
                where,
                [
                    st.p(
                        content.clean(ch.summary.text),
                        18,
                        line=1.6,
                        color=mix_light(st) if not self.templated else st.fg,
                    )
                ],
                anchor="top" if low else "bottom",
            )
        self.notes(
            ctx,
            content.join_notes(
                [ch.summary.text if ch.summary else ""]
                + [f"{x.number} {x.title}" for x in ch.sections]
            ),
        )

    def slide_closing(self, s: model.DeckSlide, label: str) -> None:
        st = self.style
        r = self.report
        contact = r.contact
        # the publishers are "about us"; the contact panel carries its own title (联系我们)
        title = self.resolve(s) or self.loc.t("about.title")
        ctx = self.content_slide(label, title)
        body = self.body(ctx)
        left, right = body.cols(2, 32, [1.45, 1])
        rows = left.rows(max(3, len(r.publishers)), 12)
        for i, (p, row) in enumerate(zip(r.publishers, rows, strict=False)):
            ctx.shape(
                f"Publisher {i + 1} bar",
                Box(row.x, row.y, 4, row.h),
                st.primary if i % 2 == 0 else st.secondary,
            )
            paras = [st.p(p.name, 19, bold=True, color=st.primary, line=1.35, after=4)]
            if p.links:
                paras.append(
                    st.p(
                        "    ".join(
                            f"{ln.label}{self.loc.t('sep.label')}{ln.value}" for ln in p.links
                        ),
                        15,
                        color=st.fg,
                        line=1.4,
                    )
                )
            ctx.text(
                f"Publisher {i + 1}",
                Box(row.x + 16, row.y, row.w - 16, row.h),
                paras,
                anchor="middle",
            )
        if contact and contact.lines:
            paras = [
                st.p(contact.title, 20, bold=True, color=WHITE, line=1.35, after=10, head=True)
            ]
            for ln in contact.lines:
                paras.append(st.p(ln.label, 14, color=mix_light(st), line=1.35, before=6))
                paras.append(st.p(ln.value, 17, bold=True, color=WHITE, line=1.4))
            ctx.text("Contact", right, paras, fill=st.primary, pad=(24, 22), anchor="middle")
        self.notes(ctx, content.join_notes([p.profile.text for p in r.publishers if p.profile]))


def _agenda_need(paras: list, width: float) -> float:
    """The height a contents row needs at full size: its number (AGENDA_ROW), or its title
    and summary in their box (100 pt in from the row, padded 4 × 2 pt, 8 pt under the rule)."""
    return max(AGENDA_ROW, 8 + 2 * 2 + measure.block_height(paras, width - 100 - 2 * 4))


def _agenda_rows(body: Box, n: int, needs: list[float]) -> list[Box]:
    """The contents slide's rows: `n` of one height (three at least, so that a short report's
    rows do not stretch) while every chapter's title and summary fit theirs at full size; else
    each row as high as its text needs, the slack shared out (a chapter whose summary takes
    three lines was shrunk to 80 % beside two at full size), or, for a chapter taller than the
    slide, the whole body (the caller then sets it smaller)."""
    rows = body.rows(n, AGENDA_GAP)
    if all(need <= rows[0].h for need in needs):
        return rows
    free = body.h - AGENDA_GAP * (len(needs) - 1)
    slack = max(0.0, (free - sum(needs)) / len(needs))
    return body.rows(len(needs), AGENDA_GAP, [need + slack for need in needs])


def _cases_table(
    deck: DeckBuilder, s: model.DeckSlide, label: str, title: str, cases: list[model.Case]
) -> None:
    """The cases as a native table (bank, focus, key measure, result), continued on as many
    slides as the measured rows need."""
    st = deck.style
    head = [deck.loc.t(f"deck.case_head.{k}") for k in ("org", "focus", "measure", "result")]
    rows = [
        [
            c.org,
            content.case_focus(c),
            content.case_measure(c),  # an empty cell says "none" better than a dash
            content.case_result(c),
        ]
        for c in cases
    ]
    body = deck.geometry.body
    widths = [0.12, 0.22, 0.21, 0.45]
    col_w = [body.w * w for w in widths]
    pad = (8.0, 5.0)
    size = 14.0

    def cell_paras(text: str, j: int, header: bool) -> list[measure.Para]:
        if header:
            return [st.p(text, 15, bold=True, color=WHITE, line=1.3)]
        return [st.p(text, size, bold=j == 0, color=st.primary if j == 0 else st.fg, line=1.35)]

    def row_h(cells: list[str], header: bool = False) -> float:
        return (
            max(
                measure.block_height(cell_paras(t, j, header), col_w[j] - 2 * pad[0])
                for j, t in enumerate(cells)
            )
            + 2 * pad[1]
            + 2
        )

    head_h = row_h(head, True)
    # the table starts under the title as measured (a continued title may take more lines)
    top = max(deck.body_top(title), deck.body_top(deck.loc.t("deck.continued", title=title)))
    room = body.bottom - top - head_h
    layouts = []
    for size in (14.0, 13.0):  # one point smaller if it saves a slide or evens the rows out
        heights = [row_h(rw) for rw in rows]
        for i, h in enumerate(heights):
            if h > room:
                raise Overflow(
                    "Cases table",
                    f"the row of case '{cases[i].id}' is taller than a slide; "
                    "shorten its first measure or effect",
                )
        split = _paginate(heights, room)
        counts = [len(p) for p in split] or [0]
        layouts.append((len(split), max(counts) - min(counts), -size, heights, split))
    # fewest slides, then rows most evenly spread, then the larger type
    _n, _spread, neg, heights, pages = min(layouts, key=lambda t: t[:3])
    size = -neg
    for n, idx in enumerate(pages):
        t = title if n == 0 else deck.loc.t("deck.continued", title=title)
        ctx = deck.content_slide(label, t)
        if n:
            ctx.log.append(
                {
                    "slide": ctx.number,
                    "shape": "Cases table",
                    "message": f"cases continued on slide {ctx.number}",
                    "fitted": True,
                }
            )
        total_h = head_h + sum(heights[i] for i in idx)
        top = deck.body(ctx).y
        if top + total_h > body.bottom + 0.5:  # body_top and content_slide disagree: a bug
            raise Overflow(
                "Cases table",
                f"the table runs {top + total_h - body.bottom:.0f} pt past the slide's body",
            )
        ctx._inside("Cases table", Box(body.x, top, body.w, total_h))
        gf = ctx.slide.shapes.add_table(
            len(idx) + 1, 4, emu(body.x), emu(top), emu(body.w), emu(total_h)
        )
        gf.name = "Cases table"
        table = gf.table
        for j, w in enumerate(col_w):
            table.columns[j].width = emu(w)
        data = [head] + [rows[i] for i in idx]
        hs = [head_h] + [heights[i] for i in idx]
        for ri, (cells, h) in enumerate(zip(data, hs, strict=True)):
            table.rows[ri].height = emu(h)
            for j, text in enumerate(cells):
                cell = table.cell(ri, j)
                cell.fill.solid()
                cell.fill.fore_color.rgb = RGBColor.from_string(
                    hex_of(st.primary if ri == 0 else (WHITE if ri % 2 else mix_card(st)))
                )
                write_text(
                    cell.text_frame,
                    cell_paras(text, j, ri == 0),
                    pad=pad,
                    width=col_w[j] - 2 * pad[0],
                )
                cell.margin_left = cell.margin_right = emu(pad[0])
                cell.margin_top = cell.margin_bottom = emu(pad[1])
        deck.notes(
            ctx,
            content.join_notes(
                [
                    f"{cases[i].org}{deck.loc.t('sep.label')}{cases[i].title}"
                    f"{deck.loc.t('sentence.end')}{deck.loc.t('sep.sentence')}{content.case_result(cases[i])}"
                    for i in idx
                ]
            ),
        )


def _paginate(heights: list[float], room: float) -> list[list[int]]:
    """Rows (measured heights) split over the fewest slides that hold them, as evenly as they
    fit: the row counts of the slides differ as little as possible (8 rows on two slides are
    4 + 4, never 7 + 1), and among such splits the tallest slide is as short as it can be.
    Rows keep their order."""
    n = len(heights)
    if n == 0:
        return []
    prefix = [0.0]
    for h in heights:
        prefix.append(prefix[-1] + h)

    def split(pages: int, lo: int, hi: int) -> tuple[float, list[list[int]]] | None:
        """Rows over exactly `pages` slides of lo..hi rows each: (tallest slide, pages)."""
        memo: dict[tuple[int, int], tuple[float, list[list[int]]] | None] = {}

        def go(start: int, left: int) -> tuple[float, list[list[int]]] | None:
            key = (start, left)
            if key in memo:
                return memo[key]
            result = None
            rest_rows = n - start
            if left == 1:
                h = prefix[n] - prefix[start]
                if lo <= rest_rows <= hi and h <= room + 0.01:
                    result = (h, [list(range(start, n))])
            else:
                for count in range(hi, lo - 1, -1):  # ties: the fuller slides first
                    end = start + count
                    h = prefix[min(end, n)] - prefix[start]
                    if end > n or h > room + 0.01:
                        continue
                    rest = go(end, left - 1)
                    if rest is not None and (result is None or max(h, rest[0]) < result[0]):
                        result = (max(h, rest[0]), [list(range(start, end)), *rest[1]])
            memo[key] = result
            return result

        return go(0, pages)

    if any(h > room + 0.01 for h in heights):
        return [[i] for i in range(n)]  # a row taller than a slide (the caller refuses it)
    pages, used = 1, 0.0  # the fewest slides: filling each in turn is optimal for a count
    for h in heights:
        if used + h > room + 0.01:
            pages, used = pages + 1, 0.0
        used += h
    even = n // pages
    for spread in range(0 if n % pages == 0 else 1, n):
        found = [
            got
            for lo in range(max(1, even - spread), even + 1)
            if (got := split(pages, lo, lo + spread)) is not None
        ]
        if found:
            return min(found, key=lambda g: g[0])[1]
    return [[i] for i in range(n)]


def mix_card(st: Style) -> str:
    return charts.mix(st.light, WHITE, 0.45)


def mix_light(st: Style) -> str:
    return charts.mix(st.primary, WHITE, 0.72)


def _zone(slide, ph, types, generic: bool = False) -> Box:
    """A placeholder's box as its layout places it (in design points): a slide's placeholder
    from a LibreOffice export may inherit its position from another of the master's; with
    generic layouts (masters.generic_layouts), as its master places it."""
    src = masters.placement(slide.slide_layout, types, generic) or ph
    return Box(pt(src.left), pt(src.top), pt(src.width), pt(src.height))


def _placeholder(holder, types):
    for ph in holder.placeholders:
        if ph.placeholder_format.type in types:
            return ph
    return None


def _drop_slides(prs) -> None:
    """A corporate template may carry sample slides: the deck starts from its layouts only."""
    ids = prs.slides._sldIdLst
    for sld in list(ids):
        prs.part.drop_rel(sld.rId)
        ids.remove(sld)


def _widen(prs) -> None:
    """The built-in 4:3 master made 16:9: slide size and every master/layout shape stretched."""
    old_w = prs.slide_width
    prs.slide_width, prs.slide_height = WIDE
    k = WIDE[0] / old_w
    for master in prs.slide_masters:
        for holder in [master, *master.slide_layouts]:
            for sh in holder.shapes:
                # only shapes placed by their own xfrm: the others inherit the master's, which
                # is stretched already
                if sh._element.find(".//" + qn("a:off")) is not None:
                    sh.left, sh.width = Emu(int(sh.left * k)), Emu(int(sh.width * k))


def build_deck(
    report: model.Report, brand: Brand, template: Path | None, *, fonts: str = "brand"
) -> Built:
    FONTS.set(fonts)
    return DeckBuilder(report, brand, template).build()
