"""Line-breaking rules shared by every output that wraps text itself (charts, deck).

One definition of where a line may not break (kinsoku: closing punctuation and units may not
begin a line, opening punctuation may not end one) and of what is kept whole (Latin words and
numbers with their signs, decimals and separators). The measuring stays with each output, which
knows its own font metrics; the rules do not differ between them.
"""

from __future__ import annotations

import re

# May not begin a line (closing punctuation, units that belong to the number before).
NO_START = frozenset("，。、；：！？）》」』】〕〉”’%％…·,.;:!?)]}—～-–／/")
# May not end a line (opening punctuation).
NO_END = frozenset("（《「『【〔〈“‘([{")
# Kept whole: Latin words and numbers with their signs, decimals, separators and percent sign;
# any other character (a CJK character, a space run) is a piece of its own.
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,+/&'’_%-]*|\s+|.", re.S)

# Han characters (CJK Unified Ideographs, Extension A, Compatibility): where a Latin word or
# a number meets them, text drawn by the tool itself (charts) has one space, as the PDF's prose
# has its quarter-em gap (html: a margin) — "2018 年", "百度 Apollo", whether or not the
# author typed the space. Next to full-width punctuation, which has its own blank half, none.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_LATIN = re.compile(
    rf"(?<=[{HAN}])[ \u00a0]*(?=[A-Za-z0-9])|(?<=[A-Za-z0-9%])[ \u00a0]*(?=[{HAN}])"
)
_PUNCT_LATIN = re.compile(
    r"(?<=[（《「『【〔〈“‘])[ \u00a0]+|[ \u00a0]+(?=[，。、；：！？）》」』】〕〉”’])"
)


def cjk_latin_spaced(text: str) -> str:
    """`text` with one space wherever Han characters meet Latin letters or digits, and none
    between full-width punctuation and what it encloses (idempotent)."""
    return _PUNCT_LATIN.sub("", _HAN_LATIN.sub(" ", text))
