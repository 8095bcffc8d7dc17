"""The lint catalogue: one stable code, name and severity per editorial check."""

from __future__ import annotations

from dataclasses import dataclass

from reportbuild.errors import Problem


@dataclass(frozen=True)
class Lint:
    code: str
    name: str
    severity: str  # "error" | "warning"
    summary: str


LINTS: dict[str, Lint] = {
    lint.code: lint
    for lint in (
        Lint("L001", "lints-config", "error", "sources/lints.yml is malformed"),
        Lint(
            "L101",
            "number-contradicts-figure",
            "error",
            "a literal number in prose disagrees with the figure item its label names",
        ),
        Lint(
            "L201",
            "repeated-passage",
            "warning",
            "a passage of 40+ characters appears in two places of the report",
        ),
        Lint(
            "L202",
            "unused-repeat-allowance",
            "warning",
            "an allow_repeats entry in sources/lints.yml matches no repeated passage",
        ),
        Lint(
            "L301",
            "figure-never-referenced",
            "warning",
            "a placed figure is never referenced with @fig-ID",
        ),
        Lint(
            "L303",
            "missing-source-note",
            "error",
            "a data figure has no source note, or a placeholder",
        ),
        Lint(
            "L305",
            "numbering-gap",
            "error",
            "figure numbers of a chapter are not 1, 2, 3 … in order",
        ),
        Lint(
            "L306", "figure-never-placed", "warning", "a figure in figures/ is placed in no chapter"
        ),
        Lint(
            "L307",
            "literal-figure-number",
            "warning",
            "prose writes a figure number by hand instead of @fig-ID",
        ),
        Lint("L401", "glyph-not-in-fonts", "error", "a character the brand fonts cannot draw"),
        Lint("L801", "image-without-alt", "warning", "a picture has no alt text"),
        Lint(
            "L802",
            "raw-html-printed",
            "warning",
            "an HTML tag in the text prints as typed because allow_html is off",
        ),
        Lint(
            "L803",
            "reference-after-its-label",
            "warning",
            "a @sec- reference written after the label it prints (Chapter 1 (@sec-x))",
        ),
        Lint(
            "L500",
            "layout-report-unreadable",
            "warning",
            "a layout report of the last build is unreadable or older than the sources",
        ),
        Lint(
            "L501",
            "pdf-overflow",
            "warning",
            "the PDF stage reported a box overflowing its page or column",
        ),
        Lint(
            "L502", "slide-overflow", "warning", "the deck stage reported text exceeding its shape"
        ),
        Lint("L503", "slide-title-long", "warning", "a slide title takes more than one line"),
        # editorial hygiene (lints/hygiene.py)
        Lint("L701", "ascii-punctuation-in-cjk", "warning", "ASCII , ? ! ; : ( ) inside CJK text"),
        Lint(
            "L702",
            "dots-for-ellipsis",
            "warning",
            "'...' or '。。。' instead of the locale's ellipsis",
        ),
        Lint("L703", "mixed-slashes", "warning", "'/' and '／' both used between words"),
        Lint("L704", "mixed-range-marks", "warning", "ranges written with different marks"),
        Lint("L705", "mixed-thousands", "warning", "numbers over 999 with and without separators"),
        Lint("L706", "diagram-without-source", "warning", "a diagram has no source line"),
        Lint(
            "L707",
            "multiple-choice-without-note",
            "warning",
            "survey percentages add up past 100 with no note that several answers were allowed",
        ),
        # the typesetting report (check --layout): measured in the built PDF
        Lint("L600", "no-pdf-to-measure", "warning", "check --layout found no built PDF"),
        Lint(
            "L601",
            "line-short-of-measure",
            "warning",
            "a non-final justified line ends > 0.1 em short, or stretches a space past 0.33 em",
        ),
        Lint(
            "L602",
            "lone-last-line",
            "warning",
            "a paragraph ends with ≤ 2 CJK characters or one word",
        ),
        Lint(
            "L603",
            "prohibited-break",
            "warning",
            "a line begins or ends with a mark kinsoku forbids there",
        ),
        Lint(
            "L604",
            "split-unit",
            "warning",
            "a break parts a number from its unit, or splits a figure reference",
        ),
        Lint(
            "L605",
            "heading-at-foot",
            "warning",
            "a heading in the last 15% of a page without two lines after it",
        ),
        Lint(
            "L606",
            "heading-split-phrase",
            "warning",
            "a heading breaks between two Han characters, not at a phrase boundary",
        ),
        Lint(
            "L607",
            "page-hole",
            "warning",
            "a page is more than 30% empty at the foot while its chapter goes on",
        ),
        Lint(
            "L608",
            "figure-without-source",
            "warning",
            "a figure or diagram is printed without a source line",
        ),
    )
}


def problem(code: str, path: str, line: int, message: str) -> Problem:
    """A Problem carrying the catalogue's severity for `code`."""
    return Problem(
        path=path, line=int(line or 0), message=message, code=code, severity=LINTS[code].severity
    )
