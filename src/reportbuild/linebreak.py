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
