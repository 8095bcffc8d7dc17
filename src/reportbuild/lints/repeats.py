"""L201: a passage of 40+ characters that appears in two places of the report (copy-paste).

Texts are compared after normalising: only letters and digits count, so punctuation, spaces
and Markdown do not hide a pasted paragraph. Every 40-character window of a text is looked up
in a dictionary of the windows of the texts before it (one hash per window, linear in the
size of the report), and a hit is extended character by character to the whole passage.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportbuild.errors import Problem
from reportbuild.lints.codes import problem
from reportbuild.lints.config import CONFIG, AllowRepeat
from reportbuild.lints.sites import Site, expand
from reportbuild.model import Report

MIN_CHARS = 40
SNIPPET = 20
MERGE_GAP = 20  # normalised characters between two runs of one paste


@dataclass
class Place:
    site: Site
    text: str  # as printed, with the line structure of the source
    norm: str  # letters and digits only, case-folded
    pos: list[int]  # norm index -> text index

    def line_at(self, at: int) -> int:
        """The file line of a normalised position (text keeps the source's line structure)."""
        return self.site.line + self.text.count("\n", 0, self.pos[at])


def normalise(text: str) -> tuple[str, list[int]]:
    chars, pos = [], []
    for i, ch in enumerate(text):
        if ch.isalnum():
            chars.append(ch.casefold() if ch.isascii() else ch)
            pos.append(i)
    return "".join(chars), pos


def norm_only(text: str) -> str:
    return normalise(text)[0]


@dataclass
class Repeat:
    first: Place
    second: Place
    at_first: int  # norm index in first
    at_second: int  # norm index in second
    length: int  # normalised characters

    def passage(self) -> str:
        return self.second.norm[self.at_second : self.at_second + self.length]

    def snippet(self) -> str:
        p = self.second
        a = p.pos[self.at_second]
        b = p.pos[min(self.at_second + SNIPPET, self.at_second + self.length) - 1] + 1
        return " ".join(p.text[a:b].split())


def find_repeats(places: list[Place], min_chars: int = MIN_CHARS) -> list[Repeat]:
    """Each passage that already appeared earlier (in another place or the same one), maximal."""
    index: dict[str, tuple[int, int]] = {}
    out: list[Repeat] = []
    for b, place in enumerate(places):
        norm = place.norm
        i = 0
        while i + min_chars <= len(norm):
            gram = norm[i : i + min_chars]
            hit = index.get(gram)
            if hit is None or (hit[0] == b and hit[1] + min_chars > i):
                index.setdefault(gram, (b, i))
                i += 1
                continue
            a, j = hit
            other = places[a].norm
            # within one place the first occurrence must end before the second begins
            limit = i - j if a == b else len(norm)
            n = min_chars
            while (
                n < limit
                and i + n < len(norm)
                and j + n < len(other)
                and norm[i + n] == other[j + n]
            ):
                n += 1
            out.append(Repeat(places[a], place, j, i, n))
            for k in range(i, i + n - min_chars + 1):
                index.setdefault(norm[k : k + min_chars], (b, k))
            i += n
    return out


def lint_repeats(report: Report, sites: list[Site], allow: list[AllowRepeat]) -> list[Problem]:
    places = []
    for s in sites:
        if s.prose:
            text = expand(s.source, report)
            norm, pos = normalise(text)
            places.append(Place(s, text, norm, pos))
    allowed = [(a, norm_only(a.text)) for a in allow]
    used: set[int] = set()
    # a pasted paragraph with a word changed comes out as several runs: one warning for runs of
    # the same two places that follow each other closely, at the first, with the total length
    groups: list[list[Repeat]] = []
    last: dict[tuple[int, int], list[Repeat]] = {}
    for r in find_repeats(places):
        hits = [k for k, (_, an) in enumerate(allowed) if an in r.passage() or r.passage() in an]
        if hits:
            used.update(hits)
            continue
        key = (id(r.first), id(r.second))
        prev = last.get(key)
        if prev and r.at_second - (prev[-1].at_second + prev[-1].length) <= MERGE_GAP:
            prev.append(r)
        else:
            last[key] = [r]
            groups.append(last[key])
    out: list[Problem] = []
    for reps in groups:
        r = reps[0]
        first, second = r.first, r.second
        total = sum(x.length for x in reps)
        first_line = first.line_at(r.at_first)
        out.append(
            problem(
                "L201",
                second.site.path,
                second.line_at(r.at_second),
                f"{total} characters of {second.site.where} repeat "
                f"{'an earlier passage of the same text' if first is second else first.site.where} "
                f"({first.site.path}:{first_line}): “{r.snippet()}…”; rewrite one of them, "
                f"or record the repeat as intended in {CONFIG} "
                f'(allow_repeats: text: "{r.snippet()}", reason: …)',
            )
        )
    for k, (a, _) in enumerate(allowed):
        if k not in used:
            out.append(
                problem(
                    "L202",
                    CONFIG,
                    a.line,
                    f"allow_repeats entry “{a.text[:SNIPPET]}” matches no repeated passage "
                    "any more; remove it",
                )
            )
    return out
