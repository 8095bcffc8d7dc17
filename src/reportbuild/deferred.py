"""Charts typeset before they are drawn: WeasyPrint lays the pages out around a chart's size and
reads the chart itself only when it draws the PDF.

A build draws the charts while WeasyPrint typesets. Laying a page out needs only each chart's
size, which the charts stage knows as soon as a figure is laid out, before it is rendered.
Drawing the PDF needs the file. So while a chart is pending, the fetcher answers for it with a
stand-in: an empty SVG with the width, height and viewBox the drawn file will have. Once the
files are written, and before the PDF is drawn, `swap_in` gives each image WeasyPrint made from
a stand-in the drawn SVG, checking that its size is the one the pages were laid out with.

That swap reaches into WeasyPrint's images (weasy.py). With a WeasyPrint where it cannot, the
PDF is typeset from the drawn files instead (pdf.write_pdf): slower, never a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reportbuild import weasy
from reportbuild.errors import BuildError

SVG_NS = "http://www.w3.org/2000/svg"


@dataclass(frozen=True)
class PendingCharts:
    """Chart SVGs being drawn while the PDF is typeset.

    `sizes()` blocks until their layout is known and returns {path: (width, height)}, the
    numbers (pt) of each SVG's width and height attributes; `drawn()` blocks until the files
    are written. The PDF is written into the build's staging folder, which becomes output/
    only if every stage (the charts too) succeeded.
    """

    paths: tuple[Path, ...]
    sizes: Callable[[], Mapping[str, tuple[str, str]]]
    drawn: Callable[[], None]
    served: dict[str, Path] = field(default_factory=dict)  # url → path of each stand-in given

    def stand_in(self, path: Path, url: str) -> bytes | None:
        """The stand-in SVG for `path` if it is pending (None if not)."""
        if path not in self.paths:
            return None
        try:
            w, h = self.sizes()[str(path)]
        except KeyError:
            raise BuildError(
                f"pdf: no size was announced for chart {path.name} "
                "(a bug in reportbuild; build with -j 1 to work around it)"
            ) from None
        self.served[url] = path
        return (
            f'<svg xmlns="{SVG_NS}" width="{w}pt" height="{h}pt" viewBox="0 0 {w} {h}"/>'.encode()
        )


def swap_in(
    charts: PendingCharts, cache: Mapping[str, object], read: Callable[[str], bytes]
) -> int:
    """Give each image WeasyPrint made from a stand-in (found in its image cache, by URL) the
    drawn SVG; return how many. Call after `charts.drawn()`, before drawing the PDF.

    Raises weasy.Unsupported if this WeasyPrint's images cannot take another document (the
    caller typesets again from the drawn files); BuildError if a chart's size changed.
    """
    for url, path in charts.served.items():
        image = cache.get(url)
        if image is None:
            continue  # not kept (an image that failed to load was reported by WeasyPrint)
        before = image.get_intrinsic_size(1, 16)
        weasy.swap_svg(image, read(url), url)
        after = image.get_intrinsic_size(1, 16)
        if after != before:

            def pt(size: tuple) -> str:  # WeasyPrint's sizes are CSS px (3/4 pt)
                return f"{size[0] * 0.75:g} × {size[1] * 0.75:g} pt"

            raise BuildError(
                f"pdf: chart {path.name} was drawn {pt(after)} but laid out {pt(before)} "
                "(a bug in reportbuild; build with -j 1 to work around it)"
            )
    return len(charts.served)
