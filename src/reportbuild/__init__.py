"""reportbuild: a research report kept as plain files, built into PDF, PPTX and HTML."""

__version__ = "0.1.0"
