"""The private parts of WeasyPrint and matplotlib reportbuild relies on, in one place.

pyproject.toml bounds both libraries to the versions these were read in. When a new version
moves one of them, this file fails first and names it, instead of a build failing somewhere
later. Each test names the module that uses the private part.
"""

from __future__ import annotations

import inspect

import pytest


def test_weasyprint_page_keeps_its_page_box():
    """pdf.find_overflows walks `Page._page_box` for lines past the margins."""
    from weasyprint import HTML

    doc = HTML(string="<p>x</p>").render()
    box = doc.pages[0]._page_box  # noqa: SLF001
    assert hasattr(box, "content_box_x") and hasattr(box, "children")


def test_weasyprint_svg_image_keeps_document_context_and_fetcher():
    """deferred.swap_in re-parses a chart drawn while WeasyPrint typesets into
    `SVGImage._svg`, with the image's `_context` fonts and `_url_fetcher`."""
    from weasyprint.images import SVGImage
    from weasyprint.svg import SVG

    source = inspect.getsource(SVGImage)
    for name in ("self._svg", "self._context", "self._url_fetcher"):
        assert name in source, name
    params = list(inspect.signature(SVG).parameters)
    assert params[:4] == ["tree", "url", "font_config", "url_fetcher"], params


def test_weasyprint_fetcher_fails_on_errors_when_asked():
    """fetcher.SandboxFetcher sets `_fail_on_errors` so a refused URL stops the build."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    class Refuse:
        _fail_on_errors = True

        def __call__(self, url, *args, **kwargs):
            raise ValueError(f"refused {url}")

    with pytest.raises(FatalURLFetchingError):
        HTML(string='<img src="file:///nowhere.png">', url_fetcher=Refuse()).render()


def test_matplotlib_text_to_path_gives_its_font():
    """charts.text measures Chinese from the glyphs of `TextToPath._get_font`."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = TextToPath()._get_font(FontProperties(family="DejaVu Sans", size=10))  # noqa: SLF001
    assert hasattr(font, "load_char") and hasattr(font, "get_kerning")
