"""Read a report project (sources/, figures/) into the model, collecting every problem on the way.

One `Loader` per load, assembled from one reader per kind of file: core.py (state, reading,
YAML, validation), manifest.py (report.yml and the two passes), markdown.py (chapters and
pages), figures.py (figures/*.yml), items.py (cases, quotes, core points, strategies, deck),
xrefs.py (numbers, bindings, references between files). Each reader's methods use the state
and helpers of `LoaderCore`; directives and figure kinds get the `Loader` as `loader`.
"""

from __future__ import annotations

from pathlib import Path

from reportbuild import model
from reportbuild.load.figures import FigureReader
from reportbuild.load.items import ItemReader
from reportbuild.load.manifest import ManifestReader
from reportbuild.load.markdown import MarkdownReader
from reportbuild.load.xrefs import CrossReferences

__all__ = ["Loader", "load_project"]


class Loader(ManifestReader, MarkdownReader, FigureReader, ItemReader, CrossReferences):
    """One load of one project. Problems accumulate in `self.problems`; `load()` raises at the
    end."""


def load_project(root: Path | str) -> model.Report:
    """Load and validate a project; raise SourceError listing every problem."""
    loader = Loader(Path(root))
    report = loader.load()
    loader.problems.raise_if_errors()
    assert report is not None
    return report
