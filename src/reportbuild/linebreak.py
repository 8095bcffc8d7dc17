"""Line-breaking rules shared by every output that wraps text itself (charts, deck).

One definition of where a line may not break (kinsoku: closing punctuation and units may not
begin a line, opening punctuation may not end one) and of what is kept whole (Latin words and
numbers with their signs, decimals and separators). The measuring stays with each output, which
knows its own font metrics; the rules do not differ between them.
"""

from __future__ import annotations

import re
from functools import lru_cache

# May not begin a line (closing punctuation, units that belong to the number before).
NO_START = frozenset("，。、；：！？）》」』】〕〉”’%％…·,.;:!?)]}—～-–／/")
# May not end a line (opening punctuation).
NO_END = frozenset("（《「『【〔〈“‘([{")
# Kept whole: Latin words and numbers with their signs, decimals, separators and percent sign;
# any other character (a CJK character, a space run) is a piece of its own.
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,+/&'’_%-]*|\s+|.", re.S)

# Han characters (the CJK unified ideographs and their extensions in the BMP).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RUN = re.compile(f"[{HAN}]+")
_IS_HAN = re.compile(f"[{HAN}]")
# East Asian text that needs no space where a source line break joins it: Han, kana, hangul and
# full-width punctuation.
_EAST_ASIAN = re.compile(
    r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)
_SPACES = re.compile(r"\s+")
_FULL_WIDTH_PUNCT = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]")
# A Latin letter or digit touching a Han character, either way round, with the spaces (if
# any) the author typed between them.
_HAN_LATIN = re.compile(
    rf"(?<=[{HAN}])[ \u00a0]*(?=[A-Za-z0-9])|(?<=[A-Za-z0-9%])[ \u00a0]*(?=[{HAN}])"
)
# Spaces between full-width punctuation and what it encloses: the mark has its own blank half.
_PUNCT_LATIN = re.compile(
    r"(?<=[（《「『【〔〈“‘])[ \u00a0]+|[ \u00a0]+(?=[，。、；：！？）》」』】〕〉”’])"
)
# Longer "words" from the segmenter (names run together) may break inside.
MAX_WORD = 6


def collapse(text: str) -> str:
    """Source line breaks and runs of white space as one line: nothing between two East Asian
    characters, one space anywhere else (so Latin words are never glued together)."""

    def one(m: re.Match[str]) -> str:
        s, e = m.start(), m.end()
        before, after = text[s - 1 : s], text[e : e + 1]
        if not before or not after:
            return ""
        if _EAST_ASIAN.match(before) and _EAST_ASIAN.match(after):
            return ""
        # full-width punctuation carries its own space
        return "" if _FULL_WIDTH_PUNCT.match(before) or _FULL_WIDTH_PUNCT.match(after) else " "

    return _SPACES.sub(one, text)


def space_cjk_latin(text: str) -> str:
    """A space between Han characters and Latin letters or digits (占 41%, AI 驱动), as the
    PDF sets a quarter-em gap there."""
    return _HAN_LATIN.sub(" ", text)


def cjk_latin_spaced(text: str) -> str:
    """`text` as the charts draw it: exactly one space wherever Han characters meet Latin
    letters or digits ("2018 年", "百度 Apollo", typed with or without the space), as the PDF's
    prose has its quarter-em gap; none inside full-width brackets (idempotent)."""
    return _PUNCT_LATIN.sub("", space_cjk_latin(text))


def pieces(text: str) -> list[str]:
    """`text` cut into pieces no line may break inside: Latin words and numbers (WORD), space
    runs, single other characters, and Chinese words as a segmenter finds them (rjieba, the
    Rust port of jieba: its dictionary is compiled in, ~0.15 s to import, microseconds a
    sentence), so that no line ends with one or two characters of a word."""
    if not _IS_HAN.search(text):
        return WORD.findall(text)
    return list(_pieces(text))


@lru_cache(maxsize=4096)
def _pieces(text: str) -> tuple[str, ...]:
    import rjieba

    out: list[str] = []
    pos = 0
    for m in _HAN_RUN.finditer(text):
        out.extend(WORD.findall(text[pos : m.start()]))
        for word in rjieba.cut(m.group(0)):
            out.extend([word] if len(word) <= MAX_WORD else list(word))
        pos = m.end()
    out.extend(WORD.findall(text[pos:]))
    return tuple(out)


# Phrase boundaries of a heading: after punctuation, after 的, before a conjunction. A heading
# breaks only at these where its phrases fit a line (html.heading_text), and `check --layout`
# reports a break elsewhere. No segmenter: a dictionary (jieba) costs ~0.7 s to load per build
# for some fifty headings, and these boundaries cover the headings met so far.
PHRASE_END = frozenset("，、：；？！。）」』”’》—")
AFTER_WORDS = frozenset("的")
BEFORE_WORDS = frozenset("与和及或并")


def phrase_cuts(text: str) -> list[int]:
    """Positions in `text` where a phrase ends and a line may break between two CJK characters."""
    cuts = []
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        if a.isascii() or b.isascii() or b in NO_START:
            continue
        if a in PHRASE_END or a in AFTER_WORDS or b in BEFORE_WORDS:
            cuts.append(i)
    return cuts
